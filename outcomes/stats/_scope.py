"""The period and scope (team, locality) shared by the outcomes statistics."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from earlyhelp.models import Locality, Team


def bounds(period=None, start: dt.date | None = None, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    if period is not None:
        return period.start, period.end
    if start is None or end is None or end < start:
        raise ValueError("give a period (Quarter or FinancialYear) or a start and an end, in order")
    return start, end


def case_scope(prefix: str = "", *, team: Team | None = None, locality: Locality | None = None) -> Q:
    """A filter on cases (through ``prefix``, e.g. ``"case__"``) for a team and/or a locality."""
    q = Q()
    if team is not None:
        q &= Q(**{f"{prefix}team": team})
    if locality is not None:
        q &= Q(**{f"{prefix}locality": locality})
    return q
