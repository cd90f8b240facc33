"""The tenant administrator's home panel: agreements ending soon (so they are renewed in time) and agreements
that lapsed in the past month (what they covered has stopped working). Registered in ``EarlyHelpConfig.ready``."""

from __future__ import annotations

from ..permissions import Capability, has_capability
from . import services


def agreements_panel(request) -> dict | None:
    if not has_capability(request.membership, Capability.ADMINISTER_TENANT):
        return None
    today = services.today()
    ending = services.agreements_ending_soon(on=today)
    lapsed = services.agreements_lapsed_recently(on=today)
    for agreement in ending:
        agreement.days_left = (agreement.last_day - today).days
    return {"template": "earlyhelp/sharing/_home.html", "ending": ending, "lapsed": lapsed, "today": today}
