"""Norway-sized data beside the benchmark's municipality, for `benchmarks/run --national`.

Norway has 357 municipalities with about 5,500 kindergartens and 2,700 schools. The benchmark's
own municipality (9999, data.py) is one of them and keeps exactly its rows, so that every answer
at national size can be checked against the same statement as at 100 units; this module adds the
other 356, ten school years deep (2017–2026):

- each on one of the installed profiles in turn (Drammen, Tromsø, Vestvågøy: their reporting
  periods, assessment scales, meeting kinds and local-plan sections), with a number of its own;
- units in a skewed spread (a few large municipalities, many small: from 3 to about 600 units),
  two thirds kindergartens, 8,300 units in all with the benchmark's;
- three plans each (2017–2020 and 2021–2024 archived, 2025–2028 adopted), each with 4 areas of 2
  sub-areas, a goal of 4 criteria in every sub-area and 2 measures in every area (32 criteria);
- every unit's local plan on each plan (sections, local goals, actions), a report for every
  period of every year on the plan covering it, with an assessment of every criterion, and the
  change log those writes leave (the unit's creation, each report's creation and its submission);
- follow-up meetings (one a year from 2024, with two agreed points each) and a competence plan
  (2025–2028: two needs, a goal, two measures) for every unit;
- national statistics: every national indicator for every municipality and county, ten school
  years, through kvalitet's own import (`store`).

Deterministic: each municipality's rows come from a generator seeded with its place in the
list, with fixed timestamps. Written with COPY straight into the tables, one transaction per
municipality (as one import per municipality would be: its change log shares that transaction's
id), so memory stays flat however large the country.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from .data import SEED, SENTENCES, UTC, _Rows

MUNICIPALITIES = 357
UNITS = 8_300  # the benchmark's municipality's included
KINDERGARTEN_SHARE = 2 / 3
YEARS = range(2017, 2027)
PLAN_PERIODS = ((2017, 2020, "archived"), (2021, 2024, "archived"), (2025, 2028, "adopted"))
FOLLOW_UP_FROM = 2024
PROFILES = ("drammen", "tromso", "vestvagoy")
# The county numbers of 2024 (the first two digits of a municipality's number).
COUNTIES = ("03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56")
AREAS = (
    "Læringsmiljø og trivsel",
    "Lek, læring og grunnleggende ferdigheter",
    "Inkludering og tilpasset opplæring",
    "Samarbeid med hjemmet",
)
KINDS = ("kindergarten", "school")
# Assessments' comments: drawn from a fixed list (drawing sentences for each of millions of rows
# was most of the generator's time).
COMMENTS = [" ".join(random.Random(n).sample(SENTENCES, 1 + n % 3)) for n in range(64)]

# Parents before children, for the foreign keys.
TABLE_ORDER = (
    "municipality",
    "plan",
    "area",
    "goal",
    "criterion",
    "measure",
    "unit",
    "local_plan",
    "local_plan_section",
    "local_goal",
    "local_action",
    "report",
    "assessment",
    "follow_up_meeting",
    "follow_up_point",
    "competence_plan",
    "competence_need",
    "competence_goal",
    "competence_measure",
    "change_log",
)


@dataclass(frozen=True)
class ProfileFacts:
    """What the rows of a municipality on a profile take from the profile."""

    code: str
    levels: tuple[str, ...]
    periods: tuple[tuple[str, str, str, str, bool], ...]  # key, starts, ends, due (MM-DD), due next year
    meeting_kinds: dict[str, str]  # unit kind → a meeting kind held with it
    sections: tuple[str, ...]
    funding: str


def profile_facts() -> dict[str, ProfileFacts]:
    from kvalitet.plugins import Profiles, new_plugin_manager

    profiles = Profiles(new_plugin_manager())
    found = {}
    for code in PROFILES:
        reporting = profiles.reporting(code)
        assert reporting is not None, f"profile {code} has no reporting periods"
        follow_up = profiles.follow_up(code)
        kinds = {}
        for kind in KINDS:
            kinds[kind] = next(
                k.key for k in follow_up.meeting_kinds if not k.unit_kinds or kind in [str(u) for u in k.unit_kinds]
            )
        found[code] = ProfileFacts(
            code=code,
            levels=tuple(level.level for level in profiles.assessment_scale(code)),
            periods=tuple((p.key, p.starts, p.ends, p.due, p.due_next_year) for p in reporting.periods),
            meeting_kinds=kinds,
            sections=tuple(s.key for s in profiles.local_plan_sections(code) or ()) or ("utviklingsbehov",),
            funding=follow_up.funding_schemes[0].key,
        )
    return found


def sizes(municipalities: int, units: int, seed: int = SEED) -> list[int]:
    """The units of each municipality: a Zipf-like spread (the k-th largest ∝ 1/(k + 2)), at
    least 3 each, summing to `units`."""
    weights = [1 / (k + 2) for k in range(municipalities)]
    total = sum(weights)
    found = [max(3, round(units * w / total)) for w in weights]
    rng = random.Random(seed)
    while sum(found) != units:  # spread the rounding over the municipalities
        k = rng.randrange(municipalities)
        step = 1 if sum(found) < units else -1
        if found[k] + step >= 3:
            found[k] += step
    rng.shuffle(found)
    return found


def _date(year: int, month_day: str) -> dt.date:
    month, day = (int(x) for x in month_day.split("-"))
    return dt.date(year, month, day)


class _Municipality:
    """The rows of one municipality."""

    def __init__(self, index: int, number: str, units: int, facts: ProfileFacts, seed: int):
        self.rows = _Rows(seed * 1000 + index)
        self.rng = self.rows.rng
        self.index = index
        self.number = number
        self.facts = facts
        self.id = self.rows.add(
            "municipality",
            created_at=dt.datetime(2016, 8, 1, 8, tzinfo=UTC) + dt.timedelta(minutes=index),
            number=number,
            name=f"Kommune {number}",
            profile_code=facts.code,
        )
        self.plans = [self._plan(start, end, status) for start, end, status in PLAN_PERIODS]
        for n in range(units):
            self._unit(n, KINDS[0] if self.rng.random() < KINDERGARTEN_SHARE else KINDS[1])

    def _at(self, year: int, spread_days: int = 300) -> dt.datetime:
        return self.rows.moment(dt.datetime(year, 1, 5, 8, tzinfo=UTC), dt.timedelta(days=spread_days))

    def _log(self, at: dt.datetime, unit_id, entity_type: str, entity_id, action: str, changes: dict) -> None:
        self.rows.tables.setdefault("change_log", []).append(
            {
                "created_at": at,
                "actor": f"user:dev:unit_leader@{self.number}",
                "municipality_id": self.id,
                "unit_id": unit_id,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "action": action,
                "changes": json.dumps(changes, ensure_ascii=False),
            }
        )

    def _plan(self, start: int, end: int, status: str) -> tuple[uuid.UUID, int, int, list, list]:
        """(plan id, start, end, [(area id, sub-area?)], [criterion ids])"""
        add, created = self.rows.add, self._at(start - 1, 120)
        plan_id = add(
            "plan",
            created_at=created,
            municipality_id=self.id,
            title=f"Kvalitetsplan for oppvekst {start}–{end}",
            description="Syntetisk plan for ytelsesmåling.",
            period_start=start,
            period_end=end,
            status=status,
            applies_to=list(KINDS),
            adopted_on=dt.date(start - 1, 6, 15),
            adopted_by="Kommunestyret",
            profile_code=None,
        )
        areas, criteria, position = [], [], 0
        for a, title in enumerate(AREAS, start=1):
            top = add(
                "area",
                created_at=created,
                plan_id=plan_id,
                parent_id=None,
                key=f"omrade-{a}",
                kind="focus_area",
                title=title,
                description=None,
                applies_to=list(KINDS),
                position=position,
            )
            position += 1
            areas.append(top)
            for m in range(2):
                add(
                    "measure",
                    created_at=created,
                    area_id=top,
                    text=f"Felles tiltak {m + 1}: {SENTENCES[(a + m) % len(SENTENCES)]}",
                    owner="Kommunalsjef",
                    deadline=None,
                    partner=None,
                    target_group=None,
                    position=m,
                )
            for c in range(1, 3):
                sub = add(
                    "area",
                    created_at=created,
                    plan_id=plan_id,
                    parent_id=top,
                    key=f"omrade-{a}-{c}",
                    kind="sub_area",
                    title=f"{title}: delområde {c}",
                    description=None,
                    applies_to=list(KINDS),
                    position=position,
                )
                position += 1
                areas.append(sub)
                goal = add(
                    "goal",
                    created_at=created,
                    area_id=sub,
                    kind="sub_goal",
                    text=f"Delmål {a}.{c}: {title.lower()} i praksis.",
                    position=0,
                    national_goal_id=None,
                )
                for k in range(4):
                    criteria.append(
                        add(
                            "criterion",
                            created_at=created,
                            area_id=None,
                            goal_id=goal,
                            text=f"Tegn {a}.{c}.{k + 1}: " + SENTENCES[(a + c + k) % len(SENTENCES)],
                            perspective=None,
                            position=k,
                        )
                    )
                for m in range(2):
                    add(
                        "measure",
                        created_at=created,
                        area_id=sub,
                        text=f"Tiltak {a}.{c}.{m + 1}: " + SENTENCES[(a * c + m) % len(SENTENCES)],
                        owner="Styrer/rektor",
                        deadline=dt.date(end, 6, 19),
                        partner=None,
                        target_group=None,
                        position=m,
                    )
        return plan_id, start, end, areas, criteria

    def _text(self) -> str | None:
        if self.rng.random() < 0.2:
            return None
        return COMMENTS[self.rng.randrange(len(COMMENTS))]

    def _unit(self, n: int, kind: str) -> None:
        rows, rng = self.rows, self.rng
        created = rows.moment(dt.datetime(2016, 8, 2, tzinfo=UTC), dt.timedelta(days=30))
        word = "Barnehage" if kind == "kindergarten" else "Skole"
        unit_id = rows.add(
            "unit",
            created_at=created,
            updated_at=rows.moment(created, dt.timedelta(days=3000)),
            municipality_id=self.id,
            name=f"{word} {n + 1:03d}",
            kind=kind,
            org_number=f"9{self.index:03d}{n:05d}",
            ownership="municipal" if rng.random() < 0.8 else "private",
            zone=None,
            archived_at=None,
            staff_may_edit=rng.random() < 0.3,
        )
        self._log(created, unit_id, "Unit", unit_id, "create", {"name": f"{word} {n + 1:03d}", "kind": kind})
        for plan_id, start, end, areas, criteria in self.plans:
            local_plan = self._local_plan(unit_id, plan_id, start, areas)
            for year in range(start, min(end, YEARS[-1]) + 1):
                for period in self.facts.periods:
                    self._report(unit_id, plan_id, local_plan, year, period, criteria)
        for year in range(FOLLOW_UP_FROM, YEARS[-1] + 1):
            self._meeting(unit_id, kind, year)
        self._competence(unit_id, self.plans[-1][3])

    def _local_plan(self, unit_id, plan_id, start: int, areas: list) -> uuid.UUID:
        add, created = self.rows.add, self._at(start, 60)
        status = "approved" if start < YEARS[-1] - 1 else self.rng.choice(("draft", "submitted", "approved"))
        local_plan = add(
            "local_plan",
            created_at=created,
            updated_at=self.rows.moment(created, dt.timedelta(days=60)),
            municipality_id=self.id,
            unit_id=unit_id,
            plan_id=plan_id,
            status=status,
            submitted_at=None if status == "draft" else created,
            decided_at=created if status == "approved" else None,
            comment=None,
        )
        for p, key in enumerate(self.facts.sections):
            add(
                "local_plan_section",
                created_at=created,
                local_plan_id=local_plan,
                key=key,
                area_id=None,
                text=" ".join(self.rng.sample(SENTENCES, 3)),
                position=p,
            )
        for g in range(3):
            area = areas[1 + 3 * g]  # a sub-area of each of three areas
            goal = add(
                "local_goal",
                created_at=created,
                local_plan_id=local_plan,
                area_id=area,
                perspective=None,
                text=f"Lokalt mål {g + 1}: " + SENTENCES[(g + start) % len(SENTENCES)],
                position=g,
            )
            add(
                "local_action",
                created_at=created,
                local_plan_id=local_plan,
                local_goal_id=goal,
                area_id=area,
                text=f"Lokalt tiltak {g + 1}",
                owner="Pedagogisk leder",
                deadline=dt.date(start + 1, 6, 1),
                status=self.rng.choice(("planned", "in_progress", "done")),
                position=g,
            )
        return local_plan

    def _report(self, unit_id, plan_id, local_plan, year: int, period, criteria) -> None:
        rows, rng = self.rows, self.rng
        key, starts, ends, due, due_next_year = period
        if year < YEARS[-1]:
            status = "approved" if rng.random() < 0.85 else "submitted"
        else:
            status = rng.choice(("draft", "draft", "submitted", "approved"))
        created = rows.moment(dt.datetime(year, 1, 10, tzinfo=UTC), dt.timedelta(days=150))
        updated = rows.moment(created, dt.timedelta(days=150))
        report = rows.add(
            "report",
            created_at=created,
            updated_at=updated,
            municipality_id=self.id,
            unit_id=unit_id,
            plan_id=plan_id,
            local_plan_id=local_plan,
            year=year,
            period_key=key,
            period_start=_date(year, starts),
            period_end=_date(year, ends),
            due_on=_date(year + 1 if due_next_year else year, due),
            status=status,
            submitted_at=updated if status != "draft" else None,
            decided_at=updated if status == "approved" else None,
            comment="Godkjent." if status == "approved" else None,
        )
        self._log(created, unit_id, "Report", report, "create", {"year": year, "period_key": key})
        if status != "draft":
            self._log(updated, unit_id, "Report", report, "update", {"status": ["draft", status]})
        levels = self.facts.levels
        for criterion in criteria:
            rows.add(
                "assessment",
                created_at=created,
                updated_at=created,
                report_id=report,
                criterion_id=criterion,
                local_goal_id=None,
                measure_id=None,
                level=levels[min(len(levels) - 1, int(rng.triangular(0, len(levels), len(levels) * 0.6)))],
                comment=self._text(),
                evidence=None,
            )

    def _meeting(self, unit_id, kind: str, year: int) -> None:
        add, rng = self.rows.add, self.rng
        planned = dt.date(year, 10, 1) + dt.timedelta(days=rng.randrange(40))
        held = planned if planned < dt.date(YEARS[-1], 11, 1) else None
        meeting = add(
            "follow_up_meeting",
            created_at=self._at(year, 200),
            municipality_id=self.id,
            unit_id=unit_id,
            kind=self.facts.meeting_kinds[kind],
            year=year,
            period_key=None,
            planned_on=planned,
            held_on=held,
            status="held" if held else "planned",
            minutes=" ".join(rng.sample(SENTENCES, 2)) if held else "",
            participants=json.dumps([{"role": "owner"}, {"role": "unit_leader"}]),
            created_by=f"user:dev:sector_admin@{self.number}",
        )
        if held is None:
            return
        for p in range(2):
            done = year < YEARS[-1] and rng.random() < 0.7
            add(
                "follow_up_point",
                created_at=self._at(year, 200),
                municipality_id=self.id,
                unit_id=unit_id,
                meeting_id=meeting,
                position=p,
                text=f"Oppfølgingspunkt {p + 1}: " + SENTENCES[(p + year) % len(SENTENCES)],
                owner="Styrer/rektor",
                due_on=dt.date(year + 1, 3, 1),
                status="done" if done else "open",
                status_note="",
                closed_on=dt.date(year + 1, 2, 1) if done else None,
            )

    def _competence(self, unit_id, areas: list) -> None:
        add, created = self.rows.add, self._at(2025, 60)
        plan = add(
            "competence_plan",
            created_at=created,
            municipality_id=self.id,
            unit_id=unit_id,
            start_year=2025,
            end_year=2028,
            title="",
        )
        needs = [
            add(
                "competence_need",
                created_at=created,
                plan_id=plan,
                position=n,
                text=f"Behov {n + 1}: " + SENTENCES[n % len(SENTENCES)],
                area_id=areas[3 * n],
                goal_id=None,
                criterion_id=None,
                indicator_code=None,
            )
            for n in range(2)
        ]
        goal = add(
            "competence_goal", created_at=created, plan_id=plan, position=0, text="Felles mål", scope="collective"
        )
        for m in range(2):
            add(
                "competence_measure",
                created_at=created,
                plan_id=plan,
                position=m,
                title=f"Kompetansetiltak {m + 1}",
                description="",
                scope="collective",
                unit_based=True,
                target_group="whole_staff",
                target_note="",
                partner_key=None,
                partner_note="Høgskole",
                funding_key=self.facts.funding,
                starts_on=dt.date(2025, 8, 1),
                ends_on=dt.date(2026, 6, 1),
                evaluation="",
                need_ids=[needs[m]],
                goal_ids=[goal],
            )


def numbers(count: int, taken: set[str]) -> list[str]:
    """`count` municipality numbers: a county's two digits and two of the municipality, none of
    `taken` (the benchmark's and the installed profiles' own numbers)."""
    found: list[str] = []
    n = 1
    while len(found) < count:
        for county in COUNTIES:
            number = f"{county}{n:02d}"
            if number not in taken and len(found) < count:
                found.append(number)
        n += 1
    return found


async def _copy(connection: asyncpg.Connection, tables: dict[str, list[dict]]) -> int:
    written = 0
    for table in TABLE_ORDER:
        rows = tables.get(table)
        if not rows:
            continue
        columns = list(rows[0])
        await connection.copy_records_to_table(
            table, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
        )
        written += len(rows)
    return written


async def _statistics(database_url: str, numbers_: list[str]) -> int:
    """Every national indicator for every municipality and county, ten school years, through
    kvalitet's own import."""
    from decimal import Decimal

    from kvalitet.db import Database
    from kvalitet.indicators.catalogue import national
    from kvalitet.indicators.rows import Extract, Figure, Place
    from kvalitet.indicators.store import store
    from kvalitet.models.enums import FigureStatus, Gender, IndicatorLevel

    from .council_draft import _grade

    rng = random.Random(SEED)
    definitions = list(national().values())
    # Not the nation's: those are the benchmark municipality's import's (council_draft.py), which
    # this would overwrite, and its council draft would draw other figures at national size.
    places = [Place(IndicatorLevel.COUNTY, county, f"Fylke {county}") for county in COUNTIES]
    places += [Place(IndicatorLevel.MUNICIPALITY, number, f"Kommune {number}") for number in numbers_]
    extract = Extract()
    for definition in definitions:
        low, high = definition.scale or (Decimal(40), Decimal(60))  # national tests' scale points
        for place in places:
            for school_year in YEARS:
                extract.figures.append(
                    Figure(
                        indicator=definition.code,
                        place=place,
                        school_year=school_year,
                        grade=_grade(definition.code),
                        gender=Gender.ALL,
                        value=Decimal(f"{rng.uniform(float(low), float(high)):.1f}"),
                        n=rng.randint(20, 5000),
                        status=FigureStatus.REPORTED,
                        reason=None,
                    )
                )
    extract.rows_read = len(extract.figures)
    database = Database(database_url, pool_size=1)
    try:
        async with database.session() as session, session.begin():
            await store(session, extract, definitions, source="benchmark", scope="benchmark:national")
    finally:
        await database.dispose()
    return len(extract.figures)


@dataclass
class Loaded:
    municipalities: int
    units: int
    rows: dict[str, int]
    seconds: float
    database_mb: float


async def load(
    connection: asyncpg.Connection,
    database_url: str,
    *,
    own_units: int,
    municipalities: int = MUNICIPALITIES,
    units: int = UNITS,
    seed: int = SEED,
    progress: Callable[[str], None] = print,
) -> Loaded:
    """Add the rest of the country beside the benchmark's municipality (which has `own_units`)."""
    started = time.perf_counter()
    facts = profile_facts()
    from kvalitet.plugins import Profiles, new_plugin_manager

    taken = {"9999"} | {n for p in Profiles(new_plugin_manager()).all() for n in p.municipality_numbers}
    others = municipalities - 1
    spread = sizes(others, max(3 * others, units - own_units), seed)
    numbers_ = numbers(others, taken)
    counts: dict[str, int] = {}
    # As pg_restore --disable-triggers does: the rows are generated consistent, and checking
    # each row's foreign keys would double the load's time. For this session only.
    await connection.execute("SET session_replication_role = replica")
    try:
        for index, (number, size) in enumerate(zip(numbers_, spread, strict=True)):
            municipality = _Municipality(index, number, size, facts[PROFILES[index % len(PROFILES)]], seed)
            async with connection.transaction():
                await _copy(connection, municipality.rows.tables)
            for table, rows in municipality.rows.tables.items():
                counts[table] = counts.get(table, 0) + len(rows)
            if (index + 1) % 50 == 0 or index + 1 == others:
                progress(
                    f"  {index + 1}/{others} municipalities, {counts.get('unit', 0)} units, "
                    f"{counts.get('assessment', 0)} assessments, {time.perf_counter() - started:.0f} s"
                )
    finally:
        await connection.execute("RESET session_replication_role")
    counts["indicator_value"] = await _statistics(database_url, numbers_)
    # VACUUM too, as after a restore: else autovacuum may go through the millions of new rows
    # (setting their hint bits and visibility map) while the first rows are measured (the
    # likely cause of one run in which the page row's throughput fell to 0.37×).
    await connection.execute("VACUUM (ANALYZE)")
    size = await connection.fetchval("SELECT pg_database_size(current_database())")
    return Loaded(
        municipalities=others,
        units=counts.get("unit", 0),
        rows=counts,
        seconds=time.perf_counter() - started,
        database_mb=round(size / 2**20, 1),
    )
