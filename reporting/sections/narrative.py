"""Sections the officer writes: Markdown in the browser, sanitised HTML in the report."""

from __future__ import annotations

import re

import markdown
import nh3

from .base import ReportContext, Section

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
                "table", "thead", "tbody", "tr", "th", "td"}


_LIST_LINE = re.compile(r"^\s{0,3}([-*+]|\d+[.)])\s+")


def _lists_need_no_blank_line(text: str) -> str:
    """Officers type a list straight under a sentence ("Summary:\n- Referrals up"); strict Markdown would run
    it into the paragraph. A blank line is put before the first item of each such list."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    out: list[str] = []
    for line in lines:
        if _LIST_LINE.match(line) and out and out[-1].strip() and not _LIST_LINE.match(out[-1]) \
                and not out[-1].startswith((" ", "\t")):
            out.append("")
        out.append(line)
    return "\n".join(out)


def to_safe_html(text: str) -> str:
    """Markdown → HTML (lists, emphasis, tables), then sanitised: no scripts, styles, event handlers or unknown
    tags."""
    html = markdown.markdown(_lists_need_no_blank_line(text), extensions=["tables", "sane_lists"])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"})


class NarrativeSection(Section):
    kind = "narrative"
    template = "reporting/sections/narrative.html"

    def __init__(self, key: str, title: str, order: int, fields: list[tuple[str, str | None]] | None = None,
                 numbered_list: bool = False):
        self.key = key
        self.title = title
        self.order = order
        # (text field, "verified by" field or None) pairs; a subheading per pair when there are several.
        self.fields = fields or [(key, None)]
        self.numbered_list = numbered_list

    def build(self, context: ReportContext) -> dict:
        p = context.parameters
        parts = []
        for field_name, verified_field in self.fields:
            text = p.get(field_name, "")
            if self.numbered_list:
                items = [line.strip() for line in text.splitlines() if line.strip()]
                parts.append({"items": [to_safe_html(item) for item in items], "heading": "", "verified_by": ""})
                continue
            parts.append({
                "heading": IMPLICATION_HEADINGS.get(field_name, "") if len(self.fields) > 1 else "",
                "html": to_safe_html(text) if text.strip() else "<p>None.</p>",
                "verified_by": p.get(verified_field, "") if verified_field else "",
            })
        return {"key": self.key, "title": self.title, "parts": parts, "numbered_list": self.numbered_list}


IMPLICATION_HEADINGS = {
    "financial_implications": "Financial",
    "legal_implications": "Legal",
    "diversity_implications": "Diversity and equality",
    "other_implications": "Other implications (where significant)",
}

NARRATIVE_SECTIONS = [
    NarrativeSection("executive_summary", "Executive summary", 10),
    NarrativeSection("recommendations", "Recommendations", 20, numbered_list=True),
    NarrativeSection("introduction", "Introduction and background", 30),
    NarrativeSection("issues_analysis", "Issues, options and analysis of options", 40),
    NarrativeSection("reasons_for_recommendation", "Reasons for recommendation", 800),
    NarrativeSection("consultation", "Consultation", 810),
    NarrativeSection(
        "corporate_policies", "Impact on corporate policies, priorities, performance and community impact", 820
    ),
    NarrativeSection(
        "implications",
        "Implications",
        830,
        fields=[
            ("financial_implications", "financial_verified_by"),
            ("legal_implications", "legal_verified_by"),
            ("diversity_implications", "diversity_verified_by"),
            ("other_implications", None),
        ],
    ),
    NarrativeSection("background_papers", "Background papers used in preparing the report", 840),
    NarrativeSection("appendices", "Appendices to the report", 850),
]
