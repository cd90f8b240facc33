"""A JSON parser that turns hostile bodies into 4xx problems instead of 500s."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .problems import PayloadTooLarge


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def check_text(value, depth: int = 0) -> None:
    """Raise ParseError for NUL characters or unpaired surrogates anywhere in parsed JSON (keys included):
    PostgreSQL cannot store either."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError("Text must not contain NUL characters (\\u0000).")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("Text must be valid Unicode (no unpaired surrogates).") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, depth)
            check_text(item, depth)
    elif isinstance(value, list):
        for item in value:
            check_text(item, depth)


class StrictJSONParser(JSONParser):
    """JSON bodies up to ``API_MAX_BODY_BYTES`` (413 beyond), UTF-8, no NaN/Infinity, no NUL characters.

    DRF reads the request stream itself, past Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``: the limit is applied here.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        check_text(data)
        return data
