"""The shipped profiles' plan content, checked against the municipal documents it was taken from.

Each profile's ``data/plan.yaml`` was extracted by hand from a plain-text extraction of the
municipality's plan (the «seeds», see ``shared/seeds/README.md``). Two kinds of checks:

- Faithfulness: every area title, goal, criterion and measure of a plan occurs in its document
  as the municipality wrote it. Both sides are normalised first (`normalise`): the extraction
  lost the layout, so lines are hard-wrapped, words split at a line end keep or lose their hyphen
  and bullets come out as assorted glyphs. Where the data deliberately differs from the document,
  the difference is listed in `REPAIRS` with the reason.
- Completeness: the document's own lists (measures, signs, goals, themes ...) are found in the
  document independently of the YAML, with small parsers over the text between two headings,
  and must all be in the data, in the document's order. Drammen's «tiltak» are headings the
  extraction cannot tell from body text, so they are checked both ways by shape (a statement on
  lines of its own, see `heading_like_statements`), with the body sentences of that shape listed.

The seeds live beside the repository (``../shared/seeds``) or where ``KVALITET_SEEDS_DIR`` says.
Without them this module is skipped; CI has them.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

from kvalitet.plugins.content import AreaContent, PlanContent, ProfileData, load_profile_data
from tests.support.paths import REPO

SEEDS_DIR = Path(os.environ.get("KVALITET_SEEDS_DIR") or REPO.parent / "shared" / "seeds")
PROFILES_DIR = REPO / "profiles"

if not SEEDS_DIR.is_dir():
    pytest.skip(
        f"the seed documents are not here ({SEEDS_DIR}); set KVALITET_SEEDS_DIR to check the profiles against them",
        allow_module_level=True,
    )

# Which seed document each profile was taken from (by the number its file name starts with).
SEED_OF_PROFILE = {
    "tromso": "000",
    "vestvagoy": "001",
    "barnehage-kvalitetsplan": "002",
    "drammen": "003",
}

# Where the data deliberately differs from the document's wording: (profile, in the data, in the
# document, why). A text of the data with the first part stands in the document with the second.
# Keep this list short; every entry must still be needed (see test_repairs_are_still_needed).
REPAIRS: list[tuple[str, str, str, str]] = [
    (
        "vestvagoy",
        "Fagfornyelsen og rammeplanen",
        "FAGFORNYELSEN - RAMMEPLANEN",
        "a theme's title, set in capitals in a figure with a dash between its two parts",
    ),
    (
        "vestvagoy",
        "Endringsledelse (forbedring)",
        "Endringsledelse(forbedring)",
        "a leadership point: the missing space before the parenthesis is restored",
    ),
    (
        "vestvagoy",
        "kommunen/skolene/barnehagene",
        "kommunen/skolene/ barnehagene",
        "a measure of «Digital kompetanse»: the stray space after the slash is dropped",
    ),
    (
        "vestvagoy",
        "i ulik grad (Meld. St. 6 Tett på).",
        "i ulik grad (se bilde). Meld. St. 6 Tett på.",
        "a goal of «Spesialundervisning og tilpasset opplæring» points to a figure the plan does not carry;"
        " the figure's caption (its source) is given in its place",
    ),
]


def as_in_document(profile: str, text: str) -> str:
    """A text of the data as the document words it (undoing the `REPAIRS`)."""
    for repaired_profile, in_data, in_document, _why in REPAIRS:
        if repaired_profile == profile:
            text = text.replace(in_data, in_document)
    return text


# --- reading the documents --------------------------------------------------------------------

_GLYPHS = str.maketrans(
    {
        # bullets, as the extraction left them
        "▪": " ", "•": " ", "●": " ", "◦": " ", "\uf0b7": " ", "\uf0a7": " ",
        # quotes and dashes
        "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "’": "'", "‘": "'",
        "–": "-", "—": "-", "‐": "-", "−": "-",
    }
)  # fmt: skip


def normalise(text: str) -> str:
    """Text as both the document and the data are compared: one space between words, no bullet
    glyphs, plain quotes and dashes, and no hyphens inside words (a word split at a line end
    may keep or lose its hyphen in the extraction: «utviklings-\\ngruppene», «Vest-\\nLofoten»).
    A hyphen before a space («barnehage- og skole») is kept."""
    text = text.translate(_GLYPHS)
    text = re.sub(r"(?<=\w)-\n\s*(?=\w)", "-", text)
    text = " ".join(text.split())
    return re.sub(r"(?<=\w)-(?=\w)", "", text)


def occurs(text: str, document: str, *, ignore_case: bool = False) -> bool:
    """Whether `text` occurs in the normalised `document`. The end punctuation of `text` and the
    case of its first letter are not compared (a list item split out of a sentence gets a capital
    letter and a full stop); `ignore_case` compares headings, which documents set in capitals."""
    needle = normalise(text).rstrip(".,:; ")
    if ignore_case:
        return needle.casefold() in document.casefold()
    return needle in document or needle[:1].swapcase() + needle[1:] in document


@cache
def seed_text(profile: str) -> str:
    paths = sorted(SEEDS_DIR.glob(f"{SEED_OF_PROFILE[profile]}_*.txt"))
    assert len(paths) == 1, f"expected one seed {SEED_OF_PROFILE[profile]}_*.txt in {SEEDS_DIR}, found {paths}"
    return paths[0].read_text(encoding="utf-8")


@cache
def profile_data(profile: str) -> ProfileData:
    return load_profile_data(PROFILES_DIR / profile / "data")


def plan(profile: str) -> PlanContent:
    return profile_data(profile).plan


def between(text: str, start: str, end: str | None = None) -> str:
    """The text after the first match of regex `start` and before the next match of `end`."""
    begin = re.search(start, text, re.MULTILINE)
    assert begin, f"heading {start!r} not found in the document"
    rest = text[begin.end() :]
    if end is None:
        return rest
    stop = re.search(end, rest, re.MULTILINE)
    assert stop, f"heading {end!r} not found after {start!r}"
    return rest[: stop.start()]


def bullet_items(text: str, glyphs: str = "•▪") -> list[str]:
    """The items of the first bulleted list in `text`, normalised. An item runs on over lines
    that start with a small letter; the list ends at the first other line."""
    items: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line[0] in glyphs:
            items.append(line[1:])
        elif items and line[0].islower():
            items[-1] += "\n" + line
        elif items:
            break
    return [normalise(item) for item in items]


def slug(title: str) -> str:
    """A test id for a title (ASCII, so pytest prints it plainly)."""
    title = title.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return re.sub(r"[^a-z0-9]+", "-", title).strip("-")


def same(text: str) -> str:
    """A data text, normalised for comparing with a parsed item (end punctuation aside)."""
    return normalise(text).rstrip(".,:; ")


def same_all(texts) -> list[str]:
    return [same(t) for t in texts]


def areas(profile: str, kind: str) -> list[AreaContent]:
    return [area for area in plan(profile).all_areas() if area.kind == kind]


def area_titled(profile: str, title: str, kind: str | None = None) -> AreaContent:
    found = [
        area
        for area in plan(profile).all_areas()
        if same(area.title).casefold() == same(title).casefold() and kind in (None, area.kind)
    ]
    assert found, f"{profile}: no area titled {title!r}"
    return found[0]


# --- faithfulness: every text of the data is in the document ----------------------------------


def _plan_texts(content: PlanContent):
    """(where, text, is_heading) for every title, goal, criterion and measure of a plan."""
    for area in content.all_areas():
        yield f"{area.key}: title", area.title, True
        for goal in area.goals:
            yield f"{area.key}: goal", goal.text, False
            for criterion in goal.criteria:
                yield f"{area.key}: goal criterion", criterion.text, False
        for criterion in area.criteria:
            yield f"{area.key}: criterion", criterion.text, False
        for measure in area.measures:
            yield f"{area.key}: measure", measure.text, False


@pytest.mark.parametrize("profile", sorted(SEED_OF_PROFILE))
def test_every_text_occurs_in_the_document(profile):
    document = normalise(seed_text(profile))
    missing = [
        f"{where}: {text!r}"
        for where, text, heading in _plan_texts(plan(profile))
        if not occurs(as_in_document(profile, text), document, ignore_case=heading)
    ]
    assert not missing, f"{profile}'s plan.yaml has {len(missing)} text(s) not in its document:\n" + "\n".join(missing)


def test_repairs_are_still_needed():
    stale = []
    for profile, in_data, in_document, _why in REPAIRS:
        document = normalise(seed_text(profile))
        texts = [text for _, text, _ in _plan_texts(plan(profile)) if in_data in text]
        if not texts or any(occurs(text, document, ignore_case=True) for text in texts):
            stale.append(f"{profile}: {in_data!r} -> {in_document!r}")
    assert not stale, "REPAIRS entries no longer needed:\n" + "\n".join(stale)


# --- completeness: Tromsø (000) ---------------------------------------------------------------


def test_tromso_strategies_and_quality_areas():
    document = seed_text("tromso")
    strategies = bullet_items(between(document, r"De fire strategiene er:"))
    quality_areas = bullet_items(between(document, r"De fire kvalitetsområdene er:"))
    assert len(strategies) == len(quality_areas) == 4
    assert same_all(a.title for a in areas("tromso", "strategy")) == strategies
    assert same_all(a.title for a in areas("tromso", "quality_area")) == quality_areas


def test_tromso_perspectives():
    """The four perspectives every unit's quality goals are to take are the profile's perspectives."""
    perspectives = bullet_items(between(seed_text("tromso"), r"4 ulike perspektiver\s+ivaretas:"))
    assert len(perspectives) == 4
    assert [same(p.label.nb) for p in profile_data("tromso").profile.perspectives] == perspectives


def _tromso_quality_area_sections():
    """(title, text) of each «KVALITETSOMRÅDE N: TITLE» section, as test parameters."""
    document = seed_text("tromso").split("EKSEMPEL PÅ FREMTIDSBILDE")[0]
    parts = re.split(r"^ *KVALITETSOMRÅDE \d: *(.+?) *$", document, flags=re.MULTILINE)[1:]
    return [pytest.param(title, text, id=slug(title)) for title, text in zip(parts[::2], parts[1::2], strict=True)]


@pytest.mark.parametrize("title, section", _tromso_quality_area_sections())
def test_tromso_quality_area(title, section):
    """«Optimal tilstand» is the area's goal, and every bullet of «For å få dette til vil vi» is
    one of its measures, in order. (The extraction puts that heading after its bullets.)"""
    body = between(section, r"OPTIMAL TILSTAND:", r"FOR Å FÅ DETTE TIL VIL VI")
    optimal_state, bullets = body.split("▪")[0], bullet_items(body)
    area = area_titled("tromso", title, "quality_area")
    assert [(g.kind, same(g.text)) for g in area.goals] == [("optimal_state", same(optimal_state))]
    assert len(bullets) >= 6
    assert same_all(m.text for m in area.measures) == same_all(bullets)


# --- completeness: Drammen (003) --------------------------------------------------------------


def test_drammen_framework_lists():
    """The four bearing beams of the foundation for schools and for kindergartens, the four
    corner flags, the four dimensions of inclusion and the three prioritised competences."""
    document = seed_text("drammen")
    beams = {
        "school": bullet_items(between(document, r"Grunnmuren for skolene defineres som")),
        "kindergarten": bullet_items(between(document, r"Grunnmuren for barnehagene defineres som")),
    }
    foundation = area_titled("drammen", "Grunnmur")
    for unit_kind, items in beams.items():
        assert len(items) == 4
        assert same_all(c.title for c in foundation.children if c.applies_to == [unit_kind]) == same_all(items)

    flags = bullet_items(between(document, r"Hjørneflaggene er:"))
    assert len(flags) == 4
    assert same_all(a.title for a in areas("drammen", "corner_flag")) == flags

    dimensions = re.findall(r"^(Den \w+ dimensjonen) *$", document, re.MULTILINE)
    assert len(dimensions) == 4
    assert [a.title for a in areas("drammen", "inclusion_dimension")] == dimensions

    sentence = between(document, r"Kvalitetsplanen prioriterer tre kompetanser:", r"\.")
    competences = [c.strip() for c in re.split(r",| og ", sentence)]
    assert len(competences) == 3
    assert [a.title.casefold() for a in areas("drammen", "competence")] == competences


def _drammen_ambitions():
    """(unit kind, title, text) of each «Ambisjon N barnehage/skole: Title» section, as test
    parameters. A title may run on to the next line."""
    document = between(seed_text("drammen"), r"DEL 2 - AMBISJONER")
    heading = r"^ *Ambisjon (\d) (barnehage|skole): *(.+?) *\n(?:\s*\n)*([a-zæøå].*\n)?"
    parts = re.split(heading, document, flags=re.MULTILINE)[1:]
    found = []
    for number, school_form, title, title_end, text in zip(*[iter(parts)] * 5, strict=True):
        unit_kind = {"barnehage": "kindergarten", "skole": "school"}[school_form]
        title = normalise(f"{title} {title_end or ''}")
        found.append(pytest.param(unit_kind, title, text, id=f"{school_form}-{number}"))
    return found


def test_drammen_has_the_eight_ambitions_in_order():
    expected = [(p.values[0], p.values[1]) for p in _drammen_ambitions()]
    assert len(expected) == 8
    assert [(a.applies_to[0], a.title) for a in areas("drammen", "ambition")] == expected


def _ambition(unit_kind: str, title: str) -> AreaContent:
    (area,) = [a for a in areas("drammen", "ambition") if a.title == title and a.applies_to == [unit_kind]]
    return area


@pytest.mark.parametrize("unit_kind, title, section", _drammen_ambitions())
def test_drammen_kjennetegn_are_the_criteria(unit_kind, title, section):
    """Every item of the ambition's «Kjennetegn …» list is a criterion of the ambition, in order.
    (The school ambitions have no such list.)"""
    has_list = re.search(r"^ *Kjennetegn", section, re.MULTILINE)
    kjennetegn = bullet_items(between(section, r"^ *Kjennetegn.*$")) if has_list else []
    area = _ambition(unit_kind, title)
    assert same_all(c.text for c in area.criteria) == same_all(kjennetegn)
    assert not area.goals


def _own_lines(statement: str, text: str) -> re.Match | None:
    """Where `statement` stands on lines of its own in `text` (it starts and ends a line)."""
    words = [re.escape(word) for word in normalise(statement).split()]
    return re.search(r"^[ \t]*" + r"\s+".join(words) + r"[ \t]*$", normalise_lines(text), re.MULTILINE)


def normalise_lines(text: str) -> str:
    """`normalise`, but keeping the line breaks (and dropping blank lines)."""
    return "\n".join(normalise(line) for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("unit_kind, title, section", _drammen_ambitions())
def test_drammen_measures_are_the_tiltak_in_order(unit_kind, title, section):
    """Each measure is a statement on lines of its own after «Beskrivelse av tiltak…» (a heading in
    the document), in the document's order; the first of them opens the section."""
    tiltak = tiltak_part(section)
    area = _ambition(unit_kind, title)
    assert area.measures
    first = _own_lines(area.measures[0].text, tiltak)
    assert first and first.start() == 0, f"the section does not open with {area.measures[0].text!r}"
    position, problems = 0, []
    for measure in area.measures:
        found = _own_lines(measure.text, tiltak)
        if not found:
            problems.append(f"not a statement of its own in the section: {measure.text!r}")
        elif found.start() < position:
            problems.append(f"out of the document's order: {measure.text!r}")
        else:
            position = found.end()
    assert not problems, "\n".join(problems)


# Sentences of the ambitions' descriptions that have the shape of a «tiltak» heading (a single
# sentence on lines of its own, followed by more text), but are body text: each is the opening
# of a paragraph that explains the tiltak above it.
DRAMMEN_BODY_SENTENCES = [
    "God oppfølging av nyutdannede barnehagelærere er nøkkelen til å rekruttere og beholde barnehagelærere.",
    "Samarbeidslæring er en pedagogisk tilnærming som tar sikte på å utvikle sosial og faglig kompetanse.",
    "Kritisk tenkning og digital dømmekraft er ferdigheter som er avgjørende for å kunne navigere i dagens "
    "informasjonssamfunn, og som vil være viktige for elevene både i utdanningsløpet og senere i livet.",
    "For å oppnå dette må profesjonsfellesskapet i Drammensskolen utvikle en felles forståelse for hva det "
    "innebærer å drive god opplæring og oppfølging av elevenes evne til kritisk tenkning og digital dømmekraft.",
    "For å sikre at det gjennomføres systematisk karriereveiledning for alle elever, må ungdomsskolene ha en "
    "helhetlig plan for faget utdanningsvalg og en plan for arbeidet med veiledningen ut mot elevene.",
    "Gode og kompetente ansatte er Drammensskolenes viktigste ressurs for å sikre elevenes læring og utvikling.",
    "Arbeid i profesjonsfellesskapet er et samarbeid mellom ansatte i skolen om å utvikle seg faglig og personlig.",
    "Handlingsplaner og veiledere skal trygge og støtte ansatte i sin praksis, og dette skal gi de ansatte "
    "retningslinjer for hvordan de kan håndtere ulike situasjoner, samtidig som det gir dem støtte og veiledning "
    "i deres arbeid.",
]


def heading_like_statements(text: str) -> list[str]:
    """Single sentences of `text` that stand on one or two lines of their own and are followed
    directly (no blank line) by more text: the shape of a «tiltak» heading and its explanation.
    Bulleted lists and the lines introducing them are left out."""
    lines = [line.strip() for line in text.splitlines()] + [""]
    starts_sentence = re.compile(r"[A-ZÆØÅ«]")
    found, after_sentence_end = [], True
    for i, line in enumerate(lines):
        if not line or line.startswith("•") or line.endswith(":"):
            after_sentence_end = True
            continue
        if after_sentence_end and starts_sentence.match(line):
            for end in (i, i + 1):  # the statement's last line
                if not lines[end]:
                    break
                if starts_sentence.match(lines[end + 1]):  # more text follows, in the same paragraph
                    statement = " ".join(lines[i : end + 1])
                    if not re.search(r"[.!?»] [A-ZÆØÅ]", statement):  # one sentence only
                        found.append(normalise(statement))
                    break
        after_sentence_end = bool(re.search(r"[.!?»]$", line))
    return found


def tiltak_part(section: str) -> str:
    """An ambition's text after its heading «Beskrivelse av tiltak…»."""
    return between(section, r"^ *Beskrivelse av tiltak.*$")


def test_drammen_every_tiltak_is_a_measure():
    """The other way round: every statement of the ambitions that is set like a tiltak heading is
    a measure of its ambition (or a known body sentence)."""
    body = {normalise(s) for s in DRAMMEN_BODY_SENTENCES}
    problems, seen = [], set()
    for param in _drammen_ambitions():
        unit_kind, title, section = param.values
        measures = {same(m.text) for m in _ambition(unit_kind, title).measures}
        for statement in heading_like_statements(tiltak_part(section)):
            seen.add(statement)
            if same(statement) not in measures and statement not in body:
                problems.append(f"{param.id}: {statement!r}")
    assert not problems, "statements set like a tiltak but not a measure:\n" + "\n".join(problems)
    assert body <= seen, f"DRAMMEN_BODY_SENTENCES entries no longer found: {body - seen}"


# --- completeness: the kindergarten quality plan (002) ----------------------------------------

BULLET_002 = "\uf0b7"  # the extraction's bullet glyph in this document


def criteria_and_signs(text: str) -> list[list[str]]:
    """The bullets after «Kvalitetskriterier»/«Kjernekomponenter»: first the criteria, then one
    group of signs of practice per criterion (a row of the document's table). In the extraction a
    new table cell starts with a bullet set off by a space or a stray «.», or follows the cell's
    label written vertically (a run of lines of one to three letters)."""
    groups: list[list[str]] = [[]]
    short_lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if len(stripped) <= 3 and BULLET_002 not in stripped:
            short_lines.append(stripped)
            continue
        vertical_label = len(short_lines) >= 3
        if short_lines and not vertical_label:  # a short line that just ends the item above («mm)»)
            groups[-1][-1] += " " + " ".join(short_lines)
        short_lines = []
        if BULLET_002 in line:
            lead, item = line.split(BULLET_002, 1)
            if (lead and not lead.strip(" .")) or vertical_label:
                groups.append([])
            groups[-1].append(item)
        elif groups[-1]:
            groups[-1][-1] += " " + stripped
    if 0 < len(short_lines) < 3:
        groups[-1][-1] += " " + " ".join(short_lines)
    return [[normalise(item) for item in group] for group in groups]


def _development_areas():
    """(title, goal, criteria and signs) of each development area, as test parameters."""
    parts = re.split(r"^ *(\S.*?) *\n\s*^ *Mål\b.*$", seed_text("barnehage-kvalitetsplan"), flags=re.MULTILINE)[1:]
    found = []
    for title, text in zip(parts[::2], parts[1::2], strict=True):
        goal, rest = re.split(r"^ *(?:Kvalitetskriterier|Kjernekomponenter) *$", text, maxsplit=1, flags=re.MULTILINE)
        found.append(pytest.param(title, normalise(goal), criteria_and_signs(rest), id=slug(title)))
    return found


def test_kvalitetsplan_has_the_four_development_areas():
    titles = [p.values[0] for p in _development_areas()]
    assert len(titles) == 4
    assert [a.title for a in areas("barnehage-kvalitetsplan", "development_area")] == titles


@pytest.mark.parametrize("title, goal, groups", _development_areas())
def test_kvalitetsplan_development_area(title, goal, groups):
    """The area's goal and its criteria (quality criteria or core components), and under each
    criterion every sign of practice of the document's table, in order."""
    criteria, signs = groups[0], groups[1:]
    area = area_titled("barnehage-kvalitetsplan", title, "development_area")
    assert [same(g.text) for g in area.goals] == [same(goal)]
    assert same_all(c.text for c in area.goals[0].criteria) == same_all(criteria)
    assert len(criteria) == len(signs) == 3
    assert same_all(child.title for child in area.children) == same_all(criteria)
    assert [same_all(c.text for c in child.criteria) for child in area.children] == [same_all(g) for g in signs]


# --- completeness: Vestvågøy (001) ------------------------------------------------------------


def indented_items(text: str) -> list[tuple[bool, str]]:
    """(indented, text) of each entry of a list whose bullets the extraction dropped: an indented
    line (the bullet's trace) starts an item, an unindented line starting with a capital letter
    starts a heading, and any other line continues the entry above."""
    entries: list[list] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if entries and not line[0].isspace() and not line[0].isupper():
            entries[-1][1] += "\n" + line
        else:
            entries.append([line[0].isspace(), line])
    return [(indented, normalise(entry)) for indented, entry in entries]


def test_vestvagoy_rause_og_robuste_unga_goals():
    """Mål 1–4 of the municipal plan «Rause og robuste unga»."""
    section = between(seed_text("vestvagoy"), r"MÅL OPPVEKSTPLAN", r"MÅL UTVIKLINGSPLAN")
    goals = [normalise(g) for g in re.split(r"^ *Mål \d: *", section, flags=re.MULTILINE)[1:]]
    assert len(goals) == 4
    area = area_titled("vestvagoy", "Rause og robuste unga")
    assert [(g.kind, same(g.text)) for g in area.goals] == [("rro_goal", same(g)) for g in goals]


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text whose blank lines say nothing: each ends a line with a full stop."""
    return [normalise(p) for p in re.split(r"(?<=\.) *\n", text) if p.strip()]


def test_vestvagoy_plan_goals():
    """The goals of the development plan itself («MÅL UTVIKLINGSPLAN»)."""
    goals = paragraphs(between(seed_text("vestvagoy"), r"MÅL UTVIKLINGSPLAN", r"STRATEGI . UTVIKLINGSPLAN"))
    assert len(goals) == 3
    area = area_titled("vestvagoy", "Kontinuerlig forbedring av praksis")
    assert [(g.kind, same(g.text)) for g in area.goals] == [("plan_goal", same(g)) for g in goals]


# How a theme's page sets its title where the data takes the wording from elsewhere in the document.
THEME_TITLE_ON_ITS_PAGE = {
    "Profesjonelle læringsfellesskap": "PROFESJONELLE LÆRINGSFELLESKAP",  # sic, one «s» short on the page
    "Spesialundervisning og tilpasset opplæring": "SPESIALUNDERVISNING TILPASSET OPPLÆRING",
}


def theme_pages() -> list[str]:
    """The pages of the eight themes: each opens with «MÅL OG FORVENTNINGER:»."""
    section = between(seed_text("vestvagoy"), r"Utviklingstema", r"^ *Arbeid med utviklingsplanen")
    return re.split(r"^ *MÅL OG FORVENTNINGER: *$", section, flags=re.MULTILINE)[1:]


def test_vestvagoy_eight_themes():
    """The eight themes around «kontinuerlig forbedring av praksis», in order, each on its page
    (found by its title there)."""
    pages, themes = theme_pages(), areas("vestvagoy", "theme")
    assert len(pages) == len(themes) == 8
    for theme, page in zip(themes, pages, strict=True):  # in order
        title = THEME_TITLE_ON_ITS_PAGE.get(theme.title, as_in_document("vestvagoy", theme.title))
        assert occurs(title, normalise(page), ignore_case=True), f"theme {theme.title!r} is not on its page"


def test_vestvagoy_leadership_keys():
    """The five «Ledelsesnøkler», each with its points, are the children of «Lederutvikling»."""
    section = between(seed_text("vestvagoy"), r"Ledelsesnøkler:", r"MÅL OG FORVENTNINGER:")
    keys: list[tuple[str, list[str]]] = []
    for indented, text in indented_items(section):
        if indented:
            keys[-1][1].append(text)
        else:
            keys.append((text, []))
    assert len(keys) == 5
    lederutvikling = area_titled("vestvagoy", "Lederutvikling", "theme")
    in_data = [
        (same(child.title), same_all(as_in_document("vestvagoy", c.text) for c in child.criteria))
        for child in lederutvikling.children
    ]
    assert in_data == [(same(title), same_all(points)) for title, points in keys]


def test_vestvagoy_effect_goals():
    """EFFEKTMÅL 1–3 of «Læringsmiljø og pedagogisk analyse»."""
    section = between(seed_text("vestvagoy"), r"^ *EFFEKTMÅL 1:", r"^ *Regionalt ansvar:")
    goals = [normalise(g) for g in re.split(r"^ *EFFEKTMÅL \d: *$", "\n" + section, flags=re.MULTILINE) if g.strip()]
    assert len(goals) == 3
    area = area_titled("vestvagoy", "Læringsmiljø og pedagogisk analyse", "theme")
    assert [(g.kind, same(g.text)) for g in area.goals] == [("effect_goal", same(g)) for g in goals]


def test_vestvagoy_meeting_arenas():
    """The Kommunalsjef's standing meeting arenas are measures of «Arbeid med utviklingsplanen»,
    together and in order."""
    section = between(seed_text("vestvagoy"), r"møtearenaene \(se kalender\):", r"Lokal utviklingsplan")
    arenas = [same(text) for _, text in indented_items(section)]
    assert len(arenas) == 7
    measures = same_all(m.text for m in area_titled("vestvagoy", "Arbeid med utviklingsplanen").measures)
    starts = [i for i in range(len(measures)) if measures[i : i + len(arenas)] == arenas]
    assert starts, f"the meeting arenas are not measures, in order:\n{arenas}\n{measures}"


@pytest.mark.parametrize(
    "page, theme, goals_end",
    [
        pytest.param(0, "Lederutvikling", "«Ledelse", id="lederutvikling"),
        pytest.param(1, "Inkluderende barnehage- og skolemiljø", "Tidsperiode", id="ibsm"),
        pytest.param(4, "Profesjonelle læringsfellesskap", "Hvordan:", id="profesjonelle-laeringsfellesskap"),
    ],
)
def test_vestvagoy_theme_goals(page, theme, goals_end):
    """The goals at the top of a theme's page (below «MÅL OG FORVENTNINGER:»)."""
    text = theme_pages()[page].split(goals_end)[0]
    goals = [re.sub(r"^Mål: ", "", goal) for goal in paragraphs(text)]
    assert goals
    area = area_titled("vestvagoy", theme, "theme")
    assert [(g.kind, same(g.text)) for g in area.goals] == [("theme_goal", same(g)) for g in goals]


def test_vestvagoy_profesjonelle_laeringsfellesskap_measures():
    """«Hvordan: a, b, c, d» on the theme's page lists its measures."""
    how = between(theme_pages()[4], r"Hvordan:", r"^ *SKOLE")
    measures = [item.strip() for item in normalise(how).split(",")]
    assert len(measures) == 4
    area = area_titled("vestvagoy", "Profesjonelle læringsfellesskap", "theme")
    assert [same(m.text).casefold() for m in area.measures] == [same(m).casefold() for m in measures]
