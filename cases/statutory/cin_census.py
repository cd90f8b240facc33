"""The DfE children in need (CIN) census return, as XML, from the council's section 17 episodes.

One ``<Child>`` per child of a case with a section 17 episode open at any time in the census year (1 April to
31 March; ``--year 2026`` is the 2025/26 census). Each episode is one ``<CINdetails>``: its start date as the
CIN referral date, its referral source, primary need and, once it has ended in the year, its closure date and
reason — all three coded from the census code lists the episode holds. ``ReferralNFA`` is 0 (an episode was
opened). The child's identifiers and characteristics come from the person: the same id as in the other returns
(``common.person_ref``), a UPN when one of the child's linked identifiers is a well-formed UPN, date of birth,
sex, ethnicity and the disabilities recorded (``Disabilities``, left out when none is recorded). Each episode
carries the case's assessments begun within it and open in the year (``Assessments``: start, and completion as
the authorisation) and, when the case has a plan by the episode's end, ``CINPlanDates`` (the family plan is the
child in need plan while the case is under section 17).

The file is checked against the year's XSD (``CIN_schema_<year>.xsd`` in ``settings.STANDARDS_DIR/cin-census``,
or the latest published before it) before it is kept: an invalid file is never written.

Module 5 (pre-proceedings and family group decision making, new for 2026/27) has no published XSD yet. Behind
``settings.CIN_CENSUS_MODULE5`` (or ``--module5``), each episode whose case has a family meeting with a letter
before proceedings sent in the census year, or with pre-proceedings begun in it (``PreProceedings``), gets a
``<PreProceedingsandFGDM>`` block after its other details,
with the element names and order of the draft validator (``../shared/standards/cin-census-2026-27``), and the file
is checked against the latest XSD extended by :func:`module5_schema` with that block.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from ..models import LinkedIdentifier, Person
from .common import census_year, person_ref

XS = "http://www.w3.org/2001/XMLSchema"
UPN_PATTERN = re.compile(r"[A-Za-z]\d{11}(\d|[A-Za-z])")
LA_NUMBER_PATTERN = re.compile(r"\d{3}")
PRIMARY_NEEDS = {f"N{n}" for n in range(10)}
REFERRAL_SOURCES = {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C",
                    "5D", "6", "7", "8", "9", "10"}
CLOSURE_REASONS = {f"RC{n}" for n in range(1, 10)}
DISABILITIES = {"NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"}
UNKNOWN_REFERRAL_SOURCE = "10"
NOT_STATED_NEED = "N0"
# Module 5, in the draft validator's order (MODULE5_SUMMARY.md): FamilyMeeting gives the letter before
# proceedings, the FGDM offer and facilitation and the outcome; PreProceedings gives the rest.
MODULE5_ELEMENTS = (
    ("PPStartDate", "xs:date"), ("LBPSentDate", "xs:date"), ("FGDMMeetingOffer", "yesnotype"),
    ("FGDMMeetingFac", "yesnotype"), ("InitialPPMeetingDate", "xs:date"),
    ("ReviewMeetingsCount", "positiveintegertype"),
    ("StepDecisionDate", "xs:date"), ("PPOutcome", "ppoutcometype"), ("CourtAppDate", "xs:date"),
    ("LetterInitCPDate", "xs:date"),
)
PP_OUTCOMES = ("A", "B", "C")  # codeset CS131
MODULE5_FIRST_YEAR = 2027


class CensusError(ValueError):
    """The census cannot be written as asked (no schema, a bad LA number) or would not be valid."""


@dataclass
class CensusOutcome:
    children: int
    episodes: int
    schema: str
    module5_blocks: int = 0
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ schemas


def schema_file(year: int) -> Path:
    """The XSD the census of ``year`` is checked against: that year's, or the latest published before it (a
    collection whose XSD DfE has not published yet is checked against the last one)."""
    folder = Path(settings.STANDARDS_DIR) / "cin-census"
    candidates = sorted((int(m.group(1)), p) for p in folder.glob("CIN_schema_*.xsd")
                        if (m := re.fullmatch(r"CIN_schema_(\d{4})\.xsd", p.name)) and int(m.group(1)) <= year)
    if not candidates:
        raise CensusError(f"No CIN census XSD for {year} or before in {folder} (set STANDARDS_DIR).")
    return candidates[-1][1]


def module5_schema(base: Path) -> etree.XMLSchema:
    """``base`` (a CIN census XSD) extended with the provisional Module 5 block: ``<PreProceedingsandFGDM>``,
    optional, once, at the end of ``cindetailstype``; its ten elements optional, in order, typed as the summary
    of the draft rules says (dates, ``0``/``1`` flags, a non-negative count, the CS131 outcome)."""
    tree = etree.parse(str(base))
    root = tree.getroot()
    ns = {"xs": XS}
    sequence = root.find("xs:complexType[@name='cindetailstype']/xs:sequence", ns)
    etree.SubElement(sequence, f"{{{XS}}}element", name="PreProceedingsandFGDM", type="preproceedingsfgdmtype",
                     minOccurs="0", maxOccurs="1")
    block = etree.SubElement(root, f"{{{XS}}}complexType", name="preproceedingsfgdmtype")
    inner = etree.SubElement(block, f"{{{XS}}}sequence")
    for name, kind in MODULE5_ELEMENTS:
        etree.SubElement(inner, f"{{{XS}}}element", name=name, type=kind, minOccurs="0", maxOccurs="1")
    outcome = etree.SubElement(root, f"{{{XS}}}simpleType", name="ppoutcometype")
    restriction = etree.SubElement(outcome, f"{{{XS}}}restriction", base="nonEmptyString")
    for code in PP_OUTCOMES:
        etree.SubElement(restriction, f"{{{XS}}}enumeration", value=code)
    return etree.XMLSchema(tree)


def census_schema(year: int, *, module5: bool) -> tuple[etree.XMLSchema, str]:
    """The schema the census of ``year`` must satisfy, and how to name it in messages."""
    base = schema_file(year)
    if module5:
        return module5_schema(base), f"{base.name} + provisional Module 5"
    return etree.XMLSchema(etree.parse(str(base))), base.name


# ------------------------------------------------------------------------------------------------ the data


def _episodes(start: dt.date, end: dt.date):
    """Section 17 episodes open at any time from ``start`` to ``end``, with the children of their case."""
    from ..models import Section17Episode

    return (Section17Episode.objects.filter(started_on__lte=end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
            .filter(case__children__isnull=False)
            .order_by("case__children__pk", "started_on", "pk")
            .values_list("pk", "case_id", "started_on", "ended_on", "referral_source", "primary_need",
                         "closure_reason", "case__children__pk"))


def _module5_blocks(start: dt.date, end: dt.date) -> tuple[dict[int, dict], list[str]]:
    """Per case, its Module 5 items for the census year, and warnings for the DfE queries they would raise.

    The pre-proceedings items come from the case's latest ``PreProceedings`` begun in the year (rule 9005 wants
    ``PPStartDate`` inside it); its later dates are written when they fall inside the year too (9008, 9009, 9012,
    9013), each only when the date it follows is written, so the chain stays in order. The letter before
    proceedings, the FGDM offer, facilitation and the CS131 outcome come from the case's latest family meeting
    whose letter was sent in the year — and, when the case has pre-proceedings in the year, on or after their
    start (9006)."""
    from ..models import FamilyMeeting, PreProceedings

    blocks: dict[int, dict] = {}
    problems: list[str] = []
    periods: dict[int, tuple] = {}
    for row in (PreProceedings.objects.filter(started_on__range=(start, end))
                .order_by("case_id", "started_on", "pk")
                .values_list("case_id", "started_on", "initial_meeting_on", "review_meetings", "step_decision_on",
                             "court_application_on", "letter_initiating_proceedings_on", "case__public_id")):
        periods[row[0]] = row[1:]  # the latest begun in the year wins
    for case_id, lbp, offered, facilitated, outcome in (
            FamilyMeeting.objects.filter(letter_before_proceedings_on__range=(start, end))
            .order_by("case_id", "letter_before_proceedings_on", "pk")
            .values_list("case_id", "letter_before_proceedings_on", "pre_proceedings_meeting_offered",
                         "facilitated", "module5_outcome_code")):
        if case_id in periods and lbp < periods[case_id][0]:
            continue  # a letter of earlier pre-proceedings
        block = {"LBPSentDate": lbp.isoformat(), "FGDMMeetingOffer": "1" if offered else "0"}
        if offered:  # 9010Q: say whether it was facilitated whenever it was offered
            block["FGDMMeetingFac"] = "1" if facilitated else "0"
        if outcome in PP_OUTCOMES:
            block["PPOutcome"] = outcome
        blocks[case_id] = block  # the latest letter of the year wins
    for case_id, (began, initial, reviews, step, court, letter, case_ref) in periods.items():
        block = blocks.setdefault(case_id, {})
        block["PPStartDate"] = began.isoformat()
        if initial is not None and initial <= end:
            block["InitialPPMeetingDate"] = initial.isoformat()
            if reviews is not None:
                block["ReviewMeetingsCount"] = str(reviews)
            else:
                problems.append(f"Case {case_ref}: the initial pre-proceedings meeting is recorded but not the "
                                "number of review meetings (DfE query 9015Q).")
        chain = [("StepDecisionDate", step), ("CourtAppDate", court), ("LetterInitCPDate", letter)]
        for name, day in chain:
            if day is None or day > end:
                break
            block[name] = day.isoformat()
    return blocks, problems


def _casework(case_ids, end: dt.date) -> tuple[dict[int, list], dict[int, dt.date]]:
    """Per case, its assessments begun by the end of the year (start, completion), and the day its first plan
    was made."""
    from ..models import Assessment, Plan

    assessments: dict[int, list] = defaultdict(list)
    for case_id, started, completed in (Assessment.objects.filter(case_id__in=case_ids, started_on__lte=end)
                                        .order_by("case_id", "started_on", "pk")
                                        .values_list("case_id", "started_on", "completed_on")):
        assessments[case_id].append((started, completed))
    plans: dict[int, dt.date] = {}
    for case_id, made in (Plan.objects.filter(case_id__in=case_ids).order_by("case_id", "-created_on")
                          .values_list("case_id", "created_on")):
        plans[case_id] = made  # the earliest wins
    return assessments, plans


def _episode_assessments(rows, *, began: dt.date, until: dt.date, start: dt.date) -> list[tuple]:
    """The case's assessments that belong to the episode (begun on or after its start, by its end or the end of
    the year) and were open in the census year; the completion is the authorisation, when it is in the year."""
    return [(started, completed if completed is not None and completed <= until else None)
            for started, completed in rows
            if began <= started <= until and (completed is None or completed >= start)]


def _children(person_pks) -> dict[int, dict]:
    people = {pk: {"id": person_ref(public_id), "born": born, "sex": sex, "ethnicity": ethnicity,
                   "disabilities": [code for code in disabilities if code in DISABILITIES]}
              for pk, public_id, born, sex, ethnicity, disabilities in Person.objects.filter(pk__in=person_pks)
              .values_list("pk", "public_id", "date_of_birth", "sex", "ethnicity", "disabilities")}
    for person_pk, value in (LinkedIdentifier.objects.filter(person_id__in=person_pks,
                                                             identifier_type=LinkedIdentifier.Type.UPN)
                             .order_by("person_id", "-valid_from", "pk").values_list("person_id", "value")):
        upn = value.strip().upper()
        if UPN_PATTERN.fullmatch(upn) and "upn" not in people[person_pk]:
            people[person_pk]["upn"] = upn
    return people


# ------------------------------------------------------------------------------------------------ the XML


def _add(parent, tag: str, text) -> None:
    etree.SubElement(parent, tag).text = str(text)


def census_tree(*, year: int, la_number: str, module5: bool = False,
                progress: Callable[[int], None] | None = None) -> tuple[etree._Element, CensusOutcome]:
    """The census of ``year`` for the current council, as an element tree (not yet checked)."""
    if not LA_NUMBER_PATTERN.fullmatch(la_number or ""):
        raise CensusError("The LA number must be the council's three-digit DfE local authority number, e.g. 926.")
    start, end = census_year(year)
    episodes = list(_episodes(start, end))
    if progress:
        progress(30)
    by_child: dict[int, list] = defaultdict(list)
    for row in episodes:
        by_child[row[7]].append(row)
    people = _children(list(by_child))
    assessments, plans = _casework({row[1] for row in episodes}, end)
    blocks, module5_problems = _module5_blocks(start, end) if module5 else ({}, [])
    if progress:
        progress(50)

    message = etree.Element("Message")
    header = etree.SubElement(message, "Header")
    collection = etree.SubElement(header, "CollectionDetails")
    _add(collection, "Collection", "CIN")
    _add(collection, "Year", year)
    _add(collection, "ReferenceDate", end.isoformat())
    source = etree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", la_number)
    _add(source, "SoftwareCode", "Early Help")
    _add(source, "DateTime", timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat())
    children = etree.SubElement(message, "Children")
    outcome = CensusOutcome(children=0, episodes=0, schema="", problems=list(module5_problems))
    for person_pk in sorted(by_child, key=lambda pk: people[pk]["id"]):
        person = people[person_pk]
        child = etree.SubElement(children, "Child")
        ids = etree.SubElement(child, "ChildIdentifiers")
        _add(ids, "LAchildID", person["id"])
        if "upn" in person:
            _add(ids, "UPN", person["upn"])
        if person["born"]:
            _add(ids, "PersonBirthDate", person["born"].isoformat())
        _add(ids, "Sex", person["sex"] if person["sex"] in ("M", "F") else "U")
        characteristics = etree.SubElement(child, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", person["ethnicity"] or "NOBT")
        if person["disabilities"]:
            listed = etree.SubElement(characteristics, "Disabilities")
            for code in person["disabilities"]:
                _add(listed, "Disability", code)
        for _pk, case_id, started, ended, source_code, need, reason, _child in by_child[person_pk]:
            details = etree.SubElement(child, "CINdetails")
            _add(details, "CINreferralDate", started.isoformat())
            _add(details, "ReferralSource", source_code if source_code in REFERRAL_SOURCES else UNKNOWN_REFERRAL_SOURCE)
            _add(details, "PrimaryNeedCode", need if need in PRIMARY_NEEDS else NOT_STATED_NEED)
            if ended is not None and ended <= end:
                _add(details, "CINclosureDate", ended.isoformat())
                if reason in CLOSURE_REASONS:
                    _add(details, "ReasonForClosure", reason)
                else:
                    outcome.problems.append(f"Child {person['id']}: the episode closed on {ended:%d/%m/%Y} has no "
                                            "census reason for closure.")
            until = ended if ended is not None and ended <= end else end
            for assessed, authorised in _episode_assessments(assessments.get(case_id, ()), began=started,
                                                             until=until, start=start):
                block = etree.SubElement(details, "Assessments")
                _add(block, "AssessmentActualStartDate", assessed.isoformat())
                if authorised is not None:
                    _add(block, "AssessmentAuthorisationDate", authorised.isoformat())
            # One family plan runs across the change of level: under section 17 it is the child in need plan,
            # from the later of the episode's start and the day the plan was made, to the episode's end.
            if case_id in plans and plans[case_id] <= until:
                dates = etree.SubElement(details, "CINPlanDates")
                _add(dates, "CINPlanStartDate", max(started, plans[case_id]).isoformat())
                if ended is not None and ended <= end:
                    _add(dates, "CINPlanEndDate", ended.isoformat())
            _add(details, "ReferralNFA", "0")
            if case_id in blocks:
                block = etree.SubElement(details, "PreProceedingsandFGDM")
                for name, _kind in MODULE5_ELEMENTS:
                    if name in blocks[case_id]:
                        _add(block, name, blocks[case_id][name])
                outcome.module5_blocks += 1
            outcome.episodes += 1
        outcome.children += 1
    return message, outcome


def census_write(out, *, year: int, la_number: str, module5: bool | None = None,
                 progress: Callable[[int], None] | None = None) -> CensusOutcome:
    """Write the current council's census of ``year`` to ``out`` (a path or a binary stream), once it is valid
    against its schema; raises :class:`CensusError` (naming every schema error) and writes nothing otherwise.
    ``module5`` defaults to ``settings.CIN_CENSUS_MODULE5``; Module 5 exists from the 2026/27 census only."""
    module5 = settings.CIN_CENSUS_MODULE5 if module5 is None else module5
    module5 = bool(module5) and year >= MODULE5_FIRST_YEAR
    schema, schema_name = census_schema(year, module5=module5)
    tree, outcome = census_tree(year=year, la_number=la_number, module5=module5, progress=progress)
    if not outcome.children:
        raise CensusError(f"No section 17 episode was open in the {year - 1}/{str(year)[2:]} census year: there is "
                          "no child to return.")
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if not schema.validate(etree.fromstring(data)):  # parsed again, so that errors name their line
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:20])
        raise CensusError(f"The census is not valid against {schema_name}: {errors}")
    outcome.schema = schema_name
    if progress:
        progress(90)
    if hasattr(out, "write"):
        out.write(data)
    else:
        Path(out).write_bytes(data)
    return outcome

