"""Deep work without the interpreter's frame-stack churn (CPython 3.11 and 3.12; fixed upstream in gh-142183).

Since CPython 3.11 the frames of Python functions live on a per-thread data stack made of chunks (16 KiB each by
default). When a call does not fit in the current chunk, a new chunk is mapped from the operating system (mmap);
when that call returns, the chunk is unmapped at once (munmap). Work whose call depth keeps going back and forth
across a chunk's edge — WeasyPrint laying out a committee report recurses through the box tree thousands of times —
maps and unmaps a chunk, and faults its pages in again, on every crossing. Where the edge falls depends on how deep
the caller already is, so the same PDF took 1.34 s or 1.74 s depending only on how many frames were below the call
(docs/benchmarks.md, "Session 8"): 38,000 mmap/munmap pairs inside a report worker against 6,500 at the top of a
bare script. Releases of CPython 3.13 and 3.14 from 2026 keep one spare chunk per thread (python/cpython#142183),
which ends the churn; this project runs on 3.11.

:func:`run_with_stack_room` runs a function on a fresh chunk of :data:`ROOM` bytes that nothing else uses: it calls
it through a trampoline whose frame is padded with unused local variables to just over half of a power-of-two
chunk, so the interpreter maps one chunk of that size and leaves the rest free for the work's own frames. Deep
work inside it then never crosses a chunk's edge (unless it goes deeper than the room), whatever the caller's depth.
The cost is one mapping of :data:`CHUNK` bytes and setting the padding to empty, a few tens of microseconds: for
work that takes hundreds of milliseconds, not for a request's every call.

Nothing here imports Django: the benchmark's bare WeasyPrint process uses the same helper (bench/bench_report.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: the chunk the trampoline's frame lands in; at least twice the default chunk (16 KiB)
CHUNK = 512 * 1024
_WORD = 8  # bytes per stack slot (a pointer) on 64-bit platforms
_OVERHEAD = 1000  # slots CPython adds to a frame's size when it sizes a new chunk (MINIMUM_OVERHEAD)
#: slots of padding: the frame needs a little over half of CHUNK, so the interpreter maps CHUNK for it
PADDING = (CHUNK // 2) // _WORD - _OVERHEAD + 64
#: bytes left (about) for the work's own frames after the trampoline's
ROOM = CHUNK - PADDING * _WORD


def _call(fn, args, kwargs):
    return fn(*args, **kwargs)


@functools.cache
def _trampoline() -> Callable:
    """``_call`` with :data:`PADDING` more local variables that its code never touches."""
    code = _call.__code__
    names = code.co_varnames + tuple(f"_room{i}" for i in range(PADDING))
    return type(_call)(code.replace(co_varnames=names, co_nlocals=len(names)), globals(), "_call_with_room")


def run_with_stack_room(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` with about :data:`ROOM` bytes of frame stack to itself (see the module's note)."""
    return _trampoline()(fn, args, kwargs)
