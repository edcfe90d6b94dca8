"""The roles table of the README («Who may see and change what»), checked cell by cell.

One world is built once for the module with the permissive app: two municipalities (9901 on
the test profile, 5501 on Tromsø's), each with plans (adopted and draft), a kindergarten and
a school, local plans, reports with assessments, a published sector report and API keys.
Every test gets a copy of that world's database and runs, as one role, every read and every
mutation of the schema against targets in its own unit, a sibling unit, its own municipality
and the other municipality.

The expectations come from the README's table, written down here (`Role`, `sees`, `may`), not
from `kvalitet/access/roles.py`:

- allowed: the mutation succeeds (or, for a frozen plan, is refused as `INVALID_STATE`, which
  shows the access check let it through);
- visible but not allowed: `FORBIDDEN`;
- not visible (another municipality's or unit's data, drafts for the public): `NOT_FOUND`, and
  reads leave it out (`node` is null, lists omit it).

Municipalities, national goals and adopted or archived plans are public, so changing one of
another municipality is `FORBIDDEN` (its existence is no secret). Where the table leaves room,
the reading taken here is said where the role or row is defined. After every refused mutation
the change log must not have grown.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from strawberry.relay import GlobalID

from kvalitet.access.actor import PermissiveAccessPolicy
from kvalitet.app import create_app
from kvalitet.db import Database
from kvalitet.infra.settings import Settings
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.services.validation import valid_org_number
from tests.fixtures.plugin import FixtureProfile
from tests.support.client import GraphQLClient
from tests.support.cycle import Cycle
from tests.support.database import admin_sql
from tests.support.paths import FIXTURES

OK, FORBIDDEN, NOT_FOUND, INVALID_STATE = "OK", "FORBIDDEN", "NOT_FOUND", "INVALID_STATE"

# -- The roles table, as data ---------------------------------------------------------------------

ALL_SCOPES = (
    "read",
    "units:write",
    "plans:write",
    "local_plans:write",
    "local_plans:submit",
    "reports:write",
    "reports:submit",
    "sector_reports:read",
)


@dataclasses.dataclass(frozen=True)
class Role:
    """A caller. `level`: where its role is granted ('municipality' = 9901, 'unit' = unit A of
    9901, None = anonymous). `reads`: reads the non-public data at its level. `may`: what it may
    change there (the table's last column)."""

    name: str
    kind: str
    level: str | None = None
    reads: bool = False
    may: frozenset[str] = frozenset()
    sector_report: bool = False  # reads the municipality's sector report (live and published)
    api_keys: bool = False  # reads the municipality's API keys
    scopes: tuple[str, ...] = ()
    staff_allowed: bool = False  # unit A's leader lets staff edit

    def __str__(self) -> str:
        return self.name


SECTOR_ADMIN_MAY = frozenset(
    {
        "plans:write",  # plans and their structure
        "units:write",  # units
        "municipality:update",  # the municipality's profile
        "local_plans:review",
        "reports:review",  # approving and returning local plans and reports
        "sector_reports:publish",  # publishing the sector report
        "api_keys:manage",  # API keys
    }
)  # Not "staff_editing": the table gives «whether staff may edit» to the unit leader.
UNIT_LEADER_MAY = frozenset(
    {
        "local_plans:write",
        "local_plans:submit",  # the unit's local plan (write, submit)
        "reports:write",
        "reports:submit",  # and reports (write, submit)
        "staff_editing",  # whether staff may edit
    }
)
# Staff: the unit's draft local plan and reports when the leader allows; not submit. (Starting
# the unit's local plan or a report is read as writing its draft.)
STAFF_ALLOWED_MAY = frozenset({"local_plans:write", "reports:write"})


def integrator(*scopes: str) -> Role:
    """An API key of 9901: reads as a sector admin with `read`; changes what its scopes say.
    Readings: the sector report needs `sector_reports:read` (a scope of its own, so `read`
    alone does not give it); API keys are read only by sector admins (the schema: «for its
    sector admins»), not by `read` keys."""
    return Role(
        name=f"integrator[{','.join(scopes)}]",
        kind="integrator",
        level="municipality",
        reads="read" in scopes or bool(set(scopes) - {"read", "sector_reports:read"}),  # writing implies reading
        may=frozenset(scopes) - {"read", "sector_reports:read"},
        sector_report="sector_reports:read" in scopes,
        scopes=scopes,
    )


ROLES = [
    Role("anonymous", "anonymous"),
    Role(
        "sector_admin@9901",
        "sector_admin",
        "municipality",
        reads=True,
        may=SECTOR_ADMIN_MAY,
        sector_report=True,
        api_keys=True,
    ),
    Role("unit_leader@A", "unit_leader", "unit", reads=True, may=UNIT_LEADER_MAY),
    Role("staff@A", "staff", "unit", reads=True),
    Role("staff@A+allowStaffEditing", "staff", "unit", reads=True, may=STAFF_ALLOWED_MAY, staff_allowed=True),
    # A viewer reads as a sector admin (municipality) or a unit leader (unit) and changes nothing;
    # the municipality's API keys are the sector admins' (as for `read` keys, see `integrator`).
    Role("viewer@9901", "viewer", "municipality", reads=True, sector_report=True),
    Role("viewer@A", "viewer", "unit", reads=True),
    integrator("read"),
    integrator("read", "reports:write"),
    integrator("read", "units:write"),
    integrator(
        "read", "plans:write", "local_plans:write", "local_plans:submit", "reports:submit", "sector_reports:read"
    ),
    integrator(*ALL_SCOPES),
    integrator(*(s for s in ALL_SCOPES if s != "read")),
]

PLAN_KINDS = {"Plan", "Area", "Goal", "Criterion", "Measure"}


@dataclasses.dataclass(frozen=True)
class Obj:
    """A row of the world: what it is and whom it belongs to ('own' = 9901, 'other' = 5501;
    units A and B of 9901, C and D of 5501)."""

    key: str
    kind: str
    id: str
    municipality: str | None
    unit: str | None = None
    public: bool = False

    @property
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(GlobalID.from_id(self.id).node_id)

    @property
    def table(self) -> str:
        if self.kind == "PublishedSectorReport":
            return "sector_report"
        return "".join("_" + c.lower() if c.isupper() else c for c in self.kind).lstrip("_")


def sees(role: Role, obj: Obj) -> bool:
    """Does the table let `role` read `obj`?"""
    if obj.kind in ("Municipality", "NationalGoal") or (obj.kind in PLAN_KINDS and obj.public):
        return True
    if role.level is None:
        return False
    if obj.kind == "ApiKey":
        return role.api_keys and obj.municipality == "own"
    if obj.kind == "PublishedSectorReport":
        return role.sector_report and role.level == "municipality" and obj.municipality == "own"
    if not role.reads:
        return False
    if role.level == "municipality":
        return obj.municipality == "own"
    return obj.unit == "A"


def may(role: Role, capability: str, obj: Obj | None) -> bool:
    """Does the table let `role` do `capability` to `obj` (a row, or the parent of a new one)?"""
    if obj is None or capability not in role.may:
        return False
    if role.level == "municipality":
        return obj.municipality == "own"
    return role.level == "unit" and obj.unit == "A"


# -- The world ------------------------------------------------------------------------------------


def org_numbers() -> list[str]:
    """Valid (modulus 11) organisation numbers, the README's example first."""
    found = ["974760673"]
    prefix = 91000000
    while len(found) < 6:
        prefix += 1
        candidate = next((f"{prefix}{d}" for d in range(10) if valid_org_number(f"{prefix}{d}")), None)
        if candidate:
            found.append(candidate)
    return found


ORG = org_numbers()
PLAN_TREE = """query ($id: ID!) { node(id: $id) { ... on Plan { areas { id key kind
    goals { id criteria { id } } criteria { id } measures { id } } } } }"""


@dataclasses.dataclass
class World:
    database: str
    objects: dict[str, Obj]
    keys: dict[tuple[str, ...], str]  # integrator scopes → API key
    extra: dict  # ids that are not objects of their own (areas to add under, assessed subjects)
    truth: dict  # what the permissive app answers to the reads checked

    def __getitem__(self, key: str) -> Obj:
        return self.objects[key]


class Builder:
    def __init__(self, gql: GraphQLClient):
        self.gql = gql
        self.cycle = Cycle(gql)
        self.objects: dict[str, Obj] = {}
        self.extra: dict = {}

    def add(
        self, key: str, kind: str, id_: str, municipality: str | None, unit: str | None = None, public: bool = False
    ) -> str:
        self.objects[key] = Obj(key, kind, id_, municipality, unit, public)
        return id_

    async def plan(self, municipality_id: str, period_start: int | None = None) -> str:
        payload = await self.cycle.mutate(
            "createPlan", {"municipalityId": municipality_id, "periodStart": period_start}, "plan { id version }"
        )
        return payload["plan"]["id"]

    async def adopt(self, plan_id: str) -> None:
        version = await self.cycle.version_of(plan_id)
        await self.cycle.mutate(
            "adoptPlan", {"id": plan_id, "version": version, "adoptedBy": "Utvalget"}, "plan { id }"
        )

    async def plan_items(
        self, tag: str, plan_id: str, municipality: str, public: bool, *, edit_area: str, parent_area: str
    ) -> None:
        """Register the plan and the area, goal, criterion and measure the matrix changes."""
        self.add(tag, "Plan", plan_id, municipality, public=public)
        areas = {a["key"]: a for a in (await self.gql(PLAN_TREE, {"id": plan_id}))["node"]["areas"]}
        parent = areas[parent_area]
        self.add(f"{tag}.area", "Area", areas[edit_area]["id"], municipality, public=public)
        self.add(f"{tag}.goal", "Goal", parent["goals"][0]["id"], municipality, public=public)
        self.add(f"{tag}.criterion", "Criterion", parent["criteria"][0]["id"], municipality, public=public)
        self.add(f"{tag}.measure", "Measure", parent["measures"][0]["id"], municipality, public=public)
        self.extra[f"{tag}.parent"] = parent["id"]
        self.extra[f"{tag}.kind"] = parent["kind"]
        self.extra[f"{tag}.goal_kind"] = "aim" if municipality == "own" else "optimal_state"

    async def local_plan(self, tag: str, unit: str, unit_id: str, plan_id: str, area_id: str, municipality: str) -> str:
        cycle = self.cycle
        lp = (await cycle.local_plan(unit_id, plan_id))["id"]
        self.add(f"LP_{tag}", "LocalPlan", lp, municipality, unit)
        self.add(
            f"LG_{tag}",
            "LocalGoal",
            (await cycle.local_goal(lp, area_id, "Alle er med i leken."))["id"],
            municipality,
            unit,
        )
        self.add(
            f"LA_{tag}",
            "LocalAction",
            (await cycle.action(lp, "Lekegrupper", area_id=area_id))["id"],
            municipality,
            unit,
        )
        # A section of each profile's own: the test profile declares none, Tromsø's are per quality area.
        section = {"key": "kartlegging"} if municipality == "own" else {"key": "tegn_pa_god_praksis", "areaId": area_id}
        self.extra[f"LS_{tag}.section"] = section
        self.add(
            f"LS_{tag}",
            "LocalPlanSection",
            (await cycle.section(lp, section["key"], "Slik står det til.", section.get("areaId")))["id"],
            municipality,
            unit,
        )
        return lp

    async def report(
        self,
        key: str,
        unit: str,
        unit_id: str,
        year: int,
        period: str,
        municipality: str,
        *,
        assess_all: bool = True,
        submit: bool = False,
    ) -> None:
        report = await self.cycle.open_report(unit_id, year, period)
        self.add(key, "Report", report["id"], municipality, unit)
        items = await self.cycle.items(report["id"])
        first = None
        for item in items if assess_all else items[:1]:
            assessment = await self.cycle.assess(report["id"], item, "1")
            first = first or (item, assessment)
        item, assessment = first
        self.add(f"As_{key}", "Assessment", assessment["id"], municipality, unit)
        self.extra[f"As_{key}.subject"] = (
            {"criterionId": item["criterion"]["id"]} if item["criterion"] else {"localGoalId": item["localGoal"]["id"]}
        )
        if submit:
            payload = await self.cycle.submit_report(report["id"])
            assert payload["errors"] == [], payload["errors"]

    async def publish(self, key: str, municipality_id: str, year: int, period: str, municipality: str) -> None:
        payload = await self.cycle.mutate(
            "publishSectorReport",
            {"municipalityId": municipality_id, "year": year, "period": period},
            "sectorReport { id }",
        )
        self.add(key, "PublishedSectorReport", payload["sectorReport"]["id"], municipality)

    async def api_key(self, key: str, municipality_id: str, scopes: tuple[str, ...], municipality: str) -> str:
        payload = await self.cycle.mutate(
            "createApiKey",
            {"municipalityId": municipality_id, "name": key[:60], "scopes": list(scopes)},
            "apiKey { id } key",
        )
        self.add(key, "ApiKey", payload["apiKey"]["id"], municipality)
        return payload["key"]


async def build_world(gql: GraphQLClient) -> tuple[dict[str, Obj], dict[tuple[str, ...], str], dict]:
    b = Builder(gql)
    cycle = b.cycle

    # 9901, on the test profile: the caller's own municipality.
    own = (await cycle.municipality("9901", "Testkommune", "testprofil"))["id"]
    b.add("M_own", "Municipality", own, "own", public=True)
    p_a = (await cycle.adopted_plan(own))["id"]  # 2024–2027: local plans and reports
    p_s = await b.plan(own, 2040)  # local plans submitted for review
    await b.adopt(p_s)
    p_f = await b.plan(own, 2050)  # free: units have no local plan on it yet
    await b.adopt(p_f)
    p_d = await b.plan(own, 2030)  # the draft
    await b.plan_items("P_A", p_a, "own", True, edit_area="skole", parent_area="lek")
    await b.plan_items("P_D", p_d, "own", False, edit_area="skole", parent_area="lek")
    b.add("P_S", "Plan", p_s, "own", public=True)
    b.add("P_F", "Plan", p_f, "own", public=True)
    lek = b.extra["P_A.parent"]
    lek_s = next(a["id"] for a in (await gql(PLAN_TREE, {"id": p_s}))["node"]["areas"] if a["key"] == "lek")
    units = {
        "A": (await cycle.unit(own, "Skogly skole", "SCHOOL", ORG[0]))["id"],
        "B": (await cycle.unit(own, "Solsikken barnehage", "KINDERGARTEN", ORG[1]))["id"],
    }
    for unit, unit_id in units.items():
        b.add(unit, "Unit", unit_id, "own", unit)
        lp = await b.local_plan(unit, unit, unit_id, p_a, lek, "own")
        lps = (await cycle.local_plan(unit_id, p_s))["id"]
        b.add(f"LPs_{unit}", "LocalPlan", lps, "own", unit)
        await cycle.local_goal(lps, lek_s, "Leken er god.")
        submitted = await cycle.submit_local_plan(lps)
        assert submitted["errors"] == [], submitted["errors"]
        await b.report(f"Rs_{unit}", unit, unit_id, 2025, "h2", "own", submit=True)
        # A goal the submitted report does not assess (so it may be removed), assessed in the draft one.
        b.add(f"LGx_{unit}", "LocalGoal", (await cycle.local_goal(lp, lek, "Et mål som skal bort."))["id"], "own", unit)
        await b.report(f"R_{unit}", unit, unit_id, 2025, "h1", "own")
    await b.publish("SR_own", own, 2025, "h2", "own")
    keys = {}
    for role in ROLES:
        if role.kind == "integrator":
            keys[role.scopes] = await b.api_key(f"K {role.name}", own, role.scopes, "own")
    await b.api_key("K_revoke", own, ("read",), "own")

    # 5501, on Tromsø's profile: the other municipality. Its plan has no criteria: add one.
    other = (await cycle.municipality("5501", "Tromsø", "tromso"))["id"]
    b.add("M_other", "Municipality", other, "other", public=True)
    quality = "barn-og-unges-livsmestring"
    p_a2, p_d2 = await b.plan(other), await b.plan(other, 2030)
    for plan_id in (p_a2, p_d2):
        area = next(a["id"] for a in (await gql(PLAN_TREE, {"id": plan_id}))["node"]["areas"] if a["key"] == quality)
        await cycle.mutate("addCriterion", {"areaId": area, "text": "Barna blir hørt."}, "criterion { id }")
    await b.adopt(p_a2)
    await b.plan_items("P_A'", p_a2, "other", True, edit_area="tidlig-innsats", parent_area=quality)
    await b.plan_items("P_D'", p_d2, "other", False, edit_area="tidlig-innsats", parent_area=quality)
    c = b.add("C", "Unit", (await cycle.unit(other, "Ishavet skole", "SCHOOL", ORG[2]))["id"], "other", "C")
    b.add("D", "Unit", (await cycle.unit(other, "Nordlys barnehage", "KINDERGARTEN", ORG[3]))["id"], "other", "D")
    await b.local_plan("C", "C", c, p_a2, b.extra["P_A'.parent"], "other")
    await b.report("R_C", "C", c, 2025, "arlig", "other", assess_all=False)
    await b.publish("SR_other", other, 2025, "arlig", "other")
    await b.api_key("K_other", other, ("read",), "other")

    national = (await gql("{ nationalGoals { id } }"))["nationalGoals"][0]["id"]
    b.add("NG", "NationalGoal", national, None, public=True)
    return b.objects, keys, b.extra


# -- What the permissive app answers: the truth the role-based answers are filtered from ----------

MUNICIPALITY_LISTS = """query ($n: String!, $y: Int!, $p: String!) { municipality(number: $n) {
    units(first: 20) { nodes { id } } plans { id } localPlans(first: 20) { nodes { id } }
    reports(first: 20) { nodes { id } } sectorReport(year: $y, period: $p) { year periodKey }
    publishedSectorReports { id } apiKeys { id } } }"""
SECTOR_PERIOD = {"own": ("9901", 2025, "h2"), "other": ("5501", 2025, "arlig")}
UNIT_LISTS = """query ($id: ID!) { node(id: $id) { ... on Unit {
    localPlans(first: 20) { nodes { id } } reports(first: 20) { nodes { id } } } } }"""
REPORT_ITEMS = """query ($id: ID!) { node(id: $id) { ... on Report {
    items { area { id } criterion { id } localGoal { id } assessment { id level } } assessments { id } } } }"""
LOCAL_PLAN_PARTS = """query ($id: ID!) { node(id: $id) { ... on LocalPlan {
    findings { code path } goals { id } actions { id } sections { id } plan { id } unit { id } } } }"""
PLAN_AREAS = "query ($id: ID!) { node(id: $id) { ... on Plan { areas { id } municipality { id } } } }"


PUBLIC = """{ municipalities { number profile { code } reportingCalendar(year: 2025) { key } } nationalGoals { id }
    profiles { code } profile(code: "tromso") { code } vestvagoyCalendar { topic } }"""


def _ids(nodes) -> list[str]:
    return sorted(n["id"] for n in nodes)


def municipality_lists(data: dict) -> dict:
    m = data["municipality"]
    return {
        "units": _ids(m["units"]["nodes"]),
        "plans": _ids(m["plans"]),
        "localPlans": _ids(m["localPlans"]["nodes"]),
        "reports": _ids(m["reports"]["nodes"]),
        "sectorReport": m["sectorReport"],
        "publishedSectorReports": _ids(m["publishedSectorReports"]),
        "apiKeys": _ids(m["apiKeys"]),
    }


def node_query(objects: list[Obj]) -> str:
    body = " ".join(
        f'n{i}: node(id: "{o.id}") {{ id ... on Versioned {{ history {{ totalCount }} }} }}'
        for i, o in enumerate(objects)
    )
    return "{ " + body + " }"


async def read_truth(gql: GraphQLClient, objects: dict[str, Obj]) -> dict:
    truth: dict = {"history": {}, "municipality": {}, "unit": {}, "items": {}, "local_plan": {}, "areas": {}}
    everything = list(objects.values())
    for start in range(0, len(everything), 25):
        chunk = everything[start : start + 25]
        data = await gql(node_query(chunk))
        for i, o in enumerate(chunk):
            assert data[f"n{i}"]["id"] == o.id, o.key
            truth["history"][o.key] = data[f"n{i}"]["history"]["totalCount"]
    for side, (number, year, period) in SECTOR_PERIOD.items():
        data = await gql(MUNICIPALITY_LISTS, {"n": number, "y": year, "p": period})
        truth["municipality"][side] = municipality_lists(data)
        assert truth["municipality"][side]["sectorReport"] is not None
    for unit in ("A", "B", "C"):
        node = (await gql(UNIT_LISTS, {"id": objects[unit].id}))["node"]
        truth["unit"][unit] = {field: _ids(node[field]["nodes"]) for field in ("localPlans", "reports")}
    for key in ("R_A", "R_B", "R_C"):
        truth["items"][key] = (await gql(REPORT_ITEMS, {"id": objects[key].id}))["node"]
        assert truth["items"][key]["items"], key
    for key in ("LP_A", "LP_B", "LP_C"):
        truth["local_plan"][key] = (await gql(LOCAL_PLAN_PARTS, {"id": objects[key].id}))["node"]
    for key in ("P_A", "P_D", "P_A'", "P_D'"):
        truth["areas"][key] = (await gql(PLAN_AREAS, {"id": objects[key].id}))["node"]
    return truth


@pytest.fixture(scope="module")
async def world(admin_url, template_name) -> World:
    """The world, built once with the permissive app in a database every test copies."""
    name = f"kvalitet_matrix_world_{uuid.uuid4().hex[:8]}"
    await admin_sql(admin_url, f"CREATE DATABASE {name} TEMPLATE {template_name} STRATEGY FILE_COPY")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    pm = new_plugin_manager()
    pm.register(FixtureProfile(FIXTURES / "testprofile"), name="testprofil")
    database = Database(url, pool_size=2)
    try:
        app = create_app(
            Settings(database_url=url, max_page_size=20, default_page_size=10, _env_file=None),
            profiles=Profiles(pm),
            policy=PermissiveAccessPolicy(),
            database=database,
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            gql = GraphQLClient(http)
            objects, keys, extra = await build_world(gql)
            truth = await read_truth(gql, objects)
    finally:
        await database.dispose()
    yield World(name, objects, keys, extra, truth)
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def database_url(admin_url, world):
    """This test's database: a copy of the world."""
    name = f"kvalitet_matrix_{uuid.uuid4().hex[:12]}"
    await admin_sql(admin_url, f"CREATE DATABASE {name} TEMPLATE {world.database} STRATEGY FILE_COPY")
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# -- The reads ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Failures:
    role: Role
    cells: int = 0
    lines: list[str] = dataclasses.field(default_factory=list)

    def check(self, operation: str, target: str, expected, got, detail: str = "") -> None:
        self.cells += 1
        if expected != got:
            self.lines.append(
                f"[{self.role}] {operation} on {target}: expected {expected!r}, got {got!r}"
                + (f" — {detail}" if detail else "")
            )


async def check_reads(role: Role, world: World, caller: GraphQLClient, failures: Failures) -> None:
    objects = list(world.objects.values())
    truth = world.truth
    history = dict(truth["history"])
    if role.staff_allowed:  # allowing staff to edit is one more change of unit A
        history["A"] += 1
    # node(id:) for every object, and its history: the README makes every change «readable as
    # the `history` of the changed object», so whoever reads the object reads its history.
    for start in range(0, len(objects), 25):
        chunk = objects[start : start + 25]
        data = await caller(node_query(chunk))
        for i, o in enumerate(chunk):
            node = data[f"n{i}"]
            visible = sees(role, o)
            failures.check(f"node({o.kind})", o.key, o.id if visible else None, node and node["id"])
            if visible and node:
                # Anonymous callers read public objects but not who changed them (README).
                expected_history = 0 if role.kind == "anonymous" else history[o.key]
                failures.check(f"{o.kind}.history", o.key, expected_history, node["history"]["totalCount"])

    data = await caller(PUBLIC)
    failures.check("municipalities", "all", ["5501", "9901"], sorted(m["number"] for m in data["municipalities"]))
    failures.check("nationalGoals", "all", True, bool(data["nationalGoals"]))
    # Not in the table, but no one's data: the installed profiles and Vestvågøy's calendar; and a
    # public municipality's profile and reporting calendar.
    failures.check("profiles/profile(code:)", "all", True, bool(data["profiles"]) and data["profile"] is not None)
    failures.check("vestvagoyCalendar", "all", True, bool(data["vestvagoyCalendar"]))
    for m in data["municipalities"]:
        failures.check(
            "Municipality.profile/reportingCalendar",
            m["number"],
            True,
            m["profile"] is not None and bool(m["reportingCalendar"]),
        )

    by_id = {o.id: o for o in objects}
    for side, (number, year, period) in SECTOR_PERIOD.items():
        got = municipality_lists(await caller(MUNICIPALITY_LISTS, {"n": number, "y": year, "p": period}))
        for field, everything in truth["municipality"][side].items():
            if field == "sectorReport":
                expected = everything if role.sector_report and role.level == "municipality" and side == "own" else None
            else:
                unknown = [i for i in everything if i not in by_id]
                assert not unknown, f"the world lists rows it did not register: {field} {unknown}"
                expected = [i for i in everything if sees(role, by_id[i])]
            failures.check(f"Municipality.{field}", f"{side} municipality", expected, got[field])

    for unit in ("A", "B", "C"):
        node = (await caller(UNIT_LISTS, {"id": world[unit].id}))["node"]
        for field in ("localPlans", "reports"):
            expected = (
                [i for i in truth["unit"][unit][field] if sees(role, by_id[i])] if sees(role, world[unit]) else None
            )
            got = _ids(node[field]["nodes"]) if node else None
            failures.check(f"Unit.{field}", f"unit {unit}", expected, got)

    for key in ("R_A", "R_B", "R_C"):
        node = (await caller(REPORT_ITEMS, {"id": world[key].id}))["node"]
        failures.check("Report.items", key, truth["items"][key] if sees(role, world[key]) else None, node)

    for key in ("LP_A", "LP_B", "LP_C"):
        node = (await caller(LOCAL_PLAN_PARTS, {"id": world[key].id}))["node"]
        failures.check(
            "LocalPlan.findings/goals/actions/sections",
            key,
            truth["local_plan"][key] if sees(role, world[key]) else None,
            node,
        )

    for key in ("P_A", "P_D", "P_A'", "P_D'"):
        node = (await caller(PLAN_AREAS, {"id": world[key].id}))["node"]
        failures.check("Plan.areas", key, truth["areas"][key] if sees(role, world[key]) else None, node)


# -- The mutations ------------------------------------------------------------------------------------


class Context:
    """What a row's input is made from: the world, and the current versions of its rows."""

    def __init__(self, world: World, connection):
        self.world = world
        self.connection = connection

    async def version(self, key: str) -> int:
        o = self.world[key]
        result = await self.connection.exec_driver_sql(f"SELECT version FROM {o.table} WHERE id = '{o.uuid}'")
        return result.scalar_one()

    async def changes(self) -> int:
        return (await self.connection.exec_driver_sql("SELECT count(*) FROM change_log")).scalar_one()


Build = Callable[[Context], Awaitable[dict]]


@dataclasses.dataclass(frozen=True)
class Row:
    """A mutation on a target. `subject`: the row it names (or the parent a new row goes under),
    whose visibility decides FORBIDDEN or NOT_FOUND; `capability`: what the table must allow
    ('read' for validateLocalPlan, which changes nothing); `when_allowed`: the answer when the
    access check lets it through."""

    mutation: str
    target: str
    subject: str | None
    capability: str
    build: Build
    field: str
    when_allowed: str = OK


def version_input(key: str, **extra) -> Build:
    async def build(ctx: Context) -> dict:
        return {"id": ctx.world[key].id, "version": await ctx.version(key), **extra}

    return build


def plain_input(make: Callable[[World], dict]) -> Build:
    async def build(ctx: Context) -> dict:
        return make(ctx.world)

    return build


def mutation_rows(world: World) -> list[Row]:
    rows: list[Row] = []
    unit_targets = (("own unit A", "A"), ("sibling unit B", "B"), ("other municipality's unit C", "C"))
    sides = (("own municipality", "own", "M_own"), ("other municipality", "other", "M_other"))
    plan_targets = (
        ("own draft plan", "P_D"),
        ("own adopted plan", "P_A"),
        ("other draft plan", "P_D'"),
        ("other adopted plan", "P_A'"),
    )

    def add(mutation, target, subject, capability, build, field, when_allowed=OK):
        rows.append(Row(mutation, target, subject, capability, build, field, when_allowed))

    # Units and municipalities.
    for target, u in unit_targets:
        add("updateUnit", target, u, "units:write", version_input(u, name=f"Enhet {u} (endret)"), "unit")
    for target, u in unit_targets:

        async def staff_input(ctx, u=u):
            allowed = (
                await ctx.connection.exec_driver_sql(
                    f"SELECT staff_may_edit FROM unit WHERE id = '{ctx.world[u].uuid}'"
                )
            ).scalar_one()
            return {"unitId": ctx.world[u].id, "version": await ctx.version(u), "allowed": allowed}

        add("allowStaffEditing", target, u, "staff_editing", staff_input, "unit")
    for target, side, m in sides:
        add(
            "createUnit",
            target,
            m,
            "units:write",
            plain_input(lambda w, m=m: {"municipalityId": w[m].id, "name": "Ny barnehage", "kind": "KINDERGARTEN"}),
            "unit",
        )
        add(
            "updateMunicipality",
            target,
            m,
            "municipality:update",
            version_input(m, name=f"Kommune ({side}, endret)"),
            "municipality",
        )
        add(
            "updateMunicipality(profile)",
            target,
            m,
            "municipality:update",
            version_input(m, profile="testprofil" if side == "own" else "tromso"),
            "municipality",
        )
    add(
        "createMunicipality",
        "a new municipality",
        None,
        "municipalities:create",
        plain_input(lambda w: {"number": "9902", "name": "Nykommune", "profile": "testprofil"}),
        "municipality",
    )
    for target, _side, m in sides:
        add(
            "createPlan",
            target,
            m,
            "plans:write",
            plain_input(lambda w, m=m: {"municipalityId": w[m].id, "periodStart": 2060}),
            "plan",
        )

    # The plan's structure: a draft is changed; an adopted plan is frozen (INVALID_STATE once allowed).
    def structure(mutation, field, build_for):
        for target, p in plan_targets:
            subject, build = build_for(p)
            add(mutation, target, subject, "plans:write", build, field, OK if p in ("P_D", "P_D'") else INVALID_STATE)

    structure(
        "addArea",
        "area",
        lambda p: (
            p,
            plain_input(lambda w, p=p: {"planId": w[p].id, "kind": w.extra[f"{p}.kind"], "title": "Nytt område"}),
        ),
    )
    structure("updateArea", "area", lambda p: (f"{p}.area", version_input(f"{p}.area", title="Endret område")))
    structure("moveArea", "area", lambda p: (f"{p}.area", version_input(f"{p}.area", parentId=None, position=0)))
    structure(
        "addGoal",
        "goal",
        lambda p: (
            p,
            plain_input(
                lambda w, p=p: {
                    "areaId": w.extra[f"{p}.parent"],
                    "kind": w.extra[f"{p}.goal_kind"],
                    "text": "Et nytt mål",
                }
            ),
        ),
    )
    structure("updateGoal", "goal", lambda p: (f"{p}.goal", version_input(f"{p}.goal", text="Endret mål")))
    structure(
        "addCriterion",
        "criterion",
        lambda p: (p, plain_input(lambda w, p=p: {"areaId": w.extra[f"{p}.parent"], "text": "Et nytt kjennetegn"})),
    )
    structure(
        "updateCriterion", "criterion", lambda p: (f"{p}.criterion", version_input(f"{p}.criterion", text="Endret"))
    )
    structure(
        "addMeasure",
        "measure",
        lambda p: (p, plain_input(lambda w, p=p: {"areaId": w.extra[f"{p}.parent"], "text": "Et nytt tiltak"})),
    )
    structure("updateMeasure", "measure", lambda p: (f"{p}.measure", version_input(f"{p}.measure", text="Endret")))
    structure("removeCriterion", "criterion", lambda p: (f"{p}.criterion", version_input(f"{p}.criterion")))
    structure("removeMeasure", "measure", lambda p: (f"{p}.measure", version_input(f"{p}.measure")))
    structure("removeGoal", "goal", lambda p: (f"{p}.goal", version_input(f"{p}.goal")))
    structure("removeArea", "area", lambda p: (f"{p}.area", version_input(f"{p}.area")))

    # Local plans (before the reports are submitted: removing an assessed goal needs a draft report).
    plan_of = {"A": "P_F", "B": "P_F", "C": "P_A'"}
    area_of = {"A": "P_A", "B": "P_A", "C": "P_A'"}
    for target, u in unit_targets:
        add(
            "createLocalPlan",
            target,
            u,
            "local_plans:write",
            plain_input(lambda w, u=u: {"unitId": w[u].id, "planId": w[plan_of[u]].id}),
            "localPlan",
        )
    for target, u in unit_targets:
        add(
            "updateLocalGoal",
            target,
            f"LG_{u}",
            "local_plans:write",
            version_input(f"LG_{u}", text="Endret"),
            "localGoal",
        )
    for target, u in unit_targets:
        add(
            "addLocalAction",
            target,
            f"LP_{u}",
            "local_plans:write",
            plain_input(lambda w, u=u: {"localPlanId": w[f"LP_{u}"].id, "text": "Et nytt tiltak"}),
            "localAction",
        )
    for target, u in unit_targets:
        add(
            "updateLocalAction",
            target,
            f"LA_{u}",
            "local_plans:write",
            version_input(f"LA_{u}", status="IN_PROGRESS"),
            "localAction",
        )
    for target, u in unit_targets:
        add("removeLocalAction", target, f"LA_{u}", "local_plans:write", version_input(f"LA_{u}"), "localAction")
    for target, u in unit_targets:

        async def section_input(ctx, u=u):
            return {
                "localPlanId": ctx.world[f"LP_{u}"].id,
                **ctx.world.extra[f"LS_{u}.section"],
                "text": "Oppdatert.",
                "version": await ctx.version(f"LS_{u}"),
            }

        add("saveLocalPlanSection", target, f"LP_{u}", "local_plans:write", section_input, "section")
    for target, u in unit_targets:
        removable = f"LGx_{u}" if u != "C" else f"LG_{u}"
        add("removeLocalGoal", target, removable, "local_plans:write", version_input(removable), "localGoal")
    for target, u in unit_targets:
        add(
            "validateLocalPlan",
            target,
            f"LP_{u}",
            "read",
            plain_input(lambda w, u=u: {"id": w[f"LP_{u}"].id}),
            "localPlan",
        )

    # Reports.
    period = {"A": (2026, "h1"), "B": (2026, "h1"), "C": (2024, "arlig")}
    for target, u in unit_targets:
        add(
            "openReport",
            target,
            u,
            "reports:write",
            plain_input(lambda w, u=u: {"unitId": w[u].id, "year": period[u][0], "period": period[u][1]}),
            "report",
        )
    for target, u in unit_targets:

        async def assessment_input(ctx, u=u):
            return {
                "reportId": ctx.world[f"R_{u}"].id,
                "level": "2",
                "version": await ctx.version(f"As_R_{u}"),
                **ctx.world.extra[f"As_R_{u}.subject"],
            }

        add("saveAssessment", target, f"R_{u}", "reports:write", assessment_input, "assessment")
    for target, u in unit_targets:
        add("submitReport", target, f"R_{u}", "reports:submit", version_input(f"R_{u}"), "report")
    submitted = {"A": "Rs_A", "B": "Rs_B", "C": "R_C"}
    for target, u in unit_targets:
        add(
            "approveReport",
            target,
            submitted[u],
            "reports:review",
            version_input(submitted[u], comment="Fint."),
            "report",
        )
    for target, u in unit_targets:
        add(
            "returnReport",
            target,
            submitted[u],
            "reports:review",
            version_input(submitted[u], comment="Se over vurderingene."),
            "report",
        )

    # More local plan work: a new goal (after the report is submitted), submit, review.
    for target, u in unit_targets:
        add(
            "addLocalGoal",
            target,
            f"LP_{u}",
            "local_plans:write",
            plain_input(
                lambda w, u=u: {
                    "localPlanId": w[f"LP_{u}"].id,
                    "areaId": w.extra[f"{area_of[u]}.parent"],
                    "text": "Enda et mål",
                }
            ),
            "localGoal",
        )
    for target, u in unit_targets:
        add("submitLocalPlan", target, f"LP_{u}", "local_plans:submit", version_input(f"LP_{u}"), "localPlan")
    reviewed = {"A": "LPs_A", "B": "LPs_B", "C": "LP_C"}
    for target, u in unit_targets:
        add("approveLocalPlan", target, reviewed[u], "local_plans:review", version_input(reviewed[u]), "localPlan")
    for target, u in unit_targets:
        add(
            "returnLocalPlan",
            target,
            reviewed[u],
            "local_plans:review",
            version_input(reviewed[u], comment="Mer om leken."),
            "localPlan",
        )

    # The sector report and API keys.
    for target, side, m in sides:
        _, year, key = SECTOR_PERIOD[side]
        add(
            "publishSectorReport",
            target,
            m,
            "sector_reports:publish",
            plain_input(lambda w, m=m, year=year, key=key: {"municipalityId": w[m].id, "year": year, "period": key}),
            "sectorReport",
        )
    for target, _side, m in sides:
        add(
            "createApiKey",
            target,
            m,
            "api_keys:manage",
            plain_input(lambda w, m=m: {"municipalityId": w[m].id, "name": "Ny nøkkel", "scopes": ["read"]}),
            "apiKey",
        )
    for target, key in (("own municipality's key", "K_revoke"), ("other municipality's key", "K_other")):
        add("revokeApiKey", target, key, "api_keys:manage", version_input(key), "apiKey")

    # The plans' lives, late: adopting the draft ends its editing, archiving ends the adopted ones.
    for target, p in (("own draft plan", "P_D"), ("own adopted plan", "P_S"), ("other draft plan", "P_D'")):
        add(
            "adoptPlan",
            target,
            p,
            "plans:write",
            version_input(p, adoptedBy="Utvalget"),
            "plan",
            INVALID_STATE if p == "P_S" else OK,
        )
    for target, p in (
        ("own draft plan", "P_D"),
        ("own adopted plan", "P_S"),
        ("other draft plan", "P_D'"),
        ("other adopted plan", "P_A'"),
    ):
        add("archivePlan", target, p, "plans:write", version_input(p), "plan")

    # Last: archiving unit A ends the unit roles' grants.
    for target, u in (unit_targets[1], unit_targets[2], unit_targets[0]):
        add("archiveUnit", target, u, "units:write", version_input(u), "unit")
    return rows


def expected(role: Role, row: Row, world: World) -> str:
    subject = world[row.subject] if row.subject else None
    if row.capability == "read":
        return OK if sees(role, subject) else NOT_FOUND
    if may(role, row.capability, subject):
        return row.when_allowed
    return FORBIDDEN if subject is None or sees(role, subject) else NOT_FOUND


def selection(row: Row) -> str:
    extra = (
        " key"
        if row.mutation == "createApiKey"
        else " findings { code }"
        if row.mutation == "validateLocalPlan"
        else ""
    )
    return f"{row.field} {{ id }}{extra} errors {{ field code message }}"


async def check_mutations(role: Role, world: World, caller: GraphQLClient, database, failures: Failures) -> None:
    async with database.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        ctx = Context(world, connection)
        for row in mutation_rows(world):
            await check_mutation(role, row, world, caller, ctx, failures)


async def check_mutation(
    role: Role, row: Row, world: World, caller: GraphQLClient, ctx: Context, failures: Failures
) -> None:
    name, label = row.mutation.split("(")[0], row.mutation
    query = f"mutation ($input: {name[0].upper() + name[1:]}Input!) {{ {name}(input: $input) {{ {selection(row)} }} }}"
    variables = {"input": await row.build(ctx)}
    before = await ctx.changes()
    body = await caller.raw(query, variables)
    want = expected(role, row, world)
    if "errors" in body:
        failures.check(label, row.target, want, "GraphQL error", str(body["errors"]))
        return
    payload = body["data"][name]
    codes = sorted({e["code"] for e in payload["errors"]})
    got = OK if not codes else "+".join(codes)
    detail = "; ".join(e["message"] for e in payload["errors"])
    failures.check(label, row.target, want, got, detail)
    if codes:
        after = await ctx.changes()
        if after != before:
            failures.lines.append(
                f"[{role}] {label} on {row.target}: refused ({got}) but wrote {after - before} change(s)"
            )
    elif payload[row.field] is None:
        failures.lines.append(f"[{role}] {label} on {row.target}: succeeded without returning its {row.field}")


# -- The test -----------------------------------------------------------------------------------------


def bearer(role: Role, world: World, token) -> str | None:
    if role.kind == "anonymous":
        return None
    if role.kind == "integrator":
        return world.keys[role.scopes]
    if role.level == "municipality":
        return token(role.kind, municipality="9901")
    return token(role.kind, unit=ORG[0])


@pytest.mark.parametrize("role", ROLES, ids=str)
async def test_the_roles_table(role, world, gql, gql_as, token, database):
    if role.staff_allowed:
        version = await Cycle(gql).version_of(world["A"].id)
        await Cycle(gql).mutate(
            "allowStaffEditing", {"unitId": world["A"].id, "version": version, "allowed": True}, "unit { staffMayEdit }"
        )
    caller = gql_as(bearer(role, world, token))
    failures = Failures(role)
    await check_reads(role, world, caller, failures)
    await check_mutations(role, world, caller, database, failures)
    assert not failures.lines, (
        f"{len(failures.lines)} of {failures.cells} cells disagree with the roles table:\n" + "\n".join(failures.lines)
    )
