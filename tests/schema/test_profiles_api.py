"""Each shipped profile through the API: the structure the issue names (kinds, counts, titles,
applies-to), the municipality's words, and its calendar."""

PLAN = """query ($number: String!, $kind: String!) { municipality(number: $number) {
  name profile { code }
  plans { title periodStart periodEnd status adoptedOn adoptedBy
    areas(kind: $kind) { key title appliesTo description parent { title kind }
      goals { kind text } criteria { text } measures { text } children { kind title } } } } }"""

VOCABULARY = """query ($code: String!) { profile(code: $code) {
  vocabulary { category key label { nb nn en } } perspectives { key label { nb } }
  reportingFrequency reportingPeriods { key starts ends due dueNextYear } } }"""


async def _areas(gql, number, kind):
    data = await gql(PLAN, {"number": number, "kind": kind})
    [plan] = data["municipality"]["plans"]
    return plan, plan["areas"]


async def _words(gql, code):
    profile = (await gql(VOCABULARY, {"code": code}))["profile"]
    return profile, {(t["category"], t["key"]): t["label"] for t in profile["vocabulary"]}


async def test_tromso(gql, demo):
    plan, strategies = await _areas(gql, "5501", "strategy")
    assert plan["title"] == "Du og jeg og vi to – VI VIL!"
    assert (plan["periodStart"], plan["periodEnd"], plan["status"]) == (2021, 2025, "ADOPTED")
    assert (plan["adoptedOn"], plan["adoptedBy"]) == ("2020-11-13", "Oppvekst- og utdanningsutvalget")
    assert [a["title"] for a in strategies] == [
        "Tidlig innsats",
        "Medvirkning med barn og unge og deres foresatte",
        "Tverrfaglig samhandling",
        "Inkludering for å unngå utenforskap",
    ]
    _, quality_areas = await _areas(gql, "5501", "quality_area")
    assert [a["title"] for a in quality_areas] == [
        "Barn og unges livsmestring",
        "Laget rundt barn og unge",
        "Den livslange læringen",
        "Profesjonsfelleskap i utvikling",
    ]
    for area in quality_areas:
        assert area["appliesTo"] == ["KINDERGARTEN", "SCHOOL", "SFO"]
        assert area["description"]
        [goal] = area["goals"]
        assert goal["kind"] == "optimal_state" and goal["text"]
        assert len(area["measures"]) >= 6  # every «For å få dette til vil vi» point
    profile, words = await _words(gql, "tromso")
    assert words[("AREA_KIND", "quality_area")]["nb"] == "Kvalitetsområde"
    assert words[("CONCEPT", "local_plan")]["nb"] == "Fremtidsbilde"
    assert words[("CONCEPT", "sector_report")]["nb"] == "Kvalitets- og utviklingsmelding"
    assert [p["label"]["nb"].lower() for p in profile["perspectives"]] == [
        "barneperspektivet",
        "personalperspektivet",
        "foreldreperspektivet",
        "organisasjons- og ledelsesperspektiv",
    ]
    assert profile["reportingFrequency"] == "annual" and len(profile["reportingPeriods"]) == 1
    assert (await gql('{ municipality(number: "5401") { number } }'))["municipality"] == {"number": "5501"}


async def test_vestvagoy(gql, demo):
    _, [strategy] = await _areas(gql, "1860", "strategy")
    assert strategy["title"].lower() == "kontinuerlig forbedring av praksis"
    themes = [c["title"] for c in strategy["children"] if c["kind"] == "theme"]
    assert themes == [
        "Lederutvikling",
        "Inkluderende barnehage- og skolemiljø",
        "Læringsmiljø og pedagogisk analyse",
        "Fagfornyelsen og rammeplanen",
        "Profesjonelle læringsfellesskap",
        "Spesialundervisning og tilpasset opplæring",
        "Temaplan barnehage og skole",
        "Barnehage- og skolebasert kompetanseutvikling",
    ]
    _, theme_areas = await _areas(gql, "1860", "theme")
    fagfornyelsen = next(a for a in theme_areas if a["title"] == "Fagfornyelsen og rammeplanen")
    assert [c["title"] for c in fagfornyelsen["children"]] == ["Undervisningsplanlegging", "Digital kompetanse"]
    leadership = next(a for a in theme_areas if a["title"] == "Lederutvikling")
    assert leadership["children"] and leadership["goals"] and leadership["measures"]

    _, programme = await _areas(gql, "1860", "programme")
    assert [g["kind"] for g in programme[0]["goals"]] == ["rro_goal"] * 4  # «Rause og robuste unga», Mål 1-4
    assert [g["kind"] for g in strategy["goals"]] == ["plan_goal"] * 3
    effect_goals = [g for a in theme_areas for g in a["goals"] if g["kind"] == "effect_goal"]
    assert len(effect_goals) == 3

    profile, words = await _words(gql, "vestvagoy")
    assert words[("AREA_KIND", "theme")]["nb"] == "Tema"
    assert profile["reportingFrequency"] == "half_yearly"
    assert sorted(p["ends"] for p in profile["reportingPeriods"]) == ["06-30", "12-31"]


async def test_vestvagoy_calendar_is_added_to_the_schema_by_the_profile(gql, demo):
    entries = (await gql("{ vestvagoyCalendar { week date time topic reading participants } }"))["vestvagoyCalendar"]
    assert len(entries) >= 30
    assert all(e["topic"] for e in entries)
    dated = [e["date"] for e in entries if e["date"]]
    autumn = (await gql('{ vestvagoyCalendar(from: "2020-08-01", to: "2020-12-31") { date } }'))["vestvagoyCalendar"]
    assert autumn and all("2020-08-01" <= e["date"] <= "2020-12-31" for e in autumn)
    assert len(autumn) < len(dated)


async def test_drammen(gql, demo):
    plan, foundations = await _areas(gql, "3301", "foundation")
    assert plan["title"] == "Kvalitetsplan for helhetlig læringsløp"
    assert plan["periodEnd"] - plan["periodStart"] == 5  # a 6-year horizon
    by_kind = {}
    for area in foundations:
        by_kind.setdefault(tuple(area["appliesTo"]), []).append(area["title"])
        assert area["parent"] == {"title": "Grunnmur", "kind": "framework_part"}
    assert {kinds: len(titles) for kinds, titles in by_kind.items()} == {("SCHOOL",): 4, ("KINDERGARTEN",): 4}

    _, flags = await _areas(gql, "3301", "corner_flag")
    assert len(flags) == 4 and all(f["children"] for f in flags)
    _, competences = await _areas(gql, "3301", "competence")
    assert [c["title"] for c in competences] == ["Grunnleggende ferdigheter", "Digital dømmekraft", "Livsmestring"]
    _, dimensions = await _areas(gql, "3301", "inclusion_dimension")
    assert len(dimensions) == 4

    _, ambitions = await _areas(gql, "3301", "ambition")
    assert [(a["title"], a["appliesTo"]) for a in ambitions] == [
        ("Lekeglede", ["KINDERGARTEN"]),
        ("Trygt og inkluderende fellesskap", ["KINDERGARTEN"]),
        ("En god start på livet", ["KINDERGARTEN"]),
        ("Trygge og kompetente ansatte", ["KINDERGARTEN"]),
        ("Trygt og inkluderende fellesskap", ["SCHOOL"]),
        ("Praktisk, relevant, utfordrende, variert og aktiv læring", ["SCHOOL"]),
        ("Gjennomføring av videregående opplæring", ["SCHOOL"]),
        ("Trygge og kompetente ansatte", ["SCHOOL"]),
    ]
    assert all(a["measures"] for a in ambitions)
    assert all(a["criteria"] for a in ambitions if a["appliesTo"] == ["KINDERGARTEN"])  # «kjennetegn»

    _, words = await _words(gql, "drammen")
    assert words[("AREA_KIND", "ambition")]["nb"] == "Ambisjon"
    assert words[("AREA_KIND", "corner_flag")]["nb"] == "Hjørneflagg"
    units = (await gql('{ municipality(number: "3005") { units { nodes { name zone } } } }'))["municipality"]["units"]
    assert units["nodes"] and all(u["name"].startswith("Demo") and u["zone"] for u in units["nodes"])


async def test_every_demo_unit_is_marked_as_demo(gql, demo):
    data = await gql("{ municipalities { number units(first: 20) { nodes { name orgNumber } } } }")
    for municipality in data["municipalities"]:
        assert len(municipality["units"]["nodes"]) >= 2, municipality["number"]
        for unit in municipality["units"]["nodes"]:
            assert unit["name"].startswith("Demo") and unit["orgNumber"] is None


async def test_demo_data_loads_once(database, profiles, demo):
    from kvalitet.services.demo import load_demo

    async with database.session() as session, session.begin():
        again = await load_demo(session, profiles)
    assert demo["municipalities"] == 4 and demo["plans"] == 4
    assert again == {"municipalities": 0, "plans": 0, "units": 0}
