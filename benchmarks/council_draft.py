"""Drawing the figures of a draft of the report to the council, against one SQL statement that
computes the same figures: `python -m benchmarks.council_draft [--units N]` (benchmarks/README.md,
«The report to the council»).

On a fresh embedded PostgreSQL: the synthetic municipality (9999, on Drammen's profile, its
units' reports for the year, benchmarks/data.py) and figures for every indicator Drammen's report
shows (the municipality, county and nation over five school years, one suppressed), stored by
kvalitet's own import. Ours: `kvalitet.services.council_reports.draw`, what `createCouncilReport`
and `refreshCouncilReportFigures` run, in this process (the statements and the Python, without
HTTP or the transaction's write). The reference: one statement (`REFERENCE`) computing the sector
report (db_limit.SECTOR_REPORT) and the indicator figures, its answer checked equal to ours
(statuses, levels per area, every figure) before either is timed. Medians of `--runs` each.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from decimal import Decimal

from sqlalchemy import select

from . import data, db_limit, servers, standalone
from .run import say

YEARS = 5
# Each indicator's grade in the synthetic figures (a school's survey grade, a test's, «all»).
GRADES = {"eu.": "7", "np.5.": "5", "gsp": "10", "fu.": "all"}

REFERENCE = f"""
SELECT json_build_object(
  'rollup', (SELECT s.x::json FROM ({db_limit.SECTOR_REPORT}) AS s(x)),
  'indicators', (
    SELECT json_agg(json_build_object('code', i.code, 'grade', v.grade, 'school_year', v.school_year,
                                      'level', v.level, 'value', v.value, 'status', v.status)
                    ORDER BY i.code, v.grade, v.school_year, v.level)
    FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id
    WHERE i.code = ANY($6::text[]) AND i.municipality_id IS NULL AND v.gender = 'all'
      AND v.school_year BETWEEN $2::int - {YEARS - 1} AND $2::int
      AND ((v.level = 'municipality' AND v.code = $1) OR (v.level = 'county' AND v.code = left($1, 2))
           OR (v.level = 'nation' AND v.code = 'NO'))))::text
"""


def _grade(code: str) -> str:
    return next(grade for prefix, grade in GRADES.items() if code.startswith(prefix))


async def _store_figures(database, codes: list[str], number: str, year: int) -> None:
    """Figures for `codes` through kvalitet's import (the rows as an import writes them)."""
    from kvalitet.indicators.catalogue import national
    from kvalitet.indicators.rows import NATION_CODE, Extract, Figure, Place
    from kvalitet.indicators.store import store
    from kvalitet.models.enums import FigureReason, FigureStatus, Gender, IndicatorLevel

    rng = random.Random(2026)
    definitions = [national()[code] for code in codes]
    places = [
        Place(IndicatorLevel.MUNICIPALITY, number, "Benchmark"),
        Place(IndicatorLevel.COUNTY, number[:2], "Fylke"),
        Place(IndicatorLevel.NATION, NATION_CODE, "Norge"),
    ]
    extract = Extract()
    for definition in definitions:
        for school_year in range(year - YEARS + 1, year + 1):
            for place in places:
                hidden = place.level is IndicatorLevel.COUNTY and school_year == year - YEARS + 1
                extract.figures.append(
                    Figure(
                        indicator=definition.code,
                        place=place,
                        school_year=school_year,
                        grade=_grade(definition.code),
                        gender=Gender.ALL,
                        value=None if hidden else Decimal(f"{rng.uniform(3, 5):.1f}"),
                        n=None if hidden else rng.randint(50, 5000),
                        status=FigureStatus.SUPPRESSED if hidden else FigureStatus.REPORTED,
                        reason=FigureReason.SOURCE if hidden else None,
                    )
                )
    extract.rows_read = len(extract.figures)
    async with database.session() as session, session.begin():
        await store(session, extract, definitions, source="benchmark", scope="benchmark:council")


def _ours_projected(drawn: dict) -> dict:
    rollup = drawn["rollup"]
    return {
        "statuses": {s["status"]: s["count"] for s in rollup["units_by_status"]},
        "areas": {a["key"]: {lv["level"]: lv["count"] for lv in a["levels"]} for a in rollup["areas"]},
        "figures": sorted(
            (code, one["grade"], point["school_year"], place, figure["value"], figure["status"])
            for code, found in drawn["indicators"].items()
            for one in found
            for point in one["points"]
            for place in ("municipality", "county", "nation")
            if (figure := point[place]) is not None
        ),
    }


def _reference_projected(answer: dict) -> dict:
    report = answer["rollup"]["municipality"]["sectorReport"]
    return {
        "statuses": {s["status"]: s["count"] for s in report["unitsByStatus"]},
        "areas": {a["key"]: {lv["level"]: lv["count"] for lv in a["levels"]} for a in report["areas"]},
        "figures": sorted(
            (
                row["code"],
                row["grade"],
                row["school_year"],
                row["level"],
                None if row["value"] is None else str(Decimal(str(row["value"]))),
                row["status"],
            )
            for row in answer["indicators"] or []
        ),
    }


async def drawer(database, connection, dataset: data.Dataset):
    """Store the figures the draft shows for the municipality (kvalitet's import), and return
    (draw, its codes): `draw()` draws the draft's figures as `createCouncilReport` does, in this
    process (statements and Python, without HTTP or the transaction's write)."""
    from kvalitet.access.actor import ANONYMOUS, PermissiveAccessPolicy
    from kvalitet.models import Municipality
    from kvalitet.plugins import Profiles, new_plugin_manager
    from kvalitet.services import council_reports
    from kvalitet.services.context import ServiceContext

    profiles = Profiles(new_plugin_manager())
    structure = profiles.council_report(data.PROFILE_CODE)
    codes = sorted({code for section in structure.sections for code in section.indicators})
    year = dataset.sector_report_year
    await _store_figures(database, codes, dataset.municipality_number, year)
    await connection.execute("ANALYZE")

    async def draw() -> dict:
        async with database.session() as session:
            ctx = ServiceContext(session, ANONYMOUS, PermissiveAccessPolicy(), profiles)
            municipality = await session.scalar(
                select(Municipality).where(Municipality.number == dataset.municipality_number)
            )
            return await council_reports.draw(ctx, municipality, year, dataset.period_key)

    return draw, codes


async def timed(draw, runs: int = 100) -> dict:
    """The median and 99th percentile of `runs` draws (after 3 untimed), in ms."""
    times = []
    for n in range(runs + 3):
        started = time.perf_counter()
        await draw()
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    found = {"runs": runs, "p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[-1 - runs // 100], 2)}
    say("council_draft (in this process): " + ", ".join(f"{k} {v}" for k, v in found.items()))
    return found


async def measure(args) -> dict:
    from kvalitet.db import Database

    async with standalone.fresh_database() as fresh:
        connection = fresh.connection
        dataset = await data.load(connection, args.units)
        database = Database(fresh.database_url, pool_size=2)
        try:
            draw, codes = await drawer(database, connection, dataset)
            reference_args = (*db_limit.arguments("sector_report", dataset), codes)
            statement = await connection.prepare(REFERENCE)
            ours = json.loads(json.dumps(await draw(), default=str))
            theirs = json.loads(await statement.fetchval(*reference_args))
            if _ours_projected(ours) != _reference_projected(theirs):
                raise servers.SetupError("our draft's figures are not those the reference statement computes")
            say(f"equal: {len(_ours_projected(ours)['figures'])} figures, {len(ours['rollup']['areas'])} areas")

            ours_ms = await db_limit.median_of(draw, runs=args.runs)
            reference_ms = await db_limit.median_of(lambda: statement.fetchval(*reference_args), runs=args.runs)
        finally:
            await database.dispose()
    found = {
        "units": args.units,
        "ours_ms": round(ours_ms, 2),
        "db_limit_ms": round(reference_ms, 2),
        "ratio_db_limit": round(ours_ms / reference_ms, 2),
    }
    say("RESULT query=council_draft " + " ".join(f"{k}={v}" for k, v in found.items()))
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.council_draft", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="units of the municipality (default 1,000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each side (default 30)")
    args = parser.parse_args(argv)
    return standalone.run(lambda: measure(args))


if __name__ == "__main__":
    raise SystemExit(main())
