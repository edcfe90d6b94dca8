"""The synthetic municipality the benchmark reads: deterministic, loaded with COPY.

One municipality (on the installed `drammen` profile: the assessment scale "1"–"4" and one annual
reporting period, `arlig`, due 31 January after the year) with one adopted plan (5 top-level
areas, each with 2 child areas; every child area has a goal with 5 criteria, 50 criteria in all)
and N schools, each with 2 reports of 50 assessments. The rows go straight into the tables (no
ORM, so nothing writes the change log): the change log gets a made-up history of one unit (60
changes) for the `history` query. Explicit ids and timestamps: the same seed gives the same
database, row for row.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field

import asyncpg

MUNICIPALITY_NUMBER = "9999"
MUNICIPALITY_NAME = "Benchmark kommune"
# An installed profile (kvalitet_profiles.drammen) with the levels "1"–"4" the assessments use
# and an annual period: writes check the level against its scale, and the sector report needs
# a reporting period of the profile. Its period key is the reports' period key.
PROFILE_CODE = "drammen"
PERIOD_KEY = "arlig"
SECTOR_REPORT_YEAR = 2025
HISTORY_CHANGES = 60  # change log rows of one unit (the `history` query reads the first 50)
SEED = 20250611
UTC = dt.UTC

TOPICS = [
    "Læringsmiljø",
    "Grunnleggende ferdigheter",
    "Inkludering og tilpasset opplæring",
    "Vurdering for læring",
    "Samarbeid med hjemmet",
]
PERSPECTIVES = ["elev", "ansatt", "leder", "foresatt"]
SENTENCES = [
    "Vi ser god framgang.",
    "Elevene trives og deltar aktivt i undervisningen.",
    "Tiltaket er godt i gang, men må følges opp neste år.",
    "Personalet har hatt felles fagdager om temaet.",
    "Resultatene fra elevundersøkelsen er litt svakere enn i fjor.",
    "Vi trenger mer tid.",
    "Samarbeidet med PPT fungerer godt.",
    "Foreldremøtene har hatt god oppslutning, og tilbakemeldingene er positive.",
    "Lærerne bruker vurderingskriterier jevnlig i alle fag.",
    "Det er fortsatt store forskjeller mellom trinnene.",
]


@dataclass
class Dataset:
    """What the benchmark needs to know about the loaded data."""

    municipality_number: str
    plan_id: uuid.UUID
    unit_ids: list[uuid.UUID]  # in name order
    page_unit_id: uuid.UUID  # the unit the `page` query shows, and whose history `history` reads
    counts: dict[str, int] = field(default_factory=dict)
    period_key: str = PERIOD_KEY
    sector_report_year: int = SECTOR_REPORT_YEAR
    # The change feed's cursor of the municipality's latest change (set before the reads are asked).
    feed_cursor: str | None = None


class _Rows:
    """Deterministic ids and timestamps, and the rows of every table."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.tables: dict[str, list[dict]] = {}

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, start: dt.datetime, spread: dt.timedelta) -> dt.datetime:
        """A time in [start, start + spread), with varied microseconds."""
        return start + dt.timedelta(microseconds=self.rng.randrange(int(spread.total_seconds() * 1_000_000)))

    def add(self, table: str, *, created_at: dt.datetime, updated_at: dt.datetime | None = None, **values) -> uuid.UUID:
        row = {
            "id": self.uuid(),
            "created_at": created_at,
            "updated_at": updated_at or created_at,
            "version": 1,
            **values,
        }
        self.tables.setdefault(table, []).append(row)
        return row["id"]


def _plan(rows: _Rows, municipality_id: uuid.UUID) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """The plan and its structure; returns the plan id and its 50 criteria ids in plan order."""
    t0 = dt.datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    hour = dt.timedelta(hours=1)
    plan_id = rows.add(
        "plan",
        created_at=rows.moment(t0, hour),
        updated_at=rows.moment(t0 + 40 * 24 * hour, hour),
        municipality_id=municipality_id,
        title="Kvalitetsplan for grunnskolen 2025–2028",
        description="Syntetisk plan for ytelsesmåling.",
        period_start=2025,
        period_end=2028,
        status="adopted",
        applies_to=["school"],
        adopted_on=dt.date(2024, 6, 13),
        adopted_by="Kommunestyret",
        profile_code=None,
    )
    criteria: list[uuid.UUID] = []
    position = 0
    for a, topic in enumerate(TOPICS, start=1):
        when = t0 + a * hour
        top = rows.add(
            "area",
            created_at=rows.moment(when, hour),
            plan_id=plan_id,
            parent_id=None,
            key=f"omrade-{a}",
            kind="focus_area",
            title=topic,
            description=None,
            applies_to=["school"],
            position=position,
        )
        position += 1
        rows.add(
            "goal",
            created_at=rows.moment(when, hour),
            area_id=top,
            kind="main_goal",
            text=f"Hovedmål: {topic.lower()} preger hele skolehverdagen.",
            position=0,
            national_goal_id=None,
        )
        for m in range(2):
            rows.add(
                "measure",
                created_at=rows.moment(when, hour),
                area_id=top,
                text=f"Felles tiltak {m + 1} for {topic.lower()}",
                owner="Kommunalsjef",
                deadline=None,
                partner=None,
                target_group=None,
                position=m,
            )
        for c in range(1, 3):
            child = rows.add(
                "area",
                created_at=rows.moment(when, hour),
                plan_id=plan_id,
                parent_id=top,
                key=f"omrade-{a}-{c}",
                kind="sub_area",
                title=f"{topic}: delområde {c}",
                description=None,
                applies_to=["school"],
                position=position,
            )
            position += 1
            goal = rows.add(
                "goal",
                created_at=rows.moment(when, hour),
                area_id=child,
                kind="sub_goal",
                text=f"Delmål {a}.{c}: eleven opplever {topic.lower()} i praksis.",
                position=0,
                national_goal_id=None,
            )
            for k in range(5):
                criteria.append(
                    rows.add(
                        "criterion",
                        created_at=rows.moment(when, hour),
                        area_id=None,
                        goal_id=goal,
                        text=f"Kriterium {a}.{c}.{k + 1}: " + SENTENCES[(a + c + k) % len(SENTENCES)],
                        perspective=PERSPECTIVES[k % len(PERSPECTIVES)],
                        position=k,
                    )
                )
            for m in range(3):
                rows.add(
                    "measure",
                    created_at=rows.moment(when, hour),
                    area_id=child,
                    text=f"Tiltak {a}.{c}.{m + 1}: " + SENTENCES[(a * c + m) % len(SENTENCES)],
                    owner="Rektor",
                    deadline=dt.date(2026, 6, 19),
                    partner=None,
                    target_group="Alle elever",
                    position=m,
                )
    return plan_id, criteria


def _comment(rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    return " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))


def _reports(rows: _Rows, municipality_id, plan_id, unit_id, criteria) -> None:
    rng = rows.rng
    for year, statuses in ((2025, (0.2, 0.5)), (2026, (0.6, 0.9))):
        draw = rng.random()
        status = "draft" if draw < statuses[0] else "submitted" if draw < statuses[1] else "approved"
        created = rows.moment(dt.datetime(year, 1, 10, tzinfo=UTC), dt.timedelta(days=60))
        updated = rows.moment(created, dt.timedelta(days=300))
        report = rows.add(
            "report",
            created_at=created,
            updated_at=updated,
            municipality_id=municipality_id,
            unit_id=unit_id,
            plan_id=plan_id,
            local_plan_id=None,
            year=year,
            period_key=PERIOD_KEY,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            due_on=dt.date(year + 1, 1, 31),
            status=status,
            submitted_at=updated if status != "draft" else None,
            decided_at=updated if status == "approved" else None,
            comment="Godkjent." if status == "approved" else None,
        )
        for criterion in criteria:
            when = rows.moment(created, dt.timedelta(days=30))
            rows.add(
                "assessment",
                created_at=when,
                updated_at=rows.moment(when, dt.timedelta(days=20)),
                report_id=report,
                criterion_id=criterion,
                local_goal_id=None,
                level=rng.choices("1234", weights=(1, 3, 4, 2))[0],
                comment=_comment(rng),
                evidence=None,
            )


def generate(units: int, seed: int = SEED) -> tuple[Dataset, dict[str, list[dict]]]:
    rows = _Rows(seed)
    t0 = dt.datetime(2024, 1, 15, 8, 0, tzinfo=UTC)
    municipality_id = rows.add(
        "municipality",
        created_at=rows.moment(t0, dt.timedelta(hours=1)),
        number=MUNICIPALITY_NUMBER,
        name=MUNICIPALITY_NAME,
        profile_code=PROFILE_CODE,
    )
    plan_id, criteria = _plan(rows, municipality_id)
    unit_ids = []
    for n in range(1, units + 1):
        created = rows.moment(dt.datetime(2024, 2, 1, tzinfo=UTC), dt.timedelta(days=90))
        unit_ids.append(
            rows.add(
                "unit",
                created_at=created,
                updated_at=rows.moment(created, dt.timedelta(days=200)),
                municipality_id=municipality_id,
                name=f"Skole {n:04d}",
                kind="school",
                org_number=None,
                ownership="municipal",
                zone=None,
                archived_at=None,
                staff_may_edit=False,
            )
        )
        _reports(rows, municipality_id, plan_id, unit_ids[-1], criteria)
    page_unit_id = unit_ids[len(unit_ids) // 2]
    # Last, so that the rows above are the same with or without it.
    _history(rows, municipality_id, page_unit_id)
    dataset = Dataset(
        municipality_number=MUNICIPALITY_NUMBER,
        plan_id=plan_id,
        unit_ids=unit_ids,
        page_unit_id=page_unit_id,
        counts={t: len(r) for t, r in rows.tables.items()},
    )
    return dataset, rows.tables


ACTORS = ["user:dev:sector_admin@9999", "user:dev:unit_leader@9999", "apikey:integrasjon", None]
ZONES = ["Sone nord", "Sone sør", "Sone øst", None]


def _history(rows: _Rows, municipality_id: uuid.UUID, unit_id: uuid.UUID) -> None:
    """HISTORY_CHANGES change log rows for one unit, as the audit writes them: its creation,
    then updates (`{field: [old, new]}`) of its name, zone and staff editing, a few hours apart.
    No `id` (the identity column numbers them in COPY order, as the audit's inserts would be)
    and no `tx_id` (its default)."""
    at = dt.datetime(2024, 2, 1, 7, 30, tzinfo=UTC)
    name, zone, staff = "Skole (ny)", None, False
    changes: list[tuple[str, dict]] = [
        ("create", {"name": name, "kind": "school", "ownership": "municipal", "zone": None, "staff_may_edit": False})
    ]
    for n in range(1, HISTORY_CHANGES):
        which = n % 3
        if which == 0:
            new_name = f"Skole {n:02d} (endret navn)"
            changes.append(("update", {"name": [name, new_name]}))
            name = new_name
        elif which == 1:
            new_zone = ZONES[(n // 3) % len(ZONES)]
            changes.append(("update", {"zone": [zone, new_zone]}))
            zone = new_zone
        else:
            changes.append(("update", {"staff_may_edit": [staff, not staff]}))
            staff = not staff
    for i, (action, change) in enumerate(changes):
        at = rows.moment(at + dt.timedelta(hours=3), dt.timedelta(hours=2))
        rows.tables.setdefault("change_log", []).append(
            {
                "created_at": at,
                "actor": ACTORS[i % len(ACTORS)],
                "municipality_id": municipality_id,
                "unit_id": unit_id,
                "entity_type": "Unit",
                "entity_id": unit_id,
                "action": action,
                "changes": json.dumps(change, ensure_ascii=False),
            }
        )


# Parents before children, for the foreign keys.
TABLE_ORDER = [
    "municipality",
    "plan",
    "area",
    "goal",
    "criterion",
    "measure",
    "unit",
    "report",
    "assessment",
    "change_log",
]


async def load(connection: asyncpg.Connection, units: int, seed: int = SEED) -> Dataset:
    """Generate the data and COPY it in, in one transaction; then ANALYZE."""
    dataset, tables = generate(units, seed)
    async with connection.transaction():
        for table in TABLE_ORDER:
            rows = tables[table]
            columns = list(rows[0])
            await connection.copy_records_to_table(
                table, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
            )
    await connection.execute("ANALYZE")
    return dataset
