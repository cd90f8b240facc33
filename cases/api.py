"""The cases app's REST API: referrals sent by partner systems, and reads of families, people and cases.

Thin over ``cases.services``: a referral is recorded by ``referral_record`` exactly as in the browser and the
import. Related objects are named by public id (people) or code
(referral source, presenting needs) and looked up in the caller's tenant at validation time, so an id of
another tenant is "does not exist". Reads are for callers with ``cases:read`` (the role capability
"view child records" for signed-in members); every child-level read is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Prefetch
from django_scopes import ScopeError
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from earlyhelp import limits
from earlyhelp.api.base import AuditedReadMixin, TenantAPIView, TenantReadOnlyViewSet, TenantViewSet
from earlyhelp.api.idempotency import IdempotentCreateMixin
from earlyhelp.api.models import Scope
from earlyhelp.api.serializers import PublicIdRelatedField, StrictSerializer
from earlyhelp.api.services import api_submission_record, submitted_public_ids
from earlyhelp.audit import record_read
from earlyhelp.tenancy import current_tenant_id

from . import duplicates, services
from .models import (
    Case,
    Consent,
    Family,
    LinkedIdentifier,
    Person,
    PersonMerge,
    PlanAction,
    PresentingNeed,
    Referral,
    ReferralSource,
    Relationship,
)
from .models.people import ADULT_TO_CHILD_KINDS, ETHNICITY_CHOICES, SEX_CHOICES
from .national_framework import NationalFrameworkOutcome
from .services import (
    AdultEntry,
    ChildEntry,
    ConsentEntry,
    FamilyEntry,
    FamilyReferral,
    IdentifierEntry,
    NewPerson,
    ReferralRecorded,
    RelationshipEntry,
)

# ---------------------------------------------------------------------------------------------------- fields


class CodeRelatedField(PublicIdRelatedField):
    """An active entry of one of the tenant's coded lists (referral sources, presenting needs), by its code."""

    def __init__(self, *, model, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(model=model, **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(is_active=True)


# ---------------------------------------------------------------------------------------------------- referrals


class NewFamilySerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    ward = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class IdentifierSerializer(StrictSerializer):
    """A linked identifier, as in the SSD ``ssd_linked_identifiers`` table."""

    type = serializers.ChoiceField(choices=LinkedIdentifier.Type.choices, source="identifier_type",
                                   help_text="upn (Unique Pupil Number), yot (YOT Number), case_number (the "
                                             "council's social care id), nino, home_office.")
    value = serializers.CharField(max_length=60)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)


class NewPersonSerializer(StrictSerializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    sex = serializers.ChoiceField(choices=SEX_CHOICES, required=False, default="U")
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES, required=False, default="NOBT")
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    nhs_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                       help_text="10 digits with a valid Modulus 11 check digit; spaces allowed.")
    nhs_number_absent_reason = serializers.ChoiceField(
        choices=Person.NhsNumberAbsent.choices, required=False, allow_blank=True, default="",
        help_text="Why the NHS number is left out (default: not_asked).")
    identifiers = IdentifierSerializer(many=True, required=False, default=list, max_length=10)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    preferred_language = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    interpreter_needed = serializers.BooleanField(required=False, default=False)


class NewChildSerializer(NewPersonSerializer):
    upn = serializers.CharField(max_length=13, required=False, allow_blank=True, default="",
                                help_text="Shorthand for a linked identifier of type upn.")
    local_id = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                     help_text="The sending system's own identifier of the child.")
    ref = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                help_text="A name for this child in the adults' relationships, e.g. 'child-1'.")


class RelationshipInSerializer(StrictSerializer):
    child = serializers.CharField(max_length=40, help_text="A known child's id (from children) or a new "
                                                           "child's ref.")
    relationship = serializers.ChoiceField(choices=[(k.value, k.label) for k in ADULT_TO_CHILD_KINDS],
                                           help_text="What the adult is to the child.")
    parental_responsibility = serializers.BooleanField(required=False, default=False)


class AdultSerializer(NewPersonSerializer):
    """An adult of the household or wider family: a person already recorded (``id``) or a new one."""

    id = PublicIdRelatedField(model=Person, required=False, allow_null=True, default=None,
                              help_text="An adult already recorded; leave out the names then.")
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    in_household = serializers.BooleanField(required=False, default=True)
    relationships = RelationshipInSerializer(many=True, max_length=20,
                                             help_text="The adult's relationship to each child it applies to.")


class ConsentInSerializer(StrictSerializer):
    decided_on = serializers.DateField()
    adult = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                     help_text="The index in adults of the person who consented.")
    given_by = serializers.CharField(max_length=120, required=False, allow_blank=True, default="",
                                     help_text="Who consented, when not one of the adults.")
    method = serializers.ChoiceField(choices=Consent.Method.choices, required=False, default=Consent.Method.WRITTEN)


class DuplicateMatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="A person already recorded.")
    score = serializers.FloatField(help_text="How likely the two are one person, 0 to 1.")
    reasons = serializers.ListField(child=serializers.CharField())


class PossibleDuplicateSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text="A person the referral recorded as new.")
    matches = DuplicateMatchSerializer(many=True)


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the API shows it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    family = serializers.UUIDField(source="family.public_id", read_only=True)
    children = serializers.SlugRelatedField(slug_field="public_id", many=True, read_only=True)
    source = serializers.CharField(source="source.code", read_only=True)
    presenting_needs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    # Empty until the referral is decided: the schema must say so (a read-only model field loses ``allow_blank``).
    decision = serializers.ChoiceField(choices=Referral.Decision.choices, allow_blank=True, read_only=True,
                                       help_text="What was decided; empty (\"\") until the referral is decided.")
    possible_duplicates = serializers.SerializerMethodField(
        help_text="A warning in the response to the POST that recorded the referral: for each new person, the "
                  "people already recorded by the council who may be the same person (score 0–1, reasons). A "
                  "team manager can merge them. Empty in reads.")

    class Meta:
        model = Referral
        fields = ["id", "family", "children", "received_on", "source", "route", "presenting_needs", "reason",
                  "is_re_referral", "decision", "decided_on", "created_at", "possible_duplicates"]
        read_only_fields = fields

    @extend_schema_field(PossibleDuplicateSerializer(many=True))
    def get_possible_duplicates(self, referral) -> list:
        return [{"person": person.public_id,
                 "matches": [{"id": m.person.public_id, "score": m.score, "reasons": m.reasons} for m in matches]}
                for person, matches in self.context.get("possible_duplicates", [])]


class ReferralCreateSerializer(StrictSerializer):
    """A referral of a family: children already known (``children``: people's ids) and/or new children
    (``new_children``, in ``family`` when no known child is given, else in the known children's family); the
    ``adults`` with their relationship to each child; and who consented (``consent``). The shape before adults
    (``children``, ``new_children``, ``family``) is unchanged."""

    children = serializers.ListField(child=PublicIdRelatedField(model=Person), required=False, default=list,
                                     max_length=20, help_text="Ids of people already recorded (one family).")
    new_children = NewChildSerializer(many=True, required=False, default=list, max_length=20)
    adults = AdultSerializer(many=True, required=False, default=list, max_length=20)
    family = NewFamilySerializer(required=False, allow_null=True, default=None,
                                 help_text="The new family of the new children, when no known child is given.")
    consent = ConsentInSerializer(required=False, allow_null=True, default=None,
                                  help_text="Who consented to early help, and when.")
    received_on = serializers.DateField()
    source = CodeRelatedField(model=ReferralSource, help_text="A referral source code, e.g. 2A (school).")
    route = serializers.ChoiceField(choices=Referral.Route.choices, required=False, default=Referral.Route.DIRECT)
    presenting_needs = serializers.ListField(child=CodeRelatedField(model=PresentingNeed), required=False,
                                             default=list, max_length=50)
    reason = serializers.CharField(max_length=limits.REFERRAL_REASON, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs["children"] and not attrs["new_children"]:
            raise ValidationError({"children": ["Give the children the referral is about (children or "
                                                "new_children)."]})
        if attrs["new_children"] and not attrs["children"] and not attrs["family"]:
            raise ValidationError({"family": ["New children need their family (or a known child's id)."]})
        if attrs["children"] and attrs["family"]:
            raise ValidationError({"family": ["Give a family only for new children without known children: "
                                              "new children join the known children's family."]})
        return attrs

    def to_representation(self, instance):
        return ReferralSerializer(instance, context=self.context).data


_PERSON_KEYS = ("first_name", "last_name", "date_of_birth", "sex", "ethnicity", "postcode", "nhs_number",
                "nhs_number_absent_reason", "phone", "email", "address", "preferred_language", "interpreter_needed")


def _new_person(data: dict, **extra) -> NewPerson:
    identifiers = [IdentifierEntry(**item) for item in data.get("identifiers", [])]
    if data.get("upn"):
        identifiers.append(IdentifierEntry(LinkedIdentifier.Type.UPN, data["upn"]))
    return NewPerson(**{k: data[k] for k in _PERSON_KEYS}, identifiers=identifiers, **extra)


def household_from_request(data: dict) -> FamilyReferral:
    """The service's input from a validated payload; every path is the payload's, so that the service's problems
    point at the field sent."""
    children = [ChildEntry(person=child, key=str(child.public_id), path=f"children.{i}")
                for i, child in enumerate(data["children"])]
    children += [ChildEntry(new=_new_person(child, local_id=child["local_id"]), key=child["ref"] or f"new-{i}",
                            path=f"new_children.{i}") for i, child in enumerate(data["new_children"])]
    adults = []
    for i, adult in enumerate(data["adults"]):
        rels = [RelationshipEntry(child=r["child"], kind=r["relationship"],
                                  parental_responsibility=r["parental_responsibility"])
                for r in adult["relationships"]]
        new = None if adult["id"] else _new_person(adult, in_household=adult["in_household"])
        adults.append(AdultEntry(person=adult["id"], new=new, relationships=rels, path=f"adults.{i}"))
    family = FamilyEntry(**data["family"]) if data["family"] else FamilyEntry()
    consent = ConsentEntry(**data["consent"]) if data["consent"] else None
    return FamilyReferral(children=children, adults=adults, family=family, consent=consent)


def nested_errors(message_dict: dict) -> dict:
    """``{"children.1.date_of_birth": [...]}`` → ``{"children": {"1": {"date_of_birth": [...]}}}``, so that the
    problem's pointer is ``/children/1/date_of_birth``. Messages about a whole object sit in its
    ``non_field_errors`` (pointer: the object) when it also has messages about its fields."""
    nested: dict = {}
    for key, messages in sorted(message_dict.items(), key=lambda item: -item[0].count(".")):
        parts = ["non_field_errors"] if key == "__all__" else key.split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(node.get(parts[-1]), dict):
            node[parts[-1]].setdefault("non_field_errors", []).extend(messages)
        else:
            node.setdefault(parts[-1], []).extend(messages)
    return nested


def referral_from_request(*, data: dict, by) -> ReferralRecorded:
    """Record the referral the payload describes through ``services.referral_record``."""
    try:
        return services.referral_record(
            household=household_from_request(data), received_on=data["received_on"], source=data["source"],
            route=data["route"], presenting_needs=data["presenting_needs"], reason=data["reason"], by=by,
        )
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(nested_errors(error.message_dict)) from None
        raise


@extend_schema_view(
    create=extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer}),
)
class ReferralViewSet(IdempotentCreateMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, TenantViewSet):
    """Referrals sent through the API. A partner system reads back only the referrals it sent; a signed-in
    member, the referrals they recorded."""

    required_scopes = {"GET": Scope.REFERRALS_READ.value, "POST": Scope.REFERRALS_WRITE.value}
    queryset = Referral.objects.all()  # for the schema; requests use get_queryset()
    lookup_value_converter = "uuid"
    cursor_ordering = ("-created_at", "-id")

    def get_serializer_class(self):
        return ReferralCreateSerializer if self.action == "create" else ReferralSerializer

    def get_queryset(self):
        caller = self.request.auth
        referrals = Referral.objects.select_related("family", "source").prefetch_related(
            "children", "presenting_needs")
        if caller.client is not None:
            return referrals.filter(public_id__in=submitted_public_ids(client=caller.client, model=Referral))
        return referrals.filter(recorded_by=caller.membership.user)

    def perform_create(self, serializer):
        caller = self.request.auth
        recorded = referral_from_request(data=serializer.validated_data, by=caller.by)
        referral = recorded.referral
        api_submission_record(client=caller.client, obj=referral)
        self.audit_objects(referral)
        serializer.context["possible_duplicates"] = duplicates.duplicates_of_new_people(
            created=recorded.created, named=[*recorded.children, *recorded.adults])
        serializer.instance = referral


# ---------------------------------------------------------------------------------------------------- reads


class RefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class FamilySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Family
        fields = ["id", "name", "address", "postcode", "ward", "created_at"]
        read_only_fields = fields


class LinkedIdentifierSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="identifier_type", read_only=True)
    type_label = serializers.CharField(source="get_identifier_type_display", read_only=True,
                                       help_text="The SSD link_identifier_type, e.g. 'Unique Pupil Number'.")

    class Meta:
        model = LinkedIdentifier
        fields = ["type", "type_label", "value", "valid_from", "valid_to"]
        read_only_fields = fields


class RelationshipSerializer(serializers.Serializer):
    relative = serializers.UUIDField(source="relative.public_id", read_only=True)
    relationship = serializers.CharField(source="kind", read_only=True,
                                         help_text="What this person is to the relative (mother, child…).")
    parental_responsibility = serializers.BooleanField(read_only=True)


class PersonSerializer(serializers.ModelSerializer):
    """A person, with the consistent identifier (the NHS number, its verification) and linked identifiers."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    family = serializers.UUIDField(source="family.public_id", read_only=True)
    nhs_number_verified_by = serializers.CharField(source="nhs_number_verified_by.get_full_name", read_only=True,
                                                   allow_null=True, default=None)
    nhs_number_status = serializers.CharField(read_only=True, help_text="unverified or verified; empty without "
                                                                        "an NHS number.")
    nhs_number_absent_reason = serializers.CharField(read_only=True, help_text="Why there is no NHS number "
                                                                               "(empty when there is one).")
    nhs_number_verified_how = serializers.CharField(read_only=True, help_text="How it was verified (pds_trace, "
                                                   "nhs_letter, gp_record, health, other); empty when not verified.")
    email = serializers.CharField(read_only=True)
    upn = serializers.SerializerMethodField(help_text="The current unique pupil number (also in "
                                                      "linked_identifiers).")
    linked_identifiers = LinkedIdentifierSerializer(many=True, read_only=True)
    relationships = RelationshipSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "family", "kind", "first_name", "last_name", "date_of_birth", "sex", "ethnicity",
                  "postcode", "ward", "relationship", "nhs_number", "nhs_number_status", "nhs_number_verified_by",
                  "nhs_number_verified_at", "nhs_number_verified_how", "nhs_number_absent_reason", "upn", "local_id",
                  "linked_identifiers",
                  "relationships", "phone", "email", "address", "preferred_language", "interpreter_needed",
                  "in_household"]
        read_only_fields = fields

    def get_upn(self, person) -> str:
        current = [i for i in person.linked_identifiers.all()
                   if i.identifier_type == LinkedIdentifier.Type.UPN and i.valid_to is None]
        return current[-1].value if current else ""


class LevelSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    label = serializers.CharField()
    is_statutory = serializers.BooleanField()


class CaseSerializer(serializers.ModelSerializer):
    """What a case is in the API: the schema (OpenAPI) and the reference the one builder of cases,
    :func:`case_rows_representation`, is held to (``tests/api/test_case_list_rows.py``). The list and a read by id
    both answer with that builder."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    family = RefSerializer(read_only=True)
    children = serializers.SlugRelatedField(slug_field="public_id", many=True, read_only=True)
    referral = serializers.UUIDField(source="referral.public_id", read_only=True, allow_null=True)
    team = RefSerializer(read_only=True)
    locality = RefSerializer(read_only=True, allow_null=True)
    level_of_need = LevelSerializer(read_only=True)
    lead_professional = serializers.CharField(source="lead_professional.get_full_name", read_only=True,
                                              allow_null=True,
                                              help_text="The lead professional's name; null while the case waits "
                                                        "in its team's queue.")
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "family", "children", "referral", "team", "locality", "level_of_need",
                  "lead_professional", "opened_on", "closed_on", "is_open", "is_reopened"]
        read_only_fields = fields


class PlanGoalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    plan = serializers.UUIDField(source="plan.public_id", read_only=True)
    plan_created_on = serializers.DateField(source="plan.created_on", read_only=True)
    people = serializers.SlugRelatedField(
        slug_field="public_id", many=True, read_only=True,
        help_text="The members of the family (people's ids) the goal is for; empty: the whole family.")
    nf_outcome = serializers.ChoiceField(
        choices=NationalFrameworkOutcome.choices, allow_blank=True, read_only=True,
        help_text="The National Framework outcome (Children's Social Care National Framework, December 2023) the "
                  "goal works towards; empty when not tagged.")

    class Meta:
        model = PlanAction
        fields = ["id", "plan", "plan_created_on", "description", "owner", "due_on", "status", "people",
                  "nf_outcome"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """A case read by id: the list's fields and the goals of its plans, each for named family members and
    tagged to a National Framework outcome."""

    plan_goals = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "plan_goals"]
        read_only_fields = fields

    @extend_schema_field(PlanGoalSerializer(many=True))
    def get_plan_goals(self, case):
        return plan_goals_representation(case.pk)


def plan_goals_representation(case_pk: int) -> list:
    """The goals of a case's plans, as a case read by id carries them (``CaseDetailSerializer.plan_goals``)."""
    goals = (PlanAction.objects.filter(plan__case_id=case_pk).select_related("plan")
             .prefetch_related(Prefetch("people", queryset=Person.objects.only("id", "public_id")))
             .order_by("plan__created_on", "due_on", "id"))
    return PlanGoalSerializer(goals, many=True).data


class FamilyFilter(django_filters.FilterSet):
    postcode = django_filters.CharFilter(field_name="postcode", lookup_expr="iexact", max_length=10)

    class Meta:
        model = Family
        fields = ["postcode"]


class PersonFilter(django_filters.FilterSet):
    family = django_filters.UUIDFilter(field_name="family__public_id", help_text="A family's id.")
    kind = django_filters.ChoiceFilter(choices=Person.Kind.choices)

    class Meta:
        model = Person
        fields = ["family", "kind"]


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=[("open", "Open"), ("closed", "Closed")], method="filter_status",
                                         help_text="open or closed")
    team = django_filters.UUIDFilter(field_name="team__public_id", help_text="A team's id.")
    family = django_filters.UUIDFilter(field_name="family__public_id", help_text="A family's id.")
    opened_from = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_to = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")
    closed_from = django_filters.DateFilter(field_name="closed_on", lookup_expr="gte")
    closed_to = django_filters.DateFilter(field_name="closed_on", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["status", "team", "family", "opened_from", "opened_to", "closed_from", "closed_to"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(closed_on__isnull=value == "open")


class FamilyViewSet(AuditedReadMixin, TenantReadOnlyViewSet):
    """Families of the local authority."""

    required_scopes = {"GET": Scope.CASES_READ.value}
    serializer_class = FamilySerializer
    filterset_class = FamilyFilter
    queryset = Family.objects.all()
    lookup_value_converter = "uuid"
    viewed_action = "family.viewed"

    def get_queryset(self):
        return Family.objects.all()


class PersonViewSet(AuditedReadMixin, TenantReadOnlyViewSet):
    """Children and adults of the local authority's families."""

    required_scopes = {"GET": Scope.CASES_READ.value}
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    queryset = Person.objects.all()
    lookup_value_converter = "uuid"
    viewed_action = "person.viewed"

    def get_queryset(self):
        return Person.objects.select_related("family", "nhs_number_verified_by").prefetch_related(
            "linked_identifiers", Prefetch("relationships", queryset=Relationship.objects.select_related("relative")))


CASE_ROW_FIELDS = ("id", "public_id", "family_id", "referral_id", "team_id", "locality_id", "level_of_need_id",
                   "lead_professional_id", "opened_on", "closed_on", "is_reopened")


def _related_sql() -> str:
    """One statement reading what a page of cases refers to: one ``json_agg`` scalar subquery per table, each
    planned on its own (PostgreSQL plans a seven-table join far more slowly than it runs it)."""
    from earlyhelp.models import Locality, Team, User

    from .models import LevelOfNeed

    def table(model, columns, key, tenant=True):
        where = f"id = ANY(%({key})s)" + (" AND tenant_id = %(tenant)s" if tenant else "")
        # Table and column names from the models, never from a request; values are parameters.
        return (f"(SELECT json_agg(json_build_array(id, {', '.join(columns)})) "  # noqa: S608
                f"FROM {model._meta.db_table} WHERE {where})")

    through, person = Case.children.through._meta.db_table, Person._meta.db_table
    children = (  # table names from the models
        "(SELECT json_agg(json_build_array(c.case_id, p.public_id) ORDER BY p.last_name, p.first_name) "  # noqa: S608
        f"FROM {through} c JOIN {person} p ON p.id = c.person_id "
        "WHERE c.case_id = ANY(%(cases)s) AND p.tenant_id = %(tenant)s)"
    )
    return "SELECT " + ", ".join([
        table(Family, ["public_id", "name"], "families"),
        table(Referral, ["public_id"], "referrals"),
        table(Team, ["public_id", "name"], "teams"),
        table(Locality, ["public_id", "name"], "localities"),
        table(LevelOfNeed, ["rank", "label", "is_statutory"], "levels"),
        table(User, ["first_name", "last_name"], "leads", tenant=False),  # users are not tenant-owned
        children,
    ])


_RELATED_SQL: list[str] = []


def case_rows_representation(rows: list[dict], tenant_id: int | None = None) -> list[dict]:
    """``CaseSerializer(cases, many=True).data`` for ``values(*CASE_ROW_FIELDS)`` rows of the current tenant (or
    ``tenant_id``), without model instances or a field-by-field serializer: everything the rows refer to comes
    in one more statement (``_related_sql``) instead of one wide join. Same keys, order and values (a case
    without a lead professional has ``"lead_professional": null``, as with the serializer and its schema);
    ``test_case_list_rows`` holds the two together."""
    if not rows:
        return []
    if tenant_id is None:
        tenant_id = current_tenant_id()
        if tenant_id is None:
            raise ScopeError("case_rows_representation needs a tenant")

    def ids(key):
        return list({row[key] for row in rows if row[key] is not None})

    params = {"tenant": tenant_id, "families": ids("family_id"), "referrals": ids("referral_id"),
              "teams": ids("team_id"), "localities": ids("locality_id"), "levels": ids("level_of_need_id"),
              "leads": ids("lead_professional_id"), "cases": [row["id"] for row in rows]}
    tables = _related_tables(params)
    families, referrals, teams, localities, levels, leads = ({item[0]: item[1:] for item in table}
                                                              for table in tables[:6])
    children: dict[int, list[str]] = {row["id"]: [] for row in rows}
    for case_id, child in tables[6]:
        children[case_id].append(child)
    out = []
    for row in rows:
        family, team, level = families[row["family_id"]], teams[row["team_id"]], levels[row["level_of_need_id"]]
        locality = localities.get(row["locality_id"])
        referral = referrals.get(row["referral_id"])
        case = {
            "id": str(row["public_id"]),
            "family": {"id": family[0], "name": family[1]},
            "children": children[row["id"]],
            "referral": referral[0] if referral else None,
            "team": {"id": team[0], "name": team[1]},
            "locality": {"id": locality[0], "name": locality[1]} if locality else None,
            "level_of_need": {"rank": level[0], "label": level[1], "is_statutory": level[2]},
        }
        lead = leads.get(row["lead_professional_id"])
        case["lead_professional"] = f"{lead[0]} {lead[1]}".strip() if lead is not None else None
        case["opened_on"] = row["opened_on"].isoformat()
        case["closed_on"] = row["closed_on"].isoformat() if row["closed_on"] else None
        case["is_open"] = row["closed_on"] is None
        case["is_reopened"] = row["is_reopened"]
        out.append(case)
    return out


def _related_tables(params: dict) -> list[list]:
    """``[[id, column, …], …]`` of each table ``_related_sql`` reads, then ``[[case id, child id], …]``, in one
    statement. Ids are strings, as JSON gives them."""
    if not _RELATED_SQL:
        _RELATED_SQL.append(_related_sql())
    with connection.cursor() as cursor:
        cursor.execute(_RELATED_SQL[0], params)
        return [(json.loads(value) if isinstance(value, str) else value) or [] for value in cursor.fetchone()]


class CaseViewSet(TenantReadOnlyViewSet):
    """Lead-professional cases: filter by status (open/closed), team and opened/closed dates.

    One representation of a case: the list and a read by id read ``values()`` rows and build each case with
    ``case_rows_representation`` (the shape ``CaseSerializer`` documents in the schema), so the partner systems'
    bulk read stays close to the cost of the query itself (bench/bench_api.py) and a case read by id cannot
    differ from the same case in the list."""

    required_scopes = {"GET": Scope.CASES_READ.value}
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    queryset = Case.objects.all()
    lookup_value_converter = "uuid"
    cursor_ordering = ("-opened_on", "-id")
    viewed_action = "case.viewed"

    def get_queryset(self):
        return Case.objects.values(*CASE_ROW_FIELDS)

    def get_object(self):
        row = super().get_object()  # the case's row in the tenant (or 404), named in the call's audit row
        record_read(action=self.viewed_action, by=self.request.auth.by, object_type=Case._meta.label_lower,
                    object_public_id=str(row["public_id"]), detail={"via": "api"})  # as AuditedReadMixin does
        return row

    def retrieve(self, request, *args, **kwargs):
        # the list's representation of the case, and the goals of its plans (CaseDetailSerializer's schema)
        row = self.get_object()
        return Response({**case_rows_representation([row])[0], "plan_goals": plan_goals_representation(row["id"])})

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(case_rows_representation(page))

    def get_serializer_class(self):
        # a read by id adds the plan goals (a list stays the bulk shape of CaseSerializer)
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

# ---------------------------------------------------------------------------------------------------- duplicates


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    family = serializers.UUIDField(source="family.public_id")


class DuplicatePairSerializer(serializers.Serializer):
    """Two people of the council who may be one person: ``id`` is the first of the two (as in the duplicates
    queue), ``other`` the second."""

    id = serializers.UUIDField(source="person.public_id", help_text="The first person of the pair.")
    person = PersonBriefSerializer()
    other = PersonBriefSerializer()
    score = serializers.FloatField(help_text="0–1: how alike the two records are (cases.duplicates.pair_score).")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why they look alike.")


class DuplicatePairListSerializer(serializers.Serializer):
    results = DuplicatePairSerializer(many=True)
    at_least = serializers.FloatField(help_text="The lowest score listed.")


class DuplicateQuery(StrictSerializer):
    at_least = serializers.FloatField(required=False, default=duplicates.SUGGEST_AT, min_value=0.3, max_value=1.0,
                                      help_text="The lowest score to list (0.3–1; default the queue's).")


class DuplicateListView(TenantAPIView):
    """The duplicates queue of the council's team managers: pairs of people who may be one person, best first
    (at most 200; pairs a manager marked "not a duplicate" are left out). Each person listed is audited as read."""

    required_scopes = {"GET": Scope.PEOPLE_MERGE.value}

    @extend_schema(parameters=[DuplicateQuery], responses=DuplicatePairListSerializer,
                   operation_id="duplicates_list")
    def get(self, request):
        query = DuplicateQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        at = query.validated_data["at_least"]
        pairs = duplicates.duplicate_pairs(at_least=at)
        self.audit_objects(*{p.public_id for pair in pairs for p in (pair.person, pair.other)})
        return Response(DuplicatePairListSerializer({"results": pairs, "at_least": at}).data)


class PersonMergeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    survivor = serializers.UUIDField(source="survivor.public_id", read_only=True,
                                     help_text="The person whose record was kept.")
    merged_name = serializers.CharField(read_only=True, help_text="The name on the record merged into it.")
    merged_by = serializers.CharField(source="merged_by.get_full_name", read_only=True, allow_null=True,
                                      default=None, help_text="Null when a partner system merged (see the audit log).")
    undone_by = serializers.CharField(source="undone_by.get_full_name", read_only=True, allow_null=True,
                                      default=None)
    is_undone = serializers.SerializerMethodField()

    class Meta:
        model = PersonMerge
        fields = ["id", "survivor", "merged_name", "merged_by", "merged_at", "undone_by", "undone_at", "is_undone"]
        read_only_fields = fields

    def get_is_undone(self, merge) -> bool:
        return merge.undone_at is not None


class PersonMergeCreateSerializer(StrictSerializer):
    survivor = PublicIdRelatedField(model=Person, help_text="The person whose record is kept.")
    merged = PublicIdRelatedField(model=Person, help_text="The person whose record moves into the survivor's and "
                                                          "is removed (reversibly: POST /unmerges/).")

    def to_representation(self, instance):
        return PersonMergeSerializer(instance, context=self.context).data


class PersonUnmergeCreateSerializer(StrictSerializer):
    merge = PublicIdRelatedField(model=PersonMerge, help_text="The merge to undo.")

    def to_representation(self, instance):
        return UnmergeSerializer(instance, context=self.context).data


class UnmergeSerializer(serializers.Serializer):
    merge = PersonMergeSerializer()
    restored = serializers.UUIDField(source="restored.public_id", help_text="The person restored (their id again).")


def _service_call(call):
    """Run a service; its ValidationError becomes the API's 400 problem (nothing written: the write's savepoint
    is rolled back)."""
    try:
        return call()
    except DjangoValidationError as error:
        raise ValidationError({"non_field_errors": error.messages}) from None


@extend_schema_view(
    create=extend_schema(request=PersonMergeCreateSerializer, responses={201: PersonMergeSerializer}),
)
class PersonMergeViewSet(IdempotentCreateMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                         TenantViewSet):
    """Merge two records of one person (``cases.services.person_merge``, as the duplicates queue does): every
    referral, case, reading, note and document of ``merged`` moves to ``survivor``; undone by ``POST
    /unmerges/``. A team manager's capability: the ``people:merge`` scope, or a member with a team manager's role."""

    required_scopes = {"GET": Scope.PEOPLE_MERGE.value, "POST": Scope.PEOPLE_MERGE.value}
    queryset = PersonMerge.objects.all()
    lookup_value_converter = "uuid"

    def get_serializer_class(self):
        return PersonMergeCreateSerializer if self.action == "create" else PersonMergeSerializer

    def get_queryset(self):
        return PersonMerge.objects.select_related("survivor", "merged_by", "undone_by")

    def perform_create(self, serializer):
        data = serializer.validated_data
        merge = _service_call(lambda: services.person_merge(survivor=data["survivor"], merged=data["merged"],
                                                            by=self.request.auth.by))
        self.audit_objects(merge, data["survivor"])
        serializer.instance = merge



@dataclass
class Unmerged:
    merge: PersonMerge
    restored: Person


@extend_schema_view(
    create=extend_schema(request=PersonUnmergeCreateSerializer, responses={201: UnmergeSerializer}),
)
class PersonUnmergeViewSet(IdempotentCreateMixin, mixins.CreateModelMixin, TenantViewSet):
    """Undo a merge (``cases.services.person_unmerge``): the merged person's record comes back exactly as it was,
    with everything that moved. Refused (400) when already undone or when something recorded since conflicts."""

    required_scopes = {"POST": Scope.PEOPLE_MERGE.value}
    serializer_class = PersonUnmergeCreateSerializer
    queryset = PersonMerge.objects.all()

    def perform_create(self, serializer):
        merge = serializer.validated_data["merge"]
        restored = _service_call(lambda: services.person_unmerge(merge=merge, by=self.request.auth.by))
        self.audit_objects(merge, restored)
        serializer.instance = Unmerged(merge=merge, restored=restored)
