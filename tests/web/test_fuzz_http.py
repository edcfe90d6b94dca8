"""Property-based fuzzing of every argument of the API, through HTTP.

Hypothesis sends every mutation, every root field with arguments (queries and subscriptions)
and every field with arguments one level down or deeper (`Municipality.units`, `Unit.history`,
`Report.assessments` …) values of every kind: realistic ones (real ids of the demo, known
strings), hostile ones (controls, NUL, lone surrogates as `\\ud800` escapes in the raw body,
very long strings, global ids of every type name, base64 junk, forged cursors, numbers beyond
2^31 and 2^63, 1e308, wrong enum names, input objects with missing and extra fields, long
lists) and values of the wrong type; as variables, and sometimes inlined as literals; as a
sector admin, and sometimes anonymously. A third test adds JSON nested 100,000 deep or
60,000 wide to the variables and the body.

The property: the service never fails with a 500 (nor with any status ≥ 500), nor with a
masked unexpected error (`INTERNAL_SERVER_ERROR`: the service's own crash, caught); the body
is JSON; and when a request is refused (GraphQL errors, or a payload's `errors`), nothing was
written: the row count, latest `updated_at` and sum of `version` of every table are unchanged.
A query or subscription never writes at all.

Each test collects every distinct failure (by cause: the exception type and the innermost
frame in kvalitet/) with the smallest request that shows it, and fails once at the end with all
of them. The fields come from the schema the app builds, so new ones are fuzzed unasked. Set
`KVALITET_FUZZ_EXAMPLES` to scale the number of examples (1 is the default; 10 for a long run).
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from graphql import is_required_argument

from kvalitet.schema import build_schema
from tests.support.cycle import Cycle
from tests.support.fuzz import (
    PARENT,
    Checker,
    LogCapture,
    Pools,
    Requests,
    Target,
    Values,
    explore,
    harvest,
    harvest_cursors,
    harvest_owned,
    selection,
    walk,
)

SCALE = float(os.environ.get("KVALITET_FUZZ_EXAMPLES", "1"))
MUNICIPALITY = "9901"  # Testkommune, the test profile's demo municipality


def examples(base: int) -> int:
    return max(1, round(base * SCALE))


async def seed(gql) -> None:
    """Objects the demo does not have (a local plan, its goal, action and section, a report and
    an assessment, an API key, a webhook subscription), so the fields of their types resolve
    too. Best effort: what fails here only leaves a type without real ids."""
    cycle = Cycle(gql)
    data = await gql.raw(
        """query ($n: String!) { municipality(number: $n) { id plans { id status areas { id } }
        units(first: 20) { edges { node { id kind } } } } }""",
        {"n": MUNICIPALITY},
    )
    municipality = ((data.get("data") or {}).get("municipality")) or {}
    plans = [p for p in municipality.get("plans", []) if p["status"] == "ADOPTED"]
    units = [e["node"] for e in ((municipality.get("units") or {}).get("edges") or [])]
    steps = []
    if plans and units:
        plan, unit = plans[0], units[0]
        area = plan["areas"][0]["id"] if plan["areas"] else None

        async def local_plan():
            lp = await cycle.local_plan(unit["id"], plan["id"])
            for step in (
                lambda: cycle.local_goal(lp["id"], area, "Alle trives."),
                lambda: cycle.action(lp["id"], "Vi kartlegger.", area),
                lambda: cycle.section(lp["id"], "kartlegging", "Slik står det til."),
            ):
                try:
                    await step()
                except Exception:  # noqa: BLE001 - best effort
                    pass

        async def report():
            opened = await cycle.open_report(unit["id"], 2024, "h1")
            for item in (await cycle.items(opened["id"]))[:1]:
                await cycle.assess(opened["id"], item, "1")

        steps += [local_plan, report]
    if municipality:
        steps.append(
            lambda: cycle.mutate(
                "createApiKey",
                {"municipalityId": municipality["id"], "name": "Fagsystem", "scopes": ["read"]},
                "apiKey { id }",
            )
        )
        steps.append(
            lambda: cycle.mutate(
                "createWebhookSubscription",
                {
                    "municipalityId": municipality["id"],
                    "url": "https://arkiv.example/hook",
                    "eventTypes": ["report.submitted"],
                },
                "webhookSubscription { id }",
            )
        )
    for step in steps:
        try:
            await step()
        except Exception:  # noqa: BLE001 - best effort
            pass


class Fuzz:
    """The schema walk, what the data holds, and the checker of one test's requests."""

    def __init__(self, schema, pools: Pools, targets: list[Target], checker: Checker):
        self.schema = schema
        self.pools = pools
        self.targets = targets
        self.checker = checker
        self.requests = Requests(Values(pools))

    def of(self, *operations: str) -> list[Target]:
        return [t for t in self.targets if t.operation in operations]

    async def run(self, targets: list[Target], count: int, *, deep: bool = False) -> None:
        """`count` examples for each target. Hypothesis runs in a worker thread (its examples
        are synchronous) and sends each request on this test's event loop, where the app and
        the database's connections live; failures are collected, then reported all at once."""
        loop = asyncio.get_running_loop()
        with self.checker.logs:
            await asyncio.to_thread(
                explore,
                loop,
                targets,
                count,
                lambda draw, target: self.requests.draw(draw, target, deep=deep),
                self.checker.check,
            )
        print(
            f"{self.checker.sent} requests: {self.checker.summary()}; never past validation: "
            f"{', '.join(self.checker.unreached()) or 'none'}"
        )
        if self.checker.logged:
            print("logged by the service (not failures):\n" + self.checker.warnings())
        if self.checker.failures:
            pytest.fail(self.checker.report(), pytrace=False)


@pytest.fixture
async def fuzz(database, demo, gql, secure_client, secure_settings, profiles, token) -> Fuzz:
    await seed(gql)
    schema = build_schema(profiles, secure_settings)._schema  # the schema the app serves
    pools = await harvest(database, gql, schema)
    await harvest_owned(gql, schema, pools, MUNICIPALITY)
    targets = walk(schema, pools.ids)
    checker = Checker(
        secure_client, database, {"admin": token("sector_admin", municipality=MUNICIPALITY)}, LogCapture()
    )
    fuzz = Fuzz(schema, pools, targets, checker)
    # Real cursors, from one plain request of every query field whose arguments are all optional.
    cursors: set[str] = set()
    for target in fuzz.of("query"):
        if any(is_required_argument(a) for a in target.args.values()):
            continue
        document = f"{target.field_name} {selection(target.field.type, 3)}"
        for step in reversed(target.path):
            parent = (pools.owned.get(target.parent) or pools.ids.get(target.parent) or [""])[0]
            document = f"{step.replace(PARENT, json.dumps(parent))} {{ {document} }}"
        try:
            response = await secure_client.post(
                "/graphql",
                json={"query": "{ " + document + " }"},
                headers={"Authorization": f"Bearer {checker.tokens['admin']}"},
            )
            harvest_cursors(response.json(), cursors)
        except Exception:  # noqa: BLE001 - a crash here is the fuzzer's to find and report
            pass
    pools.cursors = sorted(cursors)
    await checker.prepare()
    return fuzz


async def test_every_mutation_survives_hostile_input(fuzz):
    targets = fuzz.of("mutation")
    assert {t.field_name for t in targets} == set(fuzz.schema.mutation_type.fields)
    await fuzz.run(targets, examples(25))


async def test_every_query_argument_survives_hostile_input(fuzz):
    targets = fuzz.of("query", "subscription")
    names = {t.name for t in targets}
    # Root fields, and fields of the types below them (reached through node(id:) or a path).
    assert {"Query.node", "Query.changes", "Municipality.units", "Unit.history"} <= names, sorted(names)
    await fuzz.run(targets, examples(25))


async def test_deep_and_wide_variables_are_refused_cleanly(fuzz):
    await fuzz.run(fuzz.targets, examples(3), deep=True)
