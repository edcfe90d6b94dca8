"""The contract queries: municipalities, their plans and the plan structure."""

import pytest

PLAN_TREE = """
query ($number: String!) {
  municipality(number: $number) {
    id number name
    profile { code name municipalityNumbers }
    plans {
      id title periodStart periodEnd status appliesTo adoptedOn adoptedBy
      areas {
        id key kind title description appliesTo
        parent { id }
        goals { id kind text nationalGoal { key } criteria { id text perspective } }
        criteria { text perspective }
        measures { text owner deadline }
        children { key kind title appliesTo parent { key } goals { text criteria { text } } measures { text } }
      }
    }
  }
}
"""


async def test_plan_tree_of_the_test_profile(gql, demo):
    data = await gql(PLAN_TREE, {"number": "9901"})
    municipality = data["municipality"]
    assert municipality["name"] == "Testkommune"
    assert municipality["profile"]["code"] == "testprofil"
    [plan] = municipality["plans"]
    assert plan["title"] == "Testplanen"
    assert (plan["periodStart"], plan["periodEnd"]) == (2024, 2027)
    assert plan["status"] == "ADOPTED"
    assert plan["adoptedOn"] == "2023-12-01"
    assert plan["appliesTo"] == ["KINDERGARTEN", "SCHOOL"]

    lek, skole = plan["areas"]
    assert [lek["key"], skole["key"]] == ["lek", "skole"]
    assert lek["parent"] is None
    assert lek["appliesTo"] == ["KINDERGARTEN", "SCHOOL"]  # inherited from the plan
    assert skole["appliesTo"] == ["SCHOOL"]
    # An area's own criteria are not its goals' criteria.
    assert [c["text"] for c in lek["criteria"]] == ["Lekemiljøet er variert."]
    [goal] = lek["goals"]
    assert goal["nationalGoal"] == {"key": "barnehage-1"}
    assert [(c["text"], c["perspective"]) for c in goal["criteria"]] == [
        ("Barna leker hver dag.", "barn"),
        ("Personalet deltar i leken.", "personal"),
    ]
    assert lek["measures"] == [{"text": "Vi lager lekesoner.", "owner": "Styrer", "deadline": "2024-06-30"}]
    [uteleik] = lek["children"]
    assert uteleik["parent"] == {"key": "lek"}
    assert uteleik["appliesTo"] == ["KINDERGARTEN"]
    assert uteleik["goals"][0]["criteria"] == [{"text": "Barna er ute minst to timer."}]
    assert [m["text"] for m in skole["measures"]] == ["Vi kartlegger skolemiljøet.", "Vi følger opp kartleggingen."]


async def test_areas_by_kind_are_found_at_any_depth_in_plan_order(gql, demo):
    query = """query { municipality(number: "9901") { plans {
        all: areas(kind: "theme") { key }
        sub: areas(kind: "sub_theme") { key }
        none: areas(kind: "no_such_kind") { key } } } }"""
    [plan] = (await gql(query))["municipality"]["plans"]
    assert [a["key"] for a in plan["all"]] == ["lek", "skole"]
    assert [a["key"] for a in plan["sub"]] == ["uteleik"]
    assert plan["none"] == []


async def test_municipalities_lists_every_profile_municipality(gql, demo):
    data = await gql("{ municipalities { number name profile { code } } }")
    assert [(m["number"], m["profile"]["code"]) for m in data["municipalities"]] == [
        ("1860", "vestvagoy"),
        ("3301", "drammen"),
        ("5501", "tromso"),
        ("9901", "testprofil"),
    ]


@pytest.mark.parametrize("number", ["9801", "9901"])
async def test_a_former_municipality_number_finds_the_municipality(gql, demo, number):
    data = await gql("query ($n: String!) { municipality(number: $n) { number } }", {"n": number})
    assert data["municipality"] == {"number": "9901"}


async def test_an_unknown_municipality_is_null(gql, demo):
    assert (await gql('{ municipality(number: "0000") { number } }'))["municipality"] is None


async def test_node_finds_every_kind_of_object_by_global_id(gql, demo):
    data = await gql(PLAN_TREE, {"number": "9901"})
    plan = data["municipality"]["plans"][0]
    area = plan["areas"][0]
    goal = area["goals"][0]
    criterion = goal["criteria"][0]
    expected = {
        data["municipality"]["id"]: ("Municipality", "9901"),
        plan["id"]: ("Plan", "Testplanen"),
        area["id"]: ("Area", "Lek og læring"),
        goal["id"]: ("Goal", "Alle barn leker."),
        criterion["id"]: ("Criterion", "Barna leker hver dag."),
    }
    query = """query ($id: ID!) { node(id: $id) { __typename id
        ... on Municipality { number } ... on Plan { title } ... on Area { title }
        ... on Goal { text } ... on Criterion { text } } }"""
    for global_id, (typename, value) in expected.items():
        node = (await gql(query, {"id": global_id}))["node"]
        assert node["__typename"] == typename
        assert node["id"] == global_id
        assert value in node.values()


async def test_node_with_an_unknown_id_is_null(gql, demo):
    import base64

    forged = base64.b64encode(b"Plan:00000000-0000-0000-0000-000000000000").decode()
    not_a_uuid = base64.b64encode(b"Plan:1; DROP TABLE plan").decode()
    for global_id in (forged, not_a_uuid):
        data = await gql("query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})
        assert data["node"] is None


async def test_node_with_a_malformed_id_is_simply_not_found(gql, demo):
    for global_id in ("not base64 at all", "", "UGxhbg==", "Tm9wZTox"):  # …, "Plan", "Nope:1"
        body = await gql.raw("query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})
        assert body == {"data": {"node": None}, "extensions": body.get("extensions")}


async def test_national_goals_are_listed_in_catalogue_order(gql, demo):
    goals = (await gql("{ nationalGoals { key sector text } }"))["nationalGoals"]
    assert [g["key"] for g in goals] == [f"barnehage-{i}" for i in range(1, 5)] + [
        f"grunnopplaering-{i}" for i in range(1, 5)
    ]
    assert {g["sector"] for g in goals[:4]} == {"KINDERGARTEN"}
    assert all(g["text"] for g in goals)
