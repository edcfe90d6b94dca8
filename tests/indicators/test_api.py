"""Indicators through GraphQL, as a front end reads them: a municipality's series beside its
county and the nation across the 2024 renumbering (public), a unit's own (for those who may read
its reports), a plan area's linked indicators, and a municipality's own indicators seen by it
alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kvalitet.indicators.catalogue import IndicatorDefinition, Origin
from kvalitet.indicators.rows import Place, SourceRow, figures_of
from kvalitet.indicators.store import store
from kvalitet.models import Municipality
from kvalitet.models.enums import IndicatorLevel
from tests.support.client import GraphQLClient
from tests.support.udir import import_fixtures

SERIES = """query ($n: String!, $codes: [String!], $grade: String) { municipality(number: $n) {
  indicators(codes: $codes, grade: $grade) { grade gender indicator { code name measure higherIsBetter }
    points { schoolYear schoolYearLabel figure { level code value n status reason reasonText }
      county { code value status reason reasonText } nation { code value status } differenceFromNation } } } }"""


@pytest.fixture
async def imported(database, demo):
    """Elevundersøkelsen's tables (from the stand-in API), nasjonale prøver, grunnskolepoeng and
    Foreldreundersøkelsen (files)."""
    await import_fixtures(database)


async def test_a_municipality_series_spans_the_renumbering_and_shows_the_county_break(imported, gql_as):
    anonymous = gql_as(None)
    data = await anonymous(SERIES, {"n": "5501", "codes": ["eu.mobbing"], "grade": "10"})
    [series] = data["municipality"]["indicators"]
    assert series["indicator"] == {
        "code": "eu.mobbing",
        "name": "Bullying at school",
        "measure": "PERCENT",
        "higherIsBetter": False,
    }
    assert (series["grade"], series["gender"]) == ("10", "ALL")
    points = series["points"]
    assert [p["schoolYear"] for p in points] == [2021, 2022, 2023, 2024, 2025]
    assert points[0]["schoolYearLabel"] == "2021-22"
    # Tromsø was 5401 before 2024: one series, the figures under either number.
    assert [p["figure"]["code"] for p in points] == ["5401", "5401", "5401", "5501", "5501"]
    assert all(p["figure"]["status"] == "REPORTED" and p["figure"]["value"] is not None for p in points)
    # Troms og Finnmark (54) was split: its years are a break, not Troms' (55) figures.
    for point in points[:3]:
        assert point["county"]["code"] == "54" and point["county"]["value"] is None
        assert (point["county"]["status"], point["county"]["reason"]) == ("MISSING", "SERIES_BREAK")
        assert "Troms og Finnmark (54)" in point["county"]["reasonText"]
    assert [p["county"]["code"] for p in points[3:]] == ["55", "55"]
    assert all(p["county"]["status"] == "REPORTED" for p in points[3:])
    for point in points:
        expected = round(point["figure"]["value"] - point["nation"]["value"], 6)
        assert round(point["differenceFromNation"], 6) == expected


async def test_a_unit_sees_its_suppressed_years_as_suppressed(imported, gql, gql_as, token):
    tromso = (await gql('{ municipality(number: "5501") { id } }'))["municipality"]["id"]
    created = await gql(
        """mutation ($input: CreateUnitInput!) { createUnit(input: $input) { unit { id } errors { code } } }""",
        {
            "input": {
                "municipalityId": tromso,
                "name": "Fjellheisen montessoriskole",
                "kind": "SCHOOL",
                "orgNumber": "991100024",
            }
        },
    )
    unit = created["createUnit"]["unit"]["id"]
    query = """query ($id: ID!) { node(id: $id) { ... on Unit { indicators(codes: ["eu.trivsel", "fu.trivsel"], grade: "7") {
      indicator { code } points { schoolYear figure { level code value n status reason reasonText } municipality { code value } } } } } }"""
    admin = gql_as(token("sector_admin", municipality="5501"))
    admin.headers["Accept-Language"] = "nn"
    [series] = (await admin(query, {"id": unit}))["node"]["indicators"]  # a school: no kindergarten indicator
    assert series["indicator"]["code"] == "eu.trivsel"
    by_year = {p["schoolYear"]: p for p in series["points"]}
    for year in (2021, 2022):  # Udir suppressed the school these years
        figure = by_year[year]["figure"]
        assert (figure["status"], figure["reason"], figure["value"], figure["n"]) == (
            "SUPPRESSED",
            "SOURCE",
            None,
            None,
        )
        assert figure["reasonText"] == "Skjerma av Utdanningsdirektoratet (prikka) for å verne personvernet."
        assert by_year[year]["municipality"]["code"] == "5401"
    assert by_year[2024]["figure"]["status"] == "REPORTED" and by_year[2024]["figure"]["code"] == "991100024"
    # Another municipality's admin does not reach the unit at all.
    other = gql_as(token("sector_admin", municipality="3301"))
    assert (await other(query, {"id": unit}))["node"] is None


async def test_a_page_of_units_reads_their_figures_in_one_statement(imported, gql, gql_as, token, statements):
    """A sector office's list of schools, each with its series: one statement for the figures of the
    whole page, each school's own figures its own."""
    tromso = (await gql('{ municipality(number: "5501") { id } }'))["municipality"]["id"]
    schools = {"991100016": "Nordlys skole", "991100024": "Fjellheisen montessoriskole"}
    for org_number, name in schools.items():
        await gql(
            """mutation ($input: CreateUnitInput!) { createUnit(input: $input) { errors { code } } }""",
            {"input": {"municipalityId": tromso, "name": name, "kind": "SCHOOL", "orgNumber": org_number}},
        )
    query = """{ municipality(number: "5501") { units(first: 20, kind: SCHOOL) { nodes { id name orgNumber
      indicators(codes: ["eu.trivsel"], grade: "7") { points { schoolYear figure { code value status }
        municipality { code value } } } } } } }"""
    admin = gql_as(token("sector_admin", municipality="5501"))
    statements.reset()
    nodes = (await admin(query))["municipality"]["units"]["nodes"]
    figures = [sql for sql in statements.statements if "indicator_value" in sql]
    assert len(figures) == 1, figures
    by_name = {node["name"]: node for node in nodes}
    for org_number, name in schools.items():
        [series] = by_name[name]["indicators"]
        own = {point["figure"]["code"] for point in series["points"] if point["figure"]}
        assert own == {org_number}
    # Each school's figures are the ones it gets when asked for alone.
    alone = """query ($id: ID!) { node(id: $id) { ... on Unit { indicators(codes: ["eu.trivsel"], grade: "7") {
      points { schoolYear figure { code value status } municipality { code value } } } } } }"""
    for node in nodes:
        assert (await admin(alone, {"id": node["id"]}))["node"]["indicators"] == node["indicators"]
    # Schools without an organisation number have no figures, and cost no statement.
    assert all(node["indicators"] == [] for node in nodes if node["orgNumber"] is None)


async def test_a_plan_area_shows_the_indicators_its_profile_links(imported, gql_as):
    query = """{ municipality(number: "5501") { plans { allAreas { key
      indicators(grade: "10") { indicator { code } points { schoolYear } } } } } }"""
    areas = (await gql_as(None)(query))["municipality"]["plans"][0]["allAreas"]
    linked = {a["key"]: sorted(s["indicator"]["code"] for s in a["indicators"]) for a in areas if a["indicators"]}
    # Tromsø's profile links «Barn og unges livsmestring» to well-being and bullying (and the parents'
    # survey, which has no 10th grade).
    assert linked == {"barn-og-unges-livsmestring": ["eu.mobbing", "eu.trivsel"]}


async def test_a_municipalitys_own_indicator_is_seen_by_it_alone(imported, database, gql_as, token):
    async with database.session() as session, session.begin():
        tromso = await session.scalar(select(Municipality.id).where(Municipality.number == "5501"))
        definition = IndicatorDefinition.model_validate(
            {
                "code": "tromso.trivselsundersokelsen",
                "names": {"nb": "Trivselsundersøkelsen", "nn": "Trivselsundersøkinga", "en": "Well-being survey"},
                "source": "local",
                "origin": Origin(table="local:trivsel", value="Verdi", respondents="AntallBesvart"),
                "measure": "score",
                "scale": [1, 5],
                "min_respondents": 5,
                "unit_kinds": ["school"],
            }
        )
        row = SourceRow(
            Place(IndicatorLevel.MUNICIPALITY, "5501"),
            {"Skoleaarnavn": "2024-25", "Verdi": "4,4", "AntallBesvart": "812"},
            "1",
        )
        extract = figures_of([row], [definition])
        await store(session, extract, [definition], source="upload", scope="local:trivsel|5501", municipality_id=tromso)

    catalogue = "{ indicators(source: LOCAL) { code } }"
    own = gql_as(token("sector_admin", municipality="5501"))
    assert (await own(catalogue))["indicators"] == [{"code": "tromso.trivselsundersokelsen"}]
    series = await own(SERIES, {"n": "5501", "codes": ["tromso.trivselsundersokelsen"], "grade": None})
    [found] = series["municipality"]["indicators"]
    assert found["points"][0]["figure"]["value"] == 4.4
    for stranger in (gql_as(token("sector_admin", municipality="3301")), gql_as(None)):
        assert (await stranger(catalogue))["indicators"] == []
        seen = await stranger(SERIES, {"n": "5501", "codes": ["tromso.trivselsundersokelsen"], "grade": None})
        assert seen["municipality"]["indicators"] == []
    # The national catalogue is everyone's.
    everyone = await GraphQLClient(own.http)("{ indicators(unitKind: KINDERGARTEN) { code name } }")
    assert [i["code"] for i in everyone["indicators"]] == ["fu.trivsel", "fu.tilfredshet"]


@pytest.mark.parametrize(
    ("number", "old_number", "county", "old_county"),
    [("3301", "3005", "33", "30"), ("1860", "1860", "18", "18")],
)
async def test_every_shipped_municipality_and_every_source(imported, gql_as, number, old_number, county, old_county):
    """Drammen was renumbered and its county (Viken) split; Vestvågøy and Nordland kept theirs."""
    data = await gql_as(None)(SERIES, {"n": number, "codes": None, "grade": None})
    series = {(s["indicator"]["code"], s["grade"]): s["points"] for s in data["municipality"]["indicators"]}
    assert {code for code, _ in series} >= {
        "eu.trivsel",
        "eu.mobbing",
        "np.5.lesing",
        "np.5.regning",
        "gsp",
        "fu.trivsel",
    }
    assert ("np.5.lesing", "5") in series and ("gsp", "all") in series and ("eu.mobbing", "7") in series
    for points in series.values():
        for point in points:
            before = point["schoolYear"] < 2024
            assert point["figure"]["code"] == (old_number if before else number)
            if old_county == county:  # an unbroken county: its own figure every year
                assert point["county"]["code"] == county and point["county"]["status"] == "REPORTED"
            elif before:
                assert (point["county"]["code"], point["county"]["reason"]) == (old_county, "SERIES_BREAK")
            else:
                assert point["county"]["code"] == county and point["county"]["status"] == "REPORTED"
