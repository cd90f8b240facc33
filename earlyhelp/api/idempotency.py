"""``Idempotency-Key`` for POST creates: a retried request returns the first response and creates nothing.

The key is claimed by inserting its row *before* the create runs: a concurrent retry waits on the unique
index until the first request commits, then replays its response. The same key with a different request
(method, path or body) is refused with 422. Only successful responses are kept: after a 4xx the savepoint
rolls the claim back, so the client can fix the request and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .models import IdempotencyRecord
from .problems import UnprocessableContent

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(UnprocessableContent):
    default_detail = "This Idempotency-Key was used for a different request."
    default_code = "idempotency_key_reused"


def request_fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class IdempotentCreateMixin:
    """Mix into a TenantViewSet/TenantGenericAPIView before ``CreateModelMixin``; the header is optional."""

    def create(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return super().create(request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationError({HEADER: [f"Give 1 to {MAX_KEY_LENGTH} printable characters."]})
        caller = request.auth.key
        fingerprint = request_fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(caller=caller, key=key, request_hash=fingerprint)
        except IntegrityError:
            record = IdempotencyRecord.objects.get(caller=caller, key=key)
            if record.request_hash != fingerprint:
                raise IdempotencyKeyReused() from None
            if record.response_status is None:  # pragma: no cover - only while the first is uncommitted
                raise IdempotencyKeyReused("A request with this Idempotency-Key is still running.") from None
            return Response(record.response_body, status=record.response_status,
                            headers={"Idempotent-Replayed": "true"})
        response = super().create(request, *args, **kwargs)
        if response.status_code < 300:
            record.response_status = response.status_code
            record.response_body = response.data
            record.save(update_fields=["response_status", "response_body"])
        return response
