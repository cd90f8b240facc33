"""Every PDF the product writes goes through :func:`write_pdf`: committee reports (reporting.rendering), case files
(cases.case_file) and subject access exports (cases.subject_access).

WeasyPrint allocates millions of objects and recurses deeply through the box tree. Two things of the interpreter,
not of the document, cost it time, and :func:`write_pdf` takes both away:

* the garbage collector: the collections a render triggers find almost nothing to free (WeasyPrint leaves few
  cycles) and cost 0.2 s of a 2.7 s committee report; it is paused for the render (:func:`collector_paused`; peak
  memory 223 MB with the collections, 227 MB without);
* the frame stack's chunks (CPython 3.11 and 3.12): a render called from deep inside a worker mapped and unmapped
  a chunk tens of thousands of times, a tenth to a third of the render; it runs on its own room
  (:func:`earlyhelp.stack.run_with_stack_room`), so its time no longer depends on where it is called from.

Nothing here imports Django: the benchmark's bare WeasyPrint process uses the same function.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from .stack import run_with_stack_room


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off for the block, then back as it was (left off when it was off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _render(html: str, base_url: str | None, options: dict) -> bytes:
    from weasyprint import HTML

    with collector_paused():
        return HTML(string=html, base_url=base_url).write_pdf(**options)


def write_pdf(html: str, *, base_url: str | None = None, **options) -> bytes:
    """``html`` as PDF bytes (WeasyPrint's ``write_pdf`` ``options``, e.g. ``pdf_variant``)."""
    return run_with_stack_room(_render, html, base_url, options)
