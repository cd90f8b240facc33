"""Figures as JSON and back: the stored summaries (``earlyhelp.figures_engine``) keep each value as readable JSON
(a DBA can query ``value->>'referrals'``), read back into the measure's class by its type hints.

A value is a dataclass whose fields are ``int``, ``float``, ``str``, ``bool``, ``None``, dates, ``Decimal``,
other dataclasses (``earlyhelp.figures.Rate``), and ``list``/``tuple``/``dict`` of these. Dict keys are kept
with their type (JSON object keys are strings: a dict is stored as a list of ``[key, value]`` pairs, which also
keeps its order). ``decode(cls, encode(value)) == value`` for every such value (tests/test_figures_engine.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from decimal import Decimal
from typing import Any


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return [[encode(k), encode(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dt.datetime):
        raise TypeError("a figure holds dates, not times")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a figure")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def prepare(tp: Any, _seen: set | None = None) -> None:
    """Resolve now, once per process, the type hints :func:`decode` would resolve on its first read of ``tp``
    (a worker's warm-up: ``earlyhelp.warmup``)."""
    seen = _seen if _seen is not None else set()
    if tp in seen:
        return
    try:
        seen.add(tp)
    except TypeError:  # an unhashable annotation: nothing cached for it
        return
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        for hint in _hints(tp).values():
            prepare(hint, seen)
    for arg in typing.get_args(tp):
        prepare(arg, seen)


def decode(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) == 1:
            return decode(options[0], data)
        raise TypeError(f"cannot read back a value of {tp}: say which type")
    if origin is list:
        (item,) = typing.get_args(tp)
        return [decode(item, v) for v in data]
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        return tuple(decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is dict:
        key_type, value_type = typing.get_args(tp)
        return {decode(key_type, k): decode(value_type, v) for k, v in data}
    if tp is Any:
        return data
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: decode(hints[f.name], data[f.name]) for f in dataclasses.fields(tp)
                     if f.init and f.name in data})
    if tp is dt.date:
        return dt.date.fromisoformat(data)
    if tp is Decimal:
        return Decimal(data)
    if tp in (int, float, str, bool):
        return data
    raise TypeError(f"cannot read back a value of {tp}")
