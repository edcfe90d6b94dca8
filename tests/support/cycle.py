"""GraphQL operations for walking the yearly cycle, shared by the cycle tests."""

from __future__ import annotations

PAYLOAD_ERRORS = "errors { field code message messageKey }"


class Cycle:
    """Calls mutations through the API and fails the test on unexpected user errors."""

    def __init__(self, gql):
        self.gql = gql

    async def mutate(self, name: str, input: dict, selection: str, *, expect_errors: bool = False) -> dict:
        query = f"mutation ($input: {name[0].upper() + name[1:]}Input!) {{ {name}(input: $input) {{ {selection} {PAYLOAD_ERRORS} }} }}"
        payload = (await self.gql(query, {"input": input}))[name]
        # Every refusal a person reads along the year is catalogued (in nb, nn and en): it has its key.
        uncatalogued = [e for e in payload["errors"] if e.pop("messageKey") is None]
        assert uncatalogued == [], f"{name}: not catalogued: {uncatalogued}"
        if not expect_errors:
            assert payload["errors"] == [], f"{name}: {payload['errors']}"
        return payload

    async def refused(self, name: str, input: dict, selection: str = "__typename") -> list[dict]:
        payload = await self.mutate(name, input, selection, expect_errors=True)
        assert payload["errors"], f"{name} should have been refused"
        return payload["errors"]

    async def municipality(self, number: str, name: str, profile: str) -> dict:
        payload = await self.mutate(
            "createMunicipality", {"number": number, "name": name, "profile": profile}, "municipality { id version }"
        )
        return payload["municipality"]

    async def adopted_plan(self, municipality_id: str, adopted_by: str = "Kommunestyret") -> dict:
        plan = (await self.mutate("createPlan", {"municipalityId": municipality_id}, "plan { id version status }"))[
            "plan"
        ]
        assert plan["status"] == "DRAFT"
        adopted = await self.mutate(
            "adoptPlan",
            {"id": plan["id"], "version": plan["version"], "adoptedBy": adopted_by},
            "plan { id version status }",
        )
        assert adopted["plan"]["status"] == "ADOPTED"
        return adopted["plan"]

    async def unit(self, municipality_id: str, name: str, kind: str, org_number: str | None = None, zone=None) -> dict:
        payload = await self.mutate(
            "createUnit",
            {"municipalityId": municipality_id, "name": name, "kind": kind, "orgNumber": org_number, "zone": zone},
            "unit { id version kind }",
        )
        return payload["unit"]

    async def kindergarten_on(self, number: str, name: str, profile: str) -> tuple[dict, dict, dict, dict]:
        """A municipality on `profile` with its plan adopted, a kindergarten and the kindergarten's
        local plan: (municipality, plan, unit, local plan)."""
        municipality = await self.municipality(number, name, profile)
        plan = await self.adopted_plan(municipality["id"])
        unit = await self.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
        return municipality, plan, unit, await self.local_plan(unit["id"], plan["id"])

    async def areas(self, plan_id: str, kind: str) -> list[dict]:
        query = """query ($id: ID!, $kind: String!) { node(id: $id) { ... on Plan {
            areas(kind: $kind) { id key title appliesTo children { id key kind title } } } } }"""
        return (await self.gql(query, {"id": plan_id, "kind": kind}))["node"]["areas"]

    async def local_plan(self, unit_id: str, plan_id: str) -> dict:
        return (
            await self.mutate(
                "createLocalPlan", {"unitId": unit_id, "planId": plan_id}, "localPlan { id version status }"
            )
        )["localPlan"]

    async def local_goal(self, local_plan_id: str, area_id: str, text: str, perspective: str | None = None) -> dict:
        payload = await self.mutate(
            "addLocalGoal",
            {"localPlanId": local_plan_id, "areaId": area_id, "text": text, "perspective": perspective},
            "localGoal { id version }",
        )
        return payload["localGoal"]

    async def action(self, local_plan_id: str, text: str, area_id=None, deadline=None, owner=None) -> dict:
        payload = await self.mutate(
            "addLocalAction",
            {"localPlanId": local_plan_id, "text": text, "areaId": area_id, "deadline": deadline, "owner": owner},
            "localAction { id version }",
        )
        return payload["localAction"]

    async def section(self, local_plan_id: str, key: str, text: str, area_id=None) -> dict:
        payload = await self.mutate(
            "saveLocalPlanSection",
            {"localPlanId": local_plan_id, "key": key, "text": text, "areaId": area_id},
            "section { id version }",
        )
        return payload["section"]

    async def version_of(self, node_id: str) -> int:
        query = "query ($id: ID!) { node(id: $id) { ... on Versioned { version } } }"
        return (await self.gql(query, {"id": node_id}))["node"]["version"]

    async def submit_local_plan(self, local_plan_id: str) -> dict:
        version = await self.version_of(local_plan_id)
        return await self.mutate(
            "submitLocalPlan",
            {"id": local_plan_id, "version": version},
            "localPlan { id version status }",
            expect_errors=True,
        )

    async def decide(self, name: str, node_id: str, comment: str | None = None, field: str = "localPlan") -> dict:
        version = await self.version_of(node_id)
        payload = await self.mutate(
            name, {"id": node_id, "version": version, "comment": comment}, f"{field} {{ id version status comment }}"
        )
        return payload[field]

    async def open_report(self, unit_id: str, year: int, period: str) -> dict:
        payload = await self.mutate(
            "openReport",
            {"unitId": unit_id, "year": year, "period": period},
            "report { id version status dueOn isOverdue }",
        )
        return payload["report"]

    async def items(self, report_id: str) -> list[dict]:
        query = """query ($id: ID!) { node(id: $id) { ... on Report { items {
            area { key title } criterion { id text } measure { id text } localGoal { id text }
            assessment { id level version } } } } }"""
        return (await self.gql(query, {"id": report_id}))["node"]["items"]

    async def assess(self, report_id: str, item: dict, level: str, comment: str | None = None) -> dict:
        subject = (
            {"criterionId": item["criterion"]["id"]}
            if item["criterion"]
            else {"measureId": item["measure"]["id"]}
            if item.get("measure")
            else {"localGoalId": item["localGoal"]["id"]}
        )
        version = item["assessment"]["version"] if item["assessment"] else None
        payload = await self.mutate(
            "saveAssessment",
            {"reportId": report_id, "level": level, "comment": comment, "version": version, **subject},
            "assessment { id version level }",
        )
        return payload["assessment"]

    async def submit_report(self, report_id: str) -> dict:
        version = await self.version_of(report_id)
        return await self.mutate(
            "submitReport", {"id": report_id, "version": version}, "report { id version status }", expect_errors=True
        )

    async def sector_report(self, number: str, year: int, period: str) -> dict:
        query = """query ($n: String!, $y: Int!, $p: String!) { municipality(number: $n) { sectorReport(year: $y, period: $p) {
            year periodKey dueOn unitsByStatus { status count } overdueUnits { name status }
            units { name kind status overdue }
            areas { key title assessments levels { level count } criteria { text levels { level count } } } } } }"""
        return (await self.gql(query, {"n": number, "y": year, "p": period}))["municipality"]["sectorReport"]

    async def assess_all(self, report_id: str, level_of) -> list[dict]:
        """Assess every item of the report at `level_of(item)`, skipping those it gives None for;
        returns the items as read before assessing."""
        items = await self.items(report_id)
        for item in items:
            level = level_of(item)
            if level is not None:
                await self.assess(report_id, item, level)
        return items

    async def update_action(self, action: dict, **changes) -> dict:
        payload = await self.mutate(
            "updateLocalAction",
            {"id": action["id"], "version": action["version"], **changes},
            "localAction { id version deadline }",
        )
        return payload["localAction"]

    @staticmethod
    def statuses(sector: dict) -> dict[str, int]:
        return {s["status"]: s["count"] for s in sector["unitsByStatus"]}

    @staticmethod
    def area_levels(sector: dict) -> dict[str, dict[str, int]]:
        """Each area's level distribution, by area key, levels with no assessment left out."""
        return {a["key"]: {lv["level"]: lv["count"] for lv in a["levels"] if lv["count"]} for a in sector["areas"]}

    @staticmethod
    def criterion_levels(sector: dict) -> dict[str, dict[str, int]]:
        """Each criterion's level distribution, by criterion text, levels with no assessment left out."""
        return {
            c["text"]: {lv["level"]: lv["count"] for lv in c["levels"] if lv["count"]}
            for a in sector["areas"]
            for c in a["criteria"]
        }
