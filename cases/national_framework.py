"""The four outcomes of the Children's Social Care National Framework (DfE, December 2023).

Statutory guidance for every council's children's social care and Family Help: plan goals and closure outcomes
are tagged to them, and the performance framework and the committee report count by them. The list is national
and fixed (a council cannot add to it), so it is a set of choices, not a tenant's table. A code is stable: it is
stored on plan goals, closure outcome definitions and programme outcome areas, and printed in reports and the
API.
"""

from __future__ import annotations

from django.db import models

SOURCE = "Children's Social Care: National Framework (Department for Education, December 2023)"


class NationalFrameworkOutcome(models.TextChoices):
    STAY_TOGETHER = "stay_together", "1. Children, young people and families stay together and get the help they need"
    FAMILY_NETWORK = "family_network", "2. Children and young people are supported by their family network"
    SAFE = "safe", "3. Children and young people are safe in and outside of their homes"
    STABLE_HOMES = "stable_homes", "4. Children in care and care leavers have stable, loving homes"


def nf_field(**kwargs) -> models.CharField:
    """The optional National Framework outcome tag of a row ('' when it is not tagged)."""
    return models.CharField(
        "National Framework outcome", max_length=20, choices=NationalFrameworkOutcome.choices, blank=True,
        help_text="Which of the four National Framework outcomes this serves (leave blank if none).", **kwargs)
