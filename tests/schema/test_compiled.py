"""The compiled read path answers exactly as graphql-core's default execution does.

Each query runs twice on the same data: through the service as it is configured (compiled
where the compiler can) and through the same service with `compiled_queries` off. The two
answers must be the same JSON, in the same key order; where a query is meant to be compiled,
it must also have cost exactly one SQL statement.
"""

from __future__ import annotations

import base64
import json
import uuid as _uuid

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, get_named_type
from strawberry import relay
from strawberry.types import Info

from kvalitet import models as _models
from kvalitet.plugins import Profiles, hookimpl, new_plugin_manager
from kvalitet.schema.base import RowNode
from kvalitet.schema.compiled.reads import row_type, statement_row
from kvalitet.schema.reading.relations import (
    Children,
    Computed,
    Derived,
    NodeIdOf,
    Page,
    Parent,
    Rollup,
    Rows,
    read_of,
    relation,
)
from kvalitet.schema.webhook import WebhookSubscription
from tests.schema.conftest import first_difference
from tests.support.client import service_client
from tests.support.data import DEEP, add_copies


async def test_deep_query(both, demo, database, profiles):
    await both(DEEP)
    await add_copies(database, profiles, copies=3)
    await both(DEEP)


# -- data with every kind of value the renderings must get right ------------------------------

TEXTS = [
    "Vanlig tekst",
    'Sitat: «god praksis» og "anførsel"',
    "Linje 1\nLinje 2\tmed tab og \\ skråstrek",
    "Kontroll\u0001tegn og \u007f slett",
    "Emoji 🌱 og ÆØÅ æøå",
    "",
    None,
]


@pytest.fixture
async def rich(database, demo) -> dict:
    """Drammen's demo with units, reports (every status) and assessments of every criterion,
    with awkward text, timestamps with and without microseconds, and NULLs."""
    import datetime as dt

    from sqlalchemy import any_, literal, select

    from kvalitet.models import (
        Area,
        Assessment,
        Criterion,
        Goal,
        LocalAction,
        LocalGoal,
        LocalPlan,
        LocalPlanSection,
        Municipality,
        Plan,
        Report,
        Unit,
    )

    base = dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC)
    async with database.session() as session, session.begin():
        municipality = await session.scalar(select(Municipality).where(Municipality.number == "3301"))
        plan = await session.scalar(select(Plan).where(Plan.municipality_id == municipality.id))
        criteria = (
            await session.scalars(
                select(Criterion)
                .join(Goal, Criterion.goal_id == Goal.id, isouter=True)
                .order_by(Criterion.position, Criterion.id)
            )
        ).all()
        criteria = [c for c in criteria][:12]
        units = []
        for i, name in enumerate(["Skole «Øst»", 'Skole "Vest"', "Barnehage Ærlig", "Skole\tTab"]):
            unit = Unit(
                municipality_id=municipality.id,
                name=name,
                kind="school" if i % 2 == 0 else "kindergarten",
                zone=TEXTS[i % len(TEXTS)],
                archived_at=base if i == 3 else None,
                staff_may_edit=i % 2 == 1,
            )
            session.add(unit)
            units.append(unit)
        await session.flush()
        for u, unit in enumerate(units):
            local_plan = LocalPlan(municipality_id=municipality.id, unit_id=unit.id, plan_id=plan.id, status="draft")
            session.add(local_plan)
            await session.flush()
            # An area of the plan for the unit's kind, so its report lists the local goals.
            area_id = await session.scalar(
                select(Area.id)
                .where(Area.plan_id == plan.id, literal(unit.kind) == any_(Area.applies_to))
                .order_by(Area.position, Area.key)
                .limit(1)
            )
            goals = [
                LocalGoal(
                    local_plan_id=local_plan.id,
                    area_id=area_id,
                    perspective=TEXTS[(u + g) % 3],
                    text=TEXTS[g % 5] or "Mål",
                    position=g,
                )
                for g in range(2)
            ]
            session.add_all(goals)
            await session.flush()
            for a in range(3):
                session.add(
                    LocalAction(
                        local_plan_id=local_plan.id,
                        local_goal_id=goals[0].id if a else None,
                        area_id=area_id if a != 1 else None,
                        text=TEXTS[(a + u) % 5] or "Tiltak",
                        owner=TEXTS[a],
                        deadline=dt.date(2026, 6, 1 + a) if a else None,
                        status=("planned", "in_progress", "done")[a],
                        position=a,
                    )
                )
            session.add(
                LocalPlanSection(
                    local_plan_id=local_plan.id,
                    key="kartlegging",
                    area_id=None,
                    text=TEXTS[u % 5] or "Tekst",
                    position=0,
                )
            )
            for r, (year, status) in enumerate([(2025, "approved"), (2026, "submitted"), (2026, "draft")]):
                report = Report(
                    municipality_id=municipality.id,
                    unit_id=unit.id,
                    plan_id=plan.id,
                    local_plan_id=local_plan.id if r == 0 else None,
                    year=year,
                    period_key="year" if r < 2 else "h2",
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 12, 31),
                    due_on=dt.date(year + 1, 1, 31),
                    status=status,
                    # whole seconds for some, microseconds for others
                    submitted_at=None
                    if status == "draft"
                    else base + dt.timedelta(days=r, microseconds=(u * 7919) % 1000 * r),
                    comment=TEXTS[(u + r) % len(TEXTS)],
                )
                session.add(report)
                await session.flush()
                for c, criterion in enumerate(criteria[: 3 + u + r]):
                    session.add(
                        Assessment(
                            report_id=report.id,
                            criterion_id=criterion.id,
                            level=str(1 + (c % 4)),
                            comment=TEXTS[(c + u) % len(TEXTS)],
                            evidence=TEXTS[(c + r) % len(TEXTS)],
                        )
                    )
    return {"municipality": "3301"}


UNIT_FIELDS = "__typename id name kind orgNumber ownership zone archivedAt staffMayEdit createdAt updatedAt version"
REPORT_FIELDS = "id year periodKey periodStart periodEnd dueOn status submittedAt decidedAt comment version"
ASSESSMENT_FIELDS = "id level comment evidence createdAt criterion { id text perspective position } localGoal { id }"


async def test_dashboard(both, rich):
    query = f"""query ($n: String!) {{ municipality(number: $n) {{ id number name
        units(first: 20) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage }}
          nodes {{ {UNIT_FIELDS} reports {{ totalCount nodes {{ {REPORT_FIELDS}
            assessments {{ {ASSESSMENT_FIELDS} }} }} }} }} }} }} }}"""
    data = (await both(query, {"n": "3301"}))["data"]
    reports = [r for u in data["municipality"]["units"]["nodes"] for r in u["reports"]["nodes"]]
    assert sum(len(r["assessments"]) for r in reports) > 40  # the data really is there


async def test_units_filters_orders_and_cursors(both, rich):
    for arguments in [
        "first: 2",
        "first: 0",
        "first: 20, includeArchived: true",
        "kind: KINDERGARTEN",
        "orderBy: UPDATED_AT, first: 3",
        'updatedSince: "2000-01-01T00:00:00+00:00", orderBy: UPDATED_AT',
        'updatedSince: "2999-01-01T00:00:00+00:00"',
    ]:
        cursors = "edges { cursor node { id } } pageInfo { startCursor endCursor hasNextPage }"
        if "UPDATED_AT" not in arguments:
            cursors = "edges { node { id name } } pageInfo { hasNextPage }"
        query = f'{{ municipality(number: "3301") {{ units({arguments}) {{ totalCount {cursors} }} }} }}'
        await both(query)
    # Cursors over names (awkward ones: quotes, backslashes, controls, æøå, emoji) are compiled
    # too, and page through every unit.
    query = """query ($after: String) { municipality(number: "3301") { units(first: 2, after: $after) {
        edges { cursor node { name } } pageInfo { startCursor endCursor hasNextPage } } } }"""
    after, names = None, []
    while True:
        page = (await both(query, {"after": after}))["data"]["municipality"]["units"]
        names += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(names) == len(set(names)) > 2
    assert any(not name.isascii() for name in names) and any('"' in name or "\\" in name for name in names)


async def test_paging_reports_with_after(both, rich):
    query = """query ($after: String) { municipality(number: "3301") {
        reports(first: 4, after: $after) { totalCount edges { cursor node { id updatedAt } }
          pageInfo { hasNextPage endCursor startCursor } } } }"""
    after, seen = None, []
    while True:
        page = (await both(query, {"after": after}))["data"]["municipality"]["reports"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 12


async def test_report_filters(both, rich):
    for arguments in [
        "status: DRAFT",
        "year: 2025",
        'period: "h2"',
        "unitKind: SCHOOL",
        "status: APPROVED, unitKind: KINDERGARTEN",
    ]:
        query = f'{{ municipality(number: "3301") {{ reports({arguments}) {{ totalCount nodes {{ id status year periodKey }} }} }} }}'
        await both(query)
        query = f'{{ municipality(number: "3301") {{ units {{ nodes {{ reports({arguments.replace("unitKind: SCHOOL", "year: 2026").replace(", unitKind: KINDERGARTEN", "")}) {{ nodes {{ id }} }} }} }} }} }}'
        await both(query)


async def test_node_fragments_aliases_and_directives(both, rich):
    ids = (
        await both(
            '{ municipality(number: "3301") { id units(first: 1) { nodes { id reports { nodes { id assessments(first: 2) { id } } } } } plans { id areas { id goals { id criteria { id } } measures { id } } } } }'
        )
    )["data"]["municipality"]
    unit = ids["units"]["nodes"][0]
    report = unit["reports"]["nodes"][0]
    plan = ids["plans"][0]
    area = plan["areas"][0]
    query = """query ($id: ID!, $withName: Boolean!, $skip: Boolean!) {
        node(id: $id) { __typename id
          ... on Unit { n: name name @include(if: $withName) kind @skip(if: $skip) ...U }
          ... on Report { status a: assessments(first: 1) { id } b: assessments { level } }
          ... on Plan { title appliesTo planStatus: status areas { ...A } kinds: areas(kind: "beam") { title appliesTo } }
          ... on Area { title parent { id } plan { id title } children { ...A } }
          ... on Municipality { number }
        } }
        fragment U on Unit { municipality { number name } localPlans { nodes { id status unit { id } plan { id }
          goals { text perspective position area { title } } actions { text owner deadline status localGoal { text } area { key } }
          sections { key text area { id } } } } }
        fragment A on Area { key kind title description appliesTo position goals { kind text nationalGoal { key sector text } area { id } criteria { text } } criteria { text perspective } measures { text owner deadline partner targetGroup position } }"""
    for node_id in [unit["id"], report["id"], plan["id"], area["id"], ids["id"]]:
        for with_name, skip in [(True, False), (False, True)]:
            await both(query, {"id": node_id, "withName": with_name, "skip": skip})


async def test_every_field_skipped(both, rich):
    query = """query ($no: Boolean!) { a: __typename @include(if: $no)
        municipality(number: "3301") { name @include(if: $no) units { nodes { id @skip(if: true) } } } }"""
    data = (await both(query, {"no": False}))["data"]
    assert data["municipality"]["units"]["nodes"][0] == {}
    assert (await both("{ __typename @skip(if: true) }"))["data"] == {}


async def test_root_fields(both, rich):
    await both(
        "{ __typename municipalities { number name plans { title periodStart periodEnd adoptedOn adoptedBy profileCode } } nationalGoals { id key sector text } }"
    )
    await both(
        '{ a: municipality(number: "3005") { name } b: municipality(number: "0000") { name } }'
    )  # a former number, none


async def test_empty_and_missing(both, demo):
    # a unit with no reports, an id of nothing, an id of another type's row
    await both(
        '{ municipality(number: "5501") { units { nodes { reports { totalCount nodes { id } pageInfo { startCursor endCursor hasNextPage } } } } } }'
    )
    await both('{ node(id: "VW5pdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=") { id } }')


async def test_what_is_not_compiled_runs_on_the_default_path(both, rich):
    # Fields with resolvers the compiler does not know; errors the default path gives.
    await both(
        '{ municipality(number: "3301") { profile { code } units { nodes { history { totalCount } } } } }',
        compiled=False,
    )
    await both('{ municipality(number: "3301") { units(first: 1000) { totalCount } } }', compiled=False)
    await both('{ municipality(number: "3301") { units(after: "bm90LWEtY3Vyc29y") { totalCount } } }', compiled=False)
    await both(
        '{ municipality(number: "3301") { units { nodes { reports { nodes { assessments(first: -1) { id } } } } } } }',
        compiled=False,
    )
    await both('{ node(id: "not an id") { id } }', compiled=False)
    await both("{ __schema { queryType { name } } }", compiled=False)


# -- the access rules apply the same way on both paths ----------------------------------------


async def test_access_rules_are_the_same_on_both_paths(
    secure_client, secure_default_client, token, rich, database, statements
):
    from sqlalchemy import select

    from kvalitet.models import Municipality, Report, Unit

    async with database.session() as session:
        report = await session.scalar(select(Report).join(Municipality).where(Municipality.number == "3301").limit(1))
        others = (
            await session.scalars(
                select(Unit)
                .where(Unit.municipality_id == report.municipality_id, Unit.id != report.unit_id)
                .order_by(Unit.name)
            )
        ).all()
        units = [others[0], await session.get(Unit, report.unit_id), others[1]]
    report_id = base64.b64encode(f"Report:{report.id}".encode()).decode()
    callers = {
        "anonymous": None,
        "sector admin": token("sector_admin", municipality="3301"),
        "another municipality's admin": token("sector_admin", municipality="5501"),
        "unit leader": token("unit_leader", unit=str(units[0].id)),
        "viewer of the report's unit": token("viewer", unit=str(units[1].id)),
        "staff": token("staff", unit=str(units[2].id)),
    }
    queries = [
        """{ municipality(number: "3301") { name units(includeArchived: true) { totalCount nodes { id name
              reports { totalCount nodes { id status assessments { level criterion { text } } localPlan { id }
                items { area { key } criterion { text } localGoal { text } assessment { level } } } }
              localPlans { nodes { id unit { name } goals { text } actions { status localGoal { text } } sections { key } } } } }
            reports { totalCount nodes { id unit { name } plan { title } } }
            plans { title areas { title goals { criteria { text } } } } } }""",
        f'{{ node(id: "{report_id}") {{ id ... on Report {{ status unit {{ name }} assessments {{ level }} }} }} }}',
    ]
    seen_reports = set()
    for caller, bearer in callers.items():
        # (A language asked for, as browsers do: else the caller's municipality's is looked up once.)
        headers = {"Accept-Language": "nb", **({"Authorization": f"Bearer {bearer}"} if bearer else {})}
        for query in queries:
            statements.reset()
            fast = await secure_client.post("/graphql", json={"query": query}, headers=headers)
            # One statement for the data; a bearer's roles are looked up first (authentication).
            assert len(statements.compiled) == 1 and statements.count <= 1 + bool(bearer), (
                caller,
                statements.statements,
            )
            slow = await secure_default_client.post("/graphql", json={"query": query}, headers=headers)
            assert fast.status_code == slow.status_code == 200
            fast_text, slow_text = json.dumps(fast.json()), json.dumps(slow.json())
            assert fast_text == slow_text, f"{caller}: " + first_difference(fast_text, slow_text)
            seen_reports.add(fast_text.count('"status"'))
    assert len(seen_reports) > 2  # the callers really saw different things


# -- random queries over everything the compiler knows, found by walking the schema -----------
#
# No list of fields to keep: every column of a node type and every relation declared with
# `kvalitet.schema.reading.relations.relation` is a candidate, so a new one is covered as soon as it is
# declared. Argument values come from pools by GraphQL type.

VALUES = {
    "String": ["beam", "h2", "arlig", "nope"],
    "Int": [2026, 2025],
    "Boolean": [True, False],
    "DateTime": ['"2026-03-01T08:00:00+00:00"'],
}


def _definition(field):
    return (field.extensions or {}).get("strawberry-definition")


def _columns(graphql_type: GraphQLObjectType) -> list[str]:
    """The fields of a node type that are its row's columns (no resolver, a rendered kind)."""
    node = row_type(graphql_type)
    columns = getattr(node, "columns", {})
    found = ["__typename"]
    for name, field in graphql_type.fields.items():
        definition = _definition(field)
        if definition is not None and isinstance(read_of(definition), (Computed, NodeIdOf)):
            found.append(name)  # worked out from the row, in SQL on the compiled path
            continue
        if statement_row(graphql_type):  # every plain field is a column of the statement's row
            if definition is not None and definition.base_resolver is None and read_of(definition) is None:
                found.append(name)
            continue
        if definition is None or definition.base_resolver is not None or read_of(definition) is not None:
            continue
        named = get_named_type(field.type)
        listed = isinstance(field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type, GraphQLList)
        plain = isinstance(named, GraphQLScalarType) and named.name in (
            "String",
            "Int",
            "Boolean",
            "DateTime",
            "Date",
            "ID",
            "JSON",
        )
        if (plain and not listed) or isinstance(named, GraphQLEnumType):
            if name == "id" or columns.get(definition.python_name, definition.python_name) in node.model.__table__.c:
                found.append(name)
    return found


def _relations(graphql_type: GraphQLObjectType) -> dict[str, tuple]:
    return {
        name: (field, read_of(_definition(field)))
        for name, field in graphql_type.fields.items()
        if _definition(field) is not None
        and read_of(_definition(field)) is not None
        and not isinstance(read_of(_definition(field)), (Computed, NodeIdOf))
    }


def _argument(rng, name: str, argument) -> str | None:
    named = get_named_type(argument.type)
    # Cursors are the paging tests'; a page backward (`last`, `before`) is the default path's by
    # design (tests/schema/test_backward_paging.py).
    required = isinstance(argument.type, GraphQLNonNull)
    if name in ("after", "last", "before") or (not required and rng.random() < 0.5):
        return None
    if name == "period":  # a period of the profile: the refusals are test_compiled_rollups.py's
        return json.dumps("arlig")
    if name == "first":
        return str(rng.choice([0, 1, 2, 3]))
    if isinstance(named, GraphQLEnumType):
        return rng.choice(list(named.values))
    choices = VALUES.get(named.name)
    if not choices:
        return None
    value = rng.choice(choices)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and not value.startswith('"'):
        return json.dumps(value)
    return str(value)


def _selection(rng, schema, graphql_type: GraphQLObjectType, depth: int) -> str:
    columns = _columns(graphql_type)
    fields = rng.sample(columns, k=rng.randint(1, min(3, len(columns))))
    # An alias names its field, so two of them never ask one key for two fields.
    fields = [f"a{rng.randint(0, 9)}_{f}: {f}" if rng.random() < 0.15 and f != "__typename" else f for f in fields]
    relations = _relations(graphql_type)
    if depth > 0 and relations:
        for name in rng.sample(sorted(relations), k=rng.randint(0, min(2, len(relations)))):
            field, read = relations[name]
            given = {a: v for a, arg in field.args.items() if (v := _argument(rng, a, arg)) is not None}
            arguments = f"({', '.join(f'{a}: {v}' for a, v in given.items())})" if given else ""
            if isinstance(read, Page):
                node_type = get_named_type(get_named_type(field.type).fields["nodes"].type)
                inner = _selection(rng, schema, node_type, depth - 1)
                parts = [rng.choice(["totalCount", f"nodes {{ {inner} }}", f"edges {{ node {{ {inner} }} }}"])]
                parts.append(
                    rng.choice(
                        [
                            "pageInfo { hasNextPage endCursor }",
                            "edges { cursor }",
                            "pageInfo { startCursor hasPreviousPage }",
                        ]
                    )
                )
                inner = " ".join(parts)
            else:
                inner = _selection(rng, schema, get_named_type(field.type), depth - 1)
            fields.append(f"{name}{arguments} {{ {inner} }}")
    if rng.random() < 0.2:
        fields.append(f"... on {graphql_type.name} {{ {rng.choice(columns)} }}")
    return " ".join(fields)


def test_the_walk_reaches_every_relation_and_column(app):
    """Every relation declared in the schema is reachable from the root by the walk."""
    from kvalitet.schema import build_schema

    schema = build_schema(app.state.profiles)._schema
    seen, todo, relations = set(), ["Query"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for field_name, (field, read) in _relations(schema.type_map[name]).items():
            relations.add((name, field_name))
            target = get_named_type(field.type)
            todo.append(get_named_type(target.fields["nodes"].type).name if isinstance(read, Page) else target.name)
    declared = {
        (t.name, f) for t in schema.type_map.values() if isinstance(t, GraphQLObjectType) for f in _relations(t)
    }
    # The lists of API keys, webhook subscriptions and published sector reports are resolvers of
    # their own, so the walk does not reach those types; their one relation is the `history`
    # every versioned type shares, which the walk runs on all the others. `me` is a resolver of
    # its own too: its roles' municipality and unit are the relations the walk runs elsewhere.
    assert declared and relations <= declared
    assert {f for t, f in declared - relations if t != "RoleGrant"} <= {"history"}
    assert {type(read_of(_definition(schema.type_map[t].fields[f]))) for t, f in declared} == {
        Parent,
        Children,
        Page,
        Rows,
        Derived,
        Rollup,
    }


@pytest.mark.parametrize("seed", range(40))
async def test_random_queries(both, rich, app, seed):
    import random

    from kvalitet.schema import build_schema

    schema = build_schema(app.state.profiles)._schema
    rng = random.Random(seed)
    query = f'{{ municipality(number: "3301") {{ {_selection(rng, schema, schema.type_map["Municipality"], 4)} }} }}'
    await both(query)


# -- a repeated request skips the GraphQL pipeline, never the data or the caller --------------

DASHBOARD = (
    '{ municipality(number: "3301") { units { nodes { name reports { nodes { status assessments { level } } } } } } }'
)


async def test_a_repeated_request_runs_only_its_statement(
    secure_client, token, rich, database, statements, monkeypatch
):
    from sqlalchemy import text
    from strawberry.asgi import GraphQL

    admin = {"Authorization": f"Bearer {token('sector_admin', municipality='3301')}"}
    other = {"Authorization": f"Bearer {token('sector_admin', municipality='5501')}"}
    first = await secure_client.post("/graphql", json={"query": DASHBOARD}, headers=admin)
    assert first.json()["data"]["municipality"]["units"]["nodes"]

    async def no_pipeline(self, scope, receive, send):
        raise AssertionError("the GraphQL pipeline ran for a repeated request")

    with monkeypatch.context() as patch:
        patch.setattr(GraphQL, "__call__", no_pipeline)
        statements.reset()
        again = await secure_client.post("/graphql", json={"query": DASHBOARD}, headers=admin)
        assert again.json() == first.json()
        assert statements.count == 1  # the data (the caller's municipality is known by now)
        # The data is read again: a change shows at once.
        async with database.engine.begin() as connection:
            await connection.execute(text("UPDATE unit SET name = 'Omdøpt' WHERE name = 'Skole «Øst»'"))
        renamed = await secure_client.post("/graphql", json={"query": DASHBOARD}, headers=admin)
        assert "Omdøpt" in [u["name"] for u in renamed.json()["data"]["municipality"]["units"]["nodes"]]

    # Another caller with the same body goes through the pipeline and sees only its own.
    theirs = await secure_client.post("/graphql", json={"query": DASHBOARD}, headers=other)
    assert theirs.json()["data"]["municipality"]["units"]["nodes"] == []
    # A request with errors is never kept.
    bad = {"query": '{ municipality(number: "3301") { units(first: 5000) { totalCount } } }'}
    for _ in range(2):
        assert (await secure_client.post("/graphql", json=bad, headers=admin)).json()["errors"]


# -- a relation declared once is answered by both paths, with no other edit -------------------
#
# Two throwaway node types, declared only here, over tables no shipped type reads: an outbox
# event with its deliveries (Children) and a delivery with its subscription (Parent). Declaring
# them is all it takes: the loaders, the compiler and the schema walk pick them up.


@strawberry.type
class ThrowawayDelivery(RowNode):
    model = _models.WebhookDelivery
    id: relay.NodeID[str]
    status: str
    attempts: int
    last_error: str | None
    subscription_id: strawberry.Private[_uuid.UUID]

    @relation(Parent(_models.WebhookSubscription, "subscription_id"))
    async def subscription(self, info: Info) -> WebhookSubscription | None: ...


@strawberry.type
class ThrowawayEvent(RowNode):
    model = _models.OutboxEvent
    id: relay.NodeID[str]
    type: str
    created_at: str | None = None

    @relation(Children(_models.WebhookDelivery, "event_id", order=("attempts", "id"), limit_argument="first"))
    async def deliveries(self, info: Info, first: int | None = None) -> list[ThrowawayDelivery]: ...


@strawberry.type
class ThrowawayQuery:
    @strawberry.field
    def throwaway_event(self) -> ThrowawayEvent | None:
        return None


class ThrowawayTypes:
    @hookimpl
    def kvalitet_graphql_query_types(self):
        return [ThrowawayQuery]


async def test_a_relation_declared_on_a_new_type_is_answered_alike_on_both_paths(
    settings, test_profile, database, demo, statements
):
    from sqlalchemy import select

    pm = new_plugin_manager()
    pm.register(test_profile, name="testprofil")
    pm.register(ThrowawayTypes(), name="throwaway")
    profiles = Profiles(pm)
    async with database.session() as session, session.begin():
        municipality = await session.scalar(select(_models.Municipality).where(_models.Municipality.number == "3301"))
        subscription = _models.WebhookSubscription(
            municipality_id=municipality.id, url="https://example.org/hook", event_types=["unit.updated"], secret="s"
        )
        event = _models.OutboxEvent(municipality_id=municipality.id, type="unit.updated", payload={})
        session.add_all([subscription, event])
        await session.flush()
        session.add_all(
            [
                _models.WebhookDelivery(
                    event_id=event.id, subscription_id=subscription.id, attempts=n, last_error=error
                )
                for n, error in ((2, "HTTP 500"), (0, None), (1, 'Tidsavbrudd «hook» "x"'))
            ]
        )
    event_id = str(relay.GlobalID("ThrowawayEvent", str(event.id)))
    query = """query ($id: ID!) { node(id: $id) { ... on ThrowawayEvent { id type
      all: deliveries { id status attempts lastError subscription { id url } }
      two: deliveries(first: 2) { attempts } } } }"""
    answers = []
    for compiled in (True, False):
        async with service_client(settings, profiles, database, compiled=compiled) as http:
            statements.reset()
            response = await http.post("/graphql", json={"query": query, "variables": {"id": event_id}})
            assert response.status_code == 200, response.text
            answers.append(json.dumps(response.json()))  # key order kept; escapes aside
            if compiled:
                assert statements.count == 1 and len(statements.compiled) == 1, statements.statements
    assert answers[0] == answers[1]
    node = json.loads(answers[0])["data"]["node"]
    assert [d["attempts"] for d in node["all"]] == [0, 1, 2] and [d["attempts"] for d in node["two"]] == [0, 1]
    assert {d["subscription"]["url"] for d in node["all"]} == {"https://example.org/hook"}


def test_cursors_made_before_with_escaped_text_still_read_the_same():
    import base64

    from kvalitet.schema.reading.pagination import decode_cursor, encode_cursor

    values = ["Skole «Øst» 🌱", "7f0c1c9e-0000-4000-8000-000000000000"]
    escaped = json.dumps(values, separators=(",", ":"))  # how cursors were written before
    old = base64.urlsafe_b64encode(escaped.encode()).decode().rstrip("=")
    assert old != encode_cursor(values)
    assert decode_cursor(old, 2) == decode_cursor(encode_cursor(values), 2) == values


async def test_is_overdue_is_worked_out_in_sql_as_in_python(both, rich, database):
    from sqlalchemy import text

    async with database.engine.begin() as connection:  # one draft long past due, one due later
        await connection.execute(
            text(
                "UPDATE report SET due_on = CASE WHEN id = (SELECT min(id::text)::uuid FROM report WHERE status = 'draft') "
                "THEN DATE '2000-01-31' ELSE DATE '2999-01-31' END"
            )
        )
    body = await both('{ municipality(number: "3301") { reports(first: 20) { nodes { id status dueOn isOverdue } } } }')
    overdue = {node["isOverdue"] for node in body["data"]["municipality"]["reports"]["nodes"]}
    assert overdue == {True, False}


async def test_report_items_are_worked_out_in_sql_as_on_the_default_path(both, rich):
    """A report's items (the plan's criteria for the unit's kind, its measures where the plan's
    reports assess them, then its local plan's goals, each with the report's assessment) in one
    statement, as the default path lists them."""
    body = await both(
        """{ municipality(number: "3301") { reports(first: 20) { nodes { id unit { kind } localPlan { id }
            items { __typename area { key position } criterion { id text } localGoal { id text }
                    measure { id text } assessment { id level version } } } } } }"""
    )
    reports = body["data"]["municipality"]["reports"]["nodes"]
    items = [item for report in reports for item in report["items"]]
    # Both kinds of unit, local goals of plans linked and of plans found by unit, assessed and not.
    assert {r["unit"]["kind"] for r in reports} == {"SCHOOL", "KINDERGARTEN"}
    assert {len(r["items"]) for r in reports if r["unit"]["kind"] == "SCHOOL"} != {
        len(r["items"]) for r in reports if r["unit"]["kind"] == "KINDERGARTEN"
    }
    with_goals = {r["localPlan"] is None for r in reports if any(i["localGoal"] for i in r["items"])}
    assert with_goals == {True, False}
    assert any(i["assessment"] for i in items) and any(not i["assessment"] for i in items)
    assert all(sum(i[subject] is not None for subject in ("criterion", "localGoal", "measure")) == 1 for i in items)
    # Drammen's schools assess their ambitions' measures; its kindergartens do not.
    assert {r["unit"]["kind"] for r in reports if any(i["measure"] for i in r["items"])} == {"SCHOOL"}


NESTED_TREE = """query ($n: String!) { municipality(number: $n) { plans { areas { key children { key
    children { key children { key goals { text criteria { text } } criteria { text } measures { text } } } } } } } }"""
FLAT_TREE = """query ($n: String!) { municipality(number: $n) { plans { allAreas { key kind position parent { key }
    goals { text criteria { text } } criteria { text } measures { text } } } } }"""


async def test_a_whole_plan_tree_is_one_flat_list_within_the_cost_limit(both, client, demo):
    """`Plan.allAreas`: every area at any depth in plan order, each with its parent, answered in one
    statement; nesting `children` four deep is refused by the cost limit, the flat list is not."""
    nested = (await client.post("/graphql", json={"query": NESTED_TREE, "variables": {"n": "3301"}})).json()
    assert nested["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY", nested
    body = await both(FLAT_TREE, {"n": "3301"})
    [plan] = body["data"]["municipality"]["plans"]
    areas = plan["allAreas"]
    assert [a["position"] for a in areas] == sorted(a["position"] for a in areas) and len(areas) == 46
    keys = [a["key"] for a in areas]
    # Depth first: every area comes after its parent, and the tree has four levels.
    assert all(a["parent"] is None or keys.index(a["parent"]["key"]) < i for i, a in enumerate(areas))
    parent_of = {a["key"]: a["parent"]["key"] if a["parent"] else None for a in areas}

    def depth(key):
        return 0 if parent_of[key] is None else 1 + depth(parent_of[key])

    assert max(depth(k) for k in keys) == 3
    assert sum(len(a["measures"]) for a in areas) == 39 and sum(len(a["criteria"]) for a in areas) > 0
