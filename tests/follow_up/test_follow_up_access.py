"""Who sees and changes the follow-up of the units and the competence plans, through HTTP with
real tokens (the role policy), on the test profile (meeting kind `oppfolgingsmote`, funding
scheme `lokal-kompetanseutvikling`).

One world per test: municipality 9901 with units A (a school) and B (a kindergarten) and its
own competence plan, and municipality 9902 with unit C and its own plan. Each unit has a held
meeting with a point agreed in it, and a competence plan with a need, a goal and a measure;
both municipalities meet their units every six months, so every unit (last met in January 2024)
is overdue. Every text written names whose it is (`M1-A`, `M1-B`, `M1-EGEN`, `M2-C`, `M2-EGEN`),
so an answer that holds one it should not is caught by its text.

The municipalities and units are made with the permissive app (no role may create a
municipality); everything else is made by each municipality's sector admin.

The readings taken from the code where the roles table leaves room:

- A unit grant covers rows of its unit only: the municipality's own competence plan (no unit)
  is not the unit leader's to read (`node` is null, lists leave it out, a change of it is
  NOT_FOUND), nor is the municipality's rhythm (so the unit leader's `overdueFollowUps` names
  no unit but its own).
- A municipality is public: acting on another municipality (its rhythm, its own competence
  plan) is FORBIDDEN, not NOT_FOUND; acting on its units' rows is NOT_FOUND.
"""

from __future__ import annotations

import json

import pytest

from tests.support.client import GraphQLClient
from tests.support.cycle import Cycle

KIND = "oppfolgingsmote"
FUNDING = "lokal-kompetanseutvikling"
ERRORS = "errors { field code }"


# -- Calling mutations ---------------------------------------------------------------------------


async def call(client: GraphQLClient, name: str, input_: dict, selection: str = "__typename") -> dict:
    type_name = name[0].upper() + name[1:]
    query = f"mutation ($input: {type_name}Input!) {{ {name}(input: $input) {{ {selection} {ERRORS} }} }}"
    return (await client(query, {"input": input_}))[name]


async def ok(client: GraphQLClient, name: str, input_: dict, selection: str = "__typename") -> dict:
    payload = await call(client, name, input_, selection)
    assert payload["errors"] == [], f"{name}: {payload['errors']}"
    return payload


async def codes(client: GraphQLClient, name: str, input_: dict) -> list[str]:
    """The codes of the errors `name` answers with (it must answer with some)."""
    payload = await call(client, name, input_)
    assert payload["errors"], f"{name} should have been refused"
    return [e["code"] for e in payload["errors"]]


async def not_found(client: GraphQLClient, name: str, input_: dict, field: str) -> None:
    payload = await call(client, name, input_)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", field)], (name, payload)


async def forbidden(client: GraphQLClient, name: str, input_: dict) -> None:
    assert await codes(client, name, input_) == ["FORBIDDEN"], name


NODE = "query ($id: ID!) { node(id: $id) { id ... on Versioned { version } } }"


async def node(client: GraphQLClient, id_: str) -> dict | None:
    return (await client(NODE, {"id": id_}))["node"]


async def version(client: GraphQLClient, id_: str) -> int:
    found = await node(client, id_)
    assert found is not None, id_
    return found["version"]


# -- The world -----------------------------------------------------------------------------------


async def _unit_follow_up(admin: GraphQLClient, unit_id: str, tag: str) -> dict:
    """A held meeting with the unit, a point agreed in it, and the unit's competence plan with a
    need, a goal and a measure: their ids (and the meeting's and point's versions)."""
    meeting = (
        await ok(
            admin,
            "planFollowUpMeeting",
            {"unitId": unit_id, "kind": KIND, "year": 2024, "plannedOn": "2024-01-10"},
            "meeting { id version }",
        )
    )["meeting"]
    held = (
        await ok(
            admin,
            "updateFollowUpMeeting",
            {"id": meeting["id"], "version": meeting["version"], "heldOn": "2024-01-10", "minutes": f"{tag} referat"},
            "meeting { id version status }",
        )
    )["meeting"]
    assert held["status"] == "HELD"
    point = (
        await ok(
            admin,
            "agreeFollowUpPoint",
            {"meetingId": meeting["id"], "text": f"{tag} punkt", "owner": f"{tag} rektor", "dueOn": "2024-06-01"},
            "point { id version }",
        )
    )["point"]
    plan = (
        await ok(
            admin,
            "createCompetencePlan",
            {"unitId": unit_id, "startYear": 2025, "endYear": 2026, "title": f"{tag} plan"},
            "plan { id version unit { id } }",
        )
    )["plan"]
    assert plan["unit"] == {"id": unit_id}
    return {"meeting": held["id"], "point": point["id"], "plan": plan["id"], **await _plan_content(admin, plan, tag)}


async def _plan_content(admin: GraphQLClient, plan: dict, tag: str) -> dict:
    need = (await ok(admin, "addCompetenceNeed", {"planId": plan["id"], "text": f"{tag} behov"}, "need { id }"))["need"]
    goal = (
        await ok(
            admin,
            "addCompetenceGoal",
            {"planId": plan["id"], "text": f"{tag} mål", "scope": "COLLECTIVE", "needIds": [need["id"]]},
            "goal { id }",
        )
    )["goal"]
    measure = (
        await ok(
            admin,
            "addCompetenceMeasure",
            {
                "planId": plan["id"],
                "title": f"{tag} tiltak",
                "scope": "COLLECTIVE",
                "targetGroup": "WHOLE_STAFF",
                "funding": FUNDING,
                "partnerNote": f"{tag} partner",
                "startsOn": "2025-01-01",
                "needIds": [need["id"]],
                "goalIds": [goal["id"]],
            },
            "measure { id }",
        )
    )["measure"]
    return {"need": need["id"], "goal": goal["id"], "measure": measure["id"]}


async def _own_plan(admin: GraphQLClient, municipality_id: str, tag: str) -> dict:
    plan = (
        await ok(
            admin,
            "createCompetencePlan",
            {"municipalityId": municipality_id, "startYear": 2025, "endYear": 2026, "title": f"{tag} plan"},
            "plan { id version unit { id } }",
        )
    )["plan"]
    assert plan["unit"] is None
    return {"plan": plan["id"], **await _plan_content(admin, plan, tag)}


@pytest.fixture
async def world(gql, gql_as, token) -> dict:
    cycle = Cycle(gql)
    m1 = await cycle.municipality("9901", "Prøvekommune", "testprofil")
    m2 = await cycle.municipality("9902", "Nabokommune", "testprofil")
    unit_a = await cycle.unit(m1["id"], "M1-A skole", "SCHOOL")
    unit_b = await cycle.unit(m1["id"], "M1-B barnehage", "KINDERGARTEN")
    unit_c = await cycle.unit(m2["id"], "M2-C skole", "SCHOOL")
    admin1 = gql_as(token("sector_admin", municipality="9901", subject="admin1"))
    admin2 = gql_as(token("sector_admin", municipality="9902", subject="admin2"))
    world = {
        "m1": m1["id"],
        "m2": m2["id"],
        "admin1": admin1,
        "admin2": admin2,
        "A": {"unit": unit_a["id"], **await _unit_follow_up(admin1, unit_a["id"], "M1-A")},
        "B": {"unit": unit_b["id"], **await _unit_follow_up(admin1, unit_b["id"], "M1-B")},
        "OWN": await _own_plan(admin1, m1["id"], "M1-EGEN"),
        "C": {"unit": unit_c["id"], **await _unit_follow_up(admin2, unit_c["id"], "M2-C")},
        "OWN2": await _own_plan(admin2, m2["id"], "M2-EGEN"),
    }
    for admin, municipality_id in ((admin1, m1["id"]), (admin2, m2["id"])):
        await ok(
            admin,
            "setFollowUpRhythm",
            {"municipalityId": municipality_id, "kind": KIND, "everyMonths": 6},
            "rhythm { id }",
        )
    return world


ROWS = ("meeting", "point", "plan", "need", "goal", "measure")


def ids_of(world: dict, *owners: str) -> set[str]:
    return {world[o][key] for o in owners for key in ROWS if key in world[o]}


@pytest.fixture(params=["compiled", "default"])
def reader(request, secure_client, secure_default_client):
    """reader(token) → a client of the secure app, with the compiled read paths on or off."""
    http = secure_client if request.param == "compiled" else secure_default_client
    return lambda bearer=None: GraphQLClient(http, bearer)


MUNICIPALITY = """query ($n: String!) { municipality(number: $n) { id name
  followUpMeetings(first: 20) { nodes { id minutes unit { id name } points { id text } } }
  followUpPoints(first: 20) { nodes { id text owner statusNote unit { id name } meeting { id minutes } } }
  followUpRhythms { id kind everyMonths }
  overdueFollowUps { kind lastHeldOn unit { id name } }
  competencePlans(first: 20) { nodes { id title unit { id name }
    needs { id text } goals { id text needs { id text } }
    measures { id title partnerNote needs { id text } goals { id text } } } }
  competenceRollup(year: 2025) { planCount
    needsByArea { unitCount needs { id text } }
    measuresByFunding { fundingKey unitCount measures { id title } }
    csv }
} }"""

UNIT = """query ($id: ID!) { node(id: $id) { ... on Unit { id name
  followUpMeetings(first: 20) { nodes { id minutes points { id text } agenda { followUps { id text } } } }
  followUpPoints(first: 20) { nodes { id text } }
  competencePlans(first: 20) { nodes { id title needs { id text } goals { id text } measures { id title } } }
} } }"""

FEED = """query ($after: String) { changes(first: 20, after: $after, entityTypes: ["FollowUpMeeting",
  "FollowUpPoint", "FollowUpRhythm", "CompetencePlan", "CompetenceNeed", "CompetenceGoal", "CompetenceMeasure"]) {
  changes { entityType entityId changes } endCursor hasMore } }"""


async def feed(client: GraphQLClient) -> list[dict]:
    """The whole change feed of the follow-up's and competence plans' types, as `client` reads it."""
    found: list[dict] = []
    after = None
    for _ in range(50):
        page = (await client(FEED, {"after": after}))["changes"]
        found += page["changes"]
        if not page["hasMore"]:
            return found
        after = page["endCursor"]
    raise AssertionError("the feed did not end")


def nodes(connection: dict) -> list[dict]:
    return connection["nodes"]


def texts(answer) -> str:
    return json.dumps(answer, ensure_ascii=False)


def assert_no_tags(answer, *tags: str) -> None:
    shown = texts(answer)
    for tag in tags:
        assert tag not in shown, f"{tag} leaked: {shown}"


# -- Reading ------------------------------------------------------------------------------------


async def test_the_sector_admin_sees_the_whole_municipality(world, reader, token):
    """The baseline the narrower readers are measured against: everything of 9901, nothing of 9902."""
    admin = reader(token("sector_admin", municipality="9901"))
    seen = (await admin(MUNICIPALITY, {"n": "9901"}))["municipality"]
    assert {m["id"] for m in nodes(seen["followUpMeetings"])} == {world["A"]["meeting"], world["B"]["meeting"]}
    assert {p["id"] for p in nodes(seen["followUpPoints"])} == {world["A"]["point"], world["B"]["point"]}
    assert {p["id"] for p in nodes(seen["competencePlans"])} == {
        world["A"]["plan"],
        world["B"]["plan"],
        world["OWN"]["plan"],
    }
    assert [r["kind"] for r in seen["followUpRhythms"]] == [KIND]
    assert {o["unit"]["id"] for o in seen["overdueFollowUps"]} == {world["A"]["unit"], world["B"]["unit"]}
    rollup = seen["competenceRollup"]
    assert rollup["planCount"] == 3
    assert {n["text"] for a in rollup["needsByArea"] for n in a["needs"]} == {
        "M1-A behov",
        "M1-B behov",
        "M1-EGEN behov",
    }
    assert {m["title"] for f in rollup["measuresByFunding"] for m in f["measures"]} == {
        "M1-A tiltak",
        "M1-B tiltak",
        "M1-EGEN tiltak",
    }
    assert "M1-EGEN behov" in rollup["csv"] and "M1-B tiltak" in rollup["csv"]
    assert_no_tags(seen, "M2-")
    for id_ in ids_of(world, "A", "B", "OWN"):
        assert await node(admin, id_) is not None, id_
    for id_ in ids_of(world, "C", "OWN2"):
        assert await node(admin, id_) is None, id_


async def test_a_unit_leader_sees_its_own_units_follow_up_and_plans_only(world, reader, token):
    leader = reader(token("unit_leader", unit=world["A"]["unit"], subject="leader-a"))
    a = world["A"]

    unit = (await leader(UNIT, {"id": a["unit"]}))["node"]
    assert [m["id"] for m in nodes(unit["followUpMeetings"])] == [a["meeting"]]
    assert [p["text"] for m in nodes(unit["followUpMeetings"]) for p in m["points"]] == ["M1-A punkt"]
    assert [p["id"] for p in nodes(unit["followUpPoints"])] == [a["point"]]
    [plan] = nodes(unit["competencePlans"])
    assert plan["id"] == a["plan"]
    assert [n["text"] for n in plan["needs"]] == ["M1-A behov"]
    assert [g["text"] for g in plan["goals"]] == ["M1-A mål"]
    assert [m["title"] for m in plan["measures"]] == ["M1-A tiltak"]
    assert_no_tags(unit, "M1-B", "M1-EGEN", "M2-")

    # Its own unit's rows by id; unit B's, the municipality's own plan's and 9902's are not there.
    for id_ in ids_of(world, "A"):
        assert await node(leader, id_) is not None, id_
    for id_ in ids_of(world, "B", "OWN", "C", "OWN2") | {world["B"]["unit"], world["C"]["unit"]}:
        assert await node(leader, id_) is None, id_
    assert (await leader(UNIT, {"id": world["B"]["unit"]}))["node"] is None

    # The municipality (public) lists for it only what is its unit's: not B's, not the
    # municipality's own plan (a unit grant does not reach rows with no unit).
    seen = (await leader(MUNICIPALITY, {"n": "9901"}))["municipality"]
    assert seen["name"] == "Prøvekommune"
    assert [m["id"] for m in nodes(seen["followUpMeetings"])] == [a["meeting"]]
    assert [p["id"] for p in nodes(seen["followUpPoints"])] == [a["point"]]
    assert [p["id"] for p in nodes(seen["competencePlans"])] == [a["plan"]]
    assert {o["unit"]["id"] for o in seen["overdueFollowUps"]} <= {a["unit"]}
    rollup = seen["competenceRollup"]
    assert rollup["planCount"] == 1
    assert [n["text"] for area in rollup["needsByArea"] for n in area["needs"]] == ["M1-A behov"]
    assert [m["title"] for f in rollup["measuresByFunding"] for m in f["measures"]] == ["M1-A tiltak"]
    assert "M1-A behov" in rollup["csv"]
    assert_no_tags(seen, "M1-B", "M1-EGEN", "M2-")

    # Nor does the change feed carry them.
    changes = await feed(leader)
    assert {c["entityId"] for c in changes} >= {a["meeting"], a["point"], a["plan"], a["need"]}
    assert_no_tags(changes, "M1-B", "M1-EGEN", "M2-")


async def test_another_municipality_and_the_public_see_none_of_it(world, reader, token):
    outsiders = {
        "9902's sector admin": reader(token("sector_admin", municipality="9902", subject="admin2")),
        "9902's viewer": reader(token("viewer", municipality="9902")),
        "unit C's leader": reader(token("unit_leader", unit=world["C"]["unit"])),
        "anonymous": reader(None),
    }
    for who, outsider in outsiders.items():
        seen = (await outsider(MUNICIPALITY, {"n": "9901"}))["municipality"]
        assert seen["id"] == world["m1"], who  # the municipality itself is public
        assert nodes(seen["followUpMeetings"]) == [], who
        assert nodes(seen["followUpPoints"]) == [], who
        assert nodes(seen["competencePlans"]) == [], who
        assert seen["followUpRhythms"] == [], who
        assert seen["overdueFollowUps"] == [], who
        rollup = seen["competenceRollup"]
        assert rollup["planCount"] == 0, who
        assert rollup["needsByArea"] == [] and rollup["measuresByFunding"] == [], who
        assert len(rollup["csv"].strip().splitlines()) == 1, (who, rollup["csv"])  # the heading alone
        assert_no_tags(seen, "M1-")
        for id_ in ids_of(world, "A", "B", "OWN") | {world["A"]["unit"], world["B"]["unit"]}:
            assert await node(outsider, id_) is None, (who, id_)
        if who != "anonymous":
            assert_no_tags(await feed(outsider), "M1-")

    # 9902's admin sees its own all the same.
    admin2 = outsiders["9902's sector admin"]
    own = (await admin2(MUNICIPALITY, {"n": "9902"}))["municipality"]
    assert [m["id"] for m in nodes(own["followUpMeetings"])] == [world["C"]["meeting"]]
    assert {n["text"] for a in own["competenceRollup"]["needsByArea"] for n in a["needs"]} == {
        "M2-C behov",
        "M2-EGEN behov",
    }
    assert_no_tags(own, "M1-")


async def test_the_roll_up_asked_by_another_municipality_holds_none_of_its_texts(world, reader, token):
    admin2 = reader(token("sector_admin", municipality="9902"))
    query = """query ($n: String!) { municipality(number: $n) { competenceRollup(year: 2025) {
        needsByArea { needs { text } } measuresByFunding { measures { title } } csv } } }"""
    rollup = (await admin2(query, {"n": "9901"}))["municipality"]["competenceRollup"]
    assert rollup["needsByArea"] == [] and rollup["measuresByFunding"] == []
    assert_no_tags(rollup, "M1-", "M2-")
    for year in (2024, 2026):  # another year the plans cover, or not
        assert_no_tags(await admin2(query.replace("2025", str(year)), {"n": "9901"}), "M1-")


# -- Follow-up meetings and points --------------------------------------------------------------


async def test_a_unit_leader_tells_how_far_a_point_has_come_but_not_what_was_agreed(world, gql_as, token):
    leader = gql_as(token("unit_leader", unit=world["A"]["unit"], subject="leader-a"))
    admin = world["admin1"]
    a, b, c = world["A"], world["B"], world["C"]
    point_version = await version(admin, a["point"])

    # How far it has come: the unit's to say.
    responded = (
        await ok(
            leader,
            "updateFollowUpPoint",
            {"id": a["point"], "version": point_version, "status": "IN_PROGRESS", "statusNote": "M1-A i gang"},
            "point { id version status statusNote text owner dueOn }",
        )
    )["point"]
    assert (responded["status"], responded["statusNote"]) == ("IN_PROGRESS", "M1-A i gang")
    assert (responded["text"], responded["owner"], responded["dueOn"]) == ("M1-A punkt", "M1-A rektor", "2024-06-01")
    current = responded["version"]

    # What was agreed: the meeting's, not the unit's, even beside a status.
    for change in (
        {"text": "Noe annet"},
        {"owner": "Vaktmester"},
        {"dueOn": "2030-01-01"},
        {"dueOn": None},
        {"status": "DONE", "text": "Noe annet"},
    ):
        await forbidden(leader, "updateFollowUpPoint", {"id": a["point"], "version": current, **change})
    assert await version(admin, a["point"]) == current  # nothing changed

    # Holding meetings and agreeing points is the sector office's.
    await forbidden(
        leader, "planFollowUpMeeting", {"unitId": a["unit"], "kind": KIND, "year": 2025, "plannedOn": "2025-05-01"}
    )
    await forbidden(leader, "agreeFollowUpPoint", {"meetingId": a["meeting"], "text": "Mer", "owner": "Rektor"})
    meeting_version = await version(admin, a["meeting"])
    await forbidden(
        leader, "updateFollowUpMeeting", {"id": a["meeting"], "version": meeting_version, "minutes": "Omskrevet"}
    )
    await forbidden(leader, "setFollowUpRhythm", {"municipalityId": world["m1"], "kind": KIND, "everyMonths": 1})

    # Unit B's and 9902's are not there for it.
    for other in (b, c):
        other_point = await version(world["admin1" if other is b else "admin2"], other["point"])
        await not_found(
            leader, "updateFollowUpPoint", {"id": other["point"], "version": other_point, "status": "DONE"}, "id"
        )
        await not_found(
            leader, "updateFollowUpPoint", {"id": other["point"], "version": other_point, "text": "x"}, "id"
        )
        await not_found(
            leader,
            "planFollowUpMeeting",
            {"unitId": other["unit"], "kind": KIND, "year": 2025, "plannedOn": "2025-05-01"},
            "unitId",
        )
        await not_found(
            leader, "agreeFollowUpPoint", {"meetingId": other["meeting"], "text": "x", "owner": "y"}, "meetingId"
        )
        await not_found(leader, "updateFollowUpMeeting", {"id": other["meeting"], "version": 1, "minutes": "x"}, "id")
    assert (await node(admin, b["point"]))["version"] == 1  # B's point untouched

    # The sector admin does all of it.
    agreed = (
        await ok(
            admin,
            "updateFollowUpPoint",
            {"id": a["point"], "version": current, "text": "M1-A punkt endret", "owner": "Kommunalsjef"},
            "point { id version text owner statusNote }",
        )
    )["point"]
    assert (agreed["text"], agreed["owner"], agreed["statusNote"]) == (
        "M1-A punkt endret",
        "Kommunalsjef",
        "M1-A i gang",
    )
    await ok(
        admin,
        "updateFollowUpPoint",
        {"id": a["point"], "version": agreed["version"], "dueOn": "2025-12-01", "status": "DONE"},
    )
    await ok(admin, "agreeFollowUpPoint", {"meetingId": a["meeting"], "text": "M1-A nytt punkt", "owner": "Rektor"})
    await ok(admin, "updateFollowUpMeeting", {"id": a["meeting"], "version": meeting_version, "minutes": "Nytt"})
    await ok(admin, "planFollowUpMeeting", {"unitId": a["unit"], "kind": KIND, "year": 2025, "plannedOn": "2025-05-01"})
    await ok(admin, "setFollowUpRhythm", {"municipalityId": world["m1"], "kind": KIND, "everyMonths": 12})

    # ... in its own municipality only.
    admin2 = world["admin2"]
    await not_found(admin2, "updateFollowUpPoint", {"id": a["point"], "version": 1, "status": "DONE"}, "id")
    await not_found(
        admin2,
        "planFollowUpMeeting",
        {"unitId": a["unit"], "kind": KIND, "year": 2025, "plannedOn": "2025-05-01"},
        "unitId",
    )
    await not_found(admin2, "agreeFollowUpPoint", {"meetingId": a["meeting"], "text": "x", "owner": "y"}, "meetingId")
    await not_found(admin2, "updateFollowUpMeeting", {"id": a["meeting"], "version": 1, "minutes": "x"}, "id")
    # The municipality is public: acting on its rhythm is refused, not hidden.
    await forbidden(admin2, "setFollowUpRhythm", {"municipalityId": world["m1"], "kind": KIND, "everyMonths": 1})
    rhythms = (await admin(MUNICIPALITY, {"n": "9901"}))["municipality"]["followUpRhythms"]
    assert [r["everyMonths"] for r in rhythms] == [12]


# -- Competence plans ---------------------------------------------------------------------------


async def test_a_unit_leader_keeps_its_units_competence_plan_only(world, gql_as, token):
    leader = gql_as(token("unit_leader", unit=world["A"]["unit"], subject="leader-a"))
    admin = world["admin1"]
    a, b, own, c = world["A"], world["B"], world["OWN"], world["C"]

    # Its own unit's plan: made, changed, and its needs, goals and measures kept.
    made = (
        await ok(
            leader,
            "createCompetencePlan",
            {"unitId": a["unit"], "startYear": 2027, "endYear": 2028, "title": "M1-A ny plan"},
            "plan { id version unit { id } }",
        )
    )["plan"]
    assert made["unit"] == {"id": a["unit"]}
    await ok(leader, "updateCompetencePlan", {"id": made["id"], "version": made["version"], "endYear": 2029})
    plan_version = await version(leader, a["plan"])
    await ok(leader, "updateCompetencePlan", {"id": a["plan"], "version": plan_version, "title": "M1-A plan endret"})
    need = (
        await ok(leader, "addCompetenceNeed", {"planId": a["plan"], "text": "M1-A behov 2"}, "need { id version }")
    )["need"]
    goal = (
        await ok(
            leader,
            "addCompetenceGoal",
            {"planId": a["plan"], "text": "M1-A mål 2", "scope": "INDIVIDUAL", "needIds": [need["id"]]},
            "goal { id version }",
        )
    )["goal"]
    measure = (
        await ok(
            leader,
            "addCompetenceMeasure",
            {
                "planId": a["plan"],
                "title": "M1-A tiltak 2",
                "scope": "INDIVIDUAL",
                "targetGroup": "PART_OF_STAFF",
                "needIds": [need["id"]],
                "goalIds": [goal["id"]],
            },
            "measure { id version }",
        )
    )["measure"]
    seen = (await leader(UNIT, {"id": a["unit"]}))["node"]["competencePlans"]["nodes"]
    assert {m["id"] for p in seen if p["id"] == a["plan"] for m in p["measures"]} == {a["measure"], measure["id"]}
    assert {p["id"] for p in seen} == {a["plan"], made["id"]}
    await ok(
        leader, "updateCompetenceNeed", {"id": a["need"], "version": await version(leader, a["need"]), "text": "x"}
    )
    await ok(
        leader, "updateCompetenceGoal", {"id": a["goal"], "version": await version(leader, a["goal"]), "text": "y"}
    )
    await ok(
        leader,
        "updateCompetenceMeasure",
        {"id": a["measure"], "version": await version(leader, a["measure"]), "evaluation": "Godt"},
    )

    # Unit B's and 9902's: not there for it.
    for other, admin_of in ((b, admin), (c, world["admin2"])):
        await not_found(
            leader, "createCompetencePlan", {"unitId": other["unit"], "startYear": 2027, "endYear": 2028}, "unitId"
        )
        await not_found(leader, "updateCompetencePlan", {"id": other["plan"], "version": 1, "title": "x"}, "id")
        await not_found(leader, "addCompetenceNeed", {"planId": other["plan"], "text": "x"}, "planId")
        await not_found(
            leader, "addCompetenceGoal", {"planId": other["plan"], "text": "x", "scope": "COLLECTIVE"}, "planId"
        )
        await not_found(
            leader,
            "addCompetenceMeasure",
            {"planId": other["plan"], "title": "x", "scope": "COLLECTIVE", "targetGroup": "WHOLE_STAFF"},
            "planId",
        )
        await not_found(leader, "updateCompetenceNeed", {"id": other["need"], "version": 1, "text": "x"}, "id")
        await not_found(leader, "updateCompetenceGoal", {"id": other["goal"], "version": 1, "text": "x"}, "id")
        await not_found(leader, "updateCompetenceMeasure", {"id": other["measure"], "version": 1, "title": "x"}, "id")
        assert (await node(admin_of, other["need"]))["version"] == 1

    # Its own plan may not name another plan's needs or goals.
    await not_found(
        leader,
        "addCompetenceGoal",
        {"planId": a["plan"], "text": "x", "scope": "COLLECTIVE", "needIds": [b["need"]]},
        "needIds",
    )
    await not_found(
        leader,
        "addCompetenceMeasure",
        {
            "planId": a["plan"],
            "title": "x",
            "scope": "COLLECTIVE",
            "targetGroup": "WHOLE_STAFF",
            "goalIds": [own["goal"]],
        },
        "goalIds",
    )

    # The municipality's own plan is the sector office's: making one is refused (the municipality
    # is public), and the one there is is not the unit's to read, so not there to change.
    await forbidden(leader, "createCompetencePlan", {"municipalityId": world["m1"], "startYear": 2027, "endYear": 2028})
    await forbidden(leader, "createCompetencePlan", {"municipalityId": world["m2"], "startYear": 2027, "endYear": 2028})
    assert await node(leader, own["plan"]) is None
    await not_found(leader, "updateCompetencePlan", {"id": own["plan"], "version": 1, "title": "x"}, "id")
    await not_found(leader, "addCompetenceNeed", {"planId": own["plan"], "text": "x"}, "planId")
    await not_found(leader, "updateCompetenceNeed", {"id": own["need"], "version": 1, "text": "x"}, "id")
    assert (await node(admin, own["plan"]))["version"] == 1 and (await node(admin, own["need"]))["version"] == 1

    # The sector admin keeps the municipality's own plan and every unit's.
    await ok(admin, "addCompetenceNeed", {"planId": own["plan"], "text": "M1-EGEN behov 2"})
    await ok(admin, "addCompetenceNeed", {"planId": b["plan"], "text": "M1-B behov 2"})
    await ok(admin, "createCompetencePlan", {"municipalityId": world["m1"], "startYear": 2027, "endYear": 2028})
    await ok(admin, "createCompetencePlan", {"unitId": b["unit"], "startYear": 2027, "endYear": 2028})
    # ... and not another municipality's.
    await not_found(world["admin2"], "addCompetenceNeed", {"planId": own["plan"], "text": "x"}, "planId")
    await not_found(world["admin2"], "addCompetenceNeed", {"planId": a["plan"], "text": "x"}, "planId")
    await forbidden(
        world["admin2"], "createCompetencePlan", {"municipalityId": world["m1"], "startYear": 2029, "endYear": 2030}
    )
    await not_found(
        world["admin2"], "createCompetencePlan", {"unitId": a["unit"], "startYear": 2029, "endYear": 2030}, "unitId"
    )
    await not_found(
        world["admin2"],
        "addCompetenceGoal",
        {"planId": world["OWN2"]["plan"], "text": "x", "scope": "COLLECTIVE", "needIds": [own["need"]]},
        "needIds",
    )


ALLOW = """mutation ($input: AllowStaffEditingInput!) { allowStaffEditing(input: $input) {
  unit { id version staffMayEdit } errors { field code } } }"""


async def test_staff_edit_the_units_competence_plan_only_when_the_leader_allows(world, gql_as, token):
    a, b, own = world["A"], world["B"], world["OWN"]
    staff = gql_as(token("staff", unit=a["unit"], subject="staff-a"))
    leader = gql_as(token("unit_leader", unit=a["unit"], subject="leader-a"))

    async def allow(allowed: bool) -> None:
        answer = (
            await leader(
                ALLOW, {"input": {"unitId": a["unit"], "version": await version(leader, a["unit"]), "allowed": allowed}}
            )
        )["allowStaffEditing"]
        assert answer["errors"] == [] and answer["unit"]["staffMayEdit"] is allowed

    async def staff_refused() -> None:
        await forbidden(staff, "createCompetencePlan", {"unitId": a["unit"], "startYear": 2030, "endYear": 2031})
        await forbidden(staff, "addCompetenceNeed", {"planId": a["plan"], "text": "M1-A personalets behov"})
        await forbidden(
            staff,
            "updateCompetenceMeasure",
            {"id": a["measure"], "version": await version(staff, a["measure"]), "title": "x"},
        )

    # Staff read the unit's plan, but change nothing of it until the leader allows.
    assert await node(staff, a["plan"]) is not None
    assert await node(staff, b["plan"]) is None and await node(staff, own["plan"]) is None
    await staff_refused()
    # Staff may not let themselves.
    refused = (
        await staff(
            ALLOW, {"input": {"unitId": a["unit"], "version": await version(staff, a["unit"]), "allowed": True}}
        )
    )["allowStaffEditing"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]

    await allow(True)
    need = (
        await ok(
            staff, "addCompetenceNeed", {"planId": a["plan"], "text": "M1-A personalets behov"}, "need { id version }"
        )
    )["need"]
    await ok(
        staff, "updateCompetenceNeed", {"id": need["id"], "version": need["version"], "text": "M1-A behov, endret"}
    )
    await ok(
        staff,
        "updateCompetenceMeasure",
        {"id": a["measure"], "version": await version(staff, a["measure"]), "needIds": [a["need"], need["id"]]},
    )
    await ok(staff, "createCompetencePlan", {"unitId": a["unit"], "startYear": 2030, "endYear": 2031})
    # Still only the unit's: not the municipality's own plan, not unit B's.
    await forbidden(staff, "createCompetencePlan", {"municipalityId": world["m1"], "startYear": 2030, "endYear": 2031})
    await not_found(staff, "addCompetenceNeed", {"planId": own["plan"], "text": "x"}, "planId")
    await not_found(staff, "addCompetenceNeed", {"planId": b["plan"], "text": "x"}, "planId")
    await not_found(staff, "createCompetencePlan", {"unitId": b["unit"], "startYear": 2030, "endYear": 2031}, "unitId")
    # Allowing staff to edit drafts gives them no say over the follow-up points.
    await forbidden(
        staff, "updateFollowUpPoint", {"id": a["point"], "version": await version(staff, a["point"]), "status": "DONE"}
    )
    await forbidden(
        staff, "planFollowUpMeeting", {"unitId": a["unit"], "kind": KIND, "year": 2025, "plannedOn": "2025-05-01"}
    )

    # When the leader stops it, staff are refused again.
    await allow(False)
    await staff_refused()
    await forbidden(staff, "createCompetencePlan", {"unitId": a["unit"], "startYear": 2032, "endYear": 2033})


async def test_a_viewer_reads_but_changes_nothing(world, gql_as, token):
    a, b, own = world["A"], world["B"], world["OWN"]
    viewer = gql_as(token("viewer", municipality="9901", subject="viewer"))
    seen = (await viewer(MUNICIPALITY, {"n": "9901"}))["municipality"]
    assert {m["id"] for m in nodes(seen["followUpMeetings"])} == {a["meeting"], b["meeting"]}
    assert {p["id"] for p in nodes(seen["followUpPoints"])} == {a["point"], b["point"]}
    assert {p["id"] for p in nodes(seen["competencePlans"])} == {a["plan"], b["plan"], own["plan"]}
    assert seen["competenceRollup"]["planCount"] == 3
    assert_no_tags(seen, "M2-")

    unit_viewer = gql_as(token("viewer", unit=a["unit"], subject="unit-viewer"))
    assert await node(unit_viewer, a["point"]) is not None and await node(unit_viewer, b["point"]) is None

    for reader in (viewer, unit_viewer):
        v = {key: await version(world["admin1"], a[key]) for key in ROWS}
        await forbidden(
            reader, "planFollowUpMeeting", {"unitId": a["unit"], "kind": KIND, "year": 2025, "plannedOn": "2025-05-01"}
        )
        await forbidden(reader, "updateFollowUpMeeting", {"id": a["meeting"], "version": v["meeting"], "minutes": "x"})
        await forbidden(reader, "agreeFollowUpPoint", {"meetingId": a["meeting"], "text": "x", "owner": "y"})
        await forbidden(reader, "updateFollowUpPoint", {"id": a["point"], "version": v["point"], "status": "DONE"})
        await forbidden(reader, "updateFollowUpPoint", {"id": a["point"], "version": v["point"], "text": "x"})
        await forbidden(reader, "setFollowUpRhythm", {"municipalityId": world["m1"], "kind": KIND, "everyMonths": 1})
        await forbidden(reader, "createCompetencePlan", {"unitId": a["unit"], "startYear": 2030, "endYear": 2031})
        await forbidden(
            reader, "createCompetencePlan", {"municipalityId": world["m1"], "startYear": 2030, "endYear": 2031}
        )
        await forbidden(reader, "updateCompetencePlan", {"id": a["plan"], "version": v["plan"], "title": "x"})
        await forbidden(reader, "addCompetenceNeed", {"planId": a["plan"], "text": "x"})
        await forbidden(reader, "addCompetenceGoal", {"planId": a["plan"], "text": "x", "scope": "COLLECTIVE"})
        await forbidden(
            reader,
            "addCompetenceMeasure",
            {"planId": a["plan"], "title": "x", "scope": "COLLECTIVE", "targetGroup": "WHOLE_STAFF"},
        )
        await forbidden(reader, "updateCompetenceNeed", {"id": a["need"], "version": v["need"], "text": "x"})
        await forbidden(reader, "updateCompetenceGoal", {"id": a["goal"], "version": v["goal"], "text": "x"})
        await forbidden(reader, "updateCompetenceMeasure", {"id": a["measure"], "version": v["measure"], "title": "x"})
        assert {key: await version(world["admin1"], a[key]) for key in ROWS} == v  # nothing changed
    # The municipality viewer reads the municipality's own plan, and may not change it either.
    assert await node(viewer, own["plan"]) is not None
    await forbidden(viewer, "addCompetenceNeed", {"planId": own["plan"], "text": "x"})
    await forbidden(viewer, "updateCompetencePlan", {"id": own["plan"], "version": 1, "title": "x"})


async def test_needs_goals_and_measures_are_removed_by_those_who_keep_the_plan(world, gql_as, token):
    """removeCompetenceNeed/Goal/Measure take the item's id and version, like every other change:
    refused as the changes are (FORBIDDEN where read, NOT_FOUND where not), done for the unit's
    leader and the sector admin."""
    a, b, own, c = world["A"], world["B"], world["OWN"], world["C"]
    admin = world["admin1"]
    leader = gql_as(token("unit_leader", unit=a["unit"], subject="leader-a"))
    viewer = gql_as(token("viewer", municipality="9901", subject="viewer"))
    staff = gql_as(token("staff", unit=a["unit"], subject="staff-a"))
    removals = (
        ("removeCompetenceMeasure", "measure"),
        ("removeCompetenceGoal", "goal"),
        ("removeCompetenceNeed", "need"),
    )

    for name, key in removals:
        mine = {"id": a[key], "version": await version(admin, a[key])}
        await forbidden(viewer, name, mine)
        await forbidden(staff, name, mine)
        await not_found(world["admin2"], name, mine, "id")
        for other in (b, own, c):
            await not_found(leader, name, {"id": other[key], "version": 1}, "id")
    for name, key in removals:
        await ok(leader, name, {"id": a[key], "version": await version(leader, a[key])})
        assert await node(admin, a[key]) is None
        await ok(admin, name, {"id": b[key], "version": await version(admin, b[key])})
        await ok(admin, name, {"id": own[key], "version": await version(admin, own[key])})
    assert await node(world["admin2"], c["need"]) is not None  # 9902's untouched
