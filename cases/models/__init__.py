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
from .familyhelp import FamilyMeeting, PreProceedings, Section17Episode
from .imports import CaseImportJob
from .lists import CaseSettings, ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource
from .partners import PersonInfoQuery, SupportRequest
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
from .statutory import StatutoryReturnJob

__all__ = [
    "FamilyMeeting",
    "PreProceedings",
    "Section17Episode",
    "PersonInfoQuery",
    "SupportRequest",
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
    "StatutoryReturnJob",
    "StepChange",
    "TeamAroundFamilyMember",
]
