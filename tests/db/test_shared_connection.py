"""A request's reads share one pooled connection (kvalitet.db.shared): a query on the default
path takes one from the pool however many batches it reads in, and a request never holds two at
once (a mutation's transaction and a service's reads take theirs after the shared one is given
back), so a pool cannot deadlock with every request holding one connection and waiting for
another. A read session refuses to write."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from kvalitet.models import Municipality
from tests.support.client import GraphQLClient
from tests.support.cycle import Cycle


class PoolWatch:
    """How many connections the pool handed out, and the most out at once."""

    def __init__(self, database):
        self.pool = database.engine.sync_engine.pool
        self.taken = self.out = self.most = 0
        event.listen(self.pool, "checkout", self._checkout)
        event.listen(self.pool, "checkin", self._checkin)

    def _checkout(self, *_):
        self.taken += 1
        self.out += 1
        self.most = max(self.most, self.out)

    def _checkin(self, *_):
        self.out -= 1

    def reset(self):
        self.taken = self.most = 0

    def close(self):
        event.remove(self.pool, "checkout", self._checkout)
        event.remove(self.pool, "checkin", self._checkin)


@pytest.fixture
def pool(database):
    watch = PoolWatch(database)
    yield watch
    watch.close()


@pytest.fixture
def default_gql(default_client) -> GraphQLClient:
    """A client of an app that answers every query on the default path (no compiled statement)."""
    return GraphQLClient(default_client)


NESTED = """{ municipalities { number units(first: 20) { nodes { name municipality { name }
  localPlans(first: 5) { nodes { status } } history(first: 3) { totalCount } } } } }"""


async def test_a_query_reads_all_its_batches_on_one_connection(default_gql, demo, pool, statements):
    statements.reset()
    pool.reset()
    answer = await default_gql(NESTED)
    assert sum(len(m["units"]["nodes"]) for m in answer["municipalities"]) > 5
    assert len(statements.statements) >= 4  # several batches (municipalities, units, their relations)
    assert pool.taken == 1 and pool.most == 1
    assert pool.out == 0  # given back when the request ended


async def test_the_answer_is_the_same_as_with_a_connection_per_batch(default_gql, gql, demo):
    # The app of `gql` answers compiled where it can; this one reads on the default path, sharing.
    assert await default_gql(NESTED) == await gql(NESTED)


async def test_a_mutation_never_holds_two_connections(default_gql, pool):
    cycle = Cycle(default_gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    pool.reset()
    # The first payload is read on the shared connection; the second mutation's transaction
    # takes its own only once that one is given back.
    created = await default_gql(
        """mutation ($m: ID!) {
             a: createUnit(input: {municipalityId: $m, name: "Ny barnehage", kind: KINDERGARTEN}) {
               unit { name municipality { name units(first: 5) { totalCount } } } errors { code } }
             b: createUnit(input: {municipalityId: $m, name: "Ny skole", kind: SCHOOL}) {
               unit { name municipality { name units(first: 5) { totalCount } } } errors { code } } }""",
        {"m": municipality["id"]},
    )
    assert created["a"]["errors"] == [] and created["b"]["errors"] == []
    assert created["a"]["unit"]["municipality"]["units"]["totalCount"] == 1
    assert created["b"]["unit"]["municipality"]["units"]["totalCount"] == 2
    assert pool.most == 1 and pool.out == 0


async def test_a_service_read_in_a_query_holds_one_connection(default_gql, pool):
    # A local plan's findings are read in a service's session (read_service), after the
    # loaders read the units and plans on the shared connection.
    await Cycle(default_gql).kindergarten_on("9901", "Testkommune", "testprofil")
    pool.reset()
    answer = await default_gql(
        """{ municipality(number: "9901") { units(first: 20) { nodes { name localPlans(first: 3) {
             nodes { status findings { code } } } } } } }"""
    )
    plans = [p for u in answer["municipality"]["units"]["nodes"] for p in u["localPlans"]["nodes"]]
    assert plans and plans[0]["findings"]  # an empty plan lacks what its profile asks for
    assert pool.most == 1 and pool.out == 0


async def test_reads_beside_a_service_session_wait_for_it(default_gql, pool):
    # The plans' goals and actions are read by loaders while their findings' session is open:
    # they wait for it, and never take a second connection meanwhile.
    cycle = Cycle(default_gql)
    _, plan, unit, local_plan = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    area = next(a for a in await cycle.areas(plan["id"], "theme") if "KINDERGARTEN" in a["appliesTo"])
    await cycle.local_goal(local_plan["id"], area["id"], "Et mål")
    await cycle.action(local_plan["id"], "Et tiltak", area["id"])
    pool.reset()
    answer = await default_gql(
        """{ municipality(number: "9901") { units(first: 20) { nodes { localPlans(first: 3) {
             nodes { findings { code } goals { text } actions { text } } } } } } }"""
    )
    [plan_read] = [p for u in answer["municipality"]["units"]["nodes"] for p in u["localPlans"]["nodes"]]
    assert plan_read["goals"] == [{"text": "Et mål"}] and plan_read["actions"] == [{"text": "Et tiltak"}]
    assert pool.most == 1 and pool.out == 0


async def test_a_read_session_refuses_to_write(database):
    async with database.read_session() as session:
        municipality = Municipality(number="9902", name="Skrivekommune")
        session.add(municipality)
        with pytest.raises(RuntimeError, match="read session"):
            await session.flush()
    async with database.session() as session:
        assert await session.scalar(select(Municipality).where(Municipality.number == "9902")) is None
