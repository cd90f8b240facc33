"""The performance officer's panel of the home page: the dashboard and the latest report runs (registered in
``ReportingConfig.ready``)."""

from __future__ import annotations

from earlyhelp.permissions import Capability, has_capability

from . import selectors


def reports_panel(request) -> dict | None:
    membership = request.membership
    runs_reports = has_capability(membership, Capability.RUN_REPORTS)
    if not runs_reports and not has_capability(membership, Capability.VIEW_STATISTICS):
        return None
    return {"template": "reporting/_home.html", "runs": selectors.recent_runs() if runs_reports else [],
            "runs_reports": runs_reports}
