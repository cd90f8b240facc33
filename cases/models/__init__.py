"""Tables of the cases app: the tenant's lists, families and people, and the casework records."""

from .casework import (
    Assessment,
    Case,
    CaseFileAudit,
    Closure,
    ClosureNeedProgress,
    Feedback,
    PanelDecision,
    Plan,
    PlanAction,
    Referral,
    Review,
    StepChange,
    TeamAroundFamilyMember,
)
from .documents import CaseDocument
from .duplicates import NotDuplicate, PersonMerge
from .imports import CaseImportJob
from .lists import CaseSettings, ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource
from .people import Family, FamilyAddress, LinkedIdentifier, Person, Relationship
from .practice import (
    Allocation,
    CaseNote,
    CaseNoteAddendum,
    Consent,
    InformationShare,
    Intervention,
    Supervision,
)

__all__ = [
    "Allocation",
    "CaseDocument",
    "CaseNote",
    "CaseNoteAddendum",
    "Consent",
    "InformationShare",
    "Intervention",
    "Supervision",
    "Assessment",
    "Case",
    "CaseFileAudit",
    "CaseImportJob",
    "CaseSettings",
    "Closure",
    "ClosureNeedProgress",
    "ClosureReason",
    "Family",
    "FamilyAddress",
    "LinkedIdentifier",
    "Relationship",
    "Feedback",
    "LevelOfNeed",
    "PanelDecision",
    "Person",
    "PersonMerge",
    "NotDuplicate",
    "Plan",
    "PlanAction",
    "PresentingNeed",
    "Referral",
    "ReferralSource",
    "Review",
    "StepChange",
    "TeamAroundFamilyMember",
]
