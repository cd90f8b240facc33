"""Recording a referral of a family in the browser: search first (what was typed is kept), then one page with
the family, its children and adults, and who consented; "Add another child / adult" and "Find a child already
known" re-render the page (no JavaScript). Saving hands everything to ``services.referral_record``, the use case
the API and the import call too."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from earlyhelp.audit import record_read
from earlyhelp.permissions import Capability, require_capability

from .. import duplicates, forms, selectors, services
from ..models import Family, Person
from ..referral_forms import AdultForm, ChildForm, ConsentForm, FamilyForm, FindForm, values_of

MAX_PEOPLE = 20


def _search_values(query) -> dict:
    return {key: query.get(key, "").strip() for key in ("name", "date_of_birth", "postcode")}


def _new_child_initial(typed: dict) -> dict:
    words = typed.get("name", "").split()
    return {"first_name": " ".join(words[:-1]) if len(words) > 1 else "",
            "last_name": words[-1] if words else "", "date_of_birth": typed.get("date_of_birth", "")}


@require_capability(Capability.EDIT_CHILD_RECORDS)
def referral_new(request):
    """Search for the child first (possible duplicates are shown); then the family referral page, started from a
    known child (``person``), a known family (``family``: a brother or sister of a child found) or a new one."""
    if request.method == "POST":
        return _family_page(request, _Page.from_post(request))
    search = forms.PersonSearchForm(request.GET or None)
    typed = _search_values(request.GET)
    start = None
    if request.GET.get("person"):
        person = get_object_or_404(Person.objects.select_related("family"), public_id=request.GET["person"])
        start = _Page(family=person.family, children=[{"person": person.public_id}] if person.kind == "child"
                      else [{}], adults=[{"person": person.public_id}] if person.kind == "adult" else [])
    elif request.GET.get("family"):
        family = get_object_or_404(Family, public_id=request.GET["family"])
        start = _Page(family=family, children=[_new_child_initial(typed)])
    elif request.GET.get("new") == "1":
        start = _Page(family_initial={"postcode": typed["postcode"],
                                      "name": f"{typed['name'].split()[-1]} family" if typed["name"] else ""},
                      children=[_new_child_initial(typed)])
    if start is not None:
        return _family_page(request, start)
    matches = None
    if search.has_criteria():
        matches = selectors.person_search(membership=request.membership, **search.cleaned_data)
        matches += [m.person for m in _sounds_like(search.cleaned_data) if m.person not in matches]
    return render(request, "cases/referral_search.html", {"search": search, "matches": matches,
                                                          "carried": urlencode(typed)})


def _sounds_like(typed: dict) -> list:
    """People whose name is like the name typed (a slip, a different spelling) with the date of birth and
    postcode: found by the duplicate suggester, which exact-word search misses."""
    words = typed["name"].split()
    if not words:
        return []
    return duplicates.person_likely_duplicates(
        first_name=" ".join(words[:-1]), last_name=words[-1], date_of_birth=typed["date_of_birth"],
        postcode=typed["postcode"], at_least=0.6)


class _Page:
    """The state of the family referral page: initial values (re-rendered) or posted data (to save)."""

    def __init__(self, *, family: Family | None = None, family_initial=None, children=None, adults=None,
                 data=None, action: str = ""):
        self.family, self.data, self.action = family, data, action
        self.family_initial = family_initial or {}
        self.children_initial = children if children is not None else [{}]
        self.adults_initial = adults if adults is not None else []
        self.referral_initial: dict = {}
        self.consent_initial: dict = {}

    @classmethod
    def from_post(cls, request) -> _Page:
        data = request.POST
        family = get_object_or_404(Family, public_id=data["family"]) if data.get("family") else None
        def count(key):
            text = data.get(key) or "0"
            return min(int(text), MAX_PEOPLE) if text.isdigit() else 0

        return cls(family=family, data=data, action=data.get("action", "save"),
                   children=[{}] * count("children"), adults=[{}] * count("adults"))

    def names(self, person_forms, what: str) -> list[str]:
        """The name of each child or adult as typed (or of the person chosen), else "child 2"."""
        names = []
        for i, form in enumerate(person_forms, 1):
            person = self._person(form["person"].value())
            typed = f"{form['first_name'].value() or ''} {form['last_name'].value() or ''}".strip()
            names.append(person.full_name if person else typed or f"{what} {i}")
        return names

    @staticmethod
    def _person(public_id) -> Person | None:
        if not public_id:
            return None
        return Person.objects.filter(public_id=public_id).select_related("family").first()

    def build(self, *, bound: bool):
        data = self.data if bound else None
        children = [ChildForm(data, prefix=f"child-{i}", initial=initial)
                    for i, initial in enumerate(self.children_initial)]
        adults = [AdultForm(data, prefix=f"adult-{i}", initial=initial, children=self.names(children, "child"))
                  for i, initial in enumerate(self.adults_initial)]
        for form in [*children, *adults]:
            form.known = self._person(form["person"].value())
        return {
            "family_form": None if self.family else FamilyForm(data, prefix="family", initial=self.family_initial),
            "children": children, "adults": adults,
            "referral_form": forms.ReferralForm(data, initial=self.referral_initial or None),
            "consent_form": ConsentForm(data, prefix="consent", adults=self.names(adults, "adult"),
                                        initial=self.consent_initial),
            "find": FindForm(data, prefix="find"),
        }


def _family_page(request, page: _Page, status: int = 200):
    suggested = False
    if page.data is not None and page.action == "save":
        built = page.build(bound=True)
        suggested = not page.data.get("duplicates_checked") and _suggest(page, built)
        recorded = None if suggested else _save(request, page, built)
        if suggested:
            status = 200
        elif recorded is not None:
            note = " It is a re-referral." if recorded.referral.is_re_referral else ""
            count = len(recorded.children)
            messages.success(request, f"Referral recorded. It is about {count} "
                                      f"{'child' if count == 1 else 'children'}.{note}")
            return redirect("cases:referral", public_id=recorded.referral.public_id)
        else:
            status = 400
    else:
        if page.data is not None:  # add another / remove / find: keep what was typed, show no errors yet
            _rearrange(request, page)
        built = page.build(bound=False)
    matches = None
    if page.action == "find" and page.data is not None:
        bound_find = FindForm(page.data, prefix="find")
        if bound_find.is_valid() and any(bound_find.cleaned_data.values()):
            matches = selectors.person_search(membership=request.membership, **bound_find.cleaned_data)
        built["find"] = FindForm(initial=values_of(bound_find), prefix="find")
    in_family = []
    if page.family is not None:
        named = {str(f["person"].value()) for f in [*built["children"], *built["adults"]] if f["person"].value()}
        in_family = [p for p in page.family.people.all() if str(p.public_id) not in named]
    all_forms = [built["family_form"], *built["children"], *built["adults"], built["referral_form"],
                 built["consent_form"]]
    return render(request, "cases/referral_form.html", {
        **built, "family": page.family, "matches": matches, "in_family": in_family, "find": built["find"],
        "forms_with_errors": [f for f in all_forms if f is not None and f.is_bound and f.errors],
        "can_add": len(built["children"]) + len(built["adults"]) < MAX_PEOPLE, "suggested": suggested,
    }, status=status)


def _suggest(page: _Page, built) -> bool:
    """Before new people are saved: attach to each new child's or adult's form the people of the council they
    may already be (``form.suggestions``); True when there is any, so that the practitioner looks first."""
    person_forms = [*built["children"], *built["adults"]]
    if not all(f.is_valid() for f in person_forms):
        return False
    known = [f.known.pk for f in person_forms if f.known is not None]
    family_form = built["family_form"]
    postcode = page.family.postcode if page.family else (
        family_form.cleaned_data.get("postcode", "") if family_form is not None and family_form.is_valid() else "")
    found = False
    for form in person_forms:
        data = form.cleaned_data
        if form.known is not None or form.is_blank():
            continue
        kind = Person.Kind.CHILD if isinstance(form, ChildForm) else Person.Kind.ADULT
        form.suggestions = [m for m in duplicates.person_likely_duplicates(
            first_name=data["first_name"], last_name=data["last_name"], date_of_birth=data["date_of_birth"],
            postcode=postcode, nhs_number=data["nhs_number"], exclude=known) if m.person.kind == kind]
        found = found or bool(form.suggestions)
    return found


def _rearrange(request, page: _Page) -> None:
    """Apply "add another", "remove" and "add this person" to the page, keeping what was typed."""
    built = page.build(bound=True)
    children = [values_of(f) for f in built["children"]]
    adults = [values_of(f) for f in built["adults"]]
    action = page.action
    if action == "add_child":
        children.append({})
    elif action == "add_adult":
        adults.append({"in_household": True})
    elif action.startswith("remove_child:"):
        index = int(action.split(":")[1]) if action.split(":")[1].isdigit() else -1
        if 0 <= index < len(children):
            children.pop(index)
            for adult in adults:  # the adult's relationships follow the children they are about
                for i in range(index, len(children)):
                    adult[f"rel_{i}"], adult[f"pr_{i}"] = adult.get(f"rel_{i + 1}"), adult.get(f"pr_{i + 1}")
    elif action.startswith("remove_adult:"):
        index = int(action.split(":")[1]) if action.split(":")[1].isdigit() else -1
        if 0 <= index < len(adults):
            adults.pop(index)
    elif action.startswith("same_person:"):  # a new person is someone already recorded: use that record
        _, prefix, public_id = action.split(":", 2)
        person = get_object_or_404(Person.objects.select_related("family"), public_id=public_id)
        what, _, index = prefix.partition("-")
        rows = children if what == "child" else adults
        if index.isdigit() and int(index) < len(rows):
            kept = {k: v for k, v in rows[int(index)].items() if k.startswith(("rel_", "pr_"))}
            rows[int(index)] = {"person": person.public_id, **kept}
            if page.family is None:
                page.family = person.family
    elif action.startswith(("add_person:", "add_new_child")):
        if action == "add_new_child":
            find = FindForm(page.data, prefix="find")
            children.append(_new_child_initial(values_of(find)) if find.is_valid() else {})
        else:
            person = get_object_or_404(Person.objects.select_related("family"), public_id=action.split(":", 1)[1])
            if page.family is None:
                page.family = person.family  # the referral joins the family of the person found
            if person.kind == Person.Kind.CHILD:
                children.append({"person": person.public_id})
            else:
                adults.append({"person": person.public_id})
    page.children_initial, page.adults_initial = children or [{}], adults
    page.referral_initial = values_of(built["referral_form"])
    page.consent_initial = values_of(built["consent_form"])
    if built["family_form"] is not None:
        page.family_initial = values_of(built["family_form"])


def _save(request, page: _Page, built):
    forms_ok = all(f.is_valid() for f in [*built["children"], *built["adults"], built["referral_form"],
                                           built["consent_form"]]
                   + ([built["family_form"]] if built["family_form"] else []))
    if not forms_ok:
        return None
    children, adults = [], []
    for i, form in enumerate(built["children"]):
        if form.is_blank():
            continue
        data = form.cleaned_data
        person = _known(form)
        children.append(services.ChildEntry(person=person, key=str(i), path=form.prefix,
                                            new=None if person else services.NewPerson(
                                                **_person_values(data), sex=data["sex"] or "U",
                                                ethnicity=data["ethnicity"] or "NOBT", identifiers=_upn(data))))
    for form in built["adults"]:
        if form.is_blank():
            continue
        data = form.cleaned_data
        person = _known(form)
        rels = [services.RelationshipEntry(child=str(i), kind=data[f"rel_{i}"],
                                           parental_responsibility=data[f"pr_{i}"])
                for i in range(len(form.children)) if data.get(f"rel_{i}")]
        adults.append(services.AdultEntry(person=person, relationships=rels, path=form.prefix,
                                          new=None if person else services.NewPerson(
                                              **_person_values(data), phone=data["phone"], email=data["email"],
                                              address=data["address"], preferred_language=data["preferred_language"],
                                              interpreter_needed=data["interpreter_needed"],
                                              in_household=data["in_household"])))
    family_form, consent_form, referral_form = built["family_form"], built["consent_form"], built["referral_form"]
    family = services.FamilyEntry(family=page.family, **(family_form.cleaned_data if family_form else {}))
    consent = None
    given = consent_form.cleaned_data["given"]
    if given:
        consent = services.ConsentEntry(
            decided_on=consent_form.cleaned_data["decided_on"] or referral_form.cleaned_data["received_on"],
            adult=int(given) if given.isdigit() else None, given_by=consent_form.cleaned_data["given_by"],
            method=consent_form.cleaned_data["method"])
    household = services.FamilyReferral(children=children, adults=adults, family=family, consent=consent)
    try:
        return services.referral_record(household=household, by=request.membership, **referral_form.cleaned_data)
    except ValidationError as error:
        _show(error, built)
        return None


def _known(form) -> Person | None:
    public_id = form.cleaned_data.get("person")
    return get_object_or_404(Person.objects.select_related("family"), public_id=public_id) if public_id else None


def _person_values(data: dict) -> dict:
    return {key: data[key] for key in ("first_name", "last_name", "date_of_birth", "nhs_number",
                                       "nhs_number_absent_reason")}


def _upn(data: dict) -> list:
    return [services.IdentifierEntry("upn", data["upn"])] if data.get("upn") else []


def _show(error: ValidationError, built) -> None:
    """Put each of the service's problems on the field it is about (``child-1.date_of_birth``…)."""
    by_prefix = {f.prefix: f for f in [*built["children"], *built["adults"]]}
    targets = {"family": built["family_form"] or built["referral_form"], "consent": built["consent_form"]}
    messages_by_key = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for key, problems in messages_by_key.items():
        head, _, rest = key.partition(".")
        form = by_prefix.get(head) or targets.get(head) or built["referral_form"]
        field = rest.split(".")[0] if rest else key
        if field.startswith("relationships"):
            field = None
        form.add_error(field if field in form.fields else None, problems)


@require_capability(Capability.VIEW_CHILD_RECORDS)
def family_detail(request, public_id):
    """The family page: household, wider network, address history, relationships both ways and the genogram."""
    family = selectors.family_get(membership=request.membership, public_id=public_id)
    response = render(request, "cases/family_detail.html", {
        "family": family, "map": selectors.family_map(family=family), "addresses": family.addresses.all(),
        "referrals": family.referrals.order_by("-received_on"), "cases": family.cases.order_by("-opened_on"),
        "chronology": selectors.family_chronology(family=family, by=request.membership)[:10],
    })
    # A view is a read row (earlyhelp.audit.record_read): outside the chain, without the council's chain lock.
    record_read(action="family.viewed", by=request.membership, obj=family)
    return response


@require_capability(Capability.VIEW_CHILD_RECORDS)
def family_chronology(request, public_id):
    """One timeline across the family's cases and referrals, newest first, 50 events a page (audited read)."""
    family = selectors.family_get(membership=request.membership, public_id=public_id)
    entries = selectors.family_chronology(family=family, by=request.membership)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "cases/family_chronology.html", {"family": family, "page": page})
