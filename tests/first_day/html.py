"""A small reader of rendered pages for the form tests: ids, links of the error summary, aria-describedby."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []  # (element id or name, aria-describedby)
        self.summary_links: list[tuple[str, str]] = []  # (href, text)
        self.error_messages: list[str] = []
        self._in_summary = 0
        self._link: str | None = None
        self._text: list[str] = []
        self._in_error = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if a.get("aria-describedby"):
            self.described.append((a.get("id") or a.get("name") or tag, a["aria-describedby"]))
        classes = (a.get("class") or "").split()
        if "govuk-error-summary" in classes:
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self._link, self._text = a.get("href", ""), []
        if "govuk-error-message" in classes:
            self._in_error, self._text = True, []

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1
        if tag == "a" and self._link is not None:
            self.summary_links.append((self._link, " ".join("".join(self._text).split())))
            self._link = None
        if tag == "p" and self._in_error:
            self.error_messages.append(" ".join("".join(self._text).split()).removeprefix("Error: "))
            self._in_error = False

    def handle_data(self, data):
        if self._link is not None or self._in_error:
            self._text.append(data)


def assert_form_page_is_accessible(html: str) -> Page:
    """Every summary link goes to an element of the page; every aria-describedby names elements that exist;
    no error reads the same twice."""
    page = Page(html)
    assert page.summary_links, "no error summary"
    for href, text in page.summary_links:
        assert href.startswith("#") and href[1:] in page.ids, f"summary link {href!r} ({text}) goes nowhere"
    for element, described in page.described:
        for ref in described.split():
            assert ref in page.ids, f"{element} is described by {ref!r}, which is not on the page"
    texts = [text for _, text in page.summary_links]
    assert len(texts) == len(set(texts)), f"the summary repeats an error: {texts}"
    assert len(page.error_messages) == len(set(page.error_messages)), f"repeated errors: {page.error_messages}"
    return page
