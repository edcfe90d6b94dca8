"""A municipality's own indicator through GraphQL, as its sector office would use it: defined,
filled from a CSV of its own survey, protected (below the threshold and by complementary
suppression), refused whole when the file is wrong (in the reader's language, naming the line),
and its own alone."""

from __future__ import annotations

import pytest

SAVE = """mutation ($input: SaveLocalIndicatorInput!) { saveLocalIndicator(input: $input) {
  indicator { code name source measure minRespondents } errors { code field message messageKey } } }"""
UPLOAD = """mutation ($input: UploadLocalIndicatorFiguresInput!) { uploadLocalIndicatorFigures(input: $input) {
  upload { rowsRead figures reported suppressed missing added changed removed unchanged dryRun }
  errors { code field message messageKey } } }"""
CREATE_UNIT = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) { unit { id } errors { code } } }"""
UNIT_SERIES = """query ($id: ID!) { node(id: $id) { ... on Unit { indicators(codes: ["tromso.trivsel"]) {
  points { schoolYear figure { code value n status reason reasonText } municipality { value n status } } } } } }"""
MUNICIPALITY_SERIES = """query ($n: String!) { municipality(number: $n) { indicators(codes: ["tromso.trivsel"]) {
  points { schoolYear figure { code value n status } } } } }"""

SCHOOLS = {"991100318": "Skole A", "991100326": "Skole B", "991100334": "Skole C"}
HEADER = "Skoleaarnavn;Kommunekode;Organisasjonsnummer;Verdi;AntallBesvart\n"
# Skole C has 3 respondents (under the threshold of 5); with the total shown, hiding C alone
# would let it be had as the total minus A and B.
UPLOADED = HEADER + (
    "2025-26;5501;;4,2;300\n"
    "2025-26;;991100318;4,3;180\n"
    "2025-26;;991100326;4,0;117\n"
    "2025-26;;991100334;3,1;3\n"
    "2024-25;5501;;4,1;290\n"
)


def _definition(municipality_id: str, **changes) -> dict:
    return {
        "municipalityId": municipality_id,
        "code": "tromso.trivsel",
        "names": {
            "nb": "Trivsel (egen undersøkelse)",
            "nn": "Trivsel (eiga undersøking)",
            "en": "Well-being (own survey)",
        },
        "measure": "SCORE",
        "unitKinds": ["SCHOOL"],
        "minRespondents": 5,
        "scaleMin": 1,
        "scaleMax": 5,
        "higherIsBetter": True,
        **changes,
    }


@pytest.fixture
async def tromso(demo, gql, gql_as, token):
    """Tromsø's sector office (nn), its id, and three schools with organisation numbers."""
    municipality = (await gql('{ municipality(number: "5501") { id } }'))["municipality"]["id"]
    units = {}
    for org_number, name in SCHOOLS.items():
        created = await gql(
            CREATE_UNIT,
            {"input": {"municipalityId": municipality, "name": name, "kind": "SCHOOL", "orgNumber": org_number}},
        )
        units[org_number] = created["createUnit"]["unit"]["id"]
    admin = gql_as(token("sector_admin", municipality="5501"))
    admin.headers["Accept-Language"] = "nn"
    return admin, municipality, units


async def _upload(client, municipality: str, csv: str, **more) -> dict:
    data = await client(
        UPLOAD, {"input": {"municipalityId": municipality, "code": "tromso.trivsel", "csv": csv, **more}}
    )
    return data["uploadLocalIndicatorFigures"]


async def test_an_upload_is_stored_protected_and_read_back(tromso):
    admin, municipality, units = tromso
    saved = (await admin(SAVE, {"input": _definition(municipality)}))["saveLocalIndicator"]
    assert saved["errors"] == []
    assert saved["indicator"] == {
        "code": "tromso.trivsel",
        "name": "Trivsel (eiga undersøking)",
        "source": "LOCAL",
        "measure": "SCORE",
        "minRespondents": 5,
    }

    dry = await _upload(admin, municipality, UPLOADED, dryRun=True)
    assert dry["errors"] == [] and dry["upload"]["dryRun"] and dry["upload"]["added"] == 5
    assert (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"] == []

    result = await _upload(admin, municipality, UPLOADED)
    assert result["errors"] == []
    upload = result["upload"]
    assert (upload["rowsRead"], upload["figures"], upload["added"]) == (5, 5, 5)
    # C is under the threshold; B, the smallest other school, is hidden with it.
    assert (upload["reported"], upload["suppressed"]) == (3, 2)

    points = {}
    for org_number, unit in units.items():
        [series] = (await admin(UNIT_SERIES, {"id": unit}))["node"]["indicators"]
        [points[org_number]] = [p for p in series["points"] if p["schoolYear"] == 2025]
    shown, small, other = points["991100318"], points["991100334"], points["991100326"]
    assert (shown["figure"]["value"], shown["figure"]["n"], shown["figure"]["status"]) == (4.3, 180, "REPORTED")
    assert small["figure"] | {"reasonText": None} == {
        "code": "991100334",
        "value": None,
        "n": None,
        "status": "SUPPRESSED",
        "reason": "BELOW_THRESHOLD",
        "reasonText": None,
    }
    assert small["figure"]["reasonText"] == "Skjerma: færre enn 5 svara."
    assert (other["figure"]["status"], other["figure"]["reason"], other["figure"]["value"]) == (
        "SUPPRESSED",
        "COMPLEMENTARY",
        None,
    )
    # What stays visible cannot give C away: the total less every shown school is not one school.
    assert shown["municipality"] == {"value": 4.2, "n": 300, "status": "REPORTED"}
    years = (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"][0]["points"]
    assert [(p["schoolYear"], p["figure"]["value"]) for p in years] == [(2024, 4.1), (2025, 4.2)]

    again = await _upload(admin, municipality, UPLOADED)
    assert again["upload"]["unchanged"] and again["upload"]["added"] == again["upload"]["changed"] == 0

    # A new file replaces the last: the year left out is gone, the changed figure changed.
    replaced = await _upload(admin, municipality, HEADER + "2025-26;5501;;4,4;310\n")
    assert (replaced["upload"]["changed"], replaced["upload"]["removed"]) == (1, 4)
    years = (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"][0]["points"]
    assert [(p["schoolYear"], p["figure"]["value"]) for p in years] == [(2025, 4.4)]


@pytest.mark.parametrize(
    ("rows", "key", "message"),
    [
        ("2025-26;5501;;4.2;300\n", "indicator_file.not_a_number", "tromso.trivsel.csv:2: «4.2» er ikkje eit tal"),
        (
            "2025-26;5501;;4,2;300\n2025-26;3301;;4,0;90\n",
            "indicator_file.other_municipality",
            "tromso.trivsel.csv:3: 3301 er ikkje nummeret til kommunen.",
        ),
        (
            "2025-26;55;;4,2;300\n",
            "indicator_file.place_number",
            "tromso.trivsel.csv:2: «55» er ikkje eit nummer med 4 siffer.",
        ),
        (
            "2025-26;;991100229;4,2;30\n",  # Drammen's kindergarten (registered in 3301)
            "indicator_file.other_unit",
            "tromso.trivsel.csv:2: eininga 991100229 høyrer til ein annan kommune.",
        ),
        ("25/26;5501;;4,2;300\n", "indicator_file.school_year", "«25/26» er ikkje eit skuleår som 2024-25."),
    ],
)
async def test_a_wrong_file_is_refused_whole_in_the_readers_language(tromso, gql, rows, key, message):
    admin, municipality, _ = tromso
    drammen = (await gql('{ municipality(number: "3301") { id } }'))["municipality"]["id"]
    await gql(
        CREATE_UNIT,
        {
            "input": {
                "municipalityId": drammen,
                "name": "Drammen barnehage",
                "kind": "KINDERGARTEN",
                "orgNumber": "991100229",
            }
        },
    )
    await admin(SAVE, {"input": _definition(municipality)})
    assert (await _upload(admin, municipality, UPLOADED))["errors"] == []

    refused = await _upload(admin, municipality, HEADER + rows)
    assert refused["upload"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"], error["messageKey"]) == ("INVALID_FILE", "csv", key)
    assert message in error["message"]
    # Nothing of the refused file was written: the last upload stands.
    years = (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"][0]["points"]
    assert [(p["schoolYear"], p["figure"]["value"]) for p in years] == [(2024, 4.1), (2025, 4.2)]


async def test_county_rows_and_breakdowns_are_not_a_municipalitys_own(tromso):
    admin, municipality, _ = tromso
    await admin(SAVE, {"input": _definition(municipality)})
    county = await _upload(admin, municipality, "Skoleaarnavn;Fylkekode;Verdi;AntallBesvart\n2025-26;55;4,2;300\n")
    assert county["errors"][0]["messageKey"] == "indicator_file.local_level"
    by_grade = "Skoleaarnavn;Kommunekode;Trinnnavn;Verdi;AntallBesvart\n2025-26;5501;7. trinn;4,2;300\n"
    assert (await _upload(admin, municipality, by_grade))["errors"][0]["messageKey"] == "indicator_file.local_breakdown"


async def test_a_code_or_file_with_nul_is_refused_not_failed(tromso):
    """NUL cannot be stored or asked for in PostgreSQL: refused at the edge (found by the fuzzer)."""
    admin, municipality, _ = tromso
    await admin(SAVE, {"input": _definition(municipality)})
    no_code = await _upload(admin, municipality, UPLOADED, code="\x00")
    assert [(e["field"], e["code"]) for e in no_code["errors"]] == [("code", "NOT_FOUND")]
    with_nul = await _upload(admin, municipality, UPLOADED.replace("2025-26", "2025\x00-26", 1))
    assert [(e["field"], e["code"]) for e in with_nul["errors"]] == [("csv", "INVALID_VALUE")]


async def test_a_definition_is_checked_and_named_in_the_readers_language(tromso):
    admin, municipality, _ = tromso
    wrong = _definition(municipality, code="Tromsø trivsel", minRespondents=0, scaleMin=5, scaleMax=1)
    wrong["names"]["nn"] = " "
    errors = (await admin(SAVE, {"input": wrong}))["saveLocalIndicator"]["errors"]
    assert {(e["field"], e["messageKey"]) for e in errors} >= {
        ("code", "indicator.code_form"),
        ("minRespondents", "input.between"),
        ("scaleMin", "indicator.scale_order"),
    }
    assert any(e["field"] == "names.nn" for e in errors)
    national = (await admin(SAVE, {"input": _definition(municipality, code="eu.trivsel")}))["saveLocalIndicator"]
    assert national["errors"][0]["message"] == "«eu.trivsel» er koden til ein nasjonal indikator; vel ein annan."
    # Saved again by its code: changed, not doubled.
    await admin(SAVE, {"input": _definition(municipality)})
    changed = await admin(SAVE, {"input": _definition(municipality, minRespondents=10)})
    assert changed["saveLocalIndicator"]["indicator"]["minRespondents"] == 10
    assert [i["code"] for i in (await admin("{ indicators(source: LOCAL) { code } }"))["indicators"]] == [
        "tromso.trivsel"
    ]


async def test_another_municipality_can_neither_define_nor_fill_nor_read_it(tromso, gql_as, token):
    admin, municipality, units = tromso
    await admin(SAVE, {"input": _definition(municipality)})
    await _upload(admin, municipality, UPLOADED)
    for stranger in (
        gql_as(token("sector_admin", municipality="3301")),
        gql_as(token("unit_leader", unit="991100318")),
        gql_as(None),
    ):
        saved = (await stranger(SAVE, {"input": _definition(municipality, minRespondents=1)}))["saveLocalIndicator"]
        assert saved["indicator"] is None and saved["errors"][0]["code"] in (
            "NOT_FOUND",
            "FORBIDDEN",
            "UNAUTHENTICATED",
        )
        uploaded = await _upload(stranger, municipality, HEADER + "2025-26;5501;;1,0;300\n")
        assert uploaded["upload"] is None and uploaded["errors"][0]["code"] in (
            "NOT_FOUND",
            "FORBIDDEN",
            "UNAUTHENTICATED",
        )
        assert (await stranger(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"] == []
    # Tromsø's figures and definition are as they were.
    years = (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"][0]["points"]
    assert [(p["schoolYear"], p["figure"]["value"]) for p in years] == [(2024, 4.1), (2025, 4.2)]
    assert (await admin("{ indicators(source: LOCAL) { minRespondents } }"))["indicators"] == [{"minRespondents": 5}]
