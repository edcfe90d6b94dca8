"""Messages in the caller's language: `Accept-Language` or `?locale=` (nb, nn, en), bokmål by
default, each with its stable key and parameters beside it."""

from __future__ import annotations

from tests.support.cycle import Cycle

SAVE = """mutation ($input: SaveLocalPlanSectionInput!) { saveLocalPlanSection(input: $input) {
    errors { field code message messageKey params { name value } } } }"""
FINDINGS = """query ($id: ID!) { node(id: $id) { ... on LocalPlan {
    findings { code message messageKey params { name value } } } } }"""


async def _ask(gql, query, variables, *, header=None, locale=None):
    headers = {k: v for k, v in gql.headers.items() if k != "Accept-Language"}
    if header:
        headers["Accept-Language"] = header
    url = "/graphql" + (f"?locale={locale}" if locale else "")
    response = await gql.http.post(url, json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_a_refusal_and_a_finding_come_in_the_callers_language(gql):
    cycle = Cycle(gql)
    _, plan, _, local = await cycle.kindergarten_on("5501", "Tromsø", "tromso")
    area = (await cycle.areas(plan["id"], "quality_area"))[0]
    typo = {"input": {"localPlanId": local["id"], "key": "tegn_paa_god_praksis", "text": "T", "areaId": area["id"]}}

    answers = {
        "default": await _ask(gql, SAVE, typo),
        "nn": await _ask(gql, SAVE, typo, header="nn-NO,nn;q=0.9,en;q=0.5"),
        "en": await _ask(gql, SAVE, typo, header="nn", locale="en"),
    }
    errors = {language: a["saveLocalPlanSection"]["errors"] for language, a in answers.items()}
    assert {language: e[0]["message"] for language, e in errors.items()} == {
        "default": "«tegn_paa_god_praksis» er ikke en del av den lokale planen i profilen (delene er: tegn_pa_god_praksis).",
        "nn": "«tegn_paa_god_praksis» er ikkje ein del av den lokale planen i profilen (delane er: tegn_pa_god_praksis).",
        "en": "«tegn_paa_god_praksis» is not a section of the profile's local plan (sections: tegn_pa_god_praksis).",
    }
    # The same key, code and parameters whatever the language: a front end can write its own text.
    assert {(e[0]["code"], e[0]["messageKey"]) for e in errors.values()} == {("INVALID_VALUE", "section.unknown")}
    assert errors["nn"][0]["params"] == [
        {"name": "key", "value": "tegn_paa_god_praksis"},
        {"name": "known", "value": "tegn_pa_god_praksis"},
    ]

    # A required section missing: the core's finding, with the profile's label in that language.
    found = await _ask(gql, FINDINGS, {"id": local["id"]}, header="nn")
    missing = [f for f in found["node"]["findings"] if f["code"] == "MISSING_SECTION"]
    assert f"Planen manglar «Teikn på god praksis» for «{area['title']}»." in [f["message"] for f in missing]
    assert missing[0]["messageKey"] == "finding.missing_section_for_area"
    assert {"name": "section", "value": "Teikn på god praksis"} in missing[0]["params"]
    # The profile's own findings: catalogued by the profile, with their keys too.
    tromso = {f["messageKey"] for f in found["node"]["findings"] if f["code"] != "MISSING_SECTION"}
    assert tromso == {"tromso.missing_quality_goal", "tromso.missing_planned_action"}
    found = await _ask(gql, FINDINGS, {"id": local["id"]}, locale="en")
    assert f"The plan lacks «Signs of good practice» for «{area['title']}»." in [
        f["message"] for f in found["node"]["findings"]
    ]


async def test_a_message_not_found_names_what_in_the_callers_language(gql):
    query = """mutation ($input: UpdateUnitInput!) { updateUnit(input: $input) {
        errors { code message messageKey params { name value } } } }"""
    from strawberry.relay import to_base64

    missing = {"input": {"id": to_base64("Unit", "00000000-0000-0000-0000-000000000000"), "version": 1, "name": "X"}}
    nn = (await _ask(gql, query, missing, header="nn"))["updateUnit"]["errors"]
    assert nn == [
        {
            "code": "NOT_FOUND",
            "message": "Fann ingen eining med den id-en.",
            "messageKey": "error.not_found",
            "params": [{"name": "what", "value": "eining"}],
        }
    ]


async def test_a_refusal_of_access_says_what_may_not_be_done_in_the_callers_language(gql, gql_as, token):
    """FORBIDDEN names the action and the row, each a catalogued word."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("1860", "Vestvågøy", "vestvagoy")
    unit = await cycle.unit(municipality["id"], "Ballstad skole", "SCHOOL")
    version = await cycle.version_of(unit["id"])
    viewer = gql_as(token("viewer", municipality="1860"))
    query = """mutation ($input: UpdateUnitInput!) { updateUnit(input: $input) {
        errors { code field message messageKey params { name value } } } }"""
    rename = {"input": {"id": unit["id"], "version": version, "name": "Nytt namn"}}
    said = {}
    for locale in ("nb", "nn", "en"):
        viewer.headers["Accept-Language"] = locale
        [error] = (await viewer(query, rename))["updateUnit"]["errors"]
        said[locale] = (error["code"], error["message"])
    assert said == {
        "nb": ("FORBIDDEN", "Du har ikke lov til å endre enheten."),
        "nn": ("FORBIDDEN", "Du har ikkje lov til å endre eininga."),
        "en": ("FORBIDDEN", "You may not change the unit."),
    }
    assert error["messageKey"] == "error.forbidden" and error["field"] == "id"
    assert error["params"] == [{"name": "action", "value": "change"}, {"name": "the_what", "value": "the unit"}]

    # A new row where the caller may not create one: the kind of row, named.
    create = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) { errors { code message } } }"""
    viewer.headers["Accept-Language"] = "nn"
    new = {"input": {"municipalityId": municipality["id"], "name": "Ny skule", "kind": "SCHOOL"}}
    assert (await viewer(create, new))["createUnit"]["errors"] == [
        {"code": "FORBIDDEN", "message": "Du har ikkje lov til å opprette eining her."}
    ]


async def test_a_request_that_asks_for_no_language_gets_the_municipalitys_written_standard(gql, gql_as, token):
    """The test profile declares nynorsk (`default_locale: nn`), Tromsø's bokmål: a caller of each,
    asking for no language, reads their municipality's; one asking for a language reads that."""
    cycle = Cycle(gql)
    await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.municipality("5501", "Tromsø", "tromso")
    query = """mutation ($input: UpdateUnitInput!) { updateUnit(input: $input) { errors { message } } }"""
    from strawberry.relay import to_base64

    missing = {"input": {"id": to_base64("Unit", "00000000-0000-0000-0000-000000000000"), "version": 1, "name": "X"}}

    async def said(caller, header=None) -> str:
        caller.headers.pop("Accept-Language")
        if header:
            caller.headers["Accept-Language"] = header
        return (await caller(query, missing))["updateUnit"]["errors"][0]["message"]

    assert await said(gql_as(token("sector_admin", municipality="9901"))) == "Fann ingen eining med den id-en."
    assert await said(gql_as(token("sector_admin", municipality="5501"))) == "Fant ingen enhet med den id-en."
    assert await said(gql_as(token("sector_admin", municipality="9901")), "en") == "No unit with that id."
    assert (
        await said(gql_as(token("sector_admin", municipality="9901")), "de, fr") == "Fann ingen eining med den id-en."
    )
    assert await said(gql_as()) == "Fant ingen enhet med den id-en."  # nobody's municipality: bokmål


async def test_the_errors_of_a_query_meant_for_people_come_in_the_callers_language(gql):
    """An argument out of range and a query over a limit: catalogued, with key and parameters."""
    await Cycle(gql).municipality("1860", "Vestvågøy", "vestvagoy")
    too_many = '{ municipality(number: "1860") { units(first: 500) { edges { cursor } } } }'
    headers = {"Accept-Language": "nn"}
    body = (await gql.http.post("/graphql", json={"query": too_many}, headers=headers)).json()
    [error] = body["errors"]
    assert error["message"] == "«first» må vere mellom 0 og 20."
    assert (error["extensions"]["code"], error["extensions"]["messageKey"]) == ("BAD_USER_INPUT", "input.between")

    not_a_year = '{ municipality(number: "1860") { reportingCalendar(year: 12) { key } } }'
    body = (await gql.http.post("/graphql?locale=en", json={"query": not_a_year})).json()
    assert [e["message"] for e in body["errors"]] == ["12 is not a plausible year."]

    deep = '{ municipality(number: "1860") { plans { areas { ' + "parent { " * 12 + "id" + " }" * 12 + " } } } }"
    body = (await gql.http.post("/graphql", json={"query": deep}, headers=headers)).json()
    [error] = body["errors"]
    assert error["message"] == "Spørjinga går djupare enn 12 nivå."
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert error["extensions"]["params"] == [{"name": "limit", "value": "12"}]
