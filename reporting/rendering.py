"""From a run's parameters to a data snapshot, from the snapshot to HTML, and from HTML to PDF."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases.stats import case_stats_series, reused_within
from earlyhelp.pdf import write_pdf
from earlyhelp.periods import FinancialYear, Quarter, long_date, span

from . import sections as registry
from .sections import ReportContext

HEADER_FIELDS = [
    "title", "committee", "meeting_date", "item_number", "wards_affected", "key_decision", "report_of",
    "accountable_director", "is_public", "exempt_reason", "author",
]


def period_of(parameters: dict, fy_start_month: int) -> Quarter | FinancialYear:
    if parameters.get("period_quarter"):
        return Quarter(parameters["period_start_year"], parameters["period_quarter"], fy_start_month)
    return FinancialYear(parameters["period_start_year"], fy_start_month)


def build_snapshot(tenant, parameters: dict, progress: Callable[[int], None] = lambda pct: None) -> dict:
    """Build every included section's data. Must run inside the tenant's context."""
    period = period_of(parameters, tenant.financial_year_start_month)
    context = ReportContext(
        tenant=tenant,
        parameters=parameters,
        period=period,
        public=bool(parameters.get("is_public", True)),
        threshold=tenant.small_number_threshold,
        decimals=tenant.rate_decimal_places,
    )
    layout = [item for item in registry.normalise_layout(parameters.get("sections")) if item["include"]]
    built = []
    with reused_within():  # sections read the same quarters' casework counts: work each out once
        _count_casework(layout, context)
        for done, item in enumerate(layout, start=1):
            section = registry.get(item["key"])
            built.append({"key": section.key, "kind": section.kind, "data": section.build(context)})
            progress(int(10 + 60 * done / max(len(layout), 1)))
    return {
        "tenant": {"name": tenant.name, "brand": tenant.brand_name, "threshold": tenant.small_number_threshold,
                   "decimals": tenant.rate_decimal_places},
        "header": {
            **{name: parameters.get(name) for name in HEADER_FIELDS},
            "meeting_date_display": _long_date(parameters.get("meeting_date")),
        },
        "period": {"label": str(period), "start": period.start.isoformat(), "end": period.end.isoformat()},
        "sections": built,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def _count_casework(layout: list[dict], context: ReportContext) -> None:
    """Inside ``reused_within``: the casework counts of every included section's periods, worked out together
    (each table read once for all of them) rather than section by section, as the framework's five quarters and
    the trend's eight overlap without being the same."""
    periods = [p for item in layout for p in registry.get(item["key"]).casework_periods(context)]
    if periods:
        case_stats_series(list(dict.fromkeys(periods)))


def _long_date(value: str | None) -> str:
    return long_date(dt.date.fromisoformat(value)) if value else ""


def human_time(value: str) -> str:
    """An ISO timestamp as the council reads it, in its time zone (Europe/London, BST in summer):
    ``6 December 2026 at 6:44am``."""
    moment = timezone.localtime(dt.datetime.fromisoformat(value))
    hour = moment.hour % 12 or 12
    return f"{long_date(moment.date())} at {hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"


def snapshot_hash(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()


def checkpoint_summary(checkpoint: dict) -> dict:
    """What a report prints of the audit checkpoint written with its run (``earlyhelp.audit_checkpoints``)."""
    return {"last_event_id": checkpoint["last_event_id"], "head_hash_prefix": checkpoint["head_hash"][:16],
            "seq": checkpoint["seq"], "written_at": checkpoint["written_at"]}


def printed_checkpoint(snapshot: dict) -> dict | None:
    """The run's audit checkpoint as the PDF and the HTML edition print it (the time as the council reads it)."""
    checkpoint = snapshot.get("audit_checkpoint")
    if not checkpoint:
        return None
    return {**checkpoint, "written_at": human_time(checkpoint["written_at"])}


def provenance(*, tenant, run_public_id, snapshot_sha256: str) -> dict:
    """What the last page says of where this document comes from: the run, the snapshot's hash, and the public
    page where a reader can check a copy of the PDF."""
    return {"run_id": str(run_public_id), "snapshot_sha256": snapshot_sha256,
            "check_url": settings.SITE_URL.rstrip("/") + reverse("public:check-report",
                                                                 kwargs={"tenant_slug": tenant.slug})}


def run_provenance(run) -> dict:
    """``provenance`` of a rendered run, to render its HTML again (byte for byte the same PDF)."""
    return provenance(tenant=run.tenant, run_public_id=run.public_id, snapshot_sha256=run.snapshot_sha256)


def render_bodies(snapshot: dict) -> tuple[list[str], list[dict], list[dict]]:
    """Each included section's HTML (disclosure control applied as the snapshot says the report is classified),
    the definitions of its figures and the contents entries, from the snapshot alone: shared by the PDF and the
    HTML edition."""
    snapshot = copy.deepcopy(snapshot)  # sections' renderers may add to their data: what is hashed stays as built
    public = bool(snapshot["header"].get("is_public", True))
    threshold = snapshot["tenant"]["threshold"]
    decimals = snapshot["tenant"]["decimals"]
    bodies = []
    definitions = []
    contents = []
    for number, item in enumerate(snapshot["sections"], start=1):
        section = registry.get(item["key"])
        contents.append({"number": number, "title": item["data"].get("title") or section.title,
                         "anchor": f"section-{section.key}"})
        bodies.append(mark_safe(section.render(  # noqa: S308 - section templates escape; narrative is sanitised
            item["data"], number=number, public=public, threshold=threshold, decimals=decimals)))
        definitions.extend(section.definitions(item["data"]))
    return bodies, definitions, contents


def render_html(snapshot: dict, *, provenance: dict | None = None) -> str:
    """The report as one HTML document (print stylesheet included), from the snapshot alone (and, for a run,
    its ``provenance``, printed on the last page). ``snapshot`` is left as it was."""
    public = bool(snapshot["header"].get("is_public", True))
    bodies, definitions, contents = render_bodies(snapshot)
    return render_to_string(
        "reporting/pdf/report.html",
        {
            "snapshot": snapshot,
            "header": snapshot["header"],
            "public": public,
            "bodies": bodies,
            "definitions": definitions,
            "contents": contents,
            "generated": human_time(snapshot["generated_at"]),
            "period_span": span(dt.date.fromisoformat(snapshot["period"]["start"]),
                                dt.date.fromisoformat(snapshot["period"]["end"])),
            "appendix_number": len(bodies) + 1,
            "threshold": snapshot["tenant"]["threshold"],
            "provenance": provenance,
            "checkpoint": printed_checkpoint(snapshot),
        },
    )


# Tagged PDF/UA-1 (WeasyPrint): a structure tree (headings, paragraphs, lists, tables with header cells linked
# to their data cells, figures with the images' alt text), /Lang from <html lang>, /Title from <title> shown as
# the window title (DisplayDocTitle), and bookmarks from the headings.
PDF_VARIANT = "pdf/ua-1"


# A worker's first PDF would otherwise pay WeasyPrint's imports (cffi bindings to Pango, fontTools), fontconfig's
# set-up and the PDF writer's lazily imported font-table modules: a Celery pool process renders this page once as
# it starts (earlyhelp.warmup worker step). The fonts, tagging, a table and an SVG image are the report's.
WARM_UP_HTML = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Warm-up</title><style>
@page { size: A4; margin: 2cm; }
html { font-family: "Liberation Sans", Arial, "DejaVu Sans", sans-serif; font-size: 10.5pt; }
</style></head><body><h1>Warm-up</h1><p>Text, <strong>bold</strong> and <em>italic</em> — 1,234 (56%).</p>
<table><caption>Figures</caption><thead><tr><th scope="col">Quarter</th><th scope="col">Referrals</th></tr></thead>
<tbody><tr><td>Q1</td><td>10</td></tr></tbody></table>
<img alt="A chart" src="data:image/svg+xml;base64,{chart}"></body></html>"""
WARM_UP_CHART = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="14">Q</text></svg>'


def warm_up_pdf() -> int:
    """Render :data:`WARM_UP_HTML` once (a worker's warm-up); returns its size in bytes."""
    chart = base64.b64encode(WARM_UP_CHART.encode()).decode()
    return len(render_pdf(WARM_UP_HTML.replace("{chart}", chart)))


def render_pdf(html: str, *, tagged: bool = True) -> bytes:
    """``html`` as a PDF: tagged PDF/UA-1 always in the product; untagged only to measure what tagging costs
    (bench/bench_tagged_pdf.py). Through ``earlyhelp.pdf.write_pdf``: the collector paused, the stack's own room."""
    options = {"pdf_variant": PDF_VARIANT} if tagged else {}
    return write_pdf(html, base_url=".", **options)
