"""Idempotency keys: a repeat returns the first result and changes nothing; the same key with
other input is refused; concurrent repeats run the mutation once."""

import asyncio

from .cycle import Cycle

CREATE = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) {
  unit { id name version createdAt } errors { field code message } } }"""


async def _log_rows(database) -> int:
    async with database.engine.connect() as connection:
        return (await connection.exec_driver_sql("SELECT count(*) FROM change_log")).scalar_one()


async def test_a_repeat_returns_the_first_result_and_changes_nothing(gql, database):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {"municipalityId": municipality["id"], "name": "Fjordtun skole", "kind": "SCHOOL", "idempotencyKey": "k-1"}
    first = (await gql(CREATE, {"input": request}))["createUnit"]
    rows = await _log_rows(database)
    again = (await gql(CREATE, {"input": request}))["createUnit"]
    assert again == first and first["errors"] == []
    assert await _log_rows(database) == rows
    units = await gql('{ municipality(number: "9901") { units { totalCount } } }')
    assert units["municipality"]["units"]["totalCount"] == 1


async def test_the_same_key_with_other_input_is_refused(gql, database):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {"municipalityId": municipality["id"], "name": "Fjordtun skole", "kind": "SCHOOL", "idempotencyKey": "k-2"}
    await gql(CREATE, {"input": request})
    rows = await _log_rows(database)
    other = (await gql(CREATE, {"input": {**request, "name": "Et annet navn"}}))["createUnit"]
    assert other["unit"] is None
    assert other["errors"] == [{"field": "idempotencyKey", "code": "IDEMPOTENCY_KEY_REUSED",
                                "message": "The idempotency key was used before with other input."}]
    assert await _log_rows(database) == rows


async def test_a_failed_call_does_not_use_up_its_key(gql):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {"municipalityId": municipality["id"], "name": " ", "kind": "SCHOOL", "idempotencyKey": "k-3"}
    assert (await gql(CREATE, {"input": request}))["createUnit"]["errors"][0]["code"] == "REQUIRED"
    fixed = (await gql(CREATE, {"input": {**request, "name": "Rettet skole"}}))["createUnit"]
    assert fixed["errors"] == [] and fixed["unit"]["name"] == "Rettet skole"


async def test_concurrent_repeats_run_the_mutation_once(gql):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {"municipalityId": municipality["id"], "name": "Samtidig skole", "kind": "SCHOOL", "idempotencyKey": "k-4"}
    results = await asyncio.gather(*(gql(CREATE, {"input": request}) for _ in range(5)))
    units = {r["createUnit"]["unit"]["id"] for r in results}
    assert len(units) == 1 and all(r["createUnit"]["errors"] == [] for r in results)
    count = await gql('{ municipality(number: "9901") { units { totalCount } } }')
    assert count["municipality"]["units"]["totalCount"] == 1


async def test_keys_are_per_caller(gql_as, gql, token):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {"municipalityId": municipality["id"], "kind": "SCHOOL", "idempotencyKey": "shared"}
    one = gql_as(token("sector_admin", municipality="9901", subject="en"))
    two = gql_as(token("sector_admin", municipality="9901", subject="to"))
    a = (await one(CREATE, {"input": {**request, "name": "Skole A"}}))["createUnit"]
    b = (await two(CREATE, {"input": {**request, "name": "Skole B"}}))["createUnit"]
    assert a["errors"] == b["errors"] == [] and a["unit"]["id"] != b["unit"]["id"]
