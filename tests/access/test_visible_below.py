"""A plan's tree is read as far as its plan is: the compiled path reads the rows below a row it
has read visibly (an area's goals, a goal's criteria) without a visibility clause of their own
(`AccessPolicy.visible_below`), which must leave exactly the rows the policy's clause would.

Two municipalities on the test profile, each with a draft plan (drafts are not public) made from
the profile's content; each municipality's sector admin reads both, on the compiled and on the
default path."""

from __future__ import annotations

import pytest

from kvalitet.access.actor import ANONYMOUS
from kvalitet.access.ownership import OWNERSHIP, Below, Owned
from kvalitet.access.policy import RolePolicy
from kvalitet.models import Area, Assessment, Criterion, Goal, LocalGoal, LocalPlan, Measure, Plan, Report, Unit
from tests.support.client import GraphQLClient
from tests.support.cycle import Cycle

TREE = """query ($id: ID!) { node(id: $id) { ... on Plan { id title
  areas { id key goals { id text criteria { id text } } criteria { id text } measures { id text }
    children { id key goals { id text criteria { id text } } criteria { id text } measures { id text } } } } } }"""

GOAL = """query ($id: ID!) { node(id: $id) { ... on Goal { id text criteria { id text } area { id plan { id } } } } }"""

CRITERION = """query ($id: ID!) { node(id: $id) { ... on Criterion { id text } } }"""


def test_rows_below_are_read_through_their_ownership_parent_only():
    policy = RolePolicy()
    # Every parent edge of the ownership map says it, and nothing else does.
    for model, rule in OWNERSHIP.items():
        if isinstance(rule, Below):
            for column, parent in rule.parents:
                assert policy.visible_below(ANONYMOUS, model, column, parent), (model, column)
        else:
            assert isinstance(rule, Owned)
            assert not policy.visible_below(ANONYMOUS, model, "municipality_id", Plan), model
    assert policy.visible_below(ANONYMOUS, Goal, "area_id", Area)
    assert policy.visible_below(ANONYMOUS, Criterion, "goal_id", Goal)
    assert policy.visible_below(ANONYMOUS, LocalGoal, "local_plan_id", LocalPlan)
    # An area's children name it as their parent area, but an area is its plan's, not its parent's.
    assert not policy.visible_below(ANONYMOUS, Area, "parent_id", Area)
    # Reports and units name their owner themselves; a parent's visibility says nothing of them.
    assert not policy.visible_below(ANONYMOUS, Report, "unit_id", Unit)
    assert not policy.visible_below(ANONYMOUS, Assessment, "criterion_id", Criterion)
    assert not policy.visible_below(ANONYMOUS, Measure, "area_id", Plan)


@pytest.fixture
async def world(gql, gql_as, token) -> dict:
    cycle = Cycle(gql)
    m1 = await cycle.municipality("9901", "Prøvekommune", "testprofil")
    m2 = await cycle.municipality("9902", "Nabokommune", "testprofil")
    admin1 = gql_as(token("sector_admin", municipality="9901", subject="admin1"))
    admin2 = gql_as(token("sector_admin", municipality="9902", subject="admin2"))
    plans = {}
    for key, admin, municipality in (("P1", admin1, m1), ("P2", admin2, m2)):
        created = await Cycle(admin).mutate("createPlan", {"municipalityId": municipality["id"]}, "plan { id status }")
        assert created["plan"]["status"] == "DRAFT"
        plans[key] = created["plan"]["id"]
    return {"plans": plans}


@pytest.fixture(params=["compiled", "default"])
def reader(request, secure_client, secure_default_client):
    http = secure_client if request.param == "compiled" else secure_default_client
    return lambda bearer=None: GraphQLClient(http, bearer)


def _goals_and_criteria(tree: dict) -> tuple[list[str], list[str]]:
    areas = tree["areas"] + [child for area in tree["areas"] for child in area["children"]]
    goals = [goal for area in areas for goal in area["goals"]]
    criteria = [c["id"] for goal in goals for c in goal["criteria"]] + [c["id"] for a in areas for c in a["criteria"]]
    return [goal["id"] for goal in goals], criteria


async def test_a_plans_tree_is_read_as_far_as_its_plan_is(world, reader, secure_default_client, token):
    plans = world["plans"]
    own = {n: reader(token("sector_admin", municipality=n, subject=f"admin-{n}")) for n in ("9901", "9902")}
    trees = {key: (await own[n](TREE, {"id": plans[key]}))["node"] for key, n in (("P1", "9901"), ("P2", "9902"))}
    for key, tree in trees.items():
        goals, criteria = _goals_and_criteria(tree)
        assert tree["id"] == plans[key] and goals and criteria, f"{key}: the profile's plan has goals and criteria"
    # The same tree on the default path (where every row is scoped by its own clause).
    default = GraphQLClient(secure_default_client, token("sector_admin", municipality="9901", subject="d"))
    assert (await default(TREE, {"id": plans["P1"]}))["node"] == trees["P1"]

    # Each admin reads the other's draft as nothing: the plan, its goals, its criteria, and a
    # criterion.
    for reader_number, other in (("9901", "P2"), ("9902", "P1")):
        caller = own[reader_number]
        assert (await caller(TREE, {"id": plans[other]}))["node"] is None
        goals, criteria = _goals_and_criteria(trees[other])
        for goal in goals:
            assert (await caller(GOAL, {"id": goal}))["node"] is None
        for criterion in criteria:
            assert (await caller(CRITERION, {"id": criterion}))["node"] is None

    # Through a goal of its own, an admin reads the goal's criteria and its area and plan.
    goals, criteria = _goals_and_criteria(trees["P1"])
    found = (await own["9901"](GOAL, {"id": goals[0]}))["node"]
    assert found["area"]["plan"]["id"] == plans["P1"]
    assert {c["id"] for c in found["criteria"]} <= set(criteria) and found["criteria"]
