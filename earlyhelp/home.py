"""The home page answers "what do I do now?" for each role. The apps on higher floors add their panels here (this
floor cannot import them): ``register_home_panel(order, build)``, where ``build(request)`` returns ``None`` when
the member has nothing of that app's (their role lacks it) or a dict with the panel's ``template`` and context.
Builders use the apps' selectors, in a fixed number of queries whatever the size of the caseload."""

from __future__ import annotations

from collections.abc import Callable

_PANELS: list[tuple[int, Callable]] = []


def register_home_panel(order: int, build: Callable) -> None:
    """Show ``build(request)``'s panel on the home page, panels in ``order`` (lower first). Idempotent."""
    if all(existing is not build for _, existing in _PANELS):
        _PANELS.append((order, build))
        _PANELS.sort(key=lambda pair: pair[0])


def home_panels(request) -> list[dict]:
    return [panel for panel in (build(request) for _, build in _PANELS) if panel]
