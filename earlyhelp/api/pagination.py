"""Cursor pagination for every list: stable under inserts, no page counts to compute on large tables."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """50 per page by default (``page_size`` up to 200). A view sets ``cursor_ordering`` to a unique,
    rarely changing field; the default, ``public_id``, is stable and reveals nothing."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "public_id"

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", self.ordering)
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
