"""The checked-in schema.graphql is what the code serves, and holds the API contract."""

from graphql import build_schema as parse_sdl

from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.schema import build_schema, schema_sdl
from tests.support.paths import REPO

SCHEMA_FILE = REPO / "schema.graphql"

# The names front ends rely on (issue: the API contract). Types are printed as in SDL.
CONTRACT = {
    "Query": {
        "node": "Node",
        "profiles": "[Profile!]!",
        "profile": "Profile",
        "municipalities": "[Municipality!]!",
        "municipality": "Municipality",
    },
    "Profile": {"code": "String!", "name": "String!", "municipalityNumbers": "[String!]!"},
    "Municipality": {
        "id": "ID!",
        "number": "String!",
        "name": "String!",
        "profile": "Profile",
        "plans": "[Plan!]!",
        "units": "UnitConnection!",
    },
    "Plan": {
        "id": "ID!",
        "title": "String!",
        "periodStart": "Int!",
        "periodEnd": "Int!",
        "status": "PlanStatus!",
        "areas": "[Area!]!",
    },
    "Area": {
        "id": "ID!",
        "kind": "String!",
        "title": "String!",
        "description": "String",
        "appliesTo": "[UnitKind!]!",
        "parent": "Area",
        "children": "[Area!]!",
        "goals": "[Goal!]!",
        "criteria": "[Criterion!]!",
        "measures": "[Measure!]!",
    },
    "Goal": {"id": "ID!", "kind": "String!", "text": "String!", "criteria": "[Criterion!]!"},
    "Criterion": {"id": "ID!", "text": "String!", "perspective": "String"},
    "Measure": {"id": "ID!", "text": "String!"},
    "Unit": {"id": "ID!", "name": "String!", "kind": "UnitKind!", "orgNumber": "String"},
}
ARGUMENTS = {
    ("Query", "node"): {"id": "ID!"},
    ("Query", "profile"): {"code": "String!"},
    ("Query", "municipality"): {"number": "String!"},
    ("Municipality", "units"): {"first": "Int", "after": "String", "kind": "UnitKind"},
    ("Plan", "areas"): {"kind": "String"},
}
ENUMS = {"UnitKind": ["KINDERGARTEN", "SCHOOL", "SFO"], "PlanStatus": ["DRAFT", "ADOPTED", "ARCHIVED"]}


def _installed_schema_sdl() -> str:
    return schema_sdl(build_schema(Profiles(new_plugin_manager())))


def test_schema_file_matches_the_code():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == _installed_schema_sdl(), (
        "schema.graphql is out of date: run `kvalitet schema export --out schema.graphql` "
        "and list the change in CHANGELOG.md (tests/house/test_schema_changes.py checks it is not breaking)"
    )


def test_schema_holds_the_contract():
    schema = parse_sdl(SCHEMA_FILE.read_text(encoding="utf-8"))
    for type_name, fields in CONTRACT.items():
        graphql_type = schema.get_type(type_name)
        assert graphql_type is not None, type_name
        for field_name, printed in fields.items():
            assert field_name in graphql_type.fields, f"{type_name}.{field_name}"
            assert str(graphql_type.fields[field_name].type) == printed, f"{type_name}.{field_name}"
        if type_name not in ("Query", "Profile"):
            assert "Node" in [i.name for i in graphql_type.interfaces], type_name
    for (type_name, field_name), arguments in ARGUMENTS.items():
        field = schema.get_type(type_name).fields[field_name]
        for argument, printed in arguments.items():
            assert str(field.args[argument].type) == printed, f"{type_name}.{field_name}({argument})"
    for enum_name, values in ENUMS.items():
        assert list(schema.get_type(enum_name).values) == values
