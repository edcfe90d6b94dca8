"""The municipality export streamed as a GraphQL subscription: the same rows as the CLI's,
for callers who may read the whole municipality only."""

import pytest
from sqlalchemy import select

from kvalitet import bulk
from kvalitet.access.actor import ANONYMOUS, Actor, Grant
from kvalitet.access.policy import RolePolicy
from kvalitet.models import Municipality
from kvalitet.schema import build_schema
from kvalitet.schema.context import Context
from kvalitet.schema.reading.loaders import Loaders

EXPORT = "subscription ($n: String!) { municipalityExport(number: $n, chunkSize: 7) { table rows rowsSent rowsTotal } }"


async def _subscribe(profiles, settings, database, actor):
    schema = build_schema(profiles, settings)
    policy = RolePolicy()
    context = Context(
        settings=settings,
        profiles=profiles,
        policy=policy,
        actor=actor,
        loaders=Loaders(database.engine, policy, actor),
        database=database,
    )
    stream = await schema.subscribe(EXPORT, variable_values={"n": "9901"}, context_value=context)
    results = []
    if hasattr(stream, "__aiter__"):
        async for result in stream:
            results.append(result)
    else:
        results.append(stream)
    return results


async def test_the_stream_holds_what_the_export_holds(profiles, settings, database, demo):
    async with database.session() as session:
        municipality = await session.scalar(select(Municipality.id).where(Municipality.number == "9901"))
        expected = [c async for c in bulk.stream_export(session, municipality, chunk_size=7)]
    admin = Actor(id="user:admin", grants=(Grant("sector_admin", municipality_id=municipality),))
    results = await _subscribe(profiles, settings, database, admin)
    assert all(r.errors is None for r in results), results[0].errors
    chunks = [r.data["municipalityExport"] for r in results]
    assert [(c["table"], c["rows"]) for c in chunks] == [(c.table, c.rows) for c in expected]
    assert chunks[-1]["rowsSent"] == chunks[-1]["rowsTotal"] == sum(len(c.rows) for c in expected)
    assert all(len(c["rows"]) <= 7 for c in chunks)


@pytest.mark.parametrize("who", ["anonymous", "unit viewer", "outsider"])
async def test_others_may_not_stream_it(profiles, settings, database, demo, who):
    async with database.session() as session:
        municipality = await session.scalar(select(Municipality.id).where(Municipality.number == "9901"))
        other = await session.scalar(select(Municipality.id).where(Municipality.number == "5501"))
    assert municipality and other
    actor = {
        "anonymous": ANONYMOUS,
        "unit viewer": Actor(
            id="user:v", grants=(Grant("viewer", municipality_id=municipality, unit_id=municipality),)
        ),
        # A sector admin of another municipality: 9901 is not found for them, as for anyone outside it.
        "outsider": Actor(id="user:o", grants=(Grant("sector_admin", municipality_id=other),)),
    }[who]
    results = await _subscribe(profiles, settings, database, actor)
    assert len(results) == 1 and results[0].data is None
    [error] = results[0].errors
    # Refused in the caller's language (bokmål here), naming the action (an outsider: not found).
    said = error.extensions or {}
    assert who == "outsider" or ("eksportere" in error.message and said["messageKey"] == "error.forbidden")
