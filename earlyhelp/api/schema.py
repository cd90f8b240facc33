"""OpenAPI (drf-spectacular): the bearer-token security scheme, each operation's scopes, the
``Idempotency-Key`` header, and the problem responses every operation can return."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .idempotency import HEADER, MAX_KEY_LENGTH, IdempotentCreateMixin
from .permissions import required_scopes_for, scopes_of
from .problems import PROBLEM_CONTENT_TYPE


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "earlyhelp.api.authentication.ApiClientTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's token (`eh_…`), created by the tenant administrator at /api-clients/.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "earlyhelp.two_factor.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A signed-in user's session (with the CSRF header on writes); where the user's role "
            "requires two-factor sign-in, only after the code has been entered.",
        }


class PublicIdRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """A related object named by its public id (a UUID) or by another slug such as a code (a string)."""

    target_class = "earlyhelp.api.serializers.PublicIdRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if self.target.slug_field == "public_id":
            return {"type": "string", "format": "uuid"}
        return {"type": "string"}


class ApiAutoSchema(AutoSchema):
    def get_description(self):
        description = super().get_description() or ""
        try:
            required = required_scopes_for(self.view, self.method)
        except KeyError:
            return description
        if required is None:
            note = "Any authenticated caller."
        else:
            note = "Requires the scope " + " or ".join(f"`{scope}`" for scope in scopes_of(required)) + "."
        return f"{description}\n\n{note}".strip()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if isinstance(self.view, IdempotentCreateMixin) and self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                    description=f"Up to {MAX_KEY_LENGTH} characters. A retry with the same key and body returns "
                    "the first response; the same key with another body gets 422.",
                )
            )
        return parameters


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "missing_scopes": {"type": "array", "items": {"type": "string"}},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "detail", "code"],
                "properties": {
                    "pointer": {"type": "string", "description": "JSON pointer to the field in the request"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}

_DESCRIPTIONS = {
    "400": "Invalid request (problem details with field errors)",
    "401": "No valid credentials",
    "403": "Missing scope or role",
    "404": "Not found in your local authority",
    "406": "Not acceptable",
    "413": "Body too large",
    "409": "Conflicts with existing data",
    "415": "Unsupported media type",
    "422": "Idempotency-Key reused for a different request, or content refused (e.g. a KPI return's rows)",
    "429": "Too many requests",
}


def add_problem_responses(result, generator, request, public):
    """Postprocessing hook: the Problem component and the error responses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            codes = ["400", "401", "403", "404", "406", "429"]
            if method in ("post", "put", "patch"):
                codes += ["409", "413", "415", "422"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": _DESCRIPTIONS[code], "content": reference})
    return result
