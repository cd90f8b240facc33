"""Aggregate statistics of the outcomes app — "is anyone better off" — and the performance framework that
combines them with ``cases.stats``. Every figure is a count; a rate is a numerator with its base, computed and
rounded once at presentation. Each function runs in a fixed number of queries. No identifiable child data
leaves this package."""

from .family import FamilyOutcomeRow, FamilyOutcomeStats, family_outcome_stats
from .framework import Framework, Measure, Section, performance_framework, performance_framework_series
from .programme import ProgrammeRow, ProgrammeStats, programme_stats
from .readings import AreaChange, ReadingStats, ToolCompletion, ToolTravel, completion_by_tool, reading_stats

__all__ = [
    "AreaChange",
    "FamilyOutcomeRow",
    "FamilyOutcomeStats",
    "Framework",
    "Measure",
    "ProgrammeRow",
    "ProgrammeStats",
    "ReadingStats",
    "Section",
    "ToolCompletion",
    "ToolTravel",
    "completion_by_tool",
    "family_outcome_stats",
    "performance_framework",
    "performance_framework_series",
    "programme_stats",
    "reading_stats",
]
