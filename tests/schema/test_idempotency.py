"""Idempotency keys: a repeat returns the first result and changes nothing; the same key with
other input is refused; concurrent repeats run the mutation once."""

import asyncio

from tests.support.cycle import Cycle

CREATE = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) {
  unit { id name version createdAt } errors { field code message } } }"""


async def _log_rows(database) -> int:
    async with database.engine.connect() as connection:
        return (await connection.exec_driver_sql("SELECT count(*) FROM change_log")).scalar_one()


async def test_a_repeat_returns_the_first_result_and_changes_nothing(gql, database):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {
        "municipalityId": municipality["id"],
        "name": "Fjordtun skole",
        "kind": "SCHOOL",
        "idempotencyKey": "k-1",
    }
    first = (await gql(CREATE, {"input": request}))["createUnit"]
    rows = await _log_rows(database)
    again = (await gql(CREATE, {"input": request}))["createUnit"]
    assert again == first and first["errors"] == []
    assert await _log_rows(database) == rows
    units = await gql('{ municipality(number: "9901") { units { totalCount } } }')
    assert units["municipality"]["units"]["totalCount"] == 1


async def test_the_same_key_with_other_input_is_refused(gql, database):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {
        "municipalityId": municipality["id"],
        "name": "Fjordtun skole",
        "kind": "SCHOOL",
        "idempotencyKey": "k-2",
    }
    await gql(CREATE, {"input": request})
    rows = await _log_rows(database)
    other = (await gql(CREATE, {"input": {**request, "name": "Et annet navn"}}))["createUnit"]
    assert other["unit"] is None
    assert other["errors"] == [
        {
            "field": "idempotencyKey",
            "code": "IDEMPOTENCY_KEY_REUSED",
            "message": "The idempotency key was used before with other input.",
        }
    ]
    assert await _log_rows(database) == rows


async def test_a_failed_call_does_not_use_up_its_key(gql):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {"municipalityId": municipality["id"], "name": " ", "kind": "SCHOOL", "idempotencyKey": "k-3"}
    assert (await gql(CREATE, {"input": request}))["createUnit"]["errors"][0]["code"] == "REQUIRED"
    fixed = (await gql(CREATE, {"input": {**request, "name": "Rettet skole"}}))["createUnit"]
    assert fixed["errors"] == [] and fixed["unit"]["name"] == "Rettet skole"


async def test_concurrent_repeats_run_the_mutation_once(gql):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    request = {
        "municipalityId": municipality["id"],
        "name": "Samtidig skole",
        "kind": "SCHOOL",
        "idempotencyKey": "k-4",
    }
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


UNIT_FIELDS = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) {
  unit { id name orgNumber history(first: 5) { edges { node { actor } } } } errors { field code message } } }"""


async def _two_municipalities(gql) -> tuple[dict, dict]:
    cycle = Cycle(gql)
    return await cycle.municipality("5501", "Tromsø", "tromso"), await cycle.municipality("3301", "Drammen", "drammen")


async def test_a_replay_never_reaches_another_caller_with_the_same_subject(gql, gql_as, token, secure_client):
    tromso, _ = await _two_municipalities(gql)
    # Both tokens name the same person; only their roles differ.
    admin = gql_as(token("sector_admin", municipality="5501", subject="developer"))
    other = token("sector_admin", municipality="3301", subject="developer")
    request = {
        "municipalityId": tromso["id"],
        "name": "Fjellheim skole",
        "kind": "SCHOOL",
        "orgNumber": "974760673",
        "idempotencyKey": "same-key",
    }
    first = (await admin(UNIT_FIELDS, {"input": request}))["createUnit"]
    assert first["errors"] == [] and first["unit"]["name"] == "Fjellheim skole"

    response = await secure_client.post(
        "/graphql",
        json={"query": UNIT_FIELDS, "variables": {"input": request}},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert response.status_code == 200
    payload = response.json()["data"]["createUnit"]
    assert payload["unit"] is None
    # Answered as any call of Drammen's into Tromsø is, with no word of the key or of the unit.
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"], payload
    for secret in ("Fjellheim", "974760673", first["unit"]["id"], "idempotency"):
        assert secret not in response.text
    # The first caller still gets its own result again.
    assert (await admin(UNIT_FIELDS, {"input": request}))["createUnit"]["unit"]["id"] == first["unit"]["id"]


async def test_a_replay_is_authorised_again(gql, gql_as, token, database):
    tromso, drammen = await _two_municipalities(gql)
    theirs = await Cycle(gql).unit(tromso["id"], "Fjellheim skole", "SCHOOL", "974760673")
    admin = gql_as(token("sector_admin", municipality="3301"))
    request = {"municipalityId": drammen["id"], "name": "Bragernes skole", "kind": "SCHOOL", "idempotencyKey": "k"}
    assert (await admin(UNIT_FIELDS, {"input": request}))["createUnit"]["errors"] == []
    # The kept result now names a row the caller may not read (as if it had moved away).
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql(
            "UPDATE idempotency_record SET result = jsonb_set(result, '{row}', "
            "(SELECT to_jsonb(unit) FROM unit WHERE name = 'Fjellheim skole'))"
        )
    again = (await admin(UNIT_FIELDS, {"input": request}))["createUnit"]
    assert again["unit"] is None and [e["code"] for e in again["errors"]] == ["NOT_FOUND"]
    assert "Fjellheim" not in str(again) and theirs["id"] not in str(again)
