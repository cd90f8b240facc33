"""``POST /api/v1/person-info-query/``: “Known to Family Help?” in the shape of the DfE data exchange standard
(a FHIR ``Parameters`` resource in, a ``Parameters`` resource out; ../shared/standards/socialcare-data/). The
rules are in :mod:`cases.services.person_info`; this module reads and writes the standard's shapes."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from earlyhelp.api.base import TenantAPIView
from earlyhelp.api.models import Scope
from earlyhelp.api.parsers import StrictJSONParser

from .services.person_info import NHS_NUMBER_SYSTEM, REASONS, person_info_query, person_query_from, reason_check


class FhirJSONParser(StrictJSONParser):
    """FHIR's own media type, with the same limits as every JSON body."""

    media_type = "application/fhir+json"


class FhirIdentifierSerializer(serializers.Serializer):
    system = serializers.CharField()
    value = serializers.CharField()


class FhirHumanNameSerializer(serializers.Serializer):
    family = serializers.CharField(required=False)
    given = serializers.ListField(child=serializers.CharField(), required=False)


class FhirPatientSerializer(serializers.Serializer):
    resourceType = serializers.ChoiceField(choices=["Patient"])  # noqa: N815 - FHIR's names
    identifier = FhirIdentifierSerializer(many=True, required=False)
    name = FhirHumanNameSerializer(many=True, required=False)
    birthDate = serializers.DateField(required=False)  # noqa: N815


class QueryParameterSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["resource", "reason"])
    resource = FhirPatientSerializer(required=False)
    valueUri = serializers.CharField(required=False, allow_blank=True, help_text="For reason: " + "; ".join(  # noqa: N815
        f"{uri} ({label})" for uri, label in REASONS.items()))


class PersonInfoQueryRequestSerializer(serializers.Serializer):
    """The standard's request: a Parameters resource with a Patient (``resource``) and a legislation URI
    (``reason``)."""

    resourceType = serializers.ChoiceField(choices=["Parameters"])  # noqa: N815
    parameter = QueryParameterSerializer(many=True)

    def validate(self, attrs):
        named: dict[str, list] = {}
        for item in attrs["parameter"]:
            named.setdefault(item["name"], []).append(item)
        errors = {}
        if len(named.get("resource", [])) != 1 or "resource" not in named["resource"][0]:
            errors["resource"] = "Send exactly one parameter named resource holding a Patient."
        if len(named.get("reason", [])) != 1 or not named["reason"][0].get("valueUri"):
            errors["reason"] = "Send exactly one parameter named reason with a valueUri: the legislation relied on."
        if errors:
            raise ValidationError(errors)
        patient = named["resource"][0]["resource"]
        nhs = [i["value"] for i in patient.get("identifier", []) if i["system"] == NHS_NUMBER_SYSTEM]
        names = patient.get("name") or [{}]
        try:
            reason = reason_check(named["reason"][0]["valueUri"])
            person = person_query_from(nhs_number=nhs[0] if nhs else "", family_name=names[0].get("family", ""),
                                       given_name=(names[0].get("given") or [""])[0],
                                       birth_date=patient.get("birthDate"))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return {"person": person, "reason": reason}


class FhirContactPointSerializer(serializers.Serializer):
    system = serializers.CharField()
    value = serializers.CharField()
    use = serializers.CharField()


class FhirAddressSerializer(serializers.Serializer):
    line = serializers.ListField(child=serializers.CharField(), required=False)
    postalCode = serializers.CharField(required=False)  # noqa: N815
    country = serializers.CharField(required=False)


class FhirOrganizationSerializer(serializers.Serializer):
    resourceType = serializers.CharField()  # noqa: N815
    name = serializers.CharField()
    telecom = FhirContactPointSerializer(many=True, required=False)
    address = FhirAddressSerializer(many=True, required=False)


class AnswerParameterSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["match", "contact"])
    valueBoolean = serializers.BooleanField(required=False)  # noqa: N815
    resource = FhirOrganizationSerializer(required=False)


class PersonInfoQueryResponseSerializer(serializers.Serializer):
    """The standard's answer: ``match`` (true or false) and, on a match only, the ``contact`` Organization."""

    resourceType = serializers.CharField()  # noqa: N815
    parameter = AnswerParameterSerializer(many=True)


REQUEST_EXAMPLE = {"resourceType": "Parameters", "parameter": [
    {"name": "resource", "resource": {"resourceType": "Patient",
                                      "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}],
                                      "name": [{"family": "Smith", "given": ["Jane"]}], "birthDate": "2015-05-01"}},
    {"name": "reason", "valueUri": "https://www.legislation.gov.uk/ukpga/1989/41/section/47"}]}
NO_MATCH = {"resourceType": "Parameters", "parameter": [{"name": "match", "valueBoolean": False}]}


def answer_body(answer) -> dict:
    if not answer.matched:
        return {"resourceType": "Parameters", "parameter": [{"name": "match", "valueBoolean": False}]}
    return {"resourceType": "Parameters", "parameter": [{"name": "match", "valueBoolean": True},
                                                         {"name": "contact", "resource": answer.contact}]}


class PersonInfoQueryView(TenantAPIView):
    """“Known to Family Help?” — the DfE data exchange standard's person-info-query.

    For a partner's system under a data-sharing agreement covering these queries (scope ``person-info:query``).
    The answer is whether the person is known (has an open early help case) and, when they are, the team to
    contact. Nothing else is ever returned. Every query is logged with the client, the reason and the answer."""

    required_scopes = {"POST": Scope.PERSON_INFO_QUERY.value}
    parser_classes = [StrictJSONParser, FhirJSONParser]

    @extend_schema(
        operation_id="person_info_query", request=PersonInfoQueryRequestSerializer,
        responses={200: PersonInfoQueryResponseSerializer},
        examples=[OpenApiExample("Query by NHS number", value=REQUEST_EXAMPLE, request_only=True),
                  OpenApiExample("No match", value=NO_MATCH, response_only=True)],
    )
    def post(self, request):
        query = PersonInfoQueryRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        answer = person_info_query(by=request.auth.by, person=query.validated_data["person"],
                                   reason=query.validated_data["reason"])
        return Response(answer_body(answer))
