"""The machinery of tests/web/test_fuzz_http.py: a walk of the schema, values for every input type,
the requests made of them, and the check each response must pass.

Everything about the API is read from the schema the app builds, so a new mutation, query
field or argument is fuzzed without anyone adding it here. What the test knows of the data
(ids, strings, cursors) is read from the database and the API once the demo is loaded.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import re
import threading
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphql
import structlog
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

Draw = Callable[[st.SearchStrategy], Any]
PARENT = "@@PARENT@@"  # in a target's path: the id of an object of the parent type, drawn per request

# -- The schema walk -----------------------------------------------------------------------------


@dataclass
class Target:
    """One field with arguments, and how an operation reaches it."""

    name: str  # "Mutation.createUnit", "Query.changes", "Municipality.units"
    operation: str  # "query", "mutation" or "subscription"
    field_name: str
    field: graphql.GraphQLField
    parent: str  # the type that has the field
    path: list[str] = field(default_factory=list)  # the selections that lead to the parent, outermost first
    real_parent: bool = True  # whether the path reaches an existing object (else the field never runs)

    @property
    def args(self) -> dict[str, graphql.GraphQLArgument]:
        return self.field.args

    @property
    def input_type_name(self) -> str:
        """The names that say what the field works on, for matching ids to types."""
        names = [self.field_name, self.parent]
        for arg in self.args.values():
            names.append(get_named_type(arg.type).name)
        return " ".join(names)


def _walkable(field: graphql.GraphQLField) -> bool:
    return not any(is_required_argument(a) for a in field.args.values())


def _composite(t) -> bool:
    return isinstance(get_named_type(t), (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))


def node_type_names(schema: graphql.GraphQLSchema) -> list[str]:
    node = schema.get_type("Node")
    return sorted(t.name for t in schema.get_possible_types(node)) if node else []


def paths_to_types(
    schema: graphql.GraphQLSchema, real_ids: dict[str, list[str]], max_depth: int = 5
) -> dict[str, list[str]]:
    """The shortest selection path from the root query to every object type reachable through
    fields without required arguments, or through `node(id:)` with a real id of a Node type."""
    found: dict[str, list[str]] = {}
    queue: deque[tuple[str, list[str]]] = deque()
    query = schema.query_type
    found[query.name] = []
    queue.append((query.name, []))
    node_field = query.fields.get("node")
    if node_field is not None:
        for type_name, ids in sorted(real_ids.items()):
            if ids and type_name not in found:
                path = [f"node(id: {PARENT})", f"... on {type_name}"]  # an id drawn for each request
                found[type_name] = path
                queue.append((type_name, path))
    while queue:
        type_name, path = queue.popleft()
        if len(path) >= max_depth * 2:
            continue
        t = schema.get_type(type_name)
        if not isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)):
            continue
        for name, f in t.fields.items():
            if name.startswith("__") or not _walkable(f) or not _composite(f.type):
                continue
            named = get_named_type(f.type)
            if isinstance(named, GraphQLObjectType):
                if named.name not in found:
                    found[named.name] = [*path, name]
                    queue.append((named.name, [*path, name]))
            elif isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
                for possible in schema.get_possible_types(named):
                    if possible.name not in found:
                        step = [*path, name, f"... on {possible.name}"]
                        found[possible.name] = step
                        queue.append((possible.name, step))
    return found


def walk(schema: graphql.GraphQLSchema, real_ids: dict[str, list[str]]) -> list[Target]:
    """Every mutation, every root query field and subscription with arguments, and every field
    with arguments of any type the root query reaches (a Node type through `node(id:)`)."""
    targets: list[Target] = []
    for operation, root in (
        ("mutation", schema.mutation_type),
        ("query", schema.query_type),
        ("subscription", schema.subscription_type),
    ):
        if root is None:
            continue
        for name, f in root.fields.items():
            if operation == "mutation" or f.args:
                targets.append(Target(f"{root.name}.{name}", operation, name, f, root.name))
    paths = paths_to_types(schema, real_ids)
    nodes = set(node_type_names(schema))
    roots = {r.name for r in (schema.query_type, schema.mutation_type, schema.subscription_type) if r}
    for type_name, t in sorted(schema.type_map.items()):
        if type_name.startswith("__") or type_name in roots or not isinstance(t, GraphQLObjectType):
            continue
        for name, f in t.fields.items():
            if not f.args:
                continue
            path = paths.get(type_name)
            real = path is not None
            if path is None and type_name in nodes:  # no such object here: the arguments are still coerced
                fake = base64.b64encode(f"{type_name}:{uuid.uuid4()}".encode()).decode()
                path = [f"node(id: {json.dumps(fake)})", f"... on {type_name}"]
            if path is None:
                continue  # unreachable from the root query (e.g. only in a payload)
            targets.append(Target(f"{type_name}.{name}", "query", name, f, type_name, path, real))
    return targets


def selection(t, depth: int) -> str:
    """Every field without required arguments, `depth` levels down (composites below: __typename)."""
    named = get_named_type(t)
    if is_leaf_type(named):
        return ""
    if depth <= 0 or isinstance(named, GraphQLUnionType):
        return "{ __typename }"
    parts = ["__typename"]
    for name, f in named.fields.items():
        if not _walkable(f):
            continue
        if is_leaf_type(get_named_type(f.type)):
            parts.append(name)
        elif depth > 1:
            parts.append(f"{name} {selection(f.type, depth - 1)}")
    return "{ " + " ".join(parts) + " }"


# -- What the data holds -------------------------------------------------------------------------


def global_id(type_name: str, node_id: object) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass
class Pools:
    """What the database and the API hold: real ids by type, short strings, cursors."""

    type_names: list[str]  # every named type of the schema
    node_types: list[str]
    ids: dict[str, list[str]] = field(default_factory=dict)  # real global ids by type
    owned: dict[str, list[str]] = field(default_factory=dict)  # those the test's sector admin may change
    raw_ids: list[str] = field(default_factory=list)  # the uuids behind them
    strings: list[str] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)

    @property
    def all_ids(self) -> list[str]:
        return [i for ids in self.ids.values() for i in ids]


TABLES = """SELECT table_name FROM information_schema.tables
  WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'
  ORDER BY table_name"""
COLUMNS = """SELECT table_name, column_name, data_type FROM information_schema.columns
  WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"""


async def table_columns(database) -> dict[str, dict[str, str]]:
    async with database.engine.connect() as connection:
        tables = list((await connection.execute(text(TABLES))).scalars())
        columns: dict[str, dict[str, str]] = {t: {} for t in tables}
        for table, column, kind in (await connection.execute(text(COLUMNS))).all():
            if table in columns:
                columns[table][column] = kind
    return columns


async def harvest(database, gql, schema: graphql.GraphQLSchema) -> Pools:
    """Real ids of every Node type (their table found by name, checked through `node(id:)`) and
    the short strings of every text column (numbers, codes, keys, kinds, entity types …)."""
    pools = Pools(
        type_names=sorted(n for n in schema.type_map if not n.startswith("__")), node_types=node_type_names(schema)
    )
    columns = await table_columns(database)
    by_table: dict[str, list[str]] = {}
    strings: set[str] = set()
    async with database.engine.connect() as connection:
        for table, cols in columns.items():
            if cols.get("id") == "uuid":
                rows = (
                    await connection.execute(text(f'SELECT id::text FROM "{table}" ORDER BY id LIMIT 12'))
                ).scalars()
                by_table[table] = list(rows)
            for column, kind in cols.items():
                if kind in ("text", "character varying") and column not in ("changes", "secret", "hash"):
                    values = (
                        await connection.execute(
                            text(
                                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE length("{column}") BETWEEN 1 AND 40 LIMIT 6'
                            )
                        )
                    ).scalars()
                    strings.update(values)
    for table, raw in by_table.items():
        if not raw:
            continue
        candidates = [t for t in pools.node_types if _snake(t) == table] or pools.node_types
        for chunk in range(0, len(candidates), 25):
            names = candidates[chunk : chunk + 25]
            query = (
                "{ "
                + " ".join(
                    f"n{i}: node(id: {json.dumps(global_id(n, raw[0]))}) {{ __typename }}" for i, n in enumerate(names)
                )
                + " }"
            )
            body = await gql.raw(query)
            hits = [
                n for i, n in enumerate(names) if ((body.get("data") or {}).get(f"n{i}") or {}).get("__typename") == n
            ]
            if hits:
                pools.ids.setdefault(hits[0], []).extend(global_id(hits[0], r) for r in raw)
                pools.raw_ids.extend(raw)
                break
    pools.strings = sorted(strings)
    return pools


async def harvest_owned(gql, schema: graphql.GraphQLSchema, pools: Pools, number: str) -> None:
    """The ids of everything the municipality `number` has, as deep as a query may go."""
    field = schema.query_type.fields.get("municipality")
    if field is None:
        return
    for depth in (4, 3, 2):
        body = await gql.raw(
            "query ($n: String!) { municipality(number: $n) " + selection(field.type, depth) + " }", {"n": number}
        )
        if body.get("data") and body["data"].get("municipality"):
            break
    else:
        return
    stack = [body["data"]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("id"), str) and item.get("__typename") in pools.node_types:
                ids = pools.owned.setdefault(item["__typename"], [])
                if item["id"] not in ids:
                    ids.append(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    for type_name, ids in pools.owned.items():  # and those the database walk did not find
        known = pools.ids.setdefault(type_name, [])
        known.extend(i for i in ids if i not in known)


def harvest_cursors(value: Any, into: set[str]) -> None:
    """Every string under a key that names a cursor, anywhere in a response."""
    if isinstance(value, dict):
        for key, item in value.items():
            if "ursor" in key and isinstance(item, str):
                into.add(item)
            else:
                harvest_cursors(item, into)
    elif isinstance(value, list):
        for item in value:
            harvest_cursors(item, into)


# -- Values --------------------------------------------------------------------------------------

INJECTED = ["\x00", "\ud800", "\udfff", "\x1b", "\x7f", "\u2028", "\ufeff", "\U0001f600", "\x08", "\r\n", "\u0301"]
NUMBERISH = [
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "-1",
    "0",
    "1e309",
    "NaN",
    "-0",
    " 1",
    "0x10",
    "١٢٣",
    "1_000",
    "Infinity",
    "18446744073709551616",
]
HUGE_INTS = [
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**100,
    -(10**30),
]
FLOATS = [1e308, -1e308, 5e-324, 0.0, -0.0, 1.5, 2.5e9, 9.223372036854776e18, float("nan"), float("inf"), float("-inf")]
LONG = [201, 256, 1_000, 4_096, 65_536, 200_000]
DATES = [
    "2024-02-30",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2024-1-1",
    "2024-13-01",
    "2024-01-01T00:00:00",
    "20240101",
    "",
    "today",
    "2024-01-01\x00",
]
DATETIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:00:00+25:00",
    "2024-01-01",
    "1970-01-01T00:00:00.0000001Z",
    "99999-01-01T00:00:00Z",
    "2024-01-01T00:00:00+00:00\x00",
    "",
    "now",
]
# In range for GraphQL (and Python), but at the edges of what the database or a conversion takes.
EDGE_INTS = [2**31 - 1, -(2**31), -1, 0, 1, 10**6, 10**9, 32_767, 32_768, -32_769, 9_999, 10_000]
EDGE_DATES = ["0001-01-01", "9999-12-31", "1970-01-01", "2000-02-29", "2100-02-28", "4713-01-01"]
EDGE_DATETIMES = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59.999999Z",
    "1970-01-01T00:00:00Z",
    "2024-03-31T02:30:00+02:00",
]
JUNK_TYPE_NAMES = ["", "Node", "node", "Unit\x00", "Query", "Mutation", "__Type", "Ünit", "Unit:Unit", " Unit"]

any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Text with controls, NUL, lone surrogates and anything else Unicode has.
wild_char = st.one_of(
    st.characters(codec=None, categories=None),  # anything, surrogates too
    st.characters(max_codepoint=0x1F),
    st.sampled_from([c for c in INJECTED if len(c) == 1]),
)
wild_text = st.text(alphabet=wild_char, max_size=40)


@dataclass(frozen=True)
class Raw:
    """JSON text spliced into the body as it is (deep nesting that json.dumps cannot write)."""

    json: str
    literal: str | None = None  # as a GraphQL literal, when it has one

    def __repr__(self) -> str:
        return f"Raw({self.json[:40]}…{len(self.json)} chars)"


def deep_json(draw: Draw) -> Raw:
    depth = draw(st.sampled_from([100, 500, 900, 999, 1_000, 1_001, 2_000, 10_000, 100_000]))
    shape = draw(st.sampled_from(["list", "object", "mixed"]))
    if shape == "list":
        return Raw("[" * depth + "]" * depth, "[" * depth + "]" * depth)
    if shape == "object":
        return Raw('{"a":' * depth + "1" + "}" * depth, "{a: " * depth + "1" + "}" * depth)
    return Raw('[{"a":' * (depth // 2) + "1" + "}]" * (depth // 2), "[{a: " * (depth // 2) + "1" + "}]" * (depth // 2))


def wide_json(draw: Draw) -> Raw:
    width = draw(st.sampled_from([1_000, 10_000, 60_000]))
    shape = draw(st.sampled_from(["ints", "strings", "object", "nulls"]))
    if shape == "ints":
        items = ",".join(str(i) for i in range(width))
        return Raw(f"[{items}]", f"[{items}]")
    if shape == "strings":
        return Raw("[" + ",".join(['"x"'] * width) + "]", "[" + ",".join(['"x"'] * width) + "]")
    if shape == "nulls":
        return Raw("[" + ",".join(["null"] * width) + "]", "[" + ",".join(["null"] * width) + "]")
    return Raw(
        "{" + ",".join(f'"k{i}":{i}' for i in range(width)) + "}",
        "{" + " ".join(f"k{i}: {i}" for i in range(width)) + "}",
    )


def chance(draw: Draw, n: int) -> bool:
    """True once in `n` (not for hypothesis's simplest example, which draws zeros)."""
    return draw(st.integers(0, n - 1)) == n // 2


class Values:
    """Values for GraphQL input types: realistic ones (real ids, known strings, valid enums,
    small numbers), hostile ones, and values of the wrong type."""

    def __init__(self, pools: Pools):
        self.pools = pools

    # Realistic --------------------------------------------------------------------------------

    def ids_for(self, name: str, context: str, owned: bool = True) -> list[str]:
        """Real ids whose type the argument's or field's name, or its input type's, names (of the
        test's own municipality, when `owned` and there are some)."""
        pools = self.pools
        source = pools.owned if owned else pools.ids
        stem = re.sub(r"Ids?$", "", name)
        if stem and stem != name:
            matching = [t for t in source if t.lower() == stem.lower() or t.lower().endswith(stem.lower())]
            if matching:
                return [i for t in matching for i in source[t]]
        if name in ("id", "ids"):
            named = sorted((t for t in source if t in context), key=len, reverse=True)
            if named:
                return source[named[0]]
        return (self.ids_for(name, context, False) if owned else []) or pools.all_ids

    def realistic(self, draw: Draw, t, name: str, context: str) -> Any:
        if isinstance(t, GraphQLNonNull):
            return self.realistic(draw, t.of_type, name, context)
        if isinstance(t, GraphQLList):
            return [self.realistic(draw, t.of_type, name, context) for _ in range(draw(st.integers(0, 2)))]
        if isinstance(t, GraphQLEnumType):
            return draw(st.sampled_from(sorted(t.values)))
        if isinstance(t, GraphQLInputObjectType):
            value = {}
            for field_name, f in t.fields.items():
                required = isinstance(f.type, GraphQLNonNull) and f.default_value is graphql.Undefined
                if required or chance(draw, 4):
                    value[field_name] = self.realistic(draw, f.type, field_name, context + " " + t.name)
            return value
        return self.realistic_scalar(draw, t, name, context)

    def realistic_scalar(self, draw: Draw, t: GraphQLScalarType, name: str, context: str) -> Any:
        kind = t.name
        if kind == "ID" or name.endswith("Id") or name.endswith("Ids"):
            ids = self.ids_for(name, context, owned=not chance(draw, 5))
            return draw(st.sampled_from(ids)) if ids else global_id("Unit", uuid.uuid4())
        if name in ("after", "before") or "cursor" in name.lower():
            # Another connection's cursor is refused: realistic is mostly none at all.
            return draw(st.sampled_from(self.pools.cursors)) if self.pools.cursors and chance(draw, 3) else None
        if kind == "Int":
            if name == "version":
                return draw(st.sampled_from([1, 1, 1, 2, 3]))
            if "year" in name.lower() or "period" in name.lower():
                return draw(st.integers(2023, 2027))
            return draw(st.integers(0, 5) | st.sampled_from([10, 20]))
        if kind == "Float":
            return draw(st.floats(-10, 10))
        if kind == "Boolean":
            return draw(st.booleans())
        if kind == "Date":
            return draw(st.dates()).isoformat()
        if kind == "DateTime":
            return draw(st.datetimes(timezones=st.just(__import__("datetime").timezone.utc))).isoformat()
        if kind == "String":
            return draw(st.sampled_from(self.pools.strings) | st.text(max_size=20) | st.just("h1"))
        return draw(any_json)

    def parent_id(self, draw: Draw, type_name: str) -> str:
        """An object to ask a nested field of: mostly one of the test's municipality (whose
        rows the sector admin may read, so the field's code runs), sometimes any."""
        owned, known = self.pools.owned.get(type_name), self.pools.ids.get(type_name)
        ids = owned if owned and not chance(draw, 5) else known or owned
        return draw(st.sampled_from(ids)) if ids else global_id(type_name, uuid.uuid4())

    # Hostile ---------------------------------------------------------------------------------

    def hostile_text(self, draw: Draw) -> str:
        branch = draw(st.integers(0, 10))
        if branch == 0:  # a known value with a control, a NUL or a lone surrogate in it
            base = draw(st.sampled_from(self.pools.strings)) if self.pools.strings else "Unit"
            at = draw(st.integers(0, len(base)))
            return base[:at] + draw(st.sampled_from(INJECTED)) + base[at:]
        if branch == 1:
            return draw(wild_text)
        if branch == 2:
            return draw(st.sampled_from(INJECTED)) * draw(st.integers(1, 3))
        if branch == 3:
            return draw(st.sampled_from(["x", "ø", "\x00", "\ud800", "😀", " "])) * draw(st.sampled_from(LONG))
        if branch == 4:
            return self.hostile_id(draw)
        if branch == 5:
            return base64.b64encode(draw(st.binary(max_size=40))).decode()
        if branch == 6:
            return self.hostile_cursor(draw)
        if branch == 7:
            return draw(st.sampled_from(NUMBERISH))
        if branch == 8:
            return draw(
                st.sampled_from(["", " ", "\t\n", "null", "%s%n", "{0}", "'; SELECT 1; --", "\\", "../../etc/passwd"])
            )
        if branch == 9:
            return draw(st.sampled_from(DATES + DATETIMES))
        return draw(st.text(max_size=30))

    def hostile_id(self, draw: Draw) -> str:
        branch = draw(st.integers(0, 5))
        type_name = draw(st.sampled_from(self.pools.node_types + self.pools.type_names + JUNK_TYPE_NAMES))
        raw = self.pools.raw_ids
        part = draw(
            st.one_of(
                st.sampled_from(raw) if raw else st.uuids().map(str),
                st.uuids().map(str),
                st.sampled_from(
                    ["", "1", "-1", str(2**63), str(10**40), "00000000-0000-0000-0000-00000000000", "null"]
                ),
                wild_text,
                (st.sampled_from(raw) if raw else st.uuids().map(str)).map(lambda u: u + "\x00"),
            )
        )
        if branch == 0 and self.pools.all_ids:  # a real id, damaged
            real = draw(st.sampled_from(self.pools.all_ids))
            cut = draw(st.integers(0, len(real)))
            return real[:cut] + draw(st.sampled_from(["", "=", "==", "!", "\x00", "\ud800", "A"])) + real[cut + 1 :]
        if branch == 1:  # urlsafe, unpadded
            return base64.urlsafe_b64encode(f"{type_name}:{part}".encode("utf-8", "surrogatepass")).decode().rstrip("=")
        if branch == 2:  # not base64 at all
            return f"{type_name}:{part}"
        if branch == 3:  # no colon
            return base64.b64encode(f"{type_name}{part}".encode("utf-8", "surrogatepass")).decode()
        return base64.b64encode(f"{type_name}:{part}".encode("utf-8", "surrogatepass")).decode()

    def hostile_cursor(self, draw: Draw) -> str:
        values: list[Any]
        if self.pools.cursors and draw(st.booleans()):
            real = draw(st.sampled_from(self.pools.cursors))
            try:
                values = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
            except ValueError:
                values = [real]
            if not isinstance(values, list):
                values = [values]
        else:
            values = [None] * draw(st.integers(0, 3))
        values = list(values)
        for i in range(len(values)):
            if draw(st.booleans()):
                values[i] = draw(
                    st.sampled_from(NUMBERISH + DATES + DATETIMES + ["\x00", "\ud800", "x" * 300])
                    | wild_text
                    | st.integers()
                    | st.none()
                    | st.sampled_from([[], {}, True, 1.5])
                )
        if chance(draw, 5):
            values.append(draw(st.sampled_from(NUMBERISH)))
        text_ = json.dumps(values) if draw(st.integers(0, 5)) else json.dumps(values[0] if values else None)
        encoded = base64.urlsafe_b64encode(text_.encode("utf-8", "surrogatepass")).decode()
        return encoded.rstrip("=") if draw(st.booleans()) else encoded

    def hostile(self, draw: Draw, t, name: str, context: str, level: int = 0) -> Any:
        """A value of about the right shape, with hostile contents; often of the wrong type."""
        branch = draw(st.integers(0, 19))
        if branch == 7:
            return None
        if branch == 8:
            return draw(any_json)
        if branch == 9 and level == 0:
            return deep_json(draw) if draw(st.booleans()) else wide_json(draw)
        if isinstance(t, GraphQLNonNull):
            return self.hostile(draw, t.of_type, name, context, level)
        if isinstance(t, GraphQLList):
            shape = draw(st.integers(0, 4))
            if shape == 0:  # long
                item = self.hostile(draw, t.of_type, name, context, level + 1)
                return [item] * draw(st.sampled_from([100, 1_000, 20_000]))
            if shape == 1:  # a single value, which input coercion may take for a list
                return self.hostile(draw, t.of_type, name, context, level + 1)
            if shape == 2:  # nulls and nesting
                return [None, [self.realistic(draw, t.of_type, name, context)]]
            return [self.hostile(draw, t.of_type, name, context, level + 1) for _ in range(draw(st.integers(0, 3)))]
        if isinstance(t, GraphQLEnumType):
            names = sorted(t.values)
            return draw(
                st.sampled_from(names).map(str.lower)
                | st.sampled_from(names).map(lambda n: n + "\x00")
                | st.sampled_from(["", "null", "true", "__typename", "A" * 1000])
                | st.integers()
            )
        if isinstance(t, GraphQLInputObjectType):
            value = {}
            for field_name, f in t.fields.items():
                mode = draw(st.integers(0, 5))
                if mode == 0:
                    continue  # missing, required or not
                inner = f"{context} {t.name}"
                value[field_name] = (
                    self.hostile(draw, f.type, field_name, inner, level + 1)
                    if mode <= 2
                    else self.realistic(draw, f.type, field_name, inner)
                )
            if chance(draw, 5):  # a field it does not have
                value[draw(st.sampled_from(["extra", "__typename", "id", "", "x\x00"]))] = draw(any_json)
            return value
        return self.hostile_scalar(draw, t, name)

    def hostile_scalar(self, draw: Draw, t: GraphQLScalarType, name: str) -> Any:
        kind = t.name
        if kind in ("String", "ID"):
            if kind == "ID" and draw(st.booleans()):
                return self.hostile_id(draw)
            if name in ("after", "before") and draw(st.booleans()):
                return self.hostile_cursor(draw)
            return (
                self.hostile_text(draw) if draw(st.integers(0, 5)) else draw(st.integers() | st.sampled_from(HUGE_INTS))
            )
        # Values of the right type get past input coercion to the code behind: they come first.
        if kind == "Int":
            return draw(
                st.sampled_from(EDGE_INTS)
                | st.integers(-5, 5)
                | st.sampled_from(HUGE_INTS)
                | st.integers()
                | st.sampled_from(FLOATS)
                | st.sampled_from(["1", "", "2024", True])
            )
        if kind == "Float":
            return draw(
                st.sampled_from(FLOATS) | st.sampled_from(HUGE_INTS) | st.floats() | st.sampled_from(["1.0", ""])
            )
        if kind == "Boolean":
            return draw(st.sampled_from([0, 1, "true", "false", "", None, []]))
        if kind == "Date":
            return draw(
                st.sampled_from(DATES)
                | st.sampled_from(EDGE_DATES)
                | st.sampled_from(DATETIMES)
                | st.integers()
                | wild_text
            )
        if kind == "DateTime":
            return draw(
                st.sampled_from(EDGE_DATETIMES)
                | st.sampled_from(DATETIMES)
                | st.sampled_from(DATES)
                | st.integers()
                | wild_text
            )
        return draw(any_json | st.sampled_from(HUGE_INTS) | wild_text)


# -- Requests ------------------------------------------------------------------------------------

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def literal(value: Any, t=None) -> str:
    """`value` as a GraphQL literal (enum values bare where the type is an enum)."""
    named = get_named_type(t) if t is not None else None
    if isinstance(value, Raw):
        return value.literal or "null"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value) if math.isfinite(value) else str(value)  # NaN, inf: a name, refused
    if isinstance(value, str):
        if isinstance(named, GraphQLEnumType) and _NAME.fullmatch(value) and value not in ("true", "false", "null"):
            return value
        return json.dumps(value)  # ASCII with \u escapes, which GraphQL strings share
    if isinstance(value, list):
        item_type = None
        if t is not None:
            inner = t.of_type if isinstance(t, GraphQLNonNull) else t
            item_type = inner.of_type if isinstance(inner, GraphQLList) else inner
        return "[" + " ".join(literal(v, item_type) for v in value) + "]"
    if isinstance(value, dict):
        fields = named.fields if isinstance(named, GraphQLInputObjectType) else {}
        parts = []
        for key, item in value.items():
            name = key if _NAME.fullmatch(key) else "x_" + re.sub(r"\W", "_", key.encode("ascii", "replace").decode())
            f = fields.get(key)
            parts.append(f"{name}: {literal(item, f.type if f else None)}")
        return "{" + " ".join(parts) + "}"
    return json.dumps(str(value))


@dataclass
class Request:
    target: str
    document: str
    variables: dict[str, Any] | None
    anonymous: bool
    extra: dict[str, Any] = field(default_factory=dict)  # other keys of the body
    accept: str | None = None

    def body(self) -> bytes:
        """ASCII JSON (lone surrogates as \\ud800 escapes), with Raw values spliced in."""
        raws: list[Raw] = []

        def default(value):
            if isinstance(value, Raw):
                raws.append(value)
                return f"@@RAW{len(raws) - 1}@@"
            raise TypeError(type(value))

        payload = {"query": self.document, **self.extra}
        if self.variables is not None:
            payload["variables"] = self.variables
        encoded = json.dumps(payload, ensure_ascii=True, allow_nan=True, default=default)
        for i, raw in enumerate(raws):
            encoded = encoded.replace(f'"@@RAW{i}@@"', raw.json, 1)
        return encoded.encode("ascii")

    def show(self, limit: int = 1_500) -> str:
        """The request as a reader could paste it: the document, the variables (ASCII JSON)."""
        variables = self.body().decode()
        if len(variables) > limit:
            variables = variables[:limit] + f"… ({len(variables)} characters)"
        who = "anonymous" if self.anonymous else "sector_admin of 9901"
        accept = f", Accept: {self.accept}" if self.accept else ""
        return f"[{self.target}, {who}{accept}] body: {variables}"


class Requests:
    """Draws a request for a target: each argument omitted, sent as a variable or inlined as a
    literal, with a realistic or a hostile value."""

    def __init__(self, values: Values, depth: dict[str, int] | None = None):
        self.values = values
        self.depth = depth or {"mutation": 2, "query": 3, "subscription": 2}

    def draw(self, draw: Draw, target: Target, *, deep: bool = False) -> Request:
        # One hostile argument (or one field of an input object) and the rest realistic gets past
        # validation to the code behind; all hostile finds what input coercion lets through.
        focus_all = chance(draw, 3)
        args = list(target.args.items())
        focus = draw(st.sampled_from([name for name, _ in args])) if args else None
        if not focus_all and chance(draw, 4):  # all realistic: what succeeds may write
            focus = None
        defs, call, variables = [], [], {}
        for name, arg in args:
            required = is_required_argument(arg)
            hostile = focus_all or name == focus
            if not required and not hostile and draw(st.booleans()):
                continue
            if hostile:
                value = self.focused(draw, arg.type, name, target.input_type_name)
            else:
                value = self.values.realistic(draw, arg.type, name, target.input_type_name)
            if chance(draw, 5) and not (deep and isinstance(value, Raw)):
                call.append(f"{name}: {literal(value, arg.type)}")
            else:
                var_type = str(arg.type)
                if chance(draw, 16):  # declared with another type than the argument's
                    var_type = draw(st.sampled_from(["String", "Int", "[ID!]!", "Boolean!", var_type.rstrip("!")]))
                defs.append(f"$a_{name}: {var_type}")
                call.append(f"{name}: $a_{name}")
                variables[f"a_{name}"] = value
        extra: dict[str, Any] = {}
        if deep:
            where = draw(st.integers(0, 3))
            bulk = deep_json(draw) if draw(st.booleans()) else wide_json(draw)
            if where == 0 or not variables:
                variables["unused"] = bulk
            elif where == 1:
                key = draw(st.sampled_from(sorted(variables)))
                if isinstance(variables[key], dict) and variables[key]:
                    inner = draw(st.sampled_from(sorted(variables[key])))
                    variables[key] = {**variables[key], inner: bulk}
                else:
                    variables[key] = bulk
            elif where == 2:
                extra["extensions"] = bulk
            else:
                key = draw(st.sampled_from(sorted(variables)))
                variables[key] = bulk
        depth = self.depth[target.operation]
        field_text = (
            target.field_name + (f"({', '.join(call)})" if call else "") + " " + selection(target.field.type, depth)
        )
        for step in reversed(target.path):
            if PARENT in step:
                step = step.replace(PARENT, json.dumps(self.values.parent_id(draw, target.parent)))
            field_text = f"{step} {{ {field_text} }}"
        head = target.operation + (f" ({', '.join(defs)})" if defs else "")
        document = f"{head} {{ {field_text} }}"
        anonymous = chance(draw, 7)
        if chance(draw, 10):
            extra["operationName"] = draw(st.sampled_from([None, "", "x", 1, ["a"], "\x00"]))
        sent_variables: Any = variables if (variables or draw(st.booleans())) else None
        if not deep and chance(draw, 31):
            sent_variables = draw(st.sampled_from([[], "x", 1, True, [variables]]))
        accept = None
        if target.operation == "subscription":
            accept = 'multipart/mixed;subscriptionSpec="1.0", application/json'
        return Request(target.name, document, sent_variables, anonymous, extra, accept)

    def focused(self, draw: Draw, t, name: str, context: str) -> Any:
        """For an input object: realistic, but one field hostile; otherwise a hostile value."""
        named = t.of_type if isinstance(t, GraphQLNonNull) else t
        if isinstance(named, GraphQLInputObjectType) and not chance(draw, 3):
            value = self.values.realistic(draw, named, name, context)
            field_name = draw(st.sampled_from(sorted(named.fields)))
            value[field_name] = self.values.hostile(
                draw, named.fields[field_name].type, field_name, f"{context} {named.name}", 1
            )
            return value
        return self.values.hostile(draw, t, name, context)


# -- The check -----------------------------------------------------------------------------------

_UNEXPECTED_EVENTS = ("graphql.unexpected_error", "request.unexpected_error")


class LogCapture:
    """Every structlog event, with its exception formatted (what the service would log)."""

    def __init__(self):
        self.entries: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, logger, method_name, event_dict):
        if (
            method_name in ("warning", "error", "exception", "critical")
            or event_dict.get("event") in _UNEXPECTED_EVENTS
        ):
            event_dict = {**event_dict, "level": method_name}
            with self.lock:
                self.entries.append(dict(event_dict))
        raise structlog.DropEvent

    def __enter__(self):
        self.saved = structlog.get_config()
        structlog.configure(processors=[structlog.processors.format_exc_info, self], cache_logger_on_first_use=False)
        # graphql-core's and strawberry's own log of every refused request: thousands of lines
        self.quiet = {name: logging.getLogger(name).level for name in ("strawberry.execution", "strawberry")}
        for name in self.quiet:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        return self

    def __exit__(self, *exc):
        structlog.configure(**self.saved)
        for name, level in self.quiet.items():
            logging.getLogger(name).setLevel(level)


@dataclass
class Failure:
    kind: str
    request: Request
    detail: str
    targets: set[str] = field(default_factory=set)
    hits: int = 0
    notes: set[str] = field(default_factory=set)  # the distinct messages of the answers


def _exception_line(lines: list[str]) -> str:
    """The line that names the exception, after the last frame."""
    frames = [i for i, line in enumerate(lines) if line.lstrip().startswith('File "')]
    for line in lines[(frames[-1] + 1 if frames else 0) :]:
        if line and not line.startswith(" "):
            return line
    return lines[-1] if lines else ""


def _last_frames(trace: str) -> str:
    """The innermost frames of a formatted traceback in kvalitet/ (and the very last frame), and
    the exception."""
    lines = trace.rstrip().splitlines()
    frames = [i for i, line in enumerate(lines) if line.lstrip().startswith('File "')]
    if not frames:
        return "\n".join(lines[-6:])
    ends = [*frames[1:], len(lines)]
    blocks = [
        (lines[s], [x for x in lines[s + 1 : e] if x.strip() and not set(x.strip()) <= set("^~ ")])
        for s, e in zip(frames, ends, strict=True)
    ]
    ours = [i for i, (head, _) in enumerate(blocks) if "/kvalitet/" in head or "/tests/" in head]
    keep = sorted(set(ours[-3:]) | {len(blocks) - 1})
    out = []
    for i in keep:
        head, body = blocks[i]
        if out and i != keep[keep.index(i) - 1] + 1:
            out.append("  …")
        out.append(head.rstrip())
        if i == len(blocks) - 1:  # the last frame's code, then the exception (a few lines)
            out.extend(x.rstrip() for x in body[:8])
        elif body:
            out.append(body[0].rstrip())
    return "\n".join(out)[-2_500:]


def _signature(trace: str) -> str:
    """A crash's cause: its exception type and the innermost frame in the service's code."""
    lines = trace.rstrip().splitlines()
    ours = [line.strip() for line in lines if line.lstrip().startswith('File "') and "/kvalitet/" in line]
    kind = _exception_line(lines).split(":", 1)[0]
    where = re.sub(r'^File ".*?/(kvalitet/[^"]+)"', r"\1", ours[-1]) if ours else "(no frame in kvalitet/)"
    return f"{kind} at {where}"


def _errors_of(body: Any, field_name: str) -> tuple[list, list]:
    """The response's GraphQL errors, and the `errors` the field's payload reports."""
    if not isinstance(body, dict):
        return [], []
    top = body.get("errors") or []
    data = body.get("data") or {}
    payload = data.get(field_name) if isinstance(data, dict) else None
    user = payload.get("errors") if isinstance(payload, dict) else None
    return top, user or []


class Checker:
    """Sends requests and keeps every distinct failure (the smallest request for each cause)."""

    def __init__(self, http, database, tokens: dict[str, str], logs: LogCapture, timeout: float = 30.0):
        self.http = http
        self.database = database
        self.tokens = tokens
        self.logs = logs
        self.timeout = timeout
        self.failures: dict[str, Failure] = {}
        self.fingerprint_sql: str | None = None
        self.last: dict | None = None
        self.sent = 0
        self.statuses: dict[int, int] = {}
        self.outcomes: dict[str, int] = {"ok": 0, "refused": 0, "user_errors": 0}
        self.by_target: dict[str, dict[str, int]] = {}
        self.reasons: dict[str, dict[str, int]] = {}
        self.logged: dict[str, list] = {}  # warnings and errors the service logged, by event and error

    async def prepare(self) -> None:
        columns = await table_columns(self.database)
        parts = []
        for table, cols in columns.items():
            updated = 'max("updated_at")::text' if "updated_at" in cols else "NULL"
            version = 'sum("version")::text' if "version" in cols else "NULL"
            parts.append(f"""SELECT '{table}', count(*), {updated}, {version} FROM "{table}\"""")
        self.fingerprint_sql = " UNION ALL ".join(parts)
        self.last = await self.fingerprint()

    async def fingerprint(self) -> dict[str, tuple]:
        """Rows, the latest update and the sum of versions of every table: what any write moves."""
        async with self.database.engine.connect() as connection:
            rows = (await connection.execute(text(self.fingerprint_sql))).all()
        return {table: (count, updated, version) for table, count, updated, version in rows}

    def record(self, signature: str, kind: str, request: Request, detail: str, note: str | None = None) -> None:
        failure = self.failures.get(signature)
        if failure is None or len(request.body()) < len(failure.request.body()):
            previous = failure
            failure = Failure(kind, request, detail)
            if previous is not None:
                failure.targets, failure.hits, failure.notes = previous.targets, previous.hits, previous.notes
            self.failures[signature] = failure
        if note:
            failure.notes.add(note)
        failure.targets.add(request.target)
        failure.hits += 1

    async def check(self, target: Target, request: Request) -> None:
        headers = {"content-type": "application/json"}
        if not request.anonymous:
            headers["Authorization"] = f"Bearer {self.tokens['admin']}"
        if request.accept:
            headers["accept"] = request.accept
        body = request.body()
        logged = len(self.logs.entries)
        self.sent += 1
        response = None
        try:
            response = await asyncio.wait_for(self.http.post("/graphql", content=body, headers=headers), self.timeout)
        except TimeoutError:
            self.record(f"hang: {target.name}", "no answer", request, f"no answer within {self.timeout} s")
        except Exception as error:  # the app raised: a client would get a 500
            trace = "".join(traceback.format_exception(error))
            self.record(
                f"500: {_signature(trace)}", "HTTP 500 (exception out of the app)", request, _last_frames(trace)
            )
        crashes = [e for e in self.logs.entries[logged:] if e.get("event") in _UNEXPECTED_EVENTS]
        for entry in self.logs.entries[logged:]:
            if entry.get("event") not in _UNEXPECTED_EVENTS:  # not a failure, but worth a look
                error = re.sub(r"\d+", "N", str(entry.get("error", ""))[:160])
                key = f"{entry.get('level')} {entry.get('event')}: {error}"
                seen = self.logged.setdefault(key, [0, request])
                seen[0] += 1
                if len(request.body()) < len(seen[1].body()):
                    seen[1] = request
        for entry in crashes:
            trace = entry.get("exception") or repr(entry)
            status = response.status_code if response is not None else "-"
            kind = (
                "HTTP 500"
                if entry["event"] == "request.unexpected_error"
                else f"masked unexpected error (INTERNAL_SERVER_ERROR, HTTP {status})"
            )
            self.record(
                f"{kind.split(' (')[0]}: {_signature(trace)}",
                kind,
                request,
                f"log: {entry['event']} path={entry.get('path')}\n{_last_frames(trace)}",
            )
        parsed: Any = None
        if response is not None:
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500 and not crashes:
                self.record(
                    f"status {response.status_code}: {target.name}",
                    f"HTTP {response.status_code}",
                    request,
                    response.text[:800],
                )
            content_type = response.headers.get("content-type", "")
            if "multipart" in content_type:
                if "INTERNAL_SERVER_ERROR" in response.text and not crashes:
                    self.record(
                        f"masked in stream: {target.name}",
                        "INTERNAL_SERVER_ERROR in a stream",
                        request,
                        response.text[:800],
                    )
            else:
                try:
                    parsed = response.json()
                except ValueError:
                    self.record(
                        f"not JSON: HTTP {response.status_code} {content_type}",
                        "a body that is not JSON",
                        request,
                        f"HTTP {response.status_code} {content_type}: {response.text[:300]!r}",
                        note=re.sub(r'"[^"]*"', '"…"', re.sub(r"\d+", "N", response.text[:150])),
                    )
                if isinstance(parsed, dict):
                    for error in parsed.get("errors") or []:
                        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
                        if code == "INTERNAL_SERVER_ERROR" and not crashes:
                            self.record(
                                f"masked without log: {target.name}",
                                "INTERNAL_SERVER_ERROR",
                                request,
                                json.dumps(error)[:800],
                            )
        top, user = _errors_of(parsed, target.field_name)
        if response is not None and response.status_code >= 400 and not top:
            top = [response.status_code]
        outcome = "refused" if top else "user_errors" if user else "ok"
        if top:
            first = top[0]
            message = first.get("message", "") if isinstance(first, dict) else f"HTTP {first}"
            reasons = self.reasons.setdefault(target.name, {})
            message = re.sub(r"\d+", "N", str(message))[:150]
            reasons[message] = reasons.get(message, 0) + 1
        elif user:
            reasons = self.reasons.setdefault(target.name, {})
            message = "; ".join(f"{e.get('field')}:{e.get('code')}" for e in user if isinstance(e, dict))
            reasons[message] = reasons.get(message, 0) + 1
        self.outcomes[outcome] += 1
        self.by_target.setdefault(target.name, {}).setdefault(outcome, 0)
        self.by_target[target.name][outcome] += 1
        now = await self.fingerprint()
        if now != self.last:
            changed = sorted(t for t in now if now[t] != self.last.get(t))
            may_write = (
                target.operation == "mutation"
                and response is not None
                and response.status_code == 200
                and not top
                and not user
                and isinstance(parsed, dict)
                and not crashes
            )
            if not may_write:
                why = (
                    "a query or subscription"
                    if target.operation != "mutation"
                    else "GraphQL errors"
                    if top
                    else "payload errors"
                    if user
                    else "no answer or a crash"
                )
                detail = "; ".join(f"{t}: {self.last.get(t)} → {now[t]}" for t in changed)
                answer = response.text[:600] if response is not None else "-"
                self.record(
                    f"written despite {why}: {target.name} {changed}",
                    f"written despite {why}",
                    request,
                    f"{detail}\nanswer: {answer}",
                )
        self.last = now

    def summary(self) -> str:
        statuses = ", ".join(f"{n}× {status}" for status, n in sorted(self.statuses.items()))
        return (
            f"HTTP {statuses}; answered {self.outcomes['ok']}, refused {self.outcomes['refused']}, "
            f"with payload errors {self.outcomes['user_errors']}"
        )

    def warnings(self) -> str:
        """What the service logged as a warning or error without failing the request."""
        return "\n".join(
            f"  {count}× {key}\n     e.g. {request.show(600)}" for key, (count, request) in sorted(self.logged.items())
        )

    def unreached(self) -> list[str]:
        """The targets every request to which was refused before running (their code untested)."""
        return sorted(t for t, outcomes in self.by_target.items() if set(outcomes) == {"refused"})

    def report(self) -> str:
        lines = [f"{len(self.failures)} distinct failure(s) in {self.sent} requests ({self.summary()}):"]
        for signature, failure in sorted(self.failures.items()):
            lines.append("")
            lines.append(f"== {signature}")
            lines.append(
                f"   {failure.kind}; {failure.hits} hit(s); targets: {', '.join(sorted(failure.targets)[:12])}"
                + (" …" if len(failure.targets) > 12 else "")
            )
            lines.append(f"   smallest request: {failure.request.show()}")
            lines.append("   " + failure.detail.replace("\n", "\n   "))
            for note in sorted(failure.notes)[:10]:
                lines.append(f"   also answered: {note!r}")
        return "\n".join(lines)


# -- Driving hypothesis ----------------------------------------------------------------------------


def explore(
    loop: asyncio.AbstractEventLoop,
    targets: list[Target],
    examples: int,
    make: Callable[[Draw, Target], Request],
    check: Callable[[Target, Request], Any],
) -> None:
    """Run hypothesis for each target in this (worker) thread; each example's request is sent
    on the test's event loop. Failures are collected by `check`, not raised, so one run finds
    every distinct one (and hypothesis does not spend the budget shrinking the first)."""
    for target in targets:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def run(data):
            # Called at once, inside this iteration: the loop variable is the one meant.
            request = make(data.draw, target)  # noqa: B023
            asyncio.run_coroutine_threadsafe(check(target, request), loop).result()  # noqa: B023

        run()
