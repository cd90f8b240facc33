"""Report sections: each a small module with one job, registered here in the default order.

A section's ``build(context)`` returns a JSON-serialisable snapshot (raw counts and bases, never rounded
rates); ``render`` turns that snapshot into HTML, applying disclosure control for Public reports. Data
sections take their statistics from the apps' ``stats.py``.
"""

from .base import ReportContext, Section
from .narrative import NARRATIVE_SECTIONS

_REGISTRY: dict[str, Section] = {}


def register(section: Section) -> Section:
    if section.key in _REGISTRY:
        raise ValueError(f"section {section.key!r} registered twice")
    _REGISTRY[section.key] = section
    return section


def _register_all() -> None:
    from .audits import CaseFileAuditSection
    from .casework import CaseloadTrendSection, FeedbackSection
    from .commissioned_services import CommissionedServicesSection
    from .cost_avoided import CostAvoidedSection
    from .followup import FollowUpSection
    from .national_framework import NationalFrameworkSection
    from .outcomes_sections import DistanceTravelledSection, FrameworkSection, SupportingFamiliesSection

    data_sections = [
        CommissionedServicesSection(), FrameworkSection(), NationalFrameworkSection(), DistanceTravelledSection(),
        FollowUpSection(),
        FeedbackSection(), CaseFileAuditSection(), CaseloadTrendSection(), SupportingFamiliesSection(),
        CostAvoidedSection(),
    ]
    for section in [*NARRATIVE_SECTIONS, *data_sections]:
        register(section)


_register_all()


def get(key: str) -> Section:
    return _REGISTRY[key]


def all_sections() -> list[Section]:
    return list(_REGISTRY.values())


def default_layout() -> list[dict]:
    """Every body section, in the councils' usual order, included by default."""
    return [{"key": s.key, "include": s.default_include} for s in sorted(_REGISTRY.values(), key=lambda s: s.order)]


def normalise_layout(layout: list[dict] | None) -> list[dict]:
    """Keep known keys in the given order, drop unknown ones, append sections added since."""
    seen = set()
    result = []
    for item in layout or []:
        key = item.get("key")
        if key in _REGISTRY and key not in seen:
            seen.add(key)
            result.append({"key": key, "include": bool(item.get("include", True))})
    for item in default_layout():
        if item["key"] not in seen:
            result.append(item)
    return result


__all__ = ["ReportContext", "Section", "register", "get", "all_sections", "default_layout", "normalise_layout"]
