"""Families (households) and the people in them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from earlyhelp.tenancy import TenantForeignKey, TenantModel

from ..defaults import CIN_DISABILITIES

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


class NhsNumberStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Not verified"
    VERIFIED = "verified", "Verified"


class NhsNumberVerifiedHow(models.TextChoices):
    """How an NHS number was checked as this person's (the check digit only shows it is well formed)."""

    PDS_TRACE = "pds_trace", "Traced on the NHS Personal Demographics Service (PDS)"
    NHS_LETTER = "nhs_letter", "Seen on an NHS letter, card or app"
    GP_RECORD = "gp_record", "Confirmed by the person's GP practice"
    HEALTH_PROFESSIONAL = "health", "Confirmed by a health visitor, midwife or school nurse"
    OTHER = "other", "Another way"


class NhsNumberAbsent(models.TextChoices):
    NOT_ASKED = "not_asked", "Not yet asked"
    NOT_KNOWN = "not_known", "Not known: to be traced"
    NOT_REGISTERED = "not_registered", "Not registered with the NHS"
    DECLINED = "declined", "The person declined to give it"
    UNBORN = "unborn", "Unborn child"


class Person(TenantModel):
    """A child or adult in a family."""

    NhsNumberStatus = NhsNumberStatus
    NhsNumberAbsent = NhsNumberAbsent
    NhsNumberVerifiedHow = NhsNumberVerifiedHow

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
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True,
        help_text="10 digits, checked with the Modulus 11 check digit (cases.identifiers).")
    nhs_number_status = models.CharField(max_length=10, choices=NhsNumberStatus.choices, blank=True)
    nhs_number_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="+")
    nhs_number_verified_at = models.DateTimeField(null=True, blank=True)
    nhs_number_verified_how = models.CharField(
        "how the NHS number was verified", max_length=20, choices=NhsNumberVerifiedHow.choices, blank=True)
    nhs_number_absent_reason = models.CharField(
        "why there is no NHS number", max_length=20, choices=NhsNumberAbsent.choices, blank=True)
    disabilities = ArrayField(
        models.CharField(max_length=4, choices=CIN_DISABILITIES), default=list, blank=True,
        help_text="A child's disabilities, as CIN census codes (NONE: recorded as having none; empty: not "
                  "recorded).")
    local_id = models.CharField("local identifier", max_length=40, blank=True)
    # Contact details (mostly of adults).
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    in_household = models.BooleanField(
        default=True, help_text="Lives in the family's household; else part of the wider family network.")

    class Meta(TenantModel.Meta):
        verbose_name_plural = "people"
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["tenant", "last_name", "first_name"], name="cases_person_name_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LinkedIdentifier(TenantModel):
    """Another system's identifier of a person, valid between two dates; the shape of the Standard Safeguarding
    Dataset's ``ssd_linked_identifiers`` table (link_person_id, link_identifier_type, link_identifier_value,
    link_valid_from_date, link_valid_to_date)."""

    class Type(models.TextChoices):
        # Labels are the SSD's ``link_identifier_type`` values.
        UPN = "upn", "Unique Pupil Number"
        YOUTH_JUSTICE = "yot", "YOT Number"
        SOCIAL_CARE = "case_number", "Case Number"
        NATIONAL_INSURANCE = "nino", "National Insurance Number"
        HOME_OFFICE = "home_office", "Home Office Registration"

    # Types a person holds one current value of (others, e.g. case numbers of several systems, may be many).
    ONE_AT_A_TIME = ("upn", "nino")

    person = TenantForeignKey(Person, on_delete=models.CASCADE, related_name="linked_identifiers")
    identifier_type = models.CharField(max_length=20, choices=Type.choices)
    value = models.CharField(max_length=60)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["identifier_type", "-valid_from", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True) | models.Q(valid_from__isnull=True)
                                   | models.Q(valid_to__gte=models.F("valid_from")),
                                   name="cases_linkedidentifier_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_identifier_type_display()} {self.value}"


class Relationship(TenantModel):
    """``person`` is ``relative``'s <kind> (Jo is Ann's mother). Written in pairs by ``cases.services``: the row
    the other way round (Ann is Jo's child) always exists too, so the relationship reads the same from both."""

    class Kind(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        PARENT = "parent", "Parent"
        STEP_PARENT = "step_parent", "Step-parent"
        GRANDPARENT = "grandparent", "Grandparent"
        KINSHIP_CARER = "kinship_carer", "Kinship carer"
        FOSTER_CARER = "foster_carer", "Foster carer"
        AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
        CHILD = "child", "Child"
        STEP_CHILD = "step_child", "Step-child"
        GRANDCHILD = "grandchild", "Grandchild"
        CHILD_IN_KINSHIP_CARE = "kinship_child", "Child in their kinship care"
        FOSTER_CHILD = "foster_child", "Foster child"
        NIECE_NEPHEW = "niece_nephew", "Niece or nephew"
        SIBLING = "sibling", "Sibling"
        HALF_SIBLING = "half_sibling", "Half-sibling"
        STEP_SIBLING = "step_sibling", "Step-sibling"
        PARTNER = "partner", "Partner"
        EX_PARTNER = "ex_partner", "Former partner"
        FRIEND = "friend", "Family friend"
        OTHER_RELATIVE = "relative", "Other relative"

    person = TenantForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = TenantForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parental_responsibility = models.BooleanField(
        default=False, help_text="The person has parental responsibility for the relative (a child).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "person", "relative"], name="cases_relationship_one_per_pair"),
            models.CheckConstraint(condition=~models.Q(person=models.F("relative")),
                                   name="cases_relationship_not_to_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.person} is {self.relative}'s {self.get_kind_display().lower()}"


# The kind read from the other side: Jo is Ann's mother ⇔ Ann is Jo's child.
INVERSE_KIND = {
    Relationship.Kind.MOTHER: Relationship.Kind.CHILD,
    Relationship.Kind.FATHER: Relationship.Kind.CHILD,
    Relationship.Kind.STEP_PARENT: Relationship.Kind.STEP_CHILD,
    Relationship.Kind.GRANDPARENT: Relationship.Kind.GRANDCHILD,
    Relationship.Kind.KINSHIP_CARER: Relationship.Kind.CHILD_IN_KINSHIP_CARE,
    Relationship.Kind.FOSTER_CARER: Relationship.Kind.FOSTER_CHILD,
    Relationship.Kind.AUNT_UNCLE: Relationship.Kind.NIECE_NEPHEW,
    Relationship.Kind.SIBLING: Relationship.Kind.SIBLING,
    Relationship.Kind.HALF_SIBLING: Relationship.Kind.HALF_SIBLING,
    Relationship.Kind.STEP_SIBLING: Relationship.Kind.STEP_SIBLING,
    Relationship.Kind.PARTNER: Relationship.Kind.PARTNER,
    Relationship.Kind.EX_PARTNER: Relationship.Kind.EX_PARTNER,
    Relationship.Kind.FRIEND: Relationship.Kind.FRIEND,
    Relationship.Kind.OTHER_RELATIVE: Relationship.Kind.OTHER_RELATIVE,
}
INVERSE_KIND.update({inverse: kind for kind, inverse in list(INVERSE_KIND.items()) if inverse not in INVERSE_KIND})
INVERSE_KIND[Relationship.Kind.PARENT] = Relationship.Kind.CHILD
INVERSE_KIND[Relationship.Kind.CHILD] = Relationship.Kind.PARENT  # a child's mother or father: "parent"


def kinds_agree(kind: str, back: str) -> bool:
    """True when ``back`` is a consistent reading of ``kind`` from the other side (mother ⇔ child…)."""
    if kind == Relationship.Kind.CHILD:
        return back in (Relationship.Kind.MOTHER, Relationship.Kind.FATHER, Relationship.Kind.PARENT)
    if back == Relationship.Kind.CHILD:
        return kinds_agree(back, kind)
    return INVERSE_KIND.get(kind) == back
# What an adult can be to a child (the referral form's choices); carers who may hold parental responsibility.
ADULT_TO_CHILD_KINDS = [
    Relationship.Kind.MOTHER, Relationship.Kind.FATHER, Relationship.Kind.PARENT, Relationship.Kind.STEP_PARENT,
    Relationship.Kind.GRANDPARENT,
    Relationship.Kind.KINSHIP_CARER, Relationship.Kind.FOSTER_CARER, Relationship.Kind.AUNT_UNCLE,
    Relationship.Kind.OTHER_RELATIVE, Relationship.Kind.FRIEND,
]


class FamilyAddress(TenantModel):
    """Where the family's household lived, and when: the family's address history. The current address is the
    one without ``moved_out_on`` (also kept on ``Family.address`` / ``postcode``)."""

    family = TenantForeignKey(Family, on_delete=models.CASCADE, related_name="addresses")
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    moved_in_on = models.DateField(null=True, blank=True)
    moved_out_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        verbose_name_plural = "family addresses"
        ordering = ["-moved_in_on", "-id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(moved_out_on__isnull=True) | models.Q(moved_in_on__isnull=True)
                                   | models.Q(moved_out_on__gte=models.F("moved_in_on")),
                                   name="cases_familyaddress_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.address}, {self.postcode}".strip(", ")
