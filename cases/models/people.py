"""Families (households) and the people in them."""

from __future__ import annotations

from django.db import models

from earlyhelp.tenancy import TenantForeignKey, TenantModel

# DfE CIN census code lists (CIN_schema_2026.xsd), copied so they are available at runtime.
SEX_CHOICES = [("M", "Male"), ("F", "Female"), ("U", "Unknown")]
ETHNICITY_CHOICES = [
    ("WBRI", "White British"),
    ("WIRI", "White Irish"),
    ("WIRT", "Traveller of Irish heritage"),
    ("WOTH", "Any other White background"),
    ("WROM", "Gypsy/Roma"),
    ("MWBC", "White and Black Caribbean"),
    ("MWBA", "White and Black African"),
    ("MWAS", "White and Asian"),
    ("MOTH", "Any other mixed background"),
    ("AIND", "Indian"),
    ("APKN", "Pakistani"),
    ("ABAN", "Bangladeshi"),
    ("AOTH", "Any other Asian background"),
    ("BCRB", "Caribbean"),
    ("BAFR", "African"),
    ("BOTH", "Any other black background"),
    ("CHNE", "Chinese"),
    ("OOTH", "Any other ethnic group"),
    ("REFU", "Refused"),
    ("NOBT", "Information not yet obtained"),
]


class Family(TenantModel):
    """A household worked with as one unit."""

    name = models.CharField(max_length=120, help_text="How the family is known, e.g. 'Ashby family'.")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    ward = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_on = models.DateField(
        null=True, blank=True, editable=False,
        help_text="Set when the retention rule removed the family's names and narrative (cases.services.retention).")

    class Meta(TenantModel.Meta):
        verbose_name_plural = "families"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(TenantModel):
    """A child or adult in a family."""

    class Kind(models.TextChoices):
        CHILD = "child", "Child or young person"
        ADULT = "adult", "Adult"

    family = TenantForeignKey(Family, on_delete=models.PROTECT, related_name="people")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHILD)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=SEX_CHOICES, default="U")
    ethnicity = models.CharField(max_length=4, choices=ETHNICITY_CHOICES, default="NOBT")
    postcode = models.CharField(max_length=10, blank=True)
    ward = models.CharField(max_length=120, blank=True)
    relationship = models.CharField(
        max_length=60, blank=True, help_text="Relationship in the family, e.g. 'child', 'mother', 'step-father'."
    )
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True)
    local_id = models.CharField("local identifier", max_length=40, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name_plural = "people"
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["tenant", "last_name", "first_name"], name="cases_person_name_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
