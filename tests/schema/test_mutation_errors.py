"""Every mutation's bad input comes back as a `UserError` in its payload — never as a GraphQL
error, never as a 500 — and changes nothing.

One world is built through the API for the whole module (a municipality on the test profile
with an adopted, a draft and an archived plan; units of every kind, one archived; local plans
and reports in every review state; a second municipality without a profile). Each row of the
tables below is one refused call against it. Before and after the call the test counts the rows
of `change_log`, reads the id and version of every row of every versioned table (SQL), and reads
the `version` of the objects the input names through GraphQL: a refused call must leave all of
them as they were — which also keeps the world the same for the next row.

Tests that need a world of their own (the success cases — Unicode and SQL meta-characters stored
exactly, values at the length limits accepted — and refusals after a municipality drops its
profile) build a small one per test with the function-scoped fixtures.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import graphql
import httpx
import pytest
from sqlalchemy import text

from kvalitet.access.actor import PermissiveAccessPolicy
from kvalitet.app import create_app
from kvalitet.db import Database
from kvalitet.infra.settings import Settings
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.services.validation import KEY_MAX, NAME_MAX, TEXT_MAX, TITLE_MAX
from tests.fixtures.plugin import FixtureProfile
from tests.support.cycle import Cycle
from tests.support.database import admin_sql
from tests.support.paths import FIXTURES, REPO

# -- The schema, read from the committed SDL: which mutations there are and what they take -------

SCHEMA = graphql.build_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
MUTATIONS = SCHEMA.mutation_type.fields


def _input_type(mutation: str) -> graphql.GraphQLInputObjectType:
    return graphql.get_named_type(MUTATIONS[mutation].args["input"].type)


def id_fields(mutation: str) -> list[str]:
    return [name for name, f in _input_type(mutation).fields.items() if graphql.get_named_type(f.type).name == "ID"]


def takes_version(mutation: str) -> bool:
    return "version" in _input_type(mutation).fields


def mutation_query(mutation: str) -> str:
    """The mutation with every field of its payload: the object(s) (only their id, or code, or first
    field) and the errors."""
    payload = graphql.get_named_type(MUTATIONS[mutation].type)
    selection = []
    for name, field in payload.fields.items():
        if name != "errors":
            named = graphql.get_named_type(field.type)
            if isinstance(named, graphql.GraphQLObjectType):
                first = next((key for key in ("id", "code") if key in named.fields), next(iter(named.fields)))
                selection.append(f"{name} {{ {first} }}")
            else:
                selection.append(name)
    return (
        f"mutation ($input: {_input_type(mutation).name}!) {{ {mutation}(input: $input) "
        f"{{ {' '.join(selection)} errors {{ field code message }} }} }}"
    )


# -- Values ----------------------------------------------------------------------------------------

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def _remainder(prefix: str) -> int:
    return sum(int(d) * w for d, w in zip(prefix, _WEIGHTS, strict=True)) % 11


def org_number(prefix: str) -> str:
    """`prefix` (8 digits) with its modulus-11 check digit."""
    remainder = _remainder(prefix)
    check = 0 if remainder == 0 else 11 - remainder
    assert check != 10, prefix
    return prefix + str(check)


ORG_K = "974760673"  # valid (test_cycle_tromso uses it too)
assert org_number(ORG_K[:8]) == ORG_K
ORG_S = org_number("98765432")
ORG_BAD_CHECK = ORG_K[:8] + str((int(ORG_K[8]) + 1) % 10)
# 8 digits whose check digit would be 10: never issued, so no 9th digit makes them valid.
ORG_CHECK_10 = next(p for p in (f"9{n:07d}" for n in range(1000)) if _remainder(p) == 1) + "0"

TOO_LONG_NAME = "ø" * (NAME_MAX + 1)
TOO_LONG_TITLE = "å" * (TITLE_MAX + 1)
TOO_LONG_TEXT = "æ" * (TEXT_MAX + 1)
TOO_LONG_KEY = "k" * (KEY_MAX + 1)
BLANK = " \t\n "

# Every table whose rows carry an id and a version (all domain tables, whatever migrations add).
VERSIONED_TABLES = """SELECT table_name FROM information_schema.columns
  WHERE table_schema = current_schema() AND column_name = 'version'
    AND table_name IN (SELECT table_name FROM information_schema.columns
                       WHERE table_schema = current_schema() AND column_name = 'id')
  ORDER BY table_name"""


def global_id(type_name: str, node_id: object) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def raw_uuid(gid: str) -> str:
    return base64.b64decode(gid).decode().split(":", 1)[1]


# -- The world ----------------------------------------------------------------------------------


class Client:
    """Posts GraphQL like the `gql` fixture, but encodes the body itself (ASCII JSON), so any
    Python string — a lone surrogate too — reaches the server as the JSON escape a client sends."""

    def __init__(self, http: httpx.AsyncClient):
        self.http = http

    async def raw(self, query: str, variables: dict | None = None) -> dict:
        content = json.dumps({"query": query, "variables": variables or {}})
        headers = {"content-type": "application/json", "accept-language": "en"}  # the messages read in English
        response = await self.http.post("/graphql", content=content, headers=headers)
        assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:1000]}"
        return response.json()

    async def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = await self.raw(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


STRUCTURE = """query ($id: ID!) { node(id: $id) { ... on Plan { areas {
  id key criteria { id } measures { id } goals { id criteria { id } }
  children { id key criteria { id } measures { id } goals { id criteria { id } } } } } } }"""


class World:
    """The objects of the world by short name (`ids`), and their versions as last read (`ver`)."""

    def __init__(self, http: httpx.AsyncClient, database: Database):
        self.gql = Client(http)
        self.database = database
        self.ids: dict[str, str] = {}
        self.ver: dict[str, int | None] = {}
        self.tables: list[str] = []

    async def build(self) -> None:
        c = Cycle(self.gql)
        ids = self.ids
        ids["M"] = (await c.municipality("9901", "Testkommune", "testprofil"))["id"]
        ids["M2"] = (await c.municipality("0301", "Oslo", None))["id"]  # no profile: no calendar, no content

        # Plans: adopted (2024–2027), a draft (2028–2031) and an archived one (2032–2035).
        ids["P"] = (await c.adopted_plan(ids["M"], "Testutvalget"))["id"]
        ids["NG"] = (await self.gql("{ nationalGoals { id } }"))["nationalGoals"][0]["id"]  # loaded with the plan
        draft = await c.mutate("createPlan", {"municipalityId": ids["M"], "periodStart": 2028}, "plan { id version }")
        ids["D"] = draft["plan"]["id"]
        archived = await c.mutate(
            "createPlan", {"municipalityId": ids["M"], "periodStart": 2032}, "plan { id version }"
        )
        ids["A"] = archived["plan"]["id"]
        await c.mutate("archivePlan", {"id": ids["A"], "version": archived["plan"]["version"]}, "plan { status }")
        for prefix, plan in (("p", "P"), ("d", "D")):
            areas = {a["key"]: a for a in (await self.gql(STRUCTURE, {"id": ids[plan]}))["node"]["areas"]}
            lek, skole = areas["lek"], areas["skole"]
            [ute] = lek["children"]
            ids[f"{prefix}_lek"], ids[f"{prefix}_skole"], ids[f"{prefix}_ute"] = lek["id"], skole["id"], ute["id"]
            ids[f"{prefix}_goal"] = lek["goals"][0]["id"]
            ids[f"{prefix}_goal_crit"] = lek["goals"][0]["criteria"][0]["id"]
            ids[f"{prefix}_crit"] = lek["criteria"][0]["id"]
            ids[f"{prefix}_measure"] = lek["measures"][0]["id"]
            ids[f"{prefix}_ute_crit"] = ute["goals"][0]["criteria"][0]["id"]  # for kindergartens only

        # Units of every kind; X is archived; U2 belongs to the other municipality.
        ids["K"] = (await c.unit(ids["M"], "Nordlys barnehage", "KINDERGARTEN", ORG_K))["id"]
        ids["S"] = (await c.unit(ids["M"], "Fjellheim skole", "SCHOOL", ORG_S))["id"]
        ids["S2"] = (await c.unit(ids["M"], "Elvebakken skole", "SCHOOL"))["id"]
        ids["K2"] = (await c.unit(ids["M"], "Solsikken barnehage", "KINDERGARTEN"))["id"]
        ids["F"] = (await c.unit(ids["M"], "Fjellheim SFO", "SFO"))["id"]
        x = await c.unit(ids["M"], "Nedlagt barnehage", "KINDERGARTEN")
        ids["X"] = x["id"]
        await c.mutate("archiveUnit", {"id": x["id"], "version": x["version"]}, "unit { archivedAt }")
        ids["U2"] = (await c.unit(ids["M2"], "Oslo barnehage", "KINDERGARTEN"))["id"]

        # Local plans: LK a draft with a goal, an action and a section; LS submitted; LS2 returned
        # after approval (its goal assessed in a report); LE an empty draft.
        ids["LK"] = (await c.local_plan(ids["K"], ids["P"]))["id"]
        ids["GK"] = (await c.local_goal(ids["LK"], ids["p_lek"], "Alle barn leker ute og inne.", "barn"))["id"]
        ids["AK"] = (await c.action(ids["LK"], "Vi lager lekesoner.", ids["p_lek"], owner="Styrer"))["id"]
        ids["SK"] = (await c.section(ids["LK"], "kartlegging", "Slik står det til."))["id"]
        ids["LS"] = (await c.local_plan(ids["S"], ids["P"]))["id"]
        ids["GS"] = (await c.local_goal(ids["LS"], ids["p_lek"], "Elevene trives."))["id"]
        ids["AS"] = (await c.action(ids["LS"], "Vi kartlegger trivsel.", ids["p_lek"]))["id"]
        assert (await c.submit_local_plan(ids["LS"]))["localPlan"]["status"] == "SUBMITTED"
        ids["LS2"] = (await c.local_plan(ids["S2"], ids["P"]))["id"]
        ids["GS2"] = (await c.local_goal(ids["LS2"], ids["p_lek"], "Elevene leker i friminuttene."))["id"]
        assert (await c.submit_local_plan(ids["LS2"]))["localPlan"]["status"] == "SUBMITTED"
        assert (await c.decide("approveLocalPlan", ids["LS2"]))["status"] == "APPROVED"
        ids["LE"] = (await c.local_plan(ids["K2"], ids["P"]))["id"]

        # Reports for 2024 h1: RK a draft with one assessment; RS submitted; RS2 submitted with
        # the goal of LS2 assessed — LS2 is then returned, so that goal can be edited again; RS3
        # a school's draft.
        ids["RK"] = (await c.open_report(ids["K"], 2024, "h1"))["id"]
        [item] = [i for i in await c.items(ids["RK"]) if i["criterion"] and i["criterion"]["id"] == ids["p_crit"]]
        ids["ASK"] = (await c.assess(ids["RK"], item, "1"))["id"]
        ids["RS"] = (await c.open_report(ids["S"], 2024, "h1"))["id"]
        for item in await c.items(ids["RS"]):
            await c.assess(ids["RS"], item, "2")
        assert (await c.submit_report(ids["RS"]))["report"]["status"] == "SUBMITTED"
        ids["RS2"] = (await c.open_report(ids["S2"], 2024, "h1"))["id"]
        for item in await c.items(ids["RS2"]):
            assessment = await c.assess(ids["RS2"], item, "1")
            if item["localGoal"] and item["localGoal"]["id"] == ids["GS2"]:
                ids["AS2"] = assessment["id"]
        assert (await c.submit_report(ids["RS2"]))["report"]["status"] == "SUBMITTED"
        assert (await c.decide("returnLocalPlan", ids["LS2"], "Mer om friminuttene."))["status"] == "RETURNED"
        # API keys: one in use, one revoked.
        ids["KEY"] = (
            await c.mutate(
                "createApiKey", {"municipalityId": ids["M"], "name": "Fagsystem", "scopes": ["read"]}, "apiKey { id }"
            )
        )["apiKey"]["id"]
        revoked = await c.mutate(
            "createApiKey",
            {"municipalityId": ids["M"], "name": "Gammelt fagsystem", "scopes": ["read"]},
            "apiKey { id version }",
        )
        ids["KEY_REVOKED"] = revoked["apiKey"]["id"]
        await c.mutate(
            "revokeApiKey", {"id": ids["KEY_REVOKED"], "version": revoked["apiKey"]["version"]}, "apiKey { id }"
        )
        ids["HOOK"] = (
            await c.mutate(
                "createWebhookSubscription",
                {"municipalityId": ids["M"], "url": "https://arkiv.example/hook", "eventTypes": ["report.submitted"]},
                "webhookSubscription { id }",
            )
        )["webhookSubscription"]["id"]
        await c.mutate("saveLocalIndicator", {"municipalityId": ids["M"], **LOCAL_INDICATOR}, "indicator { code }")
        ids["S3"] = (await c.unit(ids["M"], "Nyskolen", "SCHOOL"))["id"]
        ids["RS3"] = (await c.open_report(ids["S3"], 2024, "h1"))["id"]  # a school's draft, no local plan
        # The 2024 report to the council: CR the draft, CRS its first section (learning environment).
        council = await c.mutate(
            "createCouncilReport",
            {"municipalityId": ids["M"], "year": 2024, "period": "h1"},
            "councilReport { id sections { id key } }",
        )
        ids["CR"] = council["councilReport"]["id"]
        ids["CRS"] = next(s["id"] for s in council["councilReport"]["sections"] if s["key"] == COUNCIL_SECTION)

        # Follow-up (the test profile has the default declaration: one kind of meeting, the
        # national funding scheme, no partners): FM a meeting planned with K, FP a point agreed
        # in it; FMC a meeting with K2 that was cancelled.
        ids["FM"] = (await c.mutate("planFollowUpMeeting", _meeting(ids["K"]), "meeting { id }"))["meeting"]["id"]
        ids["FP"] = (
            await c.mutate(
                "agreeFollowUpPoint",
                {"meetingId": ids["FM"], "text": "Lage plan for uteleken.", "owner": "Styrer", "dueOn": "2024-10-01"},
                "point { id }",
            )
        )["point"]["id"]
        cancelled = await c.mutate("planFollowUpMeeting", _meeting(ids["K2"]), "meeting { id version }")
        ids["FMC"] = cancelled["meeting"]["id"]
        await c.mutate(
            "updateFollowUpMeeting",
            {"id": ids["FMC"], "version": cancelled["meeting"]["version"], "status": "CANCELLED"},
            "meeting { status }",
        )
        # Competence: CP K's plan for 2024–2027 with a need CN (shown by an area of P), a goal CG
        # answering it and a measure CM (funded by the national scheme) for both; CP2 the plan of
        # U2 (the other municipality's unit) with a need CN2 and a goal CG2.
        ids["CP"] = (
            await c.mutate(
                "createCompetencePlan", {"unitId": ids["K"], "startYear": 2024, "endYear": 2027}, "plan { id }"
            )
        )["plan"]["id"]
        ids["CN"] = (
            await c.mutate(
                "addCompetenceNeed",
                {"planId": ids["CP"], "text": "Personalet trenger mer om lek ute.", "areaId": ids["p_lek"]},
                "need { id }",
            )
        )["need"]["id"]
        ids["CG"] = (
            await c.mutate(
                "addCompetenceGoal",
                {
                    "planId": ids["CP"],
                    "text": "Felles forståelse av lek.",
                    "scope": "COLLECTIVE",
                    "needIds": [ids["CN"]],
                },
                "goal { id }",
            )
        )["goal"]["id"]
        ids["CM"] = (
            await c.mutate(
                "addCompetenceMeasure",
                {
                    **COMPETENCE_MEASURE,
                    "planId": ids["CP"],
                    "funding": FUNDING,
                    "startsOn": "2024-08-15",
                    "endsOn": "2025-06-20",
                    "needIds": [ids["CN"]],
                    "goalIds": [ids["CG"]],
                },
                "measure { id }",
            )
        )["measure"]["id"]
        ids["CP2"] = (
            await c.mutate(
                "createCompetencePlan", {"unitId": ids["U2"], "startYear": 2024, "endYear": 2025}, "plan { id }"
            )
        )["plan"]["id"]
        ids["CN2"] = (await c.mutate("addCompetenceNeed", {"planId": ids["CP2"], "text": "Språk."}, "need { id }"))[
            "need"
        ]["id"]
        ids["CG2"] = (
            await c.mutate(
                "addCompetenceGoal",
                {"planId": ids["CP2"], "text": "Språkløft.", "scope": "INDIVIDUAL", "needIds": [ids["CN2"]]},
                "goal { id }",
            )
        )["goal"]["id"]
        await self.snapshot()

    async def snapshot(self) -> tuple[int, dict[tuple[str, str], int]]:
        """The number of change-log rows, and the version of every row of every versioned table
        (so an added, removed or changed row anywhere shows). Updates `ver` from it."""
        async with self.database.engine.connect() as connection:
            if not self.tables:
                self.tables = list((await connection.execute(text(VERSIONED_TABLES))).scalars())
                assert {"municipality", "unit", "report", "assessment"} <= set(self.tables), self.tables
            rows_sql = " UNION ALL ".join(f"SELECT '{t}', id::text, version FROM {t}" for t in self.tables)
            logged = (await connection.execute(text("SELECT count(*) FROM change_log"))).scalar_one()
            rows = {(t, i): v for t, i, v in (await connection.execute(text(rows_sql))).all()}
        by_uuid = {i: v for (_, i), v in rows.items()}
        self.ver = {name: by_uuid.get(raw_uuid(gid)) for name, gid in self.ids.items()}
        return logged, rows

    async def versions(self, names: list[str]) -> dict[str, int | None]:
        """The version of the world's objects `names`, read through GraphQL (None: gone)."""
        if not names:
            return {}
        query = (
            "{ "
            + " ".join(
                f"n{i}: node(id: {json.dumps(self.ids[name])}) {{ ... on Versioned {{ version }} }}"
                for i, name in enumerate(names)
            )
            + " }"
        )
        data = await self.gql(query)
        return {name: (data[f"n{i}"] or {}).get("version") for i, name in enumerate(names)}


@pytest.fixture(scope="module")
async def world(admin_url, template_name):
    """The world, built once for the module on its own database (refused calls change nothing)."""
    name = f"kvalitet_errors_{uuid.uuid4().hex[:12]}"
    await admin_sql(admin_url, f"CREATE DATABASE {name} TEMPLATE {template_name} STRATEGY FILE_COPY")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    database = Database(url, pool_size=5)
    try:
        plugins = new_plugin_manager()
        plugins.register(FixtureProfile(FIXTURES / "testprofile"), name="testprofil")
        settings = Settings(database_url=url, max_page_size=20, default_page_size=10, _env_file=None)
        app = create_app(settings, profiles=Profiles(plugins), policy=PermissiveAccessPolicy(), database=database)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            built = World(http, database)
            await built.build()
            yield built
    finally:
        await database.dispose()
        await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# -- Rows: (mutation, what is wrong, input, expected code(s), expected field) ----------------------


@dataclass(frozen=True)
class R:
    """The global id of the world's object `name`."""

    name: str


@dataclass(frozen=True)
class V:
    """The current version of the world's object `name`, plus `delta`."""

    name: str
    delta: int = 0


def resolve(world: World, value):
    if isinstance(value, R):
        return world.ids[value.name]
    if isinstance(value, V):
        return world.ver[value.name] + value.delta
    if isinstance(value, dict):
        return {k: resolve(world, v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(world, v) for v in value]
    return value


@dataclass(frozen=True)
class Case:
    mutation: str
    wrong: str
    input: Callable[[World], dict]
    expect: tuple[tuple[frozenset[str], str | None], ...]  # every (codes, field) must be among the errors
    says: str | None = None  # a phrase one of the messages must contain

    @property
    def id(self) -> str:
        return f"{self.mutation}: {self.wrong}"


def case(
    mutation: str,
    wrong: str,
    input: dict | Callable,
    code: str | set[str],
    field: str | None,
    *more,
    says: str | None = None,
) -> Case:
    """A row. `code` may be a set of acceptable codes; `more` adds further (code, field) pairs that
    must all be reported too; `says`, a phrase the message must contain."""
    build = input if callable(input) else (lambda w, fields=input: resolve(w, fields))
    pairs = [(code, field), *more]
    expect = tuple((frozenset({c} if isinstance(c, str) else c), f) for c, f in pairs)
    return Case(mutation, wrong, build, expect, says)


def on(obj: str, delta: int = 0, /, **fields) -> dict:
    """An input for the world's object `obj`: its id and version (+ delta), and `fields`."""
    return {"id": R(obj), "version": V(obj, delta), **fields}


NOT_FOUND, STALE_VERSION, INVALID_STATE = "NOT_FOUND", "STALE_VERSION", "INVALID_STATE"
COUNCIL_SECTION = "laeringsmiljo"  # a section of the default structure (the test profile has its own none)
REQUIRED, TOO_LONG, INVALID_VALUE = "REQUIRED", "TOO_LONG", "INVALID_VALUE"
INVALID_ORG_NUMBER, DUPLICATE, NOT_APPLICABLE = "INVALID_ORG_NUMBER", "DUPLICATE", "NOT_APPLICABLE"
MISSING_ASSESSMENT = "MISSING_ASSESSMENT"
EMPTY = {REQUIRED, INVALID_VALUE}  # an explicit null where a value is needed: either is fair


# The world's municipality's own indicator (saveLocalIndicator without municipalityId).
LOCAL_INDICATOR = {
    "code": "testkommune.trivsel",
    "names": {"nb": "Trivsel", "nn": "Trivsel", "en": "Well-being"},
    "measure": "SCORE",
    "unitKinds": ["SCHOOL"],
    "minRespondents": 5,
}
LOCAL_CSV = "Skoleaarnavn;Kommunekode;Organisasjonsnummer;Verdi;AntallBesvart\n"


def _local_indicator(**fields) -> dict:
    return {"municipalityId": R("M"), **LOCAL_INDICATOR, **fields}


def _upload(csv: str, **fields) -> dict:
    return {"municipalityId": R("M"), "code": "testkommune.trivsel", "csv": LOCAL_CSV + csv, **fields}


# Follow-up and competence, as the default declaration (kvalitet/data/follow_up.yaml) has them.
MEETING_KIND = "oppfolgingsmote"
FUNDING = "lokal-kompetanseutvikling"
COMPETENCE_MEASURE = {"title": "Veiledning i uteleken", "scope": "COLLECTIVE", "targetGroup": "WHOLE_STAFF"}


def _meeting(unit_id, **fields) -> dict:
    """A follow-up meeting with `unit_id` (a global id, or R(name))."""
    return {"unitId": unit_id, "kind": MEETING_KIND, "year": 2024, "period": "h1", "plannedOn": "2024-06-10", **fields}


def _point(**fields) -> dict:
    return {"meetingId": R("FM"), "text": "Nytt punkt.", "owner": "Styrer", **fields}


def _rhythm(**fields) -> dict:
    return {"municipalityId": R("M"), "kind": MEETING_KIND, "everyMonths": 12, **fields}


def _competence_plan(**fields) -> dict:
    return {"unitId": R("K2"), "startYear": 2026, "endYear": 2027, **fields}


def _need(**fields) -> dict:
    return {"planId": R("CP"), "text": "Et behov.", **fields}


def _goal(**fields) -> dict:
    return {"planId": R("CP"), "text": "Et mål.", "scope": "COLLECTIVE", **fields}


def _measure(**fields) -> dict:
    return {"planId": R("CP"), **COMPETENCE_MEASURE, **fields}


# Unknown ids: for every ID field of every mutation, an otherwise valid input with that field
# replaced by each of the variants below. The field must be named in the error.
ID_FIELDS: list[tuple[str, str, str, dict]] = [
    ("updateMunicipality", "id", "Municipality", {"version": V("M"), "name": "Nytt navn"}),
    ("createUnit", "municipalityId", "Municipality", {"name": "Ny enhet", "kind": "SCHOOL"}),
    ("updateUnit", "id", "Unit", {"version": V("K"), "name": "Nytt navn"}),
    ("archiveUnit", "id", "Unit", {"version": V("K")}),
    ("allowStaffEditing", "unitId", "Unit", {"version": V("K"), "allowed": True}),
    ("createApiKey", "municipalityId", "Municipality", {"name": "Fagsystem", "scopes": ["read"]}),
    ("revokeApiKey", "id", "ApiKey", {"version": V("KEY")}),
    (
        "createWebhookSubscription",
        "municipalityId",
        "Municipality",
        {"url": "https://arkiv.example/hook", "eventTypes": ["report.submitted"]},
    ),
    ("updateWebhookSubscription", "id", "WebhookSubscription", {"version": V("HOOK"), "active": False}),
    ("rotateWebhookSecret", "id", "WebhookSubscription", {"version": V("HOOK")}),
    ("deleteWebhookSubscription", "id", "WebhookSubscription", {"version": V("HOOK")}),
    ("createPlan", "municipalityId", "Municipality", {}),
    ("createPlan", "copyFrom", "Plan", {"municipalityId": R("M")}),
    ("adoptPlan", "id", "Plan", {"version": V("D"), "adoptedBy": "Kommunestyret"}),
    ("archivePlan", "id", "Plan", {"version": V("D")}),
    ("addArea", "planId", "Plan", {"kind": "theme", "title": "Nytt område"}),
    ("addArea", "parentId", "Area", {"planId": R("D"), "kind": "theme", "title": "Nytt område"}),
    ("updateArea", "id", "Area", {"version": V("d_lek"), "title": "Ny tittel"}),
    ("moveArea", "id", "Area", {"version": V("d_lek"), "position": 1}),
    ("moveArea", "parentId", "Area", {"id": R("d_skole"), "version": V("d_skole")}),
    ("removeArea", "id", "Area", {"version": V("d_lek")}),
    ("addGoal", "areaId", "Area", {"kind": "aim", "text": "Nytt mål"}),
    ("addGoal", "nationalGoalId", "NationalGoal", {"areaId": R("d_lek"), "kind": "aim", "text": "Nytt mål"}),
    ("updateGoal", "id", "Goal", {"version": V("d_goal"), "text": "Ny tekst"}),
    ("updateGoal", "nationalGoalId", "NationalGoal", {"id": R("d_goal"), "version": V("d_goal")}),
    ("removeGoal", "id", "Goal", {"version": V("d_goal")}),
    ("addCriterion", "areaId", "Area", {"text": "Nytt kjennetegn"}),
    ("addCriterion", "goalId", "Goal", {"text": "Nytt kjennetegn"}),
    ("updateCriterion", "id", "Criterion", {"version": V("d_crit"), "text": "Ny tekst"}),
    ("removeCriterion", "id", "Criterion", {"version": V("d_crit")}),
    ("addMeasure", "areaId", "Area", {"text": "Nytt tiltak"}),
    ("updateMeasure", "id", "Measure", {"version": V("d_measure"), "text": "Ny tekst"}),
    ("removeMeasure", "id", "Measure", {"version": V("d_measure")}),
    ("createLocalPlan", "unitId", "Unit", {"planId": R("P")}),
    ("createLocalPlan", "planId", "Plan", {"unitId": R("S2")}),
    ("addLocalGoal", "localPlanId", "LocalPlan", {"areaId": R("p_lek"), "text": "Mål"}),
    ("addLocalGoal", "areaId", "Area", {"localPlanId": R("LK"), "text": "Mål"}),
    ("updateLocalGoal", "id", "LocalGoal", {"version": V("GK"), "text": "Ny tekst"}),
    ("removeLocalGoal", "id", "LocalGoal", {"version": V("GK")}),
    ("addLocalAction", "localPlanId", "LocalPlan", {"text": "Tiltak"}),
    ("addLocalAction", "areaId", "Area", {"localPlanId": R("LK"), "text": "Tiltak"}),
    ("addLocalAction", "localGoalId", "LocalGoal", {"localPlanId": R("LK"), "text": "Tiltak"}),
    ("updateLocalAction", "id", "LocalAction", {"version": V("AK"), "text": "Ny tekst"}),
    ("updateLocalAction", "areaId", "Area", {"id": R("AK"), "version": V("AK")}),
    ("updateLocalAction", "localGoalId", "LocalGoal", {"id": R("AK"), "version": V("AK")}),
    ("removeLocalAction", "id", "LocalAction", {"version": V("AK")}),
    ("saveLocalPlanSection", "localPlanId", "LocalPlan", {"key": "kartlegging", "text": "Tekst"}),
    ("saveLocalPlanSection", "areaId", "Area", {"localPlanId": R("LK"), "key": "tegn", "text": "Tekst"}),
    ("validateLocalPlan", "id", "LocalPlan", {}),
    ("validateReport", "id", "Report", {}),
    ("submitLocalPlan", "id", "LocalPlan", {"version": V("LK")}),
    ("approveLocalPlan", "id", "LocalPlan", {"version": V("LS")}),
    ("returnLocalPlan", "id", "LocalPlan", {"version": V("LS"), "comment": "Mer"}),
    ("openReport", "unitId", "Unit", {"year": 2024, "period": "h2"}),
    ("saveAssessment", "reportId", "Report", {"level": "1", "criterionId": R("p_goal_crit")}),
    ("saveAssessment", "criterionId", "Criterion", {"reportId": R("RK"), "level": "1"}),
    ("saveAssessment", "localGoalId", "LocalGoal", {"reportId": R("RK"), "level": "1"}),
    ("saveAssessment", "measureId", "Measure", {"reportId": R("RK"), "level": "1"}),
    ("submitReport", "id", "Report", {"version": V("RK")}),
    ("approveReport", "id", "Report", {"version": V("RS")}),
    ("returnReport", "id", "Report", {"version": V("RS"), "comment": "Mer"}),
    ("publishSectorReport", "municipalityId", "Municipality", {"year": 2024, "period": "h1"}),
    ("createCouncilReport", "municipalityId", "Municipality", {"year": 2031}),
    ("refreshCouncilReportFigures", "id", "CouncilReport", {"version": V("CR")}),
    ("publishCouncilReport", "id", "CouncilReport", {"version": V("CR")}),
    (
        "editCouncilReportSection",
        "reportId",
        "CouncilReport",
        {"key": COUNCIL_SECTION, "text": "x", "version": V("CRS")},
    ),
    (
        "editCouncilReportSection",
        "measureIds",
        "Measure",
        {"reportId": R("CR"), "key": COUNCIL_SECTION, "text": "x", "version": V("CRS")},
    ),
    (
        "editCouncilReportSection",
        "commentIds",
        "Assessment",
        {"reportId": R("CR"), "key": COUNCIL_SECTION, "text": "x", "version": V("CRS")},
    ),
    ("saveLocalIndicator", "municipalityId", "Municipality", LOCAL_INDICATOR),
    (
        "uploadLocalIndicatorFigures",
        "municipalityId",
        "Municipality",
        {"code": "testkommune.trivsel", "csv": LOCAL_CSV + "2024-25;9901;;4,1;300\n"},
    ),
    # Follow-up
    ("planFollowUpMeeting", "unitId", "Unit", {"kind": MEETING_KIND, "year": 2024, "plannedOn": "2024-06-10"}),
    ("updateFollowUpMeeting", "id", "FollowUpMeeting", {"version": V("FM"), "minutes": "Referat."}),
    ("agreeFollowUpPoint", "meetingId", "FollowUpMeeting", {"text": "Nytt punkt.", "owner": "Styrer"}),
    ("updateFollowUpPoint", "id", "FollowUpPoint", {"version": V("FP"), "text": "Ny tekst."}),
    ("setFollowUpRhythm", "municipalityId", "Municipality", {"kind": MEETING_KIND, "everyMonths": 12}),
    # Competence; a list of ids (needIds, goalIds) is sent as the one id (GraphQL makes it a list).
    ("createCompetencePlan", "unitId", "Unit", {"startYear": 2026, "endYear": 2027}),
    ("createCompetencePlan", "municipalityId", "Municipality", {"startYear": 2026, "endYear": 2027}),
    ("updateCompetencePlan", "id", "CompetencePlan", {"version": V("CP"), "title": "Ny tittel"}),
    ("addCompetenceNeed", "planId", "CompetencePlan", {"text": "Et behov."}),
    ("addCompetenceNeed", "areaId", "Area", _need()),
    ("addCompetenceNeed", "goalId", "Goal", _need()),
    ("addCompetenceNeed", "criterionId", "Criterion", _need()),
    ("updateCompetenceNeed", "id", "CompetenceNeed", {"version": V("CN"), "text": "Ny tekst."}),
    ("updateCompetenceNeed", "areaId", "Area", {"id": R("CN"), "version": V("CN")}),
    ("updateCompetenceNeed", "goalId", "Goal", {"id": R("CN"), "version": V("CN")}),
    ("updateCompetenceNeed", "criterionId", "Criterion", {"id": R("CN"), "version": V("CN")}),
    ("removeCompetenceNeed", "id", "CompetenceNeed", {"version": V("CN")}),
    ("addCompetenceGoal", "planId", "CompetencePlan", {"text": "Et mål.", "scope": "COLLECTIVE"}),
    ("addCompetenceGoal", "needIds", "CompetenceNeed", _goal()),
    ("updateCompetenceGoal", "id", "CompetenceGoal", {"version": V("CG"), "text": "Ny tekst."}),
    ("updateCompetenceGoal", "needIds", "CompetenceNeed", {"id": R("CG"), "version": V("CG")}),
    ("removeCompetenceGoal", "id", "CompetenceGoal", {"version": V("CG")}),
    ("addCompetenceMeasure", "planId", "CompetencePlan", COMPETENCE_MEASURE),
    ("addCompetenceMeasure", "needIds", "CompetenceNeed", _measure()),
    ("addCompetenceMeasure", "goalIds", "CompetenceGoal", _measure()),
    ("updateCompetenceMeasure", "id", "CompetenceMeasure", {"version": V("CM"), "title": "Ny tittel"}),
    ("updateCompetenceMeasure", "needIds", "CompetenceNeed", {"id": R("CM"), "version": V("CM")}),
    ("updateCompetenceMeasure", "goalIds", "CompetenceGoal", {"id": R("CM"), "version": V("CM")}),
    ("removeCompetenceMeasure", "id", "CompetenceMeasure", {"version": V("CM")}),
]

# A real object of another type, the kind of mix-up a client makes (a plan's id for a local plan's …).
WRONG_TYPE = {
    "Municipality": "K",
    "Unit": "M",
    "Plan": "LK",
    "LocalPlan": "P",
    "Area": "d_goal",
    "Goal": "d_lek",
    "Criterion": "GK",
    "LocalGoal": "p_goal_crit",
    "Measure": "AK",
    "LocalAction": "d_measure",
    "Report": "LK",
    "NationalGoal": "d_goal",
    "ApiKey": "M",
    "WebhookSubscription": "KEY",
    "CouncilReport": "CRS",
    "Assessment": "RK",
    "FollowUpMeeting": "FP",
    "FollowUpPoint": "FM",
    "CompetencePlan": "P",
    "CompetenceNeed": "CG",
    "CompetenceGoal": "CN",
    "CompetenceMeasure": "d_measure",
}
# A real object of the right type, whose uuid is then sent under another type's name.
RIGHT_TYPE = {
    "Municipality": "M",
    "Unit": "K",
    "Plan": "D",
    "LocalPlan": "LK",
    "Area": "d_lek",
    "Goal": "d_goal",
    "Criterion": "d_crit",
    "LocalGoal": "GK",
    "Measure": "d_measure",
    "LocalAction": "AK",
    "Report": "RK",
    "NationalGoal": "NG",
    "ApiKey": "KEY",
    "WebhookSubscription": "HOOK",
    "CouncilReport": "CR",
    "Assessment": "ASK",
    "FollowUpMeeting": "FM",
    "FollowUpPoint": "FP",
    "CompetencePlan": "CP",
    "CompetenceNeed": "CN",
    "CompetenceGoal": "CG",
    "CompetenceMeasure": "CM",
}

ID_VARIANTS: dict[str, Callable[[World, str], str]] = {
    "an unknown id": lambda w, type_name: global_id(type_name, uuid.uuid4()),
    "the id of another type's object": lambda w, type_name: w.ids[WRONG_TYPE[type_name]],
    "a real one's uuid under another type name": lambda w, type_name: global_id(
        "Municipality" if type_name != "Municipality" else "Unit", raw_uuid(w.ids[RIGHT_TYPE[type_name]])
    ),
    "a global id whose node id is no uuid": lambda w, type_name: global_id(type_name, "42"),
    "garbage, not a global id": lambda w, type_name: "not a global id!",
    "an empty id": lambda w, type_name: "",
}


def _id_case(mutation: str, field: str, type_name: str, base: dict, variant: str) -> Case:
    def build(w: World) -> dict:
        return {**resolve(w, base), field: ID_VARIANTS[variant](w, type_name)}

    return case(mutation, f"{field} is {variant}", build, NOT_FOUND, field)


UNKNOWN_IDS = [_id_case(*row, variant) for row in ID_FIELDS for variant in ID_VARIANTS]


# Stale versions: the version read, minus one and plus one.
STALE: list[tuple[str, str, dict]] = [
    ("updateMunicipality", "M", {"name": "Nytt navn"}),
    ("updateUnit", "K", {"name": "Nytt navn"}),
    ("archiveUnit", "K", {}),
    ("revokeApiKey", "KEY", {}),
    ("updateWebhookSubscription", "HOOK", {"active": False}),
    ("rotateWebhookSecret", "HOOK", {}),
    ("deleteWebhookSubscription", "HOOK", {}),
    ("adoptPlan", "D", {"adoptedBy": "Kommunestyret"}),
    ("archivePlan", "D", {}),
    ("archivePlan", "P", {}),
    ("updateArea", "d_lek", {"title": "Ny tittel"}),
    ("moveArea", "d_ute", {"position": 0}),
    ("removeArea", "d_lek", {}),
    ("updateGoal", "d_goal", {"text": "Ny tekst"}),
    ("removeGoal", "d_goal", {}),
    ("updateCriterion", "d_crit", {"text": "Ny tekst"}),
    ("removeCriterion", "d_crit", {}),
    ("updateMeasure", "d_measure", {"text": "Ny tekst"}),
    ("removeMeasure", "d_measure", {}),
    ("updateLocalGoal", "GK", {"text": "Ny tekst"}),
    ("removeLocalGoal", "GK", {}),
    ("updateLocalAction", "AK", {"text": "Ny tekst"}),
    ("removeLocalAction", "AK", {}),
    ("submitLocalPlan", "LK", {}),
    ("approveLocalPlan", "LS", {}),
    ("returnLocalPlan", "LS", {"comment": "Mer"}),
    ("submitReport", "RK", {}),
    ("approveReport", "RS", {}),
    ("returnReport", "RS", {"comment": "Mer"}),
    ("refreshCouncilReportFigures", "CR", {}),
    ("publishCouncilReport", "CR", {}),
    ("updateFollowUpMeeting", "FM", {"minutes": "Referat."}),
    ("updateFollowUpPoint", "FP", {"status": "DONE"}),  # the unit tells how far it has come
    ("updateCompetencePlan", "CP", {"title": "Ny tittel"}),
    ("updateCompetenceNeed", "CN", {"text": "Ny tekst."}),
    ("removeCompetenceNeed", "CN", {}),
    ("updateCompetenceGoal", "CG", {"text": "Ny tekst."}),
    ("removeCompetenceGoal", "CG", {}),
    ("updateCompetenceMeasure", "CM", {"title": "Ny tittel"}),
    ("removeCompetenceMeasure", "CM", {}),
]
STALE_VERSIONS = [
    case(mutation, f"version {'%+d' % delta} of {name}", on(name, delta, **fields), STALE_VERSION, "version")
    for mutation, name, fields in STALE
    for delta in (-1, +1)
] + [
    *(
        case(
            "allowStaffEditing",
            f"version {'%+d' % delta} of K",
            {"unitId": R("K"), "version": V("K", delta), "allowed": True},
            STALE_VERSION,
            "version",
        )
        for delta in (-1, +1)
    ),
    # Inputs without an id: the version is that of the section or assessment being changed.
    *(
        case(
            "editCouncilReportSection",
            f"version {'%+d' % delta} of the section",
            {"reportId": R("CR"), "key": COUNCIL_SECTION, "text": "Ny tekst", "version": V("CRS", delta)},
            STALE_VERSION,
            "version",
        )
        for delta in (-1, +1)
    ),
    *(
        case(
            "saveLocalPlanSection",
            f"version {label} of the existing section",
            {"localPlanId": R("LK"), "key": "kartlegging", "text": "Ny tekst", "version": version},
            STALE_VERSION,
            "version",
        )
        for label, version in (("-1", V("SK", -1)), ("+1", V("SK", +1)), ("left out", None))
    ),
    case(
        "saveLocalPlanSection",
        "removing the section with a stale version",
        {"localPlanId": R("LK"), "key": "kartlegging", "text": "", "version": V("SK", +1)},
        STALE_VERSION,
        "version",
    ),
    *(
        case(
            "saveAssessment",
            f"version {label} of the existing assessment",
            {"reportId": R("RK"), "criterionId": R("p_crit"), "level": "2", "version": version},
            STALE_VERSION,
            "version",
        )
        for label, version in (("-1", V("ASK", -1)), ("+1", V("ASK", +1)), ("left out", None))
    ),
    *(
        case(
            "updateFollowUpPoint",
            f"version {'%+d' % delta} of FP, changing what was agreed",
            on("FP", delta, text="Ny tekst."),
            STALE_VERSION,
            "version",
        )
        for delta in (-1, +1)
    ),
]


def _unit(**fields) -> dict:
    return {"municipalityId": R("M"), "name": "Ny enhet", "kind": "KINDERGARTEN", **fields}


def _area(**fields) -> dict:
    return {"planId": R("D"), "kind": "theme", "title": "Nytt område", **fields}


def _report(**fields) -> dict:
    return {"reportId": R("RK"), "level": "1", "criterionId": R("p_goal_crit"), **fields}


RULES = [
    # createMunicipality
    case("createMunicipality", "a 3-digit number", {"number": "123", "name": "Ny"}, INVALID_VALUE, "number"),
    case("createMunicipality", "a 5-digit number", {"number": "12345", "name": "Ny"}, INVALID_VALUE, "number"),
    case("createMunicipality", "a letter in the number", {"number": "12a4", "name": "Ny"}, INVALID_VALUE, "number"),
    case("createMunicipality", "an empty number", {"number": "", "name": "Ny"}, EMPTY, "number"),
    case("createMunicipality", "a taken number", {"number": "9901", "name": "Ny"}, DUPLICATE, "number"),
    case("createMunicipality", "a taken number in spaces", {"number": " 0301 ", "name": "Ny"}, DUPLICATE, "number"),
    case("createMunicipality", "an empty name", {"number": "1234", "name": ""}, REQUIRED, "name"),
    case("createMunicipality", "a blank name", {"number": "1234", "name": BLANK}, REQUIRED, "name"),
    case("createMunicipality", "a name too long", {"number": "1234", "name": TOO_LONG_NAME}, TOO_LONG, "name"),
    case("createMunicipality", "a NUL in the name", {"number": "1234", "name": "Ny\x00kommune"}, INVALID_VALUE, "name"),
    case(
        "createMunicipality",
        "a lone surrogate in the name",
        {"number": "1234", "name": "Ny \ud800 kommune"},
        INVALID_VALUE,
        "name",
    ),
    case(
        "createMunicipality",
        "an unknown profile",
        {"number": "1234", "name": "Ny", "profile": "finnes-ikke"},
        INVALID_VALUE,
        "profile",
    ),
    case(
        "createMunicipality",
        "everything wrong at once",
        {"number": "x", "name": "", "profile": "finnes-ikke"},
        INVALID_VALUE,
        "number",
        (REQUIRED, "name"),
        (INVALID_VALUE, "profile"),
    ),
    # updateMunicipality
    case("updateMunicipality", "an empty name", on("M", name=""), REQUIRED, "name"),
    case("updateMunicipality", "a blank name", on("M", name=BLANK), REQUIRED, "name"),
    case("updateMunicipality", "a null name", on("M", name=None), REQUIRED, "name"),
    case("updateMunicipality", "a name too long", on("M", name=TOO_LONG_NAME), TOO_LONG, "name"),
    case(
        "updateMunicipality", "a control character in the name", on("M", name="Test\x07kommune"), INVALID_VALUE, "name"
    ),
    case("updateMunicipality", "an unknown profile", on("M", profile="finnes-ikke"), INVALID_VALUE, "profile"),
    # createUnit
    case("createUnit", "an empty name", _unit(name=""), REQUIRED, "name"),
    case("createUnit", "a blank name", _unit(name=BLANK), REQUIRED, "name"),
    case("createUnit", "a name too long", _unit(name=TOO_LONG_NAME), TOO_LONG, "name"),
    case("createUnit", "a zone too long", _unit(zone=TOO_LONG_NAME), TOO_LONG, "zone"),
    case("createUnit", "an org number of 8 digits", _unit(orgNumber=ORG_K[:8]), INVALID_ORG_NUMBER, "orgNumber"),
    case("createUnit", "an org number of 10 digits", _unit(orgNumber=ORG_K + "0"), INVALID_ORG_NUMBER, "orgNumber"),
    case(
        "createUnit", "an org number with a letter", _unit(orgNumber=ORG_K[:8] + "A"), INVALID_ORG_NUMBER, "orgNumber"
    ),
    case("createUnit", "an org number of letters", _unit(orgNumber="ABCDEFGHI"), INVALID_ORG_NUMBER, "orgNumber"),
    case(
        "createUnit",
        "an org number with a wrong check digit",
        _unit(orgNumber=ORG_BAD_CHECK),
        INVALID_ORG_NUMBER,
        "orgNumber",
    ),
    case(
        "createUnit",
        "an org number whose check digit would be 10",
        _unit(orgNumber=ORG_CHECK_10),
        INVALID_ORG_NUMBER,
        "orgNumber",
    ),
    case("createUnit", "an org number with hyphens", _unit(orgNumber="974-760-673"), INVALID_ORG_NUMBER, "orgNumber"),
    case(
        "createUnit",
        "an org number in full-width digits",
        _unit(orgNumber="９７４７６０６７３"),
        INVALID_ORG_NUMBER,
        "orgNumber",
    ),
    case("createUnit", "a taken org number", _unit(orgNumber=ORG_K), DUPLICATE, "orgNumber"),
    case(
        "createUnit", "a taken org number written with spaces", _unit(orgNumber="974 760 673"), DUPLICATE, "orgNumber"
    ),
    case(
        "createUnit",
        "an org number taken in another municipality",
        _unit(municipalityId=R("M2"), orgNumber=ORG_S),
        DUPLICATE,
        "orgNumber",
    ),
    case(
        "createUnit",
        "everything wrong at once",
        _unit(name="", orgNumber="123", zone=TOO_LONG_NAME),
        REQUIRED,
        "name",
        (INVALID_ORG_NUMBER, "orgNumber"),
        (TOO_LONG, "zone"),
    ),
    # updateUnit
    case("updateUnit", "an archived unit", on("X", name="Nytt navn"), INVALID_STATE, "id"),
    case("updateUnit", "an empty name", on("K", name=""), REQUIRED, "name"),
    case("updateUnit", "a null name", on("K", name=None), REQUIRED, "name"),
    case("updateUnit", "a name too long", on("K", name=TOO_LONG_NAME), TOO_LONG, "name"),
    case("updateUnit", "a zone too long", on("K", zone=TOO_LONG_NAME), TOO_LONG, "zone"),
    case("updateUnit", "an org number of 8 digits", on("K", orgNumber=ORG_K[:8]), INVALID_ORG_NUMBER, "orgNumber"),
    case("updateUnit", "an org number with a letter", on("K", orgNumber="9747606X3"), INVALID_ORG_NUMBER, "orgNumber"),
    case(
        "updateUnit",
        "an org number with a wrong check digit",
        on("K", orgNumber=ORG_BAD_CHECK),
        INVALID_ORG_NUMBER,
        "orgNumber",
    ),
    case("updateUnit", "another unit's org number", on("K", orgNumber=ORG_S), DUPLICATE, "orgNumber"),
    case("updateUnit", "a lone surrogate in the name", on("K", name="Nordlys \udc00"), INVALID_VALUE, "name"),
    case("updateUnit", "a null kind", on("K", kind=None), EMPTY, "kind"),
    case("updateUnit", "a null ownership", on("K", ownership=None), EMPTY, "ownership"),
    # archiveUnit
    case("archiveUnit", "an archived unit", on("X"), INVALID_STATE, "id"),
    # allowStaffEditing
    case(
        "allowStaffEditing",
        "an archived unit",
        {"unitId": R("X"), "version": V("X"), "allowed": True},
        INVALID_STATE,
        "unitId",
    ),
    # createApiKey
    case("createApiKey", "an empty name", {"municipalityId": R("M"), "name": "", "scopes": ["read"]}, REQUIRED, "name"),
    case(
        "createApiKey", "a blank name", {"municipalityId": R("M"), "name": BLANK, "scopes": ["read"]}, REQUIRED, "name"
    ),
    case(
        "createApiKey",
        "a name too long",
        {"municipalityId": R("M"), "name": TOO_LONG_NAME, "scopes": ["read"]},
        TOO_LONG,
        "name",
    ),
    case(
        "createApiKey",
        "no scopes",
        {"municipalityId": R("M"), "name": "Fagsystem", "scopes": []},
        INVALID_VALUE,
        "scopes",
    ),
    case(
        "createApiKey",
        "an unknown scope",
        {"municipalityId": R("M"), "name": "Fagsystem", "scopes": ["read", "admin"]},
        INVALID_VALUE,
        "scopes",
    ),
    # revokeApiKey
    case("revokeApiKey", "a revoked key", on("KEY_REVOKED"), INVALID_STATE, "id"),
    # createWebhookSubscription / updateWebhookSubscription
    case(
        "createWebhookSubscription",
        "an empty url",
        {"municipalityId": R("M"), "url": " ", "eventTypes": ["report.submitted"]},
        REQUIRED,
        "url",
    ),
    case(
        "createWebhookSubscription",
        "a url that is no url",
        {"municipalityId": R("M"), "url": "javascript:alert(1)", "eventTypes": ["report.submitted"]},
        INVALID_VALUE,
        "url",
    ),
    case(
        "createWebhookSubscription",
        "an unknown event type",
        {"municipalityId": R("M"), "url": "https://a.example/h", "eventTypes": ["report.deleted"]},
        INVALID_VALUE,
        "eventTypes",
    ),
    case(
        "createWebhookSubscription",
        "no event types",
        {"municipalityId": R("M"), "url": "https://a.example/h", "eventTypes": []},
        INVALID_VALUE,
        "eventTypes",
    ),
    case(
        "updateWebhookSubscription",
        "a url too long",
        on("HOOK", url="https://a.example/" + "x" * 2000),
        TOO_LONG,
        "url",
    ),
    case("updateWebhookSubscription", "no event types", on("HOOK", eventTypes=[]), INVALID_VALUE, "eventTypes"),
    case(
        "rotateWebhookSecret",
        "an overlap of a negative hour",
        on("HOOK", overlapHours=-1),
        INVALID_VALUE,
        "overlapHours",
    ),
    case("rotateWebhookSecret", "an overlap over a week", on("HOOK", overlapHours=169), INVALID_VALUE, "overlapHours"),
    # createPlan
    case("createPlan", "a title too long", {"municipalityId": R("M"), "title": TOO_LONG_TITLE}, TOO_LONG, "title"),
    case(
        "createPlan",
        "a control character in the title",
        {"municipalityId": R("M"), "title": "Plan\x1b"},
        INVALID_VALUE,
        "title",
    ),
    case(
        "createPlan", "a start in 1800", {"municipalityId": R("M"), "periodStart": 1800}, INVALID_VALUE, "periodStart"
    ),
    case("createPlan", "an end in 2300", {"municipalityId": R("M"), "periodEnd": 2300}, INVALID_VALUE, "periodEnd"),
    case(
        "createPlan",
        "an end before the start",
        {"municipalityId": R("M"), "periodStart": 2030, "periodEnd": 2029},
        INVALID_VALUE,
        "periodEnd",
    ),
    case(
        "createPlan",
        "an end before the profile's start",
        {"municipalityId": R("M"), "periodEnd": 2000},
        INVALID_VALUE,
        "periodEnd",
    ),
    case(
        "createPlan",
        "a copy ending before it starts",
        {"municipalityId": R("M"), "copyFrom": R("P"), "periodStart": 2030, "periodEnd": 2029},
        INVALID_VALUE,
        "periodEnd",
    ),
    case(
        "createPlan",
        "a copy of another municipality's plan",
        {"municipalityId": R("M2"), "copyFrom": R("P")},
        NOT_FOUND,
        "copyFrom",
    ),
    case(
        "createPlan",
        "no content: a municipality without profile, no copy",
        {"municipalityId": R("M2")},
        REQUIRED,
        "copyFrom",
    ),
    # adoptPlan
    case("adoptPlan", "an adopted plan", on("P", adoptedBy="Kommunestyret"), INVALID_STATE, "id"),
    case("adoptPlan", "an archived plan", on("A", adoptedBy="Kommunestyret"), INVALID_STATE, "id"),
    case("adoptPlan", "an empty body", on("D", adoptedBy=""), REQUIRED, "adoptedBy"),
    case("adoptPlan", "a blank body", on("D", adoptedBy=BLANK), REQUIRED, "adoptedBy"),
    case("adoptPlan", "a body too long", on("D", adoptedBy=TOO_LONG_TITLE), TOO_LONG, "adoptedBy"),
    # archivePlan
    case("archivePlan", "an archived plan", on("A"), INVALID_STATE, "id"),
    # addArea
    case("addArea", "an adopted plan", _area(planId=R("P")), INVALID_STATE, "planId"),
    case("addArea", "an archived plan", _area(planId=R("A")), INVALID_STATE, "planId"),
    case("addArea", "a parent in another plan", _area(parentId=R("p_lek")), NOT_FOUND, "parentId"),
    case("addArea", "a kind the profile lacks", _area(kind="finnes_ikke"), INVALID_VALUE, "kind"),
    case("addArea", "an empty title", _area(title=""), REQUIRED, "title"),
    case("addArea", "a blank title", _area(title=BLANK), REQUIRED, "title"),
    case("addArea", "a title too long", _area(title=TOO_LONG_TITLE), TOO_LONG, "title"),
    case("addArea", "a description too long", _area(description=TOO_LONG_TEXT), TOO_LONG, "description"),
    case("addArea", "a unit kind the plan does not apply to", _area(appliesTo=["SFO"]), INVALID_VALUE, "appliesTo"),
    case("addArea", "no unit kind", _area(appliesTo=[]), INVALID_VALUE, "appliesTo"),
    case("addArea", "a taken key", _area(key="lek"), DUPLICATE, "key"),
    case("addArea", "a key with capitals and spaces", _area(key="Ikke gyldig!"), INVALID_VALUE, "key"),
    case("addArea", "an empty key", _area(key=""), EMPTY, "key"),
    # updateArea
    case("updateArea", "an area of the adopted plan", on("p_lek", title="Ny tittel"), INVALID_STATE, "id"),
    case("updateArea", "an empty title", on("d_lek", title=""), REQUIRED, "title"),
    case("updateArea", "a null title", on("d_lek", title=None), REQUIRED, "title"),
    case("updateArea", "a title too long", on("d_lek", title=TOO_LONG_TITLE), TOO_LONG, "title"),
    case("updateArea", "a description too long", on("d_lek", description=TOO_LONG_TEXT), TOO_LONG, "description"),
    case("updateArea", "a kind the profile lacks", on("d_lek", kind="finnes_ikke"), INVALID_VALUE, "kind"),
    case("updateArea", "a null kind", on("d_lek", kind=None), EMPTY, "kind"),
    case(
        "updateArea",
        "a unit kind the plan does not apply to",
        on("d_lek", appliesTo=["SFO"]),
        INVALID_VALUE,
        "appliesTo",
    ),
    case("updateArea", "null unit kinds", on("d_lek", appliesTo=None), EMPTY, "appliesTo"),
    case("updateArea", "another area's key", on("d_lek", key="skole"), DUPLICATE, "key"),
    # moveArea
    case("moveArea", "an area of the adopted plan", on("p_ute", position=0), INVALID_STATE, "id"),
    case("moveArea", "below its own child", on("d_lek", parentId=R("d_ute")), INVALID_VALUE, "parentId"),
    case("moveArea", "below itself", on("d_lek", parentId=R("d_lek")), INVALID_VALUE, "parentId"),
    case("moveArea", "below an area of another plan", on("d_ute", parentId=R("p_lek")), NOT_FOUND, "parentId"),
    case("moveArea", "a negative position", on("d_ute", position=-1), INVALID_VALUE, "position"),
    # removeArea
    case("removeArea", "an area of the adopted plan", on("p_lek"), INVALID_STATE, "id"),
    case("removeArea", "a child area of the adopted plan", on("p_ute"), INVALID_STATE, "id"),
    # addGoal
    case(
        "addGoal",
        "an area of the adopted plan",
        {"areaId": R("p_lek"), "kind": "aim", "text": "Mål"},
        INVALID_STATE,
        "areaId",
    ),
    case("addGoal", "an empty text", {"areaId": R("d_lek"), "kind": "aim", "text": ""}, REQUIRED, "text"),
    case("addGoal", "a blank text", {"areaId": R("d_lek"), "kind": "aim", "text": BLANK}, REQUIRED, "text"),
    case("addGoal", "a text too long", {"areaId": R("d_lek"), "kind": "aim", "text": TOO_LONG_TEXT}, TOO_LONG, "text"),
    case(
        "addGoal",
        "a malformed kind",
        {"areaId": R("d_lek"), "kind": "Ikke gyldig", "text": "Mål"},
        INVALID_VALUE,
        "kind",
    ),
    case("addGoal", "an empty kind", {"areaId": R("d_lek"), "kind": "", "text": "Mål"}, EMPTY, "kind"),
    # updateGoal
    case("updateGoal", "a goal of the adopted plan", on("p_goal", text="Ny tekst"), INVALID_STATE, "id"),
    case("updateGoal", "an empty text", on("d_goal", text=""), REQUIRED, "text"),
    case("updateGoal", "a null text", on("d_goal", text=None), REQUIRED, "text"),
    case("updateGoal", "a text too long", on("d_goal", text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case("updateGoal", "a malformed kind", on("d_goal", kind="Ikke gyldig"), INVALID_VALUE, "kind"),
    case("updateGoal", "a negative position", on("d_goal", position=-1), INVALID_VALUE, "position"),
    # removeGoal
    case("removeGoal", "a goal of the adopted plan", on("p_goal"), INVALID_STATE, "id"),
    # addCriterion
    case("addCriterion", "neither area nor goal", {"text": "Kjennetegn"}, INVALID_VALUE, "areaId"),
    case(
        "addCriterion",
        "both area and goal",
        {"text": "Kjennetegn", "areaId": R("d_lek"), "goalId": R("d_goal")},
        INVALID_VALUE,
        "areaId",
    ),
    case(
        "addCriterion",
        "an area of the adopted plan",
        {"text": "Kjennetegn", "areaId": R("p_lek")},
        INVALID_STATE,
        "areaId",
    ),
    case(
        "addCriterion",
        "a goal of the adopted plan",
        {"text": "Kjennetegn", "goalId": R("p_goal")},
        INVALID_STATE,
        "goalId",
    ),
    case("addCriterion", "an empty text", {"text": "", "areaId": R("d_lek")}, REQUIRED, "text"),
    case("addCriterion", "a text too long", {"text": TOO_LONG_TEXT, "goalId": R("d_goal")}, TOO_LONG, "text"),
    case(
        "addCriterion",
        "a perspective the profile lacks",
        {"text": "K", "areaId": R("d_lek"), "perspective": "foreldre"},
        INVALID_VALUE,
        "perspective",
    ),
    # updateCriterion
    case("updateCriterion", "an area's criterion of the adopted plan", on("p_crit", text="Ny"), INVALID_STATE, "id"),
    case(
        "updateCriterion", "a goal's criterion of the adopted plan", on("p_goal_crit", text="Ny"), INVALID_STATE, "id"
    ),
    case("updateCriterion", "an empty text", on("d_crit", text=""), REQUIRED, "text"),
    case("updateCriterion", "a null text", on("d_crit", text=None), REQUIRED, "text"),
    case("updateCriterion", "a text too long", on("d_crit", text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case(
        "updateCriterion",
        "a perspective the profile lacks",
        on("d_crit", perspective="foreldre"),
        INVALID_VALUE,
        "perspective",
    ),
    case(
        "updateCriterion",
        "a negative position (after a valid text)",
        on("d_crit", text="Ny", position=-1),
        INVALID_VALUE,
        "position",
    ),
    # removeCriterion
    case("removeCriterion", "an area's criterion of the adopted plan", on("p_crit"), INVALID_STATE, "id"),
    case("removeCriterion", "a goal's criterion of the adopted plan", on("p_goal_crit"), INVALID_STATE, "id"),
    # addMeasure
    case(
        "addMeasure", "an area of the adopted plan", {"areaId": R("p_lek"), "text": "Tiltak"}, INVALID_STATE, "areaId"
    ),
    case("addMeasure", "an empty text", {"areaId": R("d_lek"), "text": ""}, REQUIRED, "text"),
    case("addMeasure", "a text too long", {"areaId": R("d_lek"), "text": TOO_LONG_TEXT}, TOO_LONG, "text"),
    case(
        "addMeasure",
        "an owner too long",
        {"areaId": R("d_lek"), "text": "T", "owner": TOO_LONG_TITLE},
        TOO_LONG,
        "owner",
    ),
    case(
        "addMeasure",
        "a partner too long",
        {"areaId": R("d_lek"), "text": "T", "partner": TOO_LONG_TITLE},
        TOO_LONG,
        "partner",
    ),
    case(
        "addMeasure",
        "a target group too long",
        {"areaId": R("d_lek"), "text": "T", "targetGroup": TOO_LONG_TITLE},
        TOO_LONG,
        "targetGroup",
    ),
    # updateMeasure
    case("updateMeasure", "a measure of the adopted plan", on("p_measure", text="Ny"), INVALID_STATE, "id"),
    case("updateMeasure", "an empty text", on("d_measure", text=""), REQUIRED, "text"),
    case("updateMeasure", "a null text", on("d_measure", text=None), REQUIRED, "text"),
    case("updateMeasure", "a text too long", on("d_measure", text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case("updateMeasure", "an owner too long", on("d_measure", owner=TOO_LONG_TITLE), TOO_LONG, "owner"),
    case(
        "updateMeasure", "a target group too long", on("d_measure", targetGroup=TOO_LONG_TITLE), TOO_LONG, "targetGroup"
    ),
    case("updateMeasure", "a negative position", on("d_measure", position=-1), INVALID_VALUE, "position"),
    # removeMeasure
    case("removeMeasure", "a measure of the adopted plan", on("p_measure"), INVALID_STATE, "id"),
    # createLocalPlan
    case("createLocalPlan", "a draft plan", {"unitId": R("S2"), "planId": R("D")}, INVALID_STATE, "planId"),
    case("createLocalPlan", "an archived plan", {"unitId": R("S2"), "planId": R("A")}, INVALID_STATE, "planId"),
    case(
        "createLocalPlan",
        "an SFO on a plan for kindergartens and schools",
        {"unitId": R("F"), "planId": R("P")},
        NOT_APPLICABLE,
        "unitId",
    ),
    case("createLocalPlan", "an archived unit", {"unitId": R("X"), "planId": R("P")}, INVALID_STATE, "unitId"),
    case(
        "createLocalPlan", "a second local plan on the plan", {"unitId": R("K"), "planId": R("P")}, DUPLICATE, "unitId"
    ),
    case(
        "createLocalPlan", "a unit of another municipality", {"unitId": R("U2"), "planId": R("P")}, NOT_FOUND, "planId"
    ),
    # addLocalGoal
    case(
        "addLocalGoal",
        "a submitted local plan",
        {"localPlanId": R("LS"), "areaId": R("p_lek"), "text": "Mål"},
        INVALID_STATE,
        "localPlanId",
    ),
    case(
        "addLocalGoal",
        "an area for schools, in a kindergarten's plan",
        {"localPlanId": R("LK"), "areaId": R("p_skole"), "text": "Mål"},
        NOT_APPLICABLE,
        "areaId",
    ),
    case(
        "addLocalGoal",
        "an area for kindergartens, in a school's plan",
        {"localPlanId": R("LS2"), "areaId": R("p_ute"), "text": "Mål"},
        NOT_APPLICABLE,
        "areaId",
    ),
    case(
        "addLocalGoal",
        "an area of another plan",
        {"localPlanId": R("LK"), "areaId": R("d_lek"), "text": "Mål"},
        NOT_FOUND,
        "areaId",
    ),
    case("addLocalGoal", "an empty text", {"localPlanId": R("LK"), "areaId": R("p_lek"), "text": ""}, REQUIRED, "text"),
    case(
        "addLocalGoal", "a blank text", {"localPlanId": R("LK"), "areaId": R("p_lek"), "text": BLANK}, REQUIRED, "text"
    ),
    case(
        "addLocalGoal",
        "a text too long",
        {"localPlanId": R("LK"), "areaId": R("p_lek"), "text": TOO_LONG_TEXT},
        TOO_LONG,
        "text",
    ),
    case(
        "addLocalGoal",
        "a lone surrogate in the text",
        {"localPlanId": R("LK"), "areaId": R("p_lek"), "text": "Mål \ud83d"},
        INVALID_VALUE,
        "text",
    ),
    case(
        "addLocalGoal",
        "a perspective the profile lacks",
        {"localPlanId": R("LK"), "areaId": R("p_lek"), "text": "Mål", "perspective": "foreldre"},
        INVALID_VALUE,
        "perspective",
    ),
    # updateLocalGoal
    case("updateLocalGoal", "a goal of a submitted local plan", on("GS", text="Ny tekst"), INVALID_STATE, "id"),
    case("updateLocalGoal", "an empty text", on("GK", text=""), REQUIRED, "text"),
    case("updateLocalGoal", "a null text", on("GK", text=None), REQUIRED, "text"),
    # Once an internal error: the empty text was written to the goal before the perspective's
    # check read the plan, and that read flushed a NULL into a NOT NULL column.
    case(
        "updateLocalGoal", "an empty text with a perspective", on("GK", text="", perspective="barn"), REQUIRED, "text"
    ),
    case("updateLocalGoal", "a text too long", on("GK", text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case(
        "updateLocalGoal",
        "a perspective the profile lacks",
        on("GK", perspective="foreldre"),
        INVALID_VALUE,
        "perspective",
    ),
    # removeLocalGoal
    case("removeLocalGoal", "a goal of a submitted local plan", on("GS"), INVALID_STATE, "id"),
    case("removeLocalGoal", "a goal assessed in a submitted report", on("GS2"), INVALID_STATE, "id"),
    # addLocalAction
    case(
        "addLocalAction",
        "a submitted local plan",
        {"localPlanId": R("LS"), "text": "Tiltak"},
        INVALID_STATE,
        "localPlanId",
    ),
    case("addLocalAction", "an empty text", {"localPlanId": R("LK"), "text": ""}, REQUIRED, "text"),
    case("addLocalAction", "a text too long", {"localPlanId": R("LK"), "text": TOO_LONG_TEXT}, TOO_LONG, "text"),
    case(
        "addLocalAction",
        "an owner too long",
        {"localPlanId": R("LK"), "text": "T", "owner": TOO_LONG_TITLE},
        TOO_LONG,
        "owner",
    ),
    case(
        "addLocalAction",
        "an area for schools, in a kindergarten's plan",
        {"localPlanId": R("LK"), "text": "T", "areaId": R("p_skole")},
        NOT_APPLICABLE,
        "areaId",
    ),
    case(
        "addLocalAction",
        "an area of another plan",
        {"localPlanId": R("LK"), "text": "T", "areaId": R("d_lek")},
        NOT_FOUND,
        "areaId",
    ),
    case(
        "addLocalAction",
        "another local plan's goal",
        {"localPlanId": R("LK"), "text": "T", "localGoalId": R("GS")},
        NOT_FOUND,
        "localGoalId",
    ),
    # updateLocalAction
    case("updateLocalAction", "an action of a submitted local plan", on("AS", text="Ny"), INVALID_STATE, "id"),
    case("updateLocalAction", "an empty text", on("AK", text=""), REQUIRED, "text"),
    case("updateLocalAction", "a null text", on("AK", text=None), REQUIRED, "text"),
    case("updateLocalAction", "a text too long", on("AK", text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case("updateLocalAction", "an owner too long", on("AK", owner=TOO_LONG_TITLE), TOO_LONG, "owner"),
    case("updateLocalAction", "a null status", on("AK", status=None), EMPTY, "status"),
    case(
        "updateLocalAction",
        "an area for schools, in a kindergarten's plan",
        on("AK", areaId=R("p_skole")),
        NOT_APPLICABLE,
        "areaId",
    ),
    case("updateLocalAction", "another local plan's goal", on("AK", localGoalId=R("GS")), NOT_FOUND, "localGoalId"),
    # removeLocalAction
    case("removeLocalAction", "an action of a submitted local plan", on("AS"), INVALID_STATE, "id"),
    # saveLocalPlanSection
    case(
        "saveLocalPlanSection",
        "a submitted local plan",
        {"localPlanId": R("LS"), "key": "kartlegging", "text": "T"},
        INVALID_STATE,
        "localPlanId",
    ),
    case("saveLocalPlanSection", "an empty key", {"localPlanId": R("LK"), "key": "", "text": "T"}, REQUIRED, "key"),
    case("saveLocalPlanSection", "a blank key", {"localPlanId": R("LK"), "key": BLANK, "text": "T"}, REQUIRED, "key"),
    case(
        "saveLocalPlanSection",
        "a key too long",
        {"localPlanId": R("LK"), "key": TOO_LONG_KEY, "text": "T"},
        TOO_LONG,
        "key",
    ),
    case(
        "saveLocalPlanSection",
        "a lone surrogate in the key",
        {"localPlanId": R("LK"), "key": "k\ud800", "text": "T"},
        INVALID_VALUE,
        "key",
    ),
    case(
        "saveLocalPlanSection",
        "a text too long",
        {"localPlanId": R("LK"), "key": "ny", "text": TOO_LONG_TEXT},
        TOO_LONG,
        "text",
    ),
    case(
        "saveLocalPlanSection",
        "an area for schools, in a kindergarten's plan",
        {"localPlanId": R("LK"), "key": "tegn", "text": "T", "areaId": R("p_skole")},
        NOT_APPLICABLE,
        "areaId",
    ),
    case(
        "saveLocalPlanSection",
        "an area of another plan",
        {"localPlanId": R("LK"), "key": "tegn", "text": "T", "areaId": R("d_lek")},
        NOT_FOUND,
        "areaId",
    ),
    # submitLocalPlan
    case("submitLocalPlan", "a submitted local plan", on("LS"), INVALID_STATE, "id"),
    case("submitLocalPlan", "a local plan the profile's rules find incomplete", on("LE"), "MISSING_GOALS", "goals"),
    # approveLocalPlan
    case("approveLocalPlan", "a draft", on("LK"), INVALID_STATE, "id", says="cannot be approved"),
    case("approveLocalPlan", "a returned local plan", on("LS2"), INVALID_STATE, "id"),
    case("approveLocalPlan", "a comment too long", on("LS", comment=TOO_LONG_TEXT), TOO_LONG, "comment"),
    # returnLocalPlan
    case("returnLocalPlan", "a draft", on("LK", comment="Mer"), INVALID_STATE, "id", says="cannot be returned"),
    case("returnLocalPlan", "a returned local plan", on("LS2", comment="Mer"), INVALID_STATE, "id"),
    case("returnLocalPlan", "an empty comment", on("LS", comment=""), REQUIRED, "comment"),
    case("returnLocalPlan", "a blank comment", on("LS", comment=BLANK), REQUIRED, "comment"),
    case("returnLocalPlan", "a comment too long", on("LS", comment=TOO_LONG_TEXT), TOO_LONG, "comment"),
    # openReport
    case(
        "openReport",
        "an SFO on a plan for kindergartens and schools",
        {"unitId": R("F"), "year": 2024, "period": "h1"},
        NOT_APPLICABLE,
        "unitId",
    ),
    case("openReport", "an archived unit", {"unitId": R("X"), "year": 2024, "period": "h1"}, INVALID_STATE, "unitId"),
    case(
        "openReport",
        "a period with a report already",
        {"unitId": R("K"), "year": 2024, "period": "h1"},
        DUPLICATE,
        "period",
    ),
    case(
        "openReport",
        "a period the profile lacks",
        {"unitId": R("K2"), "year": 2024, "period": "q3"},
        INVALID_VALUE,
        "period",
    ),
    case("openReport", "an empty period", {"unitId": R("K2"), "year": 2024, "period": ""}, EMPTY, "period"),
    case("openReport", "the year 1800", {"unitId": R("K2"), "year": 1800, "period": "h1"}, INVALID_VALUE, "year"),
    case(
        "openReport",
        "a year only a draft plan covers",
        {"unitId": R("K2"), "year": 2030, "period": "h1"},
        INVALID_STATE,
        "year",
    ),
    case(
        "openReport", "a year no plan covers", {"unitId": R("K2"), "year": 2040, "period": "h1"}, INVALID_STATE, "year"
    ),
    case(
        "openReport",
        "a municipality without reporting periods",
        {"unitId": R("U2"), "year": 2024, "period": "h1"},
        INVALID_VALUE,
        "period",
    ),
    # saveAssessment
    case(
        "saveAssessment",
        "a submitted report",
        _report(reportId=R("RS"), criterionId=R("p_crit")),
        INVALID_STATE,
        "reportId",
    ),
    case("saveAssessment", "neither criterion nor local goal", _report(criterionId=None), INVALID_VALUE, "criterionId"),
    case("saveAssessment", "both criterion and local goal", _report(localGoalId=R("GK")), INVALID_VALUE, "criterionId"),
    case(
        "saveAssessment",
        "a criterion for kindergartens, in a school's report",
        _report(reportId=R("RS3"), criterionId=R("p_ute_crit")),
        NOT_APPLICABLE,
        "criterionId",
    ),
    case("saveAssessment", "a criterion of another plan", _report(criterionId=R("d_crit")), NOT_FOUND, "criterionId"),
    case(
        "saveAssessment",
        "another unit's local goal",
        _report(criterionId=None, localGoalId=R("GS")),
        NOT_FOUND,
        "localGoalId",
    ),
    case("saveAssessment", "a level off the scale", _report(level="9"), INVALID_VALUE, "level"),
    case("saveAssessment", "an empty level", _report(level=""), EMPTY, "level"),
    case("saveAssessment", "a comment too long", _report(comment=TOO_LONG_TEXT), TOO_LONG, "comment"),
    case("saveAssessment", "evidence too long", _report(evidence=TOO_LONG_TEXT), TOO_LONG, "evidence"),
    # submitReport
    case("submitReport", "a submitted report", on("RS"), INVALID_STATE, "id"),
    case("submitReport", "a report with assessments missing", on("RK"), MISSING_ASSESSMENT, "assessments"),
    # approveReport
    case("approveReport", "a draft", on("RK"), INVALID_STATE, "id", says="cannot be approved"),
    case("approveReport", "a draft never assessed", on("RS3"), INVALID_STATE, "id"),
    case("approveReport", "a comment too long", on("RS", comment=TOO_LONG_TEXT), TOO_LONG, "comment"),
    # returnReport
    case("returnReport", "a draft", on("RK", comment="Mer"), INVALID_STATE, "id", says="cannot be returned"),
    case("returnReport", "an empty comment", on("RS", comment=""), REQUIRED, "comment"),
    case("returnReport", "a blank comment", on("RS", comment=BLANK), REQUIRED, "comment"),
    case("returnReport", "a comment too long", on("RS", comment=TOO_LONG_TEXT), TOO_LONG, "comment"),
    # publishSectorReport
    case(
        "publishSectorReport",
        "a period the profile lacks",
        {"municipalityId": R("M"), "year": 2024, "period": "q3"},
        INVALID_VALUE,
        "period",
    ),
    case(
        "publishSectorReport",
        "a year no adopted plan covers",
        {"municipalityId": R("M"), "year": 2040, "period": "h1"},
        INVALID_STATE,
        "year",
    ),
    case(
        "publishSectorReport",
        "a municipality without reporting periods",
        {"municipalityId": R("M2"), "year": 2024, "period": "h1"},
        INVALID_VALUE,
        "period",
    ),
    case(
        "publishSectorReport",
        "the year 0",
        {"municipalityId": R("M"), "year": 0, "period": "h1"},
        INVALID_VALUE,
        "year",
    ),
    case(
        "publishSectorReport",
        "the year 10000",
        {"municipalityId": R("M"), "year": 10000, "period": "h1"},
        INVALID_VALUE,
        "year",
    ),
    # the report to the council
    case(
        "createCouncilReport", "a second draft for a year", {"municipalityId": R("M"), "year": 2024}, DUPLICATE, "year"
    ),
    case(
        "createCouncilReport",
        "a period the profile lacks",
        {"municipalityId": R("M"), "year": 2025, "period": "q3"},
        INVALID_VALUE,
        "period",
    ),
    case("createCouncilReport", "the year 0", {"municipalityId": R("M"), "year": 0}, INVALID_VALUE, "year"),
    case(
        "createCouncilReport",
        "a municipality without a profile",
        {"municipalityId": R("M2"), "year": 2024},
        INVALID_STATE,
        "municipalityId",
    ),
    case(
        "editCouncilReportSection",
        "a section the structure lacks",
        {"reportId": R("CR"), "key": "nope", "text": "x", "version": V("CRS")},
        INVALID_VALUE,
        "key",
    ),
    case(
        "editCouncilReportSection",
        "a text too long",
        {"reportId": R("CR"), "key": COUNCIL_SECTION, "text": "x" * 50_001, "version": V("CRS")},
        TOO_LONG,
        "text",
    ),
    case(
        "editCouncilReportSection",
        "a real measure beside an unknown one",
        lambda w: {
            "reportId": w.ids["CR"],
            "key": COUNCIL_SECTION,
            "text": "x",
            "version": w.ver["CRS"],
            "measureIds": [w.ids["d_measure"], global_id("Measure", uuid.uuid4())],
        },
        NOT_FOUND,
        "measureIds",
    ),
    case(
        "editCouncilReportSection",
        "an assessment with no comment to quote",
        {"reportId": R("CR"), "key": COUNCIL_SECTION, "text": "x", "version": V("CRS"), "commentIds": [R("ASK")]},
        NOT_FOUND,
        "commentIds",
    ),
    case("saveLocalIndicator", "a code with capitals", _local_indicator(code="Trivsel"), INVALID_VALUE, "code"),
    case("saveLocalIndicator", "an empty code", _local_indicator(code=""), INVALID_VALUE, "code"),
    case(
        "saveLocalIndicator", "a national indicator's code", _local_indicator(code="eu.mobbing"), INVALID_VALUE, "code"
    ),
    case(
        "saveLocalIndicator",
        "a blank name",
        _local_indicator(names={"nb": BLANK, "nn": "Trivsel", "en": "Well-being"}),
        REQUIRED,
        "names.nb",
    ),
    case(
        "saveLocalIndicator",
        "a name too long",
        _local_indicator(names={"nb": "Trivsel", "nn": TOO_LONG_NAME, "en": "Well-being"}),
        TOO_LONG,
        "names.nn",
    ),
    case("saveLocalIndicator", "no unit kinds", _local_indicator(unitKinds=[]), EMPTY, "unitKinds"),
    case("saveLocalIndicator", "a threshold of 0", _local_indicator(minRespondents=0), INVALID_VALUE, "minRespondents"),
    case("saveLocalIndicator", "9 decimals", _local_indicator(decimals=9), INVALID_VALUE, "decimals"),
    case(
        "saveLocalIndicator", "a scale upside down", _local_indicator(scaleMin=5, scaleMax=1), INVALID_VALUE, "scaleMin"
    ),
    case(
        "uploadLocalIndicatorFigures",
        "an indicator the municipality does not have",
        _upload("2024-25;9901;;4,1;300\n", code="ukjent.indikator"),
        NOT_FOUND,
        "code",
    ),
    case(
        "uploadLocalIndicatorFigures",
        "a value that is not a number",
        _upload("2024-25;9901;;fire;300\n"),
        "INVALID_FILE",
        "csv",
    ),
    case(
        "uploadLocalIndicatorFigures",
        "another municipality's figure",
        _upload("2024-25;0301;;4,1;300\n"),
        "INVALID_FILE",
        "csv",
    ),
    case("uploadLocalIndicatorFigures", "the nation's figure", _upload("2024-25;;;4,1;300\n"), "INVALID_FILE", "csv"),
    case(
        "uploadLocalIndicatorFigures",
        "no header",
        {"municipalityId": R("M"), "code": "testkommune.trivsel", "csv": ""},
        "INVALID_FILE",
        "csv",
    ),
    case(
        "uploadLocalIndicatorFigures",
        "a school year it cannot read",
        _upload("i fjor;9901;;4,1;300\n"),
        "INVALID_FILE",
        "csv",
    ),  # planFollowUpMeeting
    case("planFollowUpMeeting", "an unknown kind", _meeting(R("K"), kind="finnes-ikke"), INVALID_VALUE, "kind"),
    case("planFollowUpMeeting", "an empty kind", _meeting(R("K"), kind=""), INVALID_VALUE, "kind"),
    case("planFollowUpMeeting", "a period the profile lacks", _meeting(R("K"), period="q3"), INVALID_VALUE, "period"),
    case("planFollowUpMeeting", "the year 0", _meeting(R("K"), year=0), INVALID_VALUE, "year"),
    case("planFollowUpMeeting", "the year 10000", _meeting(R("K"), year=10000, period=None), INVALID_VALUE, "year"),
    case("planFollowUpMeeting", "an archived unit", _meeting(R("X")), INVALID_STATE, "unitId"),
    case(
        "planFollowUpMeeting",
        "a unit of a municipality without a profile (no kinds of meeting)",
        _meeting(R("U2")),
        INVALID_STATE,
        "unitId",
    ),
    case(
        "planFollowUpMeeting",
        "a participant's title too long",
        _meeting(R("K"), participants=[{"role": "OWNER", "title": TOO_LONG_TITLE}]),
        TOO_LONG,
        "participants.0.title",
    ),
    case(
        "planFollowUpMeeting",
        "51 participants",
        _meeting(R("K"), participants=[{"role": "UNIT_STAFF"}] * 51),
        INVALID_VALUE,
        "participants",
    ),
    # updateFollowUpMeeting
    case("updateFollowUpMeeting", "held in the future", on("FM", heldOn="2999-01-01"), INVALID_VALUE, "heldOn"),
    case("updateFollowUpMeeting", "held in 1800", on("FM", heldOn="1800-01-01"), INVALID_VALUE, "heldOn"),
    case(
        "planFollowUpMeeting", "planned for 1800", _meeting(R("K"), plannedOn="1800-06-10"), INVALID_VALUE, "plannedOn"
    ),
    case("updateFollowUpMeeting", "held without the day", on("FM", status="HELD"), INVALID_VALUE, "heldOn"),
    case(
        "updateFollowUpMeeting",
        "a day held, but still planned",
        on("FM", heldOn="2024-06-10", status="PLANNED"),
        INVALID_VALUE,
        "heldOn",
    ),
    case("updateFollowUpMeeting", "minutes too long", on("FM", minutes="x" * 50_001), TOO_LONG, "minutes"),
    case("updateFollowUpMeeting", "a period the profile lacks", on("FM", period="q3"), INVALID_VALUE, "period"),
    case(
        "updateFollowUpMeeting",
        "a participant's title with a NUL",
        on("FM", participants=[{"role": "UNIT_LEADER", "title": "Styrer\x00"}]),
        INVALID_VALUE,
        "participants.0.title",
    ),
    # agreeFollowUpPoint
    case("agreeFollowUpPoint", "an empty text", _point(text=""), REQUIRED, "text"),
    case("agreeFollowUpPoint", "a blank text", _point(text=BLANK), REQUIRED, "text"),
    case("agreeFollowUpPoint", "a text too long", _point(text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case("agreeFollowUpPoint", "a blank owner", _point(owner=BLANK), REQUIRED, "owner"),
    case("agreeFollowUpPoint", "an owner too long", _point(owner=TOO_LONG_TITLE), TOO_LONG, "owner"),
    case("agreeFollowUpPoint", "a cancelled meeting", _point(meetingId=R("FMC")), INVALID_STATE, "meetingId"),
    # updateFollowUpPoint
    case("updateFollowUpPoint", "an empty text", on("FP", text=""), REQUIRED, "text"),
    case("updateFollowUpPoint", "a null text", on("FP", text=None), REQUIRED, "text"),
    case("updateFollowUpPoint", "a text too long", on("FP", text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case("updateFollowUpPoint", "a null owner", on("FP", owner=None), REQUIRED, "owner"),
    case("updateFollowUpPoint", "an owner too long", on("FP", owner=TOO_LONG_TITLE), TOO_LONG, "owner"),
    case(
        "updateFollowUpPoint",
        "a status note too long",
        on("FP", status="DONE", statusNote=TOO_LONG_TEXT),
        TOO_LONG,
        "statusNote",
    ),
    # setFollowUpRhythm
    case("setFollowUpRhythm", "every 0 months", _rhythm(everyMonths=0), INVALID_VALUE, "everyMonths"),
    case("setFollowUpRhythm", "every 61 months", _rhythm(everyMonths=61), INVALID_VALUE, "everyMonths"),
    case("setFollowUpRhythm", "every -1 months", _rhythm(everyMonths=-1), INVALID_VALUE, "everyMonths"),
    case("setFollowUpRhythm", "an unknown kind", _rhythm(kind="finnes-ikke"), INVALID_VALUE, "kind"),
    case(
        "setFollowUpRhythm",
        "a municipality without a profile",
        _rhythm(municipalityId=R("M2")),
        INVALID_STATE,
        "municipalityId",
    ),
    # createCompetencePlan
    case(
        "createCompetencePlan",
        "an end before the start",
        _competence_plan(startYear=2027, endYear=2026),
        INVALID_VALUE,
        "endYear",
    ),
    case(
        "createCompetencePlan",
        "eleven years",
        _competence_plan(startYear=2026, endYear=2036),
        INVALID_VALUE,
        "endYear",
    ),
    case(
        "createCompetencePlan",
        "neither unit nor municipality",
        {"startYear": 2026, "endYear": 2027},
        {NOT_FOUND, REQUIRED},
        "municipalityId",
    ),
    case("createCompetencePlan", "the start year 0", _competence_plan(startYear=0), INVALID_VALUE, "startYear"),
    case(
        "createCompetencePlan",
        "both a unit and a municipality",
        _competence_plan(municipalityId=R("M")),
        INVALID_VALUE,
        "municipalityId",
    ),
    case(
        "createCompetencePlan",
        "a second plan for the unit from the same year",
        _competence_plan(unitId=R("K"), startYear=2024, endYear=2025),
        DUPLICATE,
        "startYear",
    ),
    case("createCompetencePlan", "an archived unit", _competence_plan(unitId=R("X")), INVALID_STATE, "unitId"),
    case("createCompetencePlan", "a title too long", _competence_plan(title=TOO_LONG_TITLE), TOO_LONG, "title"),
    # updateCompetencePlan
    case("updateCompetencePlan", "an end before the start", on("CP", endYear=2023), INVALID_VALUE, "endYear"),
    case("updateCompetencePlan", "eleven years", on("CP", endYear=2034), INVALID_VALUE, "endYear"),
    case("updateCompetencePlan", "a title too long", on("CP", title=TOO_LONG_TITLE), TOO_LONG, "title"),
    case(
        "updateCompetencePlan", "a control character in the title", on("CP", title="Plan\x1b"), INVALID_VALUE, "title"
    ),
    # addCompetenceNeed
    case("addCompetenceNeed", "an empty text", _need(text=""), REQUIRED, "text"),
    case("addCompetenceNeed", "a blank text", _need(text=BLANK), REQUIRED, "text"),
    case("addCompetenceNeed", "a text too long", _need(text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case(
        "addCompetenceNeed",
        "an area of another municipality's plan",
        _need(planId=R("CP2"), areaId=R("p_lek")),
        NOT_FOUND,
        "areaId",
    ),
    case(
        "addCompetenceNeed",
        "a goal of another municipality's plan",
        _need(planId=R("CP2"), goalId=R("p_goal")),
        NOT_FOUND,
        "goalId",
    ),
    case(
        "addCompetenceNeed",
        "a criterion of another municipality's plan",
        _need(planId=R("CP2"), criterionId=R("p_goal_crit")),
        NOT_FOUND,
        "criterionId",
    ),
    case(
        "addCompetenceNeed",
        "an unknown indicator",
        _need(indicatorCode="finnes.ikke"),
        NOT_FOUND,
        "indicatorCode",
    ),
    case(
        "addCompetenceNeed",
        "another municipality's own indicator",
        _need(planId=R("CP2"), indicatorCode=LOCAL_INDICATOR["code"]),
        NOT_FOUND,
        "indicatorCode",
    ),
    case("addCompetenceNeed", "an indicator code too long", _need(indicatorCode="k" * 81), TOO_LONG, "indicatorCode"),
    # updateCompetenceNeed
    case("updateCompetenceNeed", "an empty text", on("CN", text=""), REQUIRED, "text"),
    case("updateCompetenceNeed", "a null text", on("CN", text=None), REQUIRED, "text"),
    case(
        "updateCompetenceNeed",
        "an unknown indicator",
        on("CN", indicatorCode="finnes.ikke"),
        NOT_FOUND,
        "indicatorCode",
    ),
    case(
        "updateCompetenceNeed",
        "an area of another municipality's plan",
        on("CN2", areaId=R("p_lek")),
        NOT_FOUND,
        "areaId",
    ),
    # addCompetenceGoal
    case("addCompetenceGoal", "an empty text", _goal(text=""), REQUIRED, "text"),
    case("addCompetenceGoal", "a text too long", _goal(text=TOO_LONG_TEXT), TOO_LONG, "text"),
    case("addCompetenceGoal", "a need of another plan", _goal(needIds=[R("CN2")]), NOT_FOUND, "needIds"),
    case(
        "addCompetenceGoal",
        "a need of the plan beside an unknown one",
        lambda w: resolve(w, _goal()) | {"needIds": [w.ids["CN"], global_id("CompetenceNeed", uuid.uuid4())]},
        NOT_FOUND,
        "needIds",
    ),
    # updateCompetenceGoal
    case("updateCompetenceGoal", "an empty text", on("CG", text=""), REQUIRED, "text"),
    case("updateCompetenceGoal", "a null text", on("CG", text=None), REQUIRED, "text"),
    case("updateCompetenceGoal", "a need of another plan", on("CG", needIds=[R("CN"), R("CN2")]), NOT_FOUND, "needIds"),
    # addCompetenceMeasure
    case("addCompetenceMeasure", "an unknown partner", _measure(partner="uit"), INVALID_VALUE, "partner"),
    case("addCompetenceMeasure", "an unknown funding scheme", _measure(funding="dekom"), INVALID_VALUE, "funding"),
    case(
        "addCompetenceMeasure",
        "an end before the start",
        _measure(startsOn="2025-01-01", endsOn="2024-12-31"),
        INVALID_VALUE,
        "endsOn",
    ),
    case("addCompetenceMeasure", "an empty title", _measure(title=""), REQUIRED, "title"),
    case("addCompetenceMeasure", "a blank title", _measure(title=BLANK), REQUIRED, "title"),
    case("addCompetenceMeasure", "a title too long", _measure(title=TOO_LONG_TITLE), TOO_LONG, "title"),
    case(
        "addCompetenceMeasure", "a description too long", _measure(description=TOO_LONG_TEXT), TOO_LONG, "description"
    ),
    case("addCompetenceMeasure", "an evaluation too long", _measure(evaluation=TOO_LONG_TEXT), TOO_LONG, "evaluation"),
    case("addCompetenceMeasure", "a need of another plan", _measure(needIds=[R("CN2")]), NOT_FOUND, "needIds"),
    case("addCompetenceMeasure", "a goal of another plan", _measure(goalIds=[R("CG2")]), NOT_FOUND, "goalIds"),
    case(
        "addCompetenceMeasure",
        "everything wrong at once",
        _measure(title="", partner="uit", funding="dekom", startsOn="2025-01-01", endsOn="2024-12-31"),
        REQUIRED,
        "title",
        (INVALID_VALUE, "partner"),
        (INVALID_VALUE, "funding"),
        (INVALID_VALUE, "endsOn"),
    ),
    # updateCompetenceMeasure
    case(
        "updateCompetenceMeasure",
        "an end before the start it has",
        on("CM", endsOn="2024-08-14"),
        INVALID_VALUE,
        "endsOn",
    ),
    case(
        "updateCompetenceMeasure",
        "a start after the end it has",
        on("CM", startsOn="2025-06-21"),
        INVALID_VALUE,
        "endsOn",
    ),
    case("updateCompetenceMeasure", "an unknown partner", on("CM", partner="uit"), INVALID_VALUE, "partner"),
    case("updateCompetenceMeasure", "an unknown funding scheme", on("CM", funding="dekom"), INVALID_VALUE, "funding"),
    case("updateCompetenceMeasure", "an empty title", on("CM", title=""), REQUIRED, "title"),
    case("updateCompetenceMeasure", "a null title", on("CM", title=None), REQUIRED, "title"),
    case(
        "updateCompetenceMeasure",
        "a target note too long",
        on("CM", targetNote=TOO_LONG_TEXT),
        TOO_LONG,
        "targetNote",
    ),
    case("updateCompetenceMeasure", "a goal of another plan", on("CM", goalIds=[R("CG2")]), NOT_FOUND, "goalIds"),
]

CASES = UNKNOWN_IDS + STALE_VERSIONS + RULES


# -- The test ------------------------------------------------------------------------------------

# What a person should never have to read in a message.
_ARTEFACTS = (
    "None",
    "Traceback",
    "UUID(",
    "object at 0x",
    "sqlalchemy",
    "asyncpg",
    "psycopg",
    "IntegrityError",
    ": )",
    "()",  # an empty list spliced into a sentence
)


def assert_readable(error: dict) -> None:
    message = error["message"]
    assert message and message == message.strip(), error
    assert message.endswith((".", "!", "?")), f"not a sentence: {message!r}"
    assert not any(a in message for a in _ARTEFACTS), f"not for a person: {message!r}"


def _world_objects_in(world: World, value) -> list[str]:
    """The names of the world's objects whose ids `value` (an input) mentions."""
    found: list[str] = []

    def walk(v):
        if isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, str):
            found.extend(name for name, gid in world.ids.items() if gid == v and name not in found)

    walk(value)
    return found


async def assert_refused_and_unchanged(
    world: World, mutation: str, input: dict, expect, before, says: str | None = None
) -> list[dict]:
    """Call `mutation`; it must answer with UserErrors matching `expect` — no GraphQL error, no
    object — and leave the database as it was `before` (a `World.snapshot()`)."""
    logged, rows = before
    involved = sorted({"M", *_world_objects_in(world, input)})
    versions = await world.versions(involved)

    body = await world.gql.raw(mutation_query(mutation), {"input": input})
    logged_after, rows_after = await world.snapshot()  # read before asserting: the next row starts from it
    versions_after = await world.versions(involved)

    assert "errors" not in body, f"a GraphQL error, not a UserError: {body['errors']}"
    payload = body["data"][mutation]
    errors = payload.pop("errors")
    assert errors, f"accepted: {payload}"
    assert all(value in (None, []) for value in payload.values()), f"an object although refused: {payload}"
    # Nothing written: no change-log row, no row added, removed or changed anywhere.
    assert logged_after == logged, f"a refused call wrote {logged_after - logged} change-log rows"
    assert rows_after.keys() - rows.keys() == set(), "a refused call added rows"
    assert rows.keys() - rows_after.keys() == set(), "a refused call removed rows"
    assert {k: v for k, v in rows_after.items() if rows[k] != v} == {}, "a refused call changed rows"
    assert versions_after == versions, "an object's version (read through GraphQL) changed"
    # The right errors, for a person to read.
    reported = [(e["code"], e["field"]) for e in errors]
    for codes, field in expect:
        assert any(code in codes and f == field for code, f in reported), (
            f"expected {set(codes)} on {field!r}: {errors}"
        )
    for error in errors:
        assert_readable(error)
    if says is not None:
        assert any(says in e["message"] for e in errors), f"no message says {says!r}: {errors}"
    return errors


@pytest.mark.parametrize("row", CASES, ids=lambda c: c.id)
async def test_bad_input_is_a_user_error_and_changes_nothing(world, row: Case):
    before = await world.snapshot()  # also the versions the row's input is built from
    await assert_refused_and_unchanged(world, row.mutation, row.input(world), row.expect, before, row.says)


def test_every_mutation_and_every_id_field_is_covered():
    """The tables cover every mutation of the schema; every ID field with every kind of unknown
    id; every version with a stale one."""
    covered = {c.mutation for c in CASES}
    assert covered == set(MUTATIONS), set(MUTATIONS) ^ covered
    for mutation in MUTATIONS:
        ids = {(m, field) for m, field, *_ in ID_FIELDS if m == mutation}
        assert ids == {(mutation, field) for field in id_fields(mutation)}, mutation
        if takes_version(mutation):
            assert any(c.mutation == mutation and c.expect[0][0] == {STALE_VERSION} for c in CASES), mutation
    assert len(UNKNOWN_IDS) == len(ID_FIELDS) * len(ID_VARIANTS)


async def test_validating_a_local_plan_changes_nothing(world):
    before = await world.snapshot()
    versions = await world.versions(["LE"])
    body = await world.gql.raw(mutation_query("validateLocalPlan"), {"input": {"id": world.ids["LE"]}})
    assert "errors" not in body, body["errors"]
    payload = body["data"]["validateLocalPlan"]
    assert payload["errors"] == [] and payload["findings"] == [{"code": "MISSING_GOALS"}]
    assert await world.snapshot() == before and await world.versions(["LE"]) == versions


# A municipality can drop its profile (updateMunicipality profile: null) while it has plans and
# reports. Whatever is then refused must still be a UserError. (Refusing to drop the profile is
# a fine answer too: then there is nothing more to check.)
NO_PROFILE_ROWS = [
    (
        "updateArea",
        "a null kind, with no vocabulary to check it",
        {"id": R("d_lek"), "version": V("d_lek"), "kind": None},
        EMPTY,
        "kind",
    ),
    # No level can be right while the municipality has no scale: a state to fix, not a value.
    (
        "saveAssessment",
        "a level, with no scale",
        {"reportId": R("RK"), "criterionId": R("crit"), "level": "1"},
        INVALID_STATE,
        "level",
    ),
    (
        "openReport",
        "a period, with no calendar",
        {"unitId": R("K"), "year": 2024, "period": "h2"},
        INVALID_VALUE,
        "period",
    ),
]


@pytest.mark.parametrize(
    "mutation, input, code, field",
    [r[:1] + r[2:] for r in NO_PROFILE_ROWS],
    ids=[f"{r[0]}: {r[1]}" for r in NO_PROFILE_ROWS],
)
async def test_refusals_after_the_profile_is_removed(client, database, mutation, input, code, field):
    world = World(client, database)
    cycle = Cycle(world.gql)
    small = await _small_world(world.gql)
    world.ids.update({k: v for k, v in small.items() if isinstance(v, str)}, crit=small["item"]["criterion"]["id"])
    dropped = await cycle.mutate(
        "updateMunicipality",
        {"id": small["M"], "version": await cycle.version_of(small["M"]), "profile": None},
        "municipality { id }",
        expect_errors=True,
    )
    if dropped["errors"]:
        assert dropped["errors"][0]["field"] == "profile", dropped["errors"]
        return
    before = await world.snapshot()
    expect = ((frozenset({code} if isinstance(code, str) else code), field),)
    await assert_refused_and_unchanged(world, mutation, resolve(world, input), expect, before)


# -- Success: what a person writes is stored and read back exactly ---------------------------------

TEXTS = {
    "norwegian letters": "Blåbærsyltetøy på Ærøy – «Øvre Åsen» barnehage",
    "emoji": "Lek 🧒🏽👩🏾‍🏫 og læring 🏫✨ – 🇳🇴",
    "right-to-left": "روضة الأطفال النور ‏שלום עולם‎ Alef",
    "sql meta-characters": "'; DROP TABLE unit; --",
    "quotes, backslashes and wildcards": 'Robert\'); DELETE FROM change_log; -- "x" \\ % _ ` $1 :name',
    "inner tabs and newlines": "Linje én\n\tlinje «to»\nlinje 3",
}


async def _small_world(gql) -> dict:
    """A municipality on the test profile with an adopted and a draft plan, a kindergarten with a
    local plan and an open report."""
    c = Cycle(gql)
    w = {"M": (await c.municipality("9901", "Testkommune", "testprofil"))["id"]}
    w["P"] = (await c.adopted_plan(w["M"]))["id"]
    w["D"] = (await c.mutate("createPlan", {"municipalityId": w["M"], "periodStart": 2028}, "plan { id }"))["plan"][
        "id"
    ]
    w["K"] = (await c.unit(w["M"], "Nordlys barnehage", "KINDERGARTEN"))["id"]
    areas = {a["key"]: a for a in (await gql(STRUCTURE, {"id": w["P"]}))["node"]["areas"]}
    w["p_lek"] = areas["lek"]["id"]
    d_areas = {a["key"]: a for a in (await gql(STRUCTURE, {"id": w["D"]}))["node"]["areas"]}
    w["d_lek"] = d_areas["lek"]["id"]
    w["LK"] = (await c.local_plan(w["K"], w["P"]))["id"]
    w["RK"] = (await c.open_report(w["K"], 2024, "h1"))["id"]
    w["item"] = next(i for i in await c.items(w["RK"]) if i["criterion"])
    return w


@pytest.mark.parametrize("value", list(TEXTS.values()), ids=list(TEXTS))
async def test_unicode_and_sql_meta_characters_are_stored_exactly(gql, database, value):
    c = Cycle(gql)
    w = await _small_world(gql)
    expected = value  # stored and read back as sent: nothing escaped, nothing normalised away

    municipality = await c.mutate(
        "updateMunicipality",
        {"id": w["M"], "version": await c.version_of(w["M"]), "name": value},
        "municipality { name }",
    )
    unit = await c.mutate(
        "createUnit",
        {"municipalityId": w["M"], "name": value, "kind": "SCHOOL", "zone": value},
        "unit { id name zone history { nodes { changes } } }",
    )
    area = await c.mutate(
        "addArea",
        {"planId": w["D"], "kind": "theme", "title": value, "description": value},
        "area { id title description }",
    )
    measure = await c.mutate(
        "addMeasure",
        {"areaId": w["d_lek"], "text": value, "owner": value, "partner": value, "targetGroup": value},
        "measure { text owner partner targetGroup }",
    )
    goal = await c.mutate(
        "addLocalGoal", {"localPlanId": w["LK"], "areaId": w["p_lek"], "text": value}, "localGoal { text }"
    )
    action = await c.mutate(
        "addLocalAction", {"localPlanId": w["LK"], "text": value, "owner": value}, "localAction { text owner }"
    )
    section = await c.mutate(
        "saveLocalPlanSection", {"localPlanId": w["LK"], "key": value, "text": value}, "section { key text }"
    )
    assessment = await c.mutate(
        "saveAssessment",
        {
            "reportId": w["RK"],
            "criterionId": w["item"]["criterion"]["id"],
            "level": "2",
            "comment": value,
            "evidence": value,
        },
        "assessment { comment evidence }",
    )

    assert municipality["municipality"]["name"] == expected
    assert (unit["unit"]["name"], unit["unit"]["zone"]) == (expected, expected)
    assert unit["unit"]["history"]["nodes"][0]["changes"]["name"] == expected  # the change log has it exactly too
    assert (area["area"]["title"], area["area"]["description"]) == (expected, expected)
    assert set(measure["measure"].values()) == {expected}
    assert goal["localGoal"]["text"] == expected
    assert set(action["localAction"].values()) == {expected}
    assert section["section"] == {"key": expected, "text": expected}
    assert set(assessment["assessment"].values()) == {expected}

    # Read back fresh, not from the mutation's payload.
    query = """query ($unit: ID!, $lp: ID!, $number: String!) {
      municipality(number: $number) { name }
      unit: node(id: $unit) { ... on Unit { name zone } }
      lp: node(id: $lp) { ... on LocalPlan { goals { text } actions { text owner } sections { key text } } } }"""
    read = await gql(query, {"unit": unit["unit"]["id"], "lp": w["LK"], "number": "9901"})
    assert read["municipality"]["name"] == expected
    assert read["unit"] == {"name": expected, "zone": expected}
    assert read["lp"] == {
        "goals": [{"text": expected}],
        "actions": [{"text": expected, "owner": expected}],
        "sections": [{"key": expected, "text": expected}],
    }
    async with database.engine.connect() as connection:  # the unit table is still there, with both units
        assert (await connection.execute(text("SELECT count(*) FROM unit"))).scalar() == 2


async def test_values_at_the_length_limits_are_accepted(gql):
    """The limits of kvalitet/services/validation.py are what the database columns hold too:
    a value of exactly the limit (in multi-byte and astral characters) is stored whole."""
    c = Cycle(gql)
    w = await _small_world(gql)
    name = "🧒" * NAME_MAX
    title = "ø" * TITLE_MAX
    long_text = "å" * TEXT_MAX
    key = "🏫" * KEY_MAX
    unit = await c.mutate(
        "createUnit", {"municipalityId": w["M"], "name": name, "kind": "SCHOOL", "zone": name}, "unit { name zone }"
    )
    assert unit["unit"] == {"name": name, "zone": name}
    plan = await c.mutate(
        "createPlan", {"municipalityId": w["M"], "periodStart": 2032, "title": title}, "plan { id version title }"
    )
    assert plan["plan"]["title"] == title
    area = await c.mutate(
        "addArea",
        {"planId": w["D"], "kind": "theme", "title": title, "description": long_text},
        "area { title description }",
    )
    assert area["area"] == {"title": title, "description": long_text}
    measure = await c.mutate(
        "addMeasure",
        {"areaId": w["d_lek"], "text": long_text, "owner": title, "partner": title, "targetGroup": title},
        "measure { text owner partner targetGroup }",
    )
    assert measure["measure"] == {"text": long_text, "owner": title, "partner": title, "targetGroup": title}
    action = await c.mutate(
        "addLocalAction", {"localPlanId": w["LK"], "text": long_text, "owner": title}, "localAction { text owner }"
    )
    assert action["localAction"] == {"text": long_text, "owner": title}
    section = await c.mutate(
        "saveLocalPlanSection", {"localPlanId": w["LK"], "key": key, "text": long_text}, "section { key text }"
    )
    assert section["section"] == {"key": key, "text": long_text}
    adopted = await c.mutate(
        "adoptPlan",
        {"id": plan["plan"]["id"], "version": plan["plan"]["version"], "adoptedBy": title},
        "plan { adoptedBy }",
    )
    assert adopted["plan"]["adoptedBy"] == title
