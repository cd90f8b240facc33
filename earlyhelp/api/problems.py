"""Errors as ``application/problem+json`` (RFC 9457), for DRF views and for Django's own error pages on
``/api/`` paths.

Every problem has ``type`` (``urn:earlyhelp:problem:<code>``), ``title`` (the HTTP status phrase),
``status``, ``detail``, ``instance`` (the request path) and ``request_id``; validation problems add
``errors``: one entry per message with a JSON ``pointer`` to the field, its ``detail`` and ``code``.
"""

from __future__ import annotations

import logging
import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The request conflicts with existing data (for example a duplicate)."
    default_code = "conflict"


class NoSharingAgreement(exceptions.APIException):
    """A partner's system used without a data-sharing agreement in force for its purpose (earlyhelp.sharing)."""

    status_code = 403
    default_detail = "No data-sharing agreement in force covers this client's purpose."
    default_code = "no_sharing_agreement"


class UnprocessableContent(exceptions.APIException):
    status_code = 422
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def problem(*, status: int, code: str, detail: str, instance: str = "", request_id: str = "", **extra) -> dict:
    body = {
        "type": f"urn:earlyhelp:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return body


def _pointer(path: list) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def field_errors(details, path=None) -> list[dict]:
    """Flatten DRF's nested error details into ``[{"pointer", "detail", "code"}]``."""
    path = path or []
    if isinstance(details, dict):
        if set(details) == {"message", "code"}:
            return [{"pointer": _pointer(path), "detail": str(details["message"]), "code": details["code"]}]
        errors = []
        for key, value in details.items():
            sub = path if key == "non_field_errors" else [*path, key]
            errors.extend(field_errors(value, sub))
        return errors
    if isinstance(details, list):
        if all(isinstance(item, dict) and set(item) == {"message", "code"} for item in details):
            return [error for item in details for error in field_errors(item, path)]
        return [error for i, item in enumerate(details) for error in field_errors(item, [*path, i])]
    return [{"pointer": _pointer(path), "detail": str(details), "code": "invalid"}]


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, IntegrityError):
        # The handler's savepoint is rolled back; a uniqueness clash is the caller's conflict, not our crash.
        return Conflict()
    if isinstance(exc, DjangoValidationError):
        # A service refused the input (for example a related object of another tenant).
        return exceptions.ValidationError(as_serializer_error(exc))
    return exc


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: a problem response for every API exception; None (→ 500) for the rest."""
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    request = context.get("request")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        extra["errors"] = field_errors(exc.get_full_details())
        detail = "The request is not valid: see errors."
        code = "invalid"
    else:
        detail = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else "The request failed."
        code = getattr(exc.detail, "code", None) or exc.default_code
    if isinstance(getattr(exc, "errors", None), list):  # a refusal with row/field details (e.g. a KPI return)
        extra["errors"] = exc.errors
    if getattr(exc, "missing_scopes", None):
        extra["missing_scopes"] = exc.missing_scopes
    body = problem(
        status=exc.status_code,
        code=code,
        detail=detail,
        instance=request.path if request is not None else "",
        request_id=getattr(request, "request_id", "") if request is not None else "",
        **extra,
    )
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_response(request, *, status: int, code: str, detail: str) -> JsonResponse:
    body = problem(status=status, code=code, detail=detail, instance=request.path,
                   request_id=getattr(request, "request_id", ""))
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


# Django's error views (handler400/403/404/500 in earlyhelp.urls): problems on /api/ paths, pages elsewhere.


def bad_request(request, exception):
    if _is_api(request):
        return problem_response(request, status=400, code="bad_request", detail="The request is malformed.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return problem_response(request, status=403, code="permission_denied",
                                detail=str(exception) or "You cannot do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return problem_response(request, status=404, code="not_found", detail="Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return problem_response(request, status=500, code="server_error",
                                detail="Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)
