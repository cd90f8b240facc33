"""Serializer bases for API input: unknown fields and NUL characters are refused field by field."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StrictInputMixin:
    """Refuse keys that are not writable fields of the serializer (a typo must not be silently ignored),
    numbers or lists given for text (DRF would turn 12 into "12"), and text containing NUL characters (for
    bodies that did not come through the JSON parser)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for key in data:
                if key not in writable:
                    errors[str(key)] = [ErrorDetail("Unknown or read-only field.", code="unknown_field")]
                elif isinstance(self.fields[key], serializers.CharField) and not isinstance(data[key], str | None):
                    errors[key] = [ErrorDetail("Not a valid string.", code="invalid_type")]
                elif _has_nul(data[key]):
                    errors[key] = [ErrorDetail("Text must not contain NUL characters.", code="null_characters")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    pass


class PublicIdRelatedField(serializers.SlugRelatedField):
    """A related tenant object named by its public id, looked up in the *current* tenant at validation time.

    A queryset given at class definition would be built outside any tenant context (the DRF pitfall that
    lets a related field point into another tenant); this field asks ``model.objects`` per request, so
    another tenant's id is simply "does not exist".
    """

    def __init__(self, *, model, **kwargs):
        self.model = model
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.all()

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except DjangoValidationError:  # not a UUID
            self.fail("invalid")
