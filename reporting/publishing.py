"""Publishing a report run: the record of what the council published, its frozen files, corrections and
withdrawal. Writes with business rules (one function per use case); the public pages read through
``public_publication``."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.models import Tenant
from earlyhelp.permissions import Capability

from . import editions
from .models import Publication, ReportRun


def public_url(publication: Publication) -> str:
    return reverse("public:report", args=[publication.tenant.slug, publication.public_id])


def _correction_notice(previous: Publication, note: str) -> dict:
    """What the HTML edition of a correction says above its contents: what changed, and where the previous
    version is (a link when that version is on the public pages too)."""
    when = f"{previous.published_on.day} {previous.published_on:%B %Y}"
    if previous.on_public_site:
        where = format_html('<p>The previous version (version {}, published {}) is still available: '
                            '<a href="{}">read version {}</a>.</p>', previous.version, when, public_url(previous),
                            previous.version)
    else:
        where = format_html("<p>It replaces version {}, published {}.</p>", previous.version, when)
    return {"title": f"Corrected version {previous.version + 1}: what changed",
            "html": format_html("<p>{}</p>{}", note, where)}


def publication_create(*, run: ReportRun, by, published_on: dt.date, committee: str, item_number: str = "",
                       on_public_site: bool = False, correction_note: str = "") -> Publication:
    """Mark ``run`` published to ``committee`` on ``published_on``: copy its PDF and freeze its HTML edition,
    each with its SHA-256. When the report was published before, this is a correction: ``correction_note`` must
    say what changed, and the new version links to the previous one. Only a Public report may go on the
    council's public pages. Must run inside the run's tenant."""
    require(by, Capability.RUN_REPORTS)
    if run.status != ReportRun.Status.DONE or not run.pdf or not run.snapshot:
        raise ValidationError("Only a finished run can be published: wait for it to finish, or render it again.")
    if Publication.objects.filter(run=run).exists():
        raise ValidationError("This run has already been published. To correct it, render the report again and "
                              "publish the new run as a correction.")
    if not committee.strip():
        raise ValidationError({"committee": "Enter the committee the report was published to."})
    if on_public_site and not run.parameters.get("is_public", True):
        raise ValidationError({"on_public_site": "This report is exempt from publication, so it cannot be put on "
                                                 "the council's public pages."})
    report = run.report
    previous = Publication.objects.filter(report=report).order_by("-version").first()
    note = correction_note.strip()
    if previous is not None and not note:
        raise ValidationError({"correction_note": f"This report was published before (version "
                                                  f"{previous.version}): say what changed in this correction."})
    if previous is None and note:
        raise ValidationError({"correction_note": "This report has not been published before, so there is no "
                                                  "earlier version to correct: leave “What changed” blank."})
    with run.pdf.open("rb") as handle:
        pdf_bytes = handle.read()
    pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    if run.pdf_sha256 and pdf_sha256 != run.pdf_sha256:
        raise ValidationError("The run's PDF no longer matches the SHA-256 recorded when it was rendered: render "
                              "the report again and publish the new run.")
    version = (Publication.objects.filter(report=report).aggregate(v=Max("version"))["v"] or 0) + 1
    notice = _correction_notice(previous, note) if previous is not None else None
    html_bytes = editions.render_edition(run.snapshot, inline_css=True, notice=notice).encode()
    publication = Publication(
        report=report, run=run, version=version, previous=previous, correction_note=note,
        published_on=published_on, committee=committee.strip(), item_number=item_number.strip(),
        on_public_site=on_public_site, pdf_sha256=pdf_sha256, html_sha256=hashlib.sha256(html_bytes).hexdigest(),
        published_by=user_of(by))
    stem = f"publications/{run.tenant.slug}/{publication.public_id}"
    publication.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
    publication.html.save(f"{stem}.html", ContentFile(html_bytes), save=False)
    publication.save()
    record_event(action="report.published", by=by, obj=publication, detail={
        "report": str(report.public_id), "run": str(run.public_id), "version": version,
        "committee": publication.committee, "item_number": publication.item_number,
        "published_on": published_on.isoformat(), "on_public_site": on_public_site,
        "pdf_sha256": publication.pdf_sha256, "html_sha256": publication.html_sha256,
        "corrects": str(previous.public_id) if previous else None})
    return publication


def publication_withdraw(*, publication: Publication, by, reason: str) -> Publication:
    """Withdraw a publication: its public address answers 410 Gone from now on; the record and files stay."""
    require(by, Capability.RUN_REPORTS)
    if publication.is_withdrawn:
        raise ValidationError("This publication has already been withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the publication is withdrawn."})
    publication.status = Publication.Status.WITHDRAWN
    publication.withdrawn_by = user_of(by)
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_reason = reason.strip()
    publication.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdrawn_reason"])
    record_event(action="report.publication_withdrawn", by=by, obj=publication,
                 detail={"version": publication.version, "reason": publication.withdrawn_reason})
    return publication


# -- reads


def publications_of_run(run: ReportRun):
    return run.publications.select_related("published_by", "withdrawn_by").order_by("-version")


def publication_by_public_id(public_id) -> Publication:
    return get_object_or_404(Publication.objects.select_related("report", "run", "tenant"), public_id=public_id)


def public_tenant(slug: str) -> Tenant:
    return get_object_or_404(Tenant.objects.all(), slug=slug)


def public_publications():
    """The current tenant's publications on its public pages, newest meeting first (withdrawn ones included:
    the list says they were withdrawn)."""
    return (Publication.objects.filter(on_public_site=True).select_related("report", "run")
            .order_by("-published_on", "report_id", "-version"))


def public_publication(public_id) -> Publication:
    """One of the current tenant's publications that is on its public pages; 404 for anything else (another
    council's, one not opted in, an unknown id)."""
    return get_object_or_404(Publication.objects.filter(on_public_site=True).select_related("report", "run",
                                                                                            "previous"),
                             public_id=public_id)


def later_version(publication: Publication) -> Publication | None:
    """The newest public version of the same report after this one, if any."""
    return (Publication.objects.filter(report=publication.report, version__gt=publication.version,
                                       on_public_site=True, status=Publication.Status.PUBLISHED)
            .order_by("-version").first())
