"""Labels beside the codes a screen shows, in the caller's language: the core's words (kinds of
unit, statuses) and the profile's (assessment levels, perspectives, kinds of area)."""

from __future__ import annotations

import pytest

from tests.support.cycle import Cycle

SCREEN = """query ($report: ID!, $local: ID!, $unit: ID!) {
  report: node(id: $report) { ... on Report { statusLabel items { assessment { level levelLabel } } } }
  local: node(id: $local) { ... on LocalPlan { status statusLabel
    goals { perspective perspectiveLabel area { kind kindLabel } }
    actions { status statusLabel } } }
  unit: node(id: $unit) { ... on Unit { kind kindLabel } }
}"""

SAID = {
    "nb": ("Utkast", "Godt i gang", "Barneperspektivet", "Kvalitetsområde", "Planlagt", "Barnehage"),
    "nn": ("Utkast", "Godt i gang", "Barneperspektivet", "Kvalitetsområde", "Planlagd", "Barnehage"),
    "en": ("Draft", "Well under way", "The children's perspective", "Quality area", "Planned", "Kindergarten"),
}


@pytest.fixture
async def tromso_screen(gql):
    """A Tromsø kindergarten with a local goal from the children's perspective, an action, and
    its report with one item assessed at «3»."""
    cycle = Cycle(gql)
    _, plan, unit, local = await cycle.kindergarten_on("5501", "Tromsø", "tromso")
    area = (await cycle.areas(plan["id"], "quality_area"))[0]
    await cycle.local_goal(local["id"], area["id"], "Barna leker mer ute", "barn")
    await cycle.action(local["id"], "Uteleik kvar dag", area["id"])
    report = await cycle.open_report(unit["id"], 2024, "arlig")
    [first, *_] = await cycle.items(report["id"])
    await cycle.assess(report["id"], first, "3")
    return {"report": report["id"], "local": local["id"], "unit": unit["id"]}


@pytest.mark.parametrize("locale", list(SAID))
async def test_a_screen_reads_its_labels_in_the_callers_language(gql, tromso_screen, locale):
    gql.headers["Accept-Language"] = locale
    data = await gql(SCREEN, tromso_screen)
    report, local, unit = data["report"], data["local"], data["unit"]
    [goal], [action] = local["goals"], local["actions"]
    assessed = next(i["assessment"] for i in report["items"] if i["assessment"])
    assert (
        report["statusLabel"],
        assessed["levelLabel"],
        goal["perspectiveLabel"],
        goal["area"]["kindLabel"],
        action["statusLabel"],
        unit["kindLabel"],
    ) == SAID[locale]
    # The codes stay as they were, whatever the language.
    assert (assessed["level"], goal["perspective"], goal["area"]["kind"], unit["kind"]) == (
        "3",
        "barn",
        "quality_area",
        "KINDERGARTEN",
    )


async def test_a_rows_profile_is_read_only_for_a_caller_who_sees_the_row(gql, database, tromso_screen):
    """The labels' lookup of a row's profile is scoped like every read: another municipality's
    sector admin learns nothing of it (not even that it exists)."""
    import uuid

    from sqlalchemy import select
    from strawberry.relay import GlobalID

    from kvalitet.access.actor import Actor, Grant
    from kvalitet.access.policy import RolePolicy
    from kvalitet.models import Assessment, Municipality, Report
    from kvalitet.schema.reading.loaders import Loaders

    await Cycle(gql).municipality("3301", "Drammen", "drammen")
    async with database.session() as session:
        ids = dict((await session.execute(select(Municipality.number, Municipality.id))).all())
        assessment = await session.scalar(select(Assessment.id))
    report = uuid.UUID(GlobalID.from_id(tromso_screen["report"]).node_id)

    def loaders(number: str) -> Loaders:
        actor = Actor(id=f"user:{number}", grants=(Grant("sector_admin", municipality_id=ids[number]),))
        return Loaders(database.engine, RolePolicy(), actor)

    assert await loaders("5501").profile_codes(Assessment).load(assessment) == "tromso"
    assert await loaders("5501").profile_codes(Report).load(report) == "tromso"
    assert await loaders("3301").profile_codes(Assessment).load(assessment) is None
    assert await loaders("3301").profile_codes(Report).load(report) is None
