"""A draft plan's structure edited through GraphQL: add, change, reorder, move and remove
areas, goals, criteria and measures; adoption freezes it; a new period starts as a copy."""

import pytest

from tests.support.cycle import Cycle

TREE = """query ($id: ID!) { node(id: $id) { ... on Plan { status periodStart periodEnd
  areas { id key title position children { id key title position }
          goals { id text version criteria { id text } } criteria { id text perspective } measures { id text version } }
  themes: areas(kind: "theme") { key } } } }"""


@pytest.fixture
async def draft(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    payload = await cycle.mutate(
        "createPlan",
        {"municipalityId": municipality["id"], "periodStart": 2028},
        "plan { id version status periodStart periodEnd }",
    )
    return cycle, municipality, payload["plan"]


async def _tree(gql, plan_id):
    return (await gql(TREE, {"id": plan_id}))["node"]


async def test_a_new_plan_is_a_draft_of_the_profiles_content_for_the_period(gql, draft):
    _, _, plan = draft
    assert (plan["status"], plan["periodStart"], plan["periodEnd"]) == (
        "DRAFT",
        2028,
        2031,
    )  # same length as the profile's
    tree = await _tree(gql, plan["id"])
    assert [a["key"] for a in tree["areas"]] == ["lek", "skole"]
    assert [c["key"] for c in tree["areas"][0]["children"]] == ["uteleik"]


async def test_areas_are_added_moved_and_removed_keeping_plan_order(gql, draft):
    cycle, _, plan = draft
    first = await cycle.mutate(
        "addArea",
        {"planId": plan["id"], "kind": "theme", "title": "Språk og lesing", "position": 0},
        "area { id key version position }",
    )
    assert first["area"]["key"] == "sprak-og-lesing" and first["area"]["position"] == 0
    child = await cycle.mutate(
        "addArea",
        {
            "planId": plan["id"],
            "parentId": first["area"]["id"],
            "kind": "sub_theme",
            "title": "Leselyst",
            "appliesTo": ["SCHOOL"],
        },
        "area { id version appliesTo }",
    )
    assert child["area"]["appliesTo"] == ["SCHOOL"]
    tree = await _tree(gql, plan["id"])
    assert [a["key"] for a in tree["areas"]] == ["sprak-og-lesing", "lek", "skole"]
    assert [a["key"] for a in tree["themes"]] == ["sprak-og-lesing", "lek", "skole"]
    positions = [a["position"] for a in tree["areas"]]
    assert positions == sorted(positions)

    # An area cannot go below itself or its own child.
    errors = await cycle.refused("moveArea", {"id": first["area"]["id"], "version": 1, "parentId": child["area"]["id"]})
    assert errors[0]["code"] == "INVALID_VALUE" and errors[0]["field"] == "parentId"
    # Move «Lek og læring» to the end, then under «Skolemiljø».
    lek = tree["areas"][1]
    lek_version = await cycle.version_of(lek["id"])
    await cycle.mutate("moveArea", {"id": lek["id"], "version": lek_version, "position": 5}, "area { id }")
    assert [a["key"] for a in (await _tree(gql, plan["id"]))["areas"]] == ["sprak-og-lesing", "skole", "lek"]
    skole = tree["areas"][2]
    await cycle.mutate(
        "moveArea",
        {"id": lek["id"], "version": await cycle.version_of(lek["id"]), "parentId": skole["id"]},
        "area { id }",
    )
    tree = await _tree(gql, plan["id"])
    assert [a["key"] for a in tree["areas"]] == ["sprak-og-lesing", "skole"]
    assert [c["key"] for c in tree["areas"][1]["children"]] == ["lek"]

    # Removing an area removes everything below it, and the log records each row.
    removed = await cycle.mutate(
        "removeArea", {"id": skole["id"], "version": await cycle.version_of(skole["id"])}, "area { id title }"
    )
    assert removed["area"]["title"] == "Skolemiljø"
    tree = await _tree(gql, plan["id"])
    assert [a["key"] for a in tree["areas"]] == ["sprak-og-lesing"]
    assert await cycle.gql("query ($id: ID!) { node(id: $id) { id } }", {"id": lek["id"]}) == {"node": None}


async def test_goals_criteria_and_measures_are_added_reordered_and_removed(gql, draft):
    cycle, _, plan = draft
    lek = (await _tree(gql, plan["id"]))["areas"][0]
    goal = (
        await cycle.mutate(
            "addGoal",
            {"areaId": lek["id"], "kind": "aim", "text": "Barna medvirker.", "position": 0},
            "goal { id version }",
        )
    )["goal"]
    await cycle.mutate(
        "addCriterion", {"goalId": goal["id"], "text": "Barna blir hørt.", "perspective": "barn"}, "criterion { id }"
    )
    errors = await cycle.refused("addCriterion", {"goalId": goal["id"], "text": "X", "perspective": "foreldre"})
    assert errors == [
        {
            "field": "perspective",
            "code": "INVALID_VALUE",
            "message": "«foreldre» is not a perspective of the profile (known: barn, personal).",
        }
    ]
    await cycle.mutate(
        "addCriterion", {"areaId": lek["id"], "text": "Først blant kjennetegn.", "position": 0}, "criterion { id }"
    )
    for text in ("Tiltak B", "Tiltak C"):
        await cycle.mutate("addMeasure", {"areaId": lek["id"], "text": text, "owner": "Styrer"}, "measure { id }")
    lek = (await _tree(gql, plan["id"]))["areas"][0]
    assert [g["text"] for g in lek["goals"]] == ["Barna medvirker.", "Alle barn leker."]
    assert lek["goals"][0]["criteria"] == [{"id": lek["goals"][0]["criteria"][0]["id"], "text": "Barna blir hørt."}]
    assert [c["text"] for c in lek["criteria"]] == ["Først blant kjennetegn.", "Lekemiljøet er variert."]
    assert [m["text"] for m in lek["measures"]] == ["Vi lager lekesoner.", "Tiltak B", "Tiltak C"]

    last = lek["measures"][2]
    await cycle.mutate(
        "updateMeasure",
        {"id": last["id"], "version": last["version"], "position": 0, "text": "Tiltak A"},
        "measure { id }",
    )
    first = lek["goals"][0]
    await cycle.mutate("removeGoal", {"id": first["id"], "version": first["version"]}, "goal { id }")
    lek = (await _tree(gql, plan["id"]))["areas"][0]
    assert [m["text"] for m in lek["measures"]] == ["Tiltak A", "Vi lager lekesoner.", "Tiltak B"]
    assert [g["text"] for g in lek["goals"]] == ["Alle barn leker."]


async def test_adoption_freezes_the_plan_and_a_copy_starts_the_next_period(gql, draft):
    cycle, municipality, plan = draft
    adopted = await cycle.mutate(
        "adoptPlan",
        {"id": plan["id"], "version": plan["version"], "adoptedBy": "Kommunestyret", "adoptedOn": "2027-12-01"},
        "plan { id version status adoptedOn adoptedBy }",
    )
    assert adopted["plan"]["adoptedOn"] == "2027-12-01"
    lek = (await _tree(gql, plan["id"]))["areas"][0]
    errors = await cycle.refused("addMeasure", {"areaId": lek["id"], "text": "For sent"})
    assert errors[0]["code"] == "INVALID_STATE" and "frozen" in errors[0]["message"]
    errors = await cycle.refused("updateArea", {"id": lek["id"], "version": 1, "title": "Nytt navn"})
    assert errors[0]["code"] == "INVALID_STATE"

    copy = (
        await cycle.mutate(
            "createPlan",
            {"municipalityId": municipality["id"], "copyFrom": plan["id"]},
            "plan { id status periodStart periodEnd }",
        )
    )["plan"]
    assert (copy["status"], copy["periodStart"], copy["periodEnd"]) == ("DRAFT", 2032, 2035)
    original, copied = await _tree(gql, plan["id"]), await _tree(gql, copy["id"])

    def shape(tree):
        return [
            (
                a["key"],
                a["title"],
                [g["text"] for g in a["goals"]],
                [m["text"] for m in a["measures"]],
                [c["key"] for c in a["children"]],
            )
            for a in tree["areas"]
        ]

    assert shape(copied) == shape(original)
    assert {a["id"] for a in copied["areas"]}.isdisjoint(a["id"] for a in original["areas"])
    # The copy can be changed; the adopted original cannot, and stays as it was.
    lek_copy = copied["areas"][0]
    await cycle.mutate("addMeasure", {"areaId": lek_copy["id"], "text": "Nytt tiltak"}, "measure { id }")
    assert shape(await _tree(gql, plan["id"])) == shape(original)

    archived = await cycle.mutate(
        "archivePlan", {"id": plan["id"], "version": adopted["plan"]["version"]}, "plan { status }"
    )
    assert archived["plan"]["status"] == "ARCHIVED"
