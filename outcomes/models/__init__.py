"""Tables of the outcomes app: distance-travelled tools and readings, family outcomes at closure, and the
Supporting Families programme (enrolments, needs, evidence, claims)."""

from .family import CaseFamilyOutcome, FamilyOutcome
from .programme import Claim, Enrolment, EnrolmentNeed, NeedEvidence, ProgrammeFramework, ProgrammeOutcome
from .tools import DistanceTool, Reading, ReadingScore, Stage, Subject, ToolArea, ToolVersion

__all__ = [
    "CaseFamilyOutcome",
    "Claim",
    "DistanceTool",
    "Enrolment",
    "EnrolmentNeed",
    "FamilyOutcome",
    "NeedEvidence",
    "ProgrammeFramework",
    "ProgrammeOutcome",
    "Reading",
    "ReadingScore",
    "Stage",
    "Subject",
    "ToolArea",
    "ToolVersion",
]
