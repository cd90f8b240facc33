"""Deterministic synthetic data for N tenants × Y years, at national size, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_national python bench/generate.py --tenants 150 --years 5

Fictional names only (two short word lists). The same ``--seed`` and ``--end`` give the same rows. Shapes:
referral sources and routes, decisions (about half open a case), re-referrals within the tenant's window,
cases of log-normal length (median about four months) with allocation, consent, assessment, plan and actions,
quarterly reviews, step-ups and step-downs, closure with reason, judgement and need progress, feedback forms,
distance-travelled readings at start, review and end with plausible change (most families improve a little),
family outcomes at closure, Supporting Families enrolments and claims, interventions with commissioned services,
and per tenant its providers, services, KPIs and their quarterly returns. Audit events are not generated.

Tenant sizes: tenant 1 is a large council (30,000 referrals a year: about 5,000 open cases), tenant 2 a
framework-sized one (20,000 a year: about 100,000 referrals and 200,000 readings over five years); the others
draw their size between ``--min-referrals`` and ``--max-referrals`` a year. The reference lists (referral
sources, tools, outcomes…) come from the apps' own ``*_defaults_ensure`` services; the big tables are written
with PostgreSQL ``COPY`` with explicit ids, reserved from each table's sequence per tenant (run it against a
database no one else is writing to). Rows per second are printed per tenant and at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIRST_NAMES = ["Ava", "Ben", "Cara", "Dev", "Ella", "Finn", "Gita", "Harry", "Isla", "Jay", "Kira", "Leo", "Maya",
               "Nico", "Orla", "Priya", "Quinn", "Rory", "Sana", "Theo", "Una", "Vik", "Wren", "Xan", "Yara", "Zac"]
SURNAMES = ["Ashdown", "Brackley", "Carnforth", "Dunmere", "Elstow", "Fenwick", "Garside", "Holmfirth", "Ingleby",
            "Jessop", "Kettlewell", "Langstrath", "Marwood", "Nettleham", "Ormsby", "Penhallow", "Quarrendon",
            "Rushmere", "Stainby", "Thornaby", "Upwood", "Varley", "Wrexham-Lee", "Yarwood"]
STREETS = ["Mill Lane", "Church Street", "Station Road", "Park View", "Orchard Close", "Meadow Way", "High Street"]
LOCALITIES = ["North", "South", "East", "West", "Central", "Riverside"]

LARGE_REFERRALS = 30_000
FRAMEWORK_REFERRALS = 20_000


# ------------------------------------------------------------------------------------------------ COPY writer

MISSING = object()


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    return str(value)


class CopyTable:
    """Rows of one table, buffered as COPY text. Columns are the model's concrete fields; a field not given
    takes its Django default (evaluated once), ``auto_now``/``auto_now_add`` fields take ``now``."""

    def __init__(self, model, *, now: str, explicit_id: bool = True):
        self.model = model
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if explicit_id or not f.primary_key]
        self.columns = [f.column for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        defaults = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(now)
            elif f.has_default() or f.null or f.empty_strings_allowed:
                value = f.get_default()
                if f.get_internal_type() == "ArrayField" and isinstance(value, list):
                    # PostgreSQL's array literal: {} or {"a","b"} (a JSON list is not one)
                    value = "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
                                           for v in value) + "}"
                elif isinstance(value, (dict, list)):
                    import json

                    value = json.dumps(value)
                defaults.append(value)
            else:
                defaults.append(MISSING)
        self.defaults = defaults
        self.buffer = io.StringIO()
        self.count = 0
        self.checked = False

    def add(self, **values) -> None:
        row = self.defaults.copy()
        index = self.index
        for key, value in values.items():
            row[index[key]] = value
        if not self.checked:
            missing = [c for c, v in zip(self.columns, row, strict=True) if v is MISSING]
            if missing:
                raise ValueError(f"{self.table}: no value for {missing}")
            self.checked = True
        self.buffer.write("\t".join(map(_copy_text, row)))
        self.buffer.write("\n")
        self.count += 1

    def flush(self, cursor) -> int:
        if not self.count:
            return 0
        self.buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', self.buffer)
        written = self.count
        self.buffer = io.StringIO()
        self.count = 0
        return written


class M2MTable:
    """A many-to-many through table written without ids (nothing points at its rows)."""

    def __init__(self, field):
        through = field.remote_field.through
        self.table = through._meta.db_table
        self.columns = [field.m2m_column_name(), field.m2m_reverse_name()]
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, left: int, right: int) -> None:
        self.buffer.write(f"{left}\t{right}\n")
        self.count += 1

    def flush(self, cursor) -> int:
        if not self.count:
            return 0
        self.buffer.seek(0)
        cursor.copy_expert(f'COPY "{self.table}" ({", ".join(self.columns)}) FROM STDIN', self.buffer)
        written = self.count
        self.buffer = io.StringIO()
        self.count = 0
        return written


class Ids:
    """Ids reserved from a table's sequence for one tenant's rows (no one else may write meanwhile)."""

    def __init__(self, cursor, table: str):
        self.cursor = cursor
        self.table = table
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        self.sequence = cursor.fetchone()[0]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        self.next = cursor.fetchone()[0] + 1
        self.first = self.next

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def commit(self) -> None:
        if self.next > self.first:
            self.cursor.execute("SELECT setval(%s, %s)", [self.sequence, self.next - 1])


# ------------------------------------------------------------------------------------------------ helpers


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return lambda: rng.choices(values, weights)[0]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def tenant_sizes(tenants: int, rng: random.Random, low: int, high: int) -> list[int]:
    sizes = []
    for i in range(tenants):
        if i == 0:
            sizes.append(LARGE_REFERRALS)
        elif i == 1:
            sizes.append(FRAMEWORK_REFERRALS)
        else:
            sizes.append(int(math.exp(rng.uniform(math.log(low), math.log(high)))))
    return sizes


# ------------------------------------------------------------------------------------------------ one tenant


def _tenant_setup(index: int, referrals_per_year: int, rng: random.Random):
    """The tenant, its lists (through the apps' own services), localities, teams, people who sign in and the
    commissioned services: small, through the ORM."""
    from cases.services import tenant_defaults_ensure
    from commissioning.models import CommissionedService, Kpi, KpiKind, KpiVersion, Provider
    from earlyhelp.models import Locality, Membership, Team, Tenant, User
    from earlyhelp.permissions import Role
    from earlyhelp.tenancy import tenant_context
    from outcomes.services import outcomes_defaults_ensure

    name = f"Synthetic Council {index:03d}"
    tenant = Tenant.objects.create(name=name, slug=f"synthetic-{index:03d}")
    with tenant_context(tenant):
        tenant_defaults_ensure(tenant=tenant)
        outcomes_defaults_ensure(tenant=tenant)
        n_localities = 2 if referrals_per_year < 2000 else 4 if referrals_per_year < 10000 else 6
        localities = Locality.objects.bulk_create(
            [Locality(tenant=tenant, name=LOCALITIES[i]) for i in range(n_localities)])
        teams = Team.objects.bulk_create([
            Team(tenant=tenant, name=f"{loc.name} team {k + 1}", locality=loc)
            for loc in localities for k in range(2 if referrals_per_year < 10000 else 4)
        ])
        # Caseloads of about 18 open cases a worker.
        expected_open = referrals_per_year * 0.5 * 0.36
        per_team = max(2, round(expected_open / 18 / len(teams)))
        users, roles = [], []
        for t_i, _team in enumerate(teams):
            for w in range(per_team):
                users.append(User(username=f"s{index:03d}.t{t_i}.w{w}", first_name=rng.choice(FIRST_NAMES),
                                  last_name=rng.choice(SURNAMES), password="!"))
                roles.append((Role.PRACTITIONER, t_i))
            users.append(User(username=f"s{index:03d}.t{t_i}.manager", first_name=rng.choice(FIRST_NAMES),
                              last_name=rng.choice(SURNAMES), password="!"))
            roles.append((Role.TEAM_MANAGER, t_i))
        for username, role in ((f"s{index:03d}.performance", Role.PERFORMANCE_OFFICER),
                               (f"s{index:03d}.commissioner", Role.COMMISSIONER)):
            users.append(User(username=username, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(SURNAMES),
                              password="!"))
            roles.append((role, None))
        users = User.objects.bulk_create(users)
        memberships = Membership.objects.bulk_create(
            [Membership(tenant=tenant, user=u, role=r) for u, (r, _t) in zip(users, roles, strict=True)])
        Through = Membership.teams.through
        Through.objects.bulk_create([Through(membership_id=m.pk, team_id=teams[t].pk)
                                     for m, (_r, t) in zip(memberships, roles, strict=True) if t is not None])
        workers = {team.pk: [] for team in teams}
        for u, (r, t) in zip(users, roles, strict=True):
            if r == Role.PRACTITIONER:
                workers[teams[t].pk].append(u.pk)
        providers = Provider.objects.bulk_create(
            [Provider(tenant=tenant, name=f"{rng.choice(SURNAMES)} {kind} {p}")
             for p, kind in enumerate(["Family Trust", "Women's Aid", "Youth Project", "Parenting Hub"])])
        services = CommissionedService.objects.bulk_create([
            CommissionedService(tenant=tenant, name=f"Service {s + 1}: {providers[s % 4].name}",
                                provider=providers[s % 4], commissioning_priority="Early help support")
            for s in range(6)
        ])
        kpis = Kpi.objects.bulk_create([
            Kpi(tenant=tenant, service=s, code=f"kpi-{k + 1}", position=k) for s in services for k in range(6)])
        KpiVersion.objects.bulk_create([
            KpiVersion(tenant=tenant, kpi=kpi, number=1, label=f"KPI {kpi.position + 1} of {kpi.service.name}",
                       kind=KpiKind.OUTCOME if kpi.position % 3 == 2 else KpiKind.OUTPUT_COUNT,
                       target=75 if kpi.position % 3 == 2 else 20, red_threshold=50 if kpi.position % 3 == 2 else 10,
                       valid_from_year=2000, valid_from_quarter=1)
            for kpi in kpis
        ])
    return tenant, teams, workers, services


def _lists(tenant):
    from cases.models import ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource
    from commissioning.models import Kpi, KpiVersion
    from outcomes.models import DistanceTool, FamilyOutcome, ProgrammeFramework, ProgrammeOutcome, ToolArea, ToolVersion

    def rows(model, *fields):
        return list(model.all_tenants.filter(tenant=tenant).order_by("pk").values_list(*fields))

    tools = {}
    for pk, code, lo, hi in rows(DistanceTool, "pk", "code", "scale_min", "scale_max"):
        version = ToolVersion.all_tenants.filter(tool_id=pk).order_by("-number").values_list("pk", flat=True)[0]
        areas = list(ToolArea.all_tenants.filter(version_id=version).order_by("sort_order").values_list("pk",
                                                                                                        flat=True))
        tools[code] = (pk, version, areas, lo, hi)
    framework = ProgrammeFramework.all_tenants.filter(tenant=tenant).order_by("-version").first()
    return {
        "sources": rows(ReferralSource, "pk", "code", "is_front_door"),
        "needs": [pk for pk, in rows(PresentingNeed, "pk")],
        "reasons": {code: pk for pk, code in rows(ClosureReason, "pk", "code")},
        "levels": {rank: pk for pk, rank in rows(LevelOfNeed, "pk", "rank")},
        "tools": tools,
        "family_outcomes": [pk for pk, in rows(FamilyOutcome, "pk")],
        "framework": framework.pk,
        "programme_outcomes": [pk for pk, in ProgrammeOutcome.all_tenants.filter(framework=framework)
                               .values_list("pk")],
        "kpis": rows(Kpi, "pk", "service_id", "position"),
        "kpi_versions": {kpi: pk for pk, kpi in rows(KpiVersion, "pk", "kpi_id")},
    }


def generate_tenant(index: int, referrals_per_year: int, years: int, end: dt.date, seed: int,
                    skip_triggers: bool = False) -> int:
    """All of one tenant's rows, in one transaction; returns the number of rows written."""
    from django.db import transaction

    with transaction.atomic():
        return _generate_tenant(index, referrals_per_year, years, end, seed, skip_triggers)


def _generate_tenant(index: int, referrals_per_year: int, years: int, end: dt.date, seed: int,
                     skip_triggers: bool) -> int:
    from django.db import connection

    from cases import models as cm
    from commissioning import models as km
    from outcomes import models as om

    rng = random.Random(f"{seed}:{index}")
    now = f"{end.isoformat()} 18:00:00+00"
    tenant, teams, workers, services = _tenant_setup(index, referrals_per_year, rng)
    lists = _lists(tenant)
    t = tenant.pk
    start = dt.date(end.year - years, end.month, end.day) + dt.timedelta(days=1)
    span = (end - start).days + 1
    total_referrals = referrals_per_year * years
    sources = lists["sources"]
    needs = lists["needs"]
    reasons = lists["reasons"]
    levels = lists["levels"]
    spider = lists["tools"]["spider-graph"]
    web = lists["tools"]["wellbeing-web"]
    team_list = [(team.pk, team.locality_id) for team in teams]
    decision = _weighted(rng, [("case_opened", 50), ("signposted", 24), ("nfa", 18), ("stepped_up", 8)])
    reason_of = _weighted(rng, [("OUTCOMES_MET", 62), ("DISENGAGED", 12), ("MOVED_AWAY", 6), ("UNIVERSAL", 12),
                                ("NFA", 8)])
    judgement = _weighted(rng, [("fully", 48), ("partially", 36), ("not_at_all", 16)])
    progress = _weighted(rng, [("improved", 62), ("no_change", 28), ("worse", 10)])
    need_progress = _weighted(rng, [("resolved", 45), ("improved", 40), ("no_change", 15)])
    source_weights = [8 if code in ("1B", "1D", "2A", "3E", "4") or door else 2 for _pk, code, door in sources]

    with connection.cursor() as cursor:
        cur = cursor.cursor  # psycopg2's cursor, for COPY
        if skip_triggers:
            # Foreign-key checks are triggers: skip them for this transaction's COPY (superuser only). The test
            # of the small preset runs with them on, so a generator bug that breaks a key still fails there.
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL synchronous_commit = off")
        # Rows that others point at get ids reserved here; the rest take theirs from the sequence.
        ids = {m: Ids(cur, m._meta.db_table) for m in (
            cm.Family, cm.Person, cm.Referral, cm.Case, cm.Assessment, cm.Plan, cm.Closure, om.Reading,
            om.Enrolment, km.KpiReturn)}
        tables = {m: CopyTable(m, now=now, explicit_id=m in ids) for m in (
            cm.Family, cm.Person, cm.Referral, cm.Case, cm.Allocation, cm.Consent, cm.Assessment, cm.Plan,
            cm.PlanAction, cm.Review, cm.StepChange, cm.Closure, cm.ClosureNeedProgress, cm.Feedback,
            cm.Intervention, om.Reading, om.ReadingScore, om.CaseFamilyOutcome, om.Enrolment, om.EnrolmentNeed,
            om.Claim, km.KpiReturn, km.KpiValue)}
        ref_children = M2MTable(cm.Referral._meta.get_field("children"))
        ref_needs = M2MTable(cm.Referral._meta.get_field("presenting_needs"))
        case_children = M2MTable(cm.Case._meta.get_field("children"))
        assessment_needs = M2MTable(cm.Assessment._meta.get_field("needs"))
        T = tables

        families: list[tuple[int, list[int], dict]] = []  # (family id, children ids, state)
        dates = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(total_referrals))
        for received in dates:
            # 15% come back: a family referred before (a re-referral when within 12 months)
            if families and rng.random() < 0.15:
                fam_id, children, state = families[rng.randrange(max(0, len(families) - 2000), len(families))]
            else:
                fam_id = ids[cm.Family].take()
                surname = rng.choice(SURNAMES)
                district, sector = rng.randrange(1, 99), rng.randrange(1, 9)
                postcode = f"SY{district} {sector}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRS')}"
                ward = f"Ward {rng.randrange(1, 25)}"
                T[cm.Family].add(id=fam_id, tenant_id=t, public_id=_uuid(rng), name=f"{surname} family",
                                 address=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}", postcode=postcode, ward=ward)
                children = []
                for _child in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
                    pid = ids[cm.Person].take()
                    dob = received - dt.timedelta(days=rng.randrange(200, 17 * 365))
                    T[cm.Person].add(id=pid, tenant_id=t, public_id=_uuid(rng), family_id=fam_id, kind="child",
                                     first_name=rng.choice(FIRST_NAMES), last_name=surname, date_of_birth=dob,
                                     sex=rng.choice("MF"), ethnicity=rng.choice(("WBRI", "WBRI", "WBRI", "MWBC",
                                                                                 "AIND", "BAFR", "WOTH", "NOBT")),
                                     postcode=postcode, ward=ward, relationship="child")
                    children.append(pid)
                for rel in ("mother", "father")[: rng.choice((1, 1, 2))]:
                    T[cm.Person].add(id=ids[cm.Person].take(), tenant_id=t, public_id=_uuid(rng), family_id=fam_id,
                                     kind="adult", first_name=rng.choice(FIRST_NAMES), last_name=surname,
                                     date_of_birth=received - dt.timedelta(days=rng.randrange(20 * 365, 50 * 365)),
                                     sex="F" if rel == "mother" else "M", postcode=postcode, ward=ward,
                                     relationship=rel)
                state = {"last_referral": None, "last_closure": None, "open_until": None}
                families.append((fam_id, children, state))
            if state["open_until"] is not None and state["open_until"] >= received:
                continue  # the family already has an open case: no new referral
            source_id, source_code, door = rng.choices(sources, source_weights)[0]
            route = "panel" if door or rng.random() < 0.25 else "direct"
            re_referral = state["last_referral"] is not None and (received - state["last_referral"]).days <= 365
            state["last_referral"] = received
            decided = received + dt.timedelta(days=rng.choice((0, 1, 2, 3, 5, 7, 10)))
            outcome = decision() if decided <= end else ""
            ref_id = ids[cm.Referral].take()
            T[cm.Referral].add(id=ref_id, tenant_id=t, public_id=_uuid(rng), family_id=fam_id, received_on=received,
                               source_id=source_id, route=route, reason="Worries about school attendance and home.",
                               decision=outcome, decided_on=decided if outcome else None,
                               is_re_referral=re_referral, created_at=f"{received} 09:00:00+00")
            in_scope = children[: rng.choice((1, 1, len(children)))]
            for child in in_scope:
                ref_children.add(ref_id, child)
            for need in rng.sample(needs, rng.choice((1, 2, 2, 3))):
                ref_needs.add(ref_id, need)
            if outcome != "case_opened":
                continue
            _case(rng, T, ids, case_children, assessment_needs, t=t, fam_id=fam_id, ref_id=ref_id, state=state,
                  opened=decided, end=end, in_scope=in_scope, team=rng.choice(team_list), workers=workers,
                  levels=levels, reasons=reasons, reason_of=reason_of, judgement=judgement, progress=progress,
                  need_progress=need_progress, needs=needs, spider=spider, web=web, lists=lists,
                  services=services)
        _returns(rng, T, ids, t=t, lists=lists, start=start, end=end)
        written = 0
        for table in (T[cm.Family], T[cm.Person], T[cm.Referral], ref_children, ref_needs, T[cm.Case],
                      case_children, *(T[m] for m in T if m not in (cm.Family, cm.Person, cm.Referral, cm.Case)),
                      assessment_needs):
            written += table.flush(cur)
        for reserved in ids.values():
            reserved.commit()
    return written


def _case(rng, T, ids, case_children, assessment_needs, *, t, fam_id, ref_id, state, opened, end, in_scope, team,
          workers, levels, reasons, reason_of, judgement, progress, need_progress, needs, spider, web, lists,
          services):
    from cases import models as cm
    from outcomes import models as om

    team_id, locality_id = team
    worker = rng.choice(workers[team_id]) if workers[team_id] and rng.random() > 0.04 else None
    length = int(rng.lognormvariate(math.log(110), 0.6)) + 14
    closed = opened + dt.timedelta(days=length)
    closed = closed if closed <= end else None
    state["open_until"] = closed or end
    reopened = state["last_closure"] is not None and (opened - state["last_closure"]).days <= 92
    step_down = rng.random() < 0.06
    level = levels[3] if step_down else levels[rng.choice((2, 2, 2, 3))]
    case_id = ids[cm.Case].take()
    T[cm.Case].add(id=case_id, tenant_id=t, public_id=_uuid(rng), family_id=fam_id, referral_id=ref_id,
                   lead_professional_id=worker, team_id=team_id, locality_id=locality_id, level_of_need_id=level,
                   opened_on=opened, closed_on=closed, is_reopened=reopened, created_at=f"{opened} 10:00:00+00")
    for child in in_scope:
        case_children.add(case_id, child)
    T[cm.Allocation].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id, kind="opened" if worker is None else
                         "allocated", on=opened, to_team_id=team_id, to_worker_id=worker)
    T[cm.Consent].add(tenant_id=t, public_id=_uuid(rng), family_id=fam_id, referral_id=ref_id, scope="early_help",
                      status="given", decided_on=opened, given_by="Mother", method=rng.choice(("written", "verbal")))
    if step_down:
        T[cm.StepChange].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id, kind="step_down", occurred_on=opened,
                             level_before_id=levels[4], level_after_id=level)
    horizon = closed or end
    # Assessment: most completed within the 45-day limit, some drift
    started = opened + dt.timedelta(days=rng.randrange(0, 10))
    completed = started + dt.timedelta(days=rng.choice((7, 14, 21, 28, 35, 42, 60, 90)))
    assessment_id = ids[cm.Assessment].take()
    T[cm.Assessment].add(id=assessment_id, tenant_id=t, public_id=_uuid(rng), case_id=case_id,
                         started_on=min(started, horizon), completed_on=completed if completed <= horizon else None,
                         child_voice_recorded=rng.random() < 0.8)
    for need in rng.sample(needs, 2):
        assessment_needs.add(assessment_id, need)
    reviews = []
    if completed <= horizon:
        plan_on = completed + dt.timedelta(days=rng.randrange(0, 7))
        if plan_on <= horizon:
            plan_id = ids[cm.Plan].take()
            T[cm.Plan].add(id=plan_id, tenant_id=t, public_id=_uuid(rng), case_id=case_id, created_on=plan_on)
            for k in range(3):
                T[cm.PlanAction].add(tenant_id=t, public_id=_uuid(rng), plan_id=plan_id, owner="Lead professional",
                                     description=f"Action {k + 1}", due_on=plan_on + dt.timedelta(days=30 * (k + 1)),
                                     status="done" if closed else rng.choice(("not_started", "in_progress", "done")))
            held = plan_on + dt.timedelta(days=rng.randrange(80, 100))
            while held <= horizon:
                reviews.append(held)
                held += dt.timedelta(days=rng.randrange(80, 100))
            for i, h in enumerate(reviews):
                nxt = reviews[i + 1] if i + 1 < len(reviews) else h + dt.timedelta(days=90)
                T[cm.Review].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id, held_on=h, next_review_on=nxt)
    # Distance travelled: the family's spider graph at start, each review (first two) and end; the first child's
    # wellbeing web at start and end. Scores move towards the better end for most families.
    trend = rng.gauss(0.9, 1.0)
    readings = [(spider, None, "start", min(started, horizon), 0.0)]
    readings += [(spider, None, "review", r, 0.5) for r in reviews[:2]]
    if in_scope:
        readings.append((web, in_scope[0], "start", min(started, horizon), 0.0))
    if closed and rng.random() < 0.85:
        readings.append((spider, None, "end", closed, 1.0))
        if in_scope:
            readings.append((web, in_scope[0], "end", closed, 1.0))
    base = {}
    for (tool_id, version_id, areas, lo, hi), person, stage, on, weight in readings:
        reading_id = ids[om.Reading].take()
        T[om.Reading].add(id=reading_id, tenant_id=t, public_id=_uuid(rng), case_id=case_id, person_id=person,
                          version_id=version_id, tool_id=tool_id, stage=stage, taken_on=on,
                          created_at=f"{on} 11:00:00+00")
        scale = (hi - lo) / 9
        for area in areas:
            start_score = base.setdefault(area, rng.randint(lo + 1, lo + (hi - lo) // 2 + 1))
            score = round(start_score + weight * trend * scale * 2 + rng.gauss(0, 0.6 * scale * 2) * weight)
            T[om.ReadingScore].add(tenant_id=t, public_id=_uuid(rng), reading_id=reading_id, area_id=area,
                                   score=max(lo, min(hi, score)))
    if rng.random() < 0.4:
        service = rng.choice(services)
        referred = opened + dt.timedelta(days=rng.randrange(5, 40))
        if referred <= horizon:
            began = referred + dt.timedelta(days=rng.randrange(3, 60))
            began = began if began <= horizon else None
            T[cm.Intervention].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id, service_id=service.pk,
                                   referred_on=referred, started_on=began,
                                   ended_on=closed if began and closed else None, created_at=f"{referred} 12:00:00+00")
    if rng.random() < 0.15 and not state.get("enrolled"):
        state["enrolled"] = True
        enrolment_id = ids[om.Enrolment].take()
        enrolled = opened + dt.timedelta(days=rng.randrange(0, 30))
        T[om.Enrolment].add(id=enrolment_id, tenant_id=t, public_id=_uuid(rng), family_id=fam_id,
                            framework_id=lists["framework"], case_id=case_id, lead_professional_id=worker,
                            enrolled_on=enrolled)
        for outcome in rng.sample(lists["programme_outcomes"], 3):
            met = enrolled + dt.timedelta(days=rng.randrange(60, 400))
            T[om.EnrolmentNeed].add(tenant_id=t, public_id=_uuid(rng), enrolment_id=enrolment_id, outcome_id=outcome,
                                    identified_on=enrolled, met_on=met if met <= end and rng.random() < 0.6 else None)
        if closed and rng.random() < 0.5:
            T[om.Claim].add(tenant_id=t, public_id=_uuid(rng), enrolment_id=enrolment_id, prepared_on=closed,
                            status="paid" if rng.random() < 0.8 else "submitted")
    if rng.random() < 0.05 and closed:
        T[cm.StepChange].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id, kind="step_up",
                             occurred_on=closed, level_before_id=level, level_after_id=levels[3])
        reason = "STEPPED_UP"
    else:
        reason = reason_of()
    if closed:
        state["last_closure"] = closed
        closure_id = ids[cm.Closure].take()
        T[cm.Closure].add(id=closure_id, tenant_id=t, public_id=_uuid(rng), case_id=case_id, closed_on=closed,
                          reason_id=reasons[reason], judgement=judgement(), summary="Closure summary.")
        for need in rng.sample(needs, 2):
            T[cm.ClosureNeedProgress].add(tenant_id=t, public_id=_uuid(rng), closure_id=closure_id, need_id=need,
                                          progress=need_progress())
        for outcome in rng.sample(lists["family_outcomes"], rng.choice((2, 3))):
            T[om.CaseFamilyOutcome].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id, outcome_id=outcome,
                                        progress=progress())
        if rng.random() < 0.35:
            def answer():
                return rng.choices((True, False, None), (85, 8, 7))[0]

            T[cm.Feedback].add(tenant_id=t, public_id=_uuid(rng), case_id=case_id,
                               received_on=closed + dt.timedelta(days=rng.randrange(0, 30)),
                               treated_with_respect=answer(), listened_to=answer(), helped_with_issues=answer())


def _returns(rng, T, ids, *, t, lists, start, end):
    """A return for every service and quarter that has ended, accepted except the latest two."""
    from commissioning import models as km
    from earlyhelp.periods import Quarter

    quarter = Quarter.containing(start, 4)
    quarters = []
    while quarter.end <= end:
        quarters.append(quarter)
        quarter = quarter.next()
    kpis_by_service: dict[int, list[tuple[int, int]]] = {}
    for kpi_id, service_id, position in lists["kpis"]:
        kpis_by_service.setdefault(service_id, []).append((kpi_id, position))
    for service_id, kpis in kpis_by_service.items():
        for i, q in enumerate(quarters):
            return_id = ids[km.KpiReturn].take()
            status = "accepted" if i < len(quarters) - 2 else "submitted"
            T[km.KpiReturn].add(id=return_id, tenant_id=t, public_id=_uuid(rng), service_id=service_id,
                                fy_start_year=q.start_year, quarter_number=q.number, status=status, version=1,
                                submitted_at=f"{q.end + dt.timedelta(days=20)} 12:00:00+00")
            for kpi_id, position in kpis:
                if position % 3 == 2:
                    base = rng.randrange(5, 60)
                    values = {"numerator": rng.randrange(0, base + 1), "base": base}
                else:
                    values = {"amount": rng.randrange(0, 80)}
                T[km.KpiValue].add(tenant_id=t, public_id=_uuid(rng), kpi_return_id=return_id, kpi_id=kpi_id,
                                   kpi_version_id=lists["kpi_versions"][kpi_id], **values)


# ------------------------------------------------------------------------------------------------ driver


def generate(*, tenants: int, years: int, seed: int = 0, end: dt.date = dt.date(2026, 3, 31),
             min_referrals: int = 150, max_referrals: int = 1200, sizes: list[int] | None = None,
             first_index: int = 1, analyze: bool = True, skip_triggers: bool = False,
             out=print) -> tuple[int, float]:
    """Generate the tenants; returns (rows written, seconds). Django must be set up."""
    from django.db import connection

    sizes = sizes or tenant_sizes(tenants, random.Random(seed), min_referrals, max_referrals)
    began = time.perf_counter()
    total = 0
    for n, size in enumerate(sizes):
        t0 = time.perf_counter()
        rows = generate_tenant(first_index + n, size, years, end, seed, skip_triggers)
        total += rows
        seconds = time.perf_counter() - t0
        out(f"tenant {first_index + n:3d}: {size:6d} referrals/year × {years}: {rows:9,d} rows in {seconds:6.1f} s "
            f"({rows / seconds:,.0f} rows/s); total {total:,d} rows, "
            f"{total / (time.perf_counter() - began):,.0f} rows/s")
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - began
    out(f"done: {total:,d} rows in {elapsed:.0f} s ({total / elapsed:,.0f} rows/s)")
    return total, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 3, 31))
    parser.add_argument("--min-referrals", type=int, default=150)
    parser.add_argument("--max-referrals", type=int, default=1200)
    parser.add_argument("--first-index", type=int, default=1, help="number of the first tenant (to add more later)")
    parser.add_argument("--small", action="store_true", help="every tenant at --min-referrals (the test preset)")
    parser.add_argument("--check-keys", action="store_true",
                        help="keep foreign-key triggers on during COPY (slower; the default skips them, superuser)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    sizes = [args.min_referrals] * args.tenants if args.small else None
    generate(tenants=args.tenants, years=args.years, seed=args.seed, end=args.end, min_referrals=args.min_referrals,
             max_referrals=args.max_referrals, sizes=sizes, first_index=args.first_index,
             skip_triggers=not args.check_keys)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
