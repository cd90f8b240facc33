"""The commissioning panel of the home page: for a commissioner, the current quarter's returns that are late, due,
waiting for review or queried; for a provider user, their own services' returns (registered in
``CommissioningConfig.ready``)."""

from __future__ import annotations

from django.utils import timezone

from earlyhelp.permissions import Capability, has_capability

from . import selectors

NEEDS_ATTENTION = ("late", "due", "submitted", "queried")


def returns_panel(request) -> dict | None:
    membership = request.membership
    commissioner = has_capability(membership, Capability.VIEW_COMMISSIONING)
    if not commissioner and not has_capability(membership, Capability.SUBMIT_RETURNS):
        return None
    today = timezone.localdate()
    quarter = selectors.reporting_quarter(today, request.tenant.financial_year_start_month)
    rows = selectors.returns_position(membership=membership, quarter=quarter, today=today)
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in (*NEEDS_ATTENTION, "accepted")}
    return {"template": "commissioning/_home.html", "quarter": quarter, "counts": counts,
            "slug": f"{quarter.start_year}-q{quarter.number}", "commissioner": commissioner,
            "rows": [r for r in rows if r["state"] in NEEDS_ATTENTION], "service_count": len(rows)}
