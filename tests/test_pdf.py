"""earlyhelp.pdf and earlyhelp.stack: every PDF is written with the collector paused and on its own frame-stack
room, so that its time does not depend on how deep the caller is (CPython 3.11's stack chunks)."""

from __future__ import annotations

import gc
import resource
import sys

import pytest

from earlyhelp import pdf, stack


def _leaf():
    return 1


def _at_depth(n: int, fn):
    return fn() if n == 0 else _at_depth(n - 1, fn)


def _call_leaf_often():
    for _ in range(2000):
        _leaf()


def _page_faults(fn) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fn()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_run_with_stack_room_passes_arguments_results_and_exceptions():
    assert stack.run_with_stack_room(lambda a, b=0: a + b, 2, b=3) == 5
    assert stack.run_with_stack_room(dict, x=1) == {"x": 1}
    with pytest.raises(ZeroDivisionError):
        stack.run_with_stack_room(lambda: 1 / 0)


def test_the_room_is_a_chunk_of_its_own():
    """The trampoline's frame needs just over half of CHUNK: the interpreter maps CHUNK for it (a power of two),
    and what is left is the work's room."""
    code = stack._trampoline().__code__
    assert code.co_nlocals == 3 + stack.PADDING
    assert stack.CHUNK // 2 < (code.co_nlocals + stack._OVERHEAD) * stack._WORD < stack.CHUNK
    assert stack.ROOM > 200 * 1024


def test_calls_at_a_chunk_edge_churn_without_room_and_not_with_it():
    """Calling a function over and over from the depth where its frame falls past the end of a stack chunk maps
    and unmaps a chunk each time (a page fault or more each): counted in page faults, not in seconds. With the
    room, no depth does it."""
    stack.run_with_stack_room(_leaf)  # the trampoline built once, outside the counts
    depths = range(400)  # 16 KiB chunks: more than two chunks' worth of these small frames
    plain = [_page_faults(lambda d=d: _at_depth(d, _call_leaf_often)) for d in depths]
    if max(plain) < 1000:
        pytest.skip(f"this interpreter keeps a spare stack chunk (python/cpython#142183): {sys.version}")
    with_room = [_page_faults(lambda d=d: stack.run_with_stack_room(_at_depth, d, _call_leaf_often))
                 for d in depths]
    assert max(with_room) < 500, [(d, n) for d, n in zip(depths, with_room, strict=True) if n >= 500]


def test_a_pdf_is_written_with_the_collector_paused_and_on_its_own_room(monkeypatch):
    """WeasyPrint leaves almost no cycles, so its collections are pure cost: off during write_pdf, and back as it
    was afterwards (also when the render fails, and left off when it was off). The render runs inside the
    trampoline's frame."""
    from weasyprint import HTML

    seen = []
    original = HTML.write_pdf

    def spy(self, *args, **kwargs):
        frames, frame = [], sys._getframe()
        while frame is not None:
            frames.append(frame.f_code)
            frame = frame.f_back
        seen.append((gc.isenabled(), any(code.co_nlocals > stack.PADDING for code in frames), kwargs))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", spy)
    assert gc.isenabled()
    assert pdf.write_pdf("<p>x</p>", pdf_variant="pdf/ua-1").startswith(b"%PDF")
    assert seen == [(False, True, {"pdf_variant": "pdf/ua-1"})] and gc.isenabled()

    def fail(self, *args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(HTML, "write_pdf", fail)
    with pytest.raises(RuntimeError):
        pdf.write_pdf("<p>x</p>")
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(HTML, "write_pdf", spy)
        pdf.write_pdf("<p>x</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()
