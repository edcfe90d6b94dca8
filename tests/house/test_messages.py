"""The message catalogues (kvalitet/messages/*.po): every key in every language, with the same
parameters; nynorsk that is not bokmål copied; every key the code names exists."""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pytest

from kvalitet.messages import (
    LOCALES,
    CatalogueError,
    Catalogues,
    add_catalogues,
    catalogue,
    kind,
    kinds,
    negotiate,
    placeholders,
    status,
    text,
    texts,
)
from kvalitet.plugins import Profiles, new_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
# Typical bokmål forms with a different nynorsk form (ikkje, eg, kva, viss, nokon, mykje, heim …).
KEY = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
BOKMAL_FORMS = (
    "ikke",
    "jeg",
    "hva",
    "hvis",
    "noen",
    "noe",
    "mye",
    "hjem",
    "hvordan",
    "hvor",
    "hvem",
    "enhet",
    "fylles",
)


def test_every_language_has_every_key_with_the_same_parameters():
    keys = {locale: set(catalogue(locale)) for locale in LOCALES}
    assert keys["nb"] == keys["nn"] == keys["en"], {
        locale: sorted(keys["en"] ^ found) for locale, found in keys.items()
    }
    for key in keys["en"]:
        expected = placeholders(catalogue("en")[key])
        for locale in LOCALES:
            assert placeholders(catalogue(locale)[key]) == expected, (locale, key)


@pytest.fixture(scope="module")
def shipped() -> Profiles:
    """The shipped profiles, their catalogues added (as at every start-up)."""
    return Profiles(new_plugin_manager())


def test_the_nynorsk_catalogues_are_not_bokmal_copied(shipped):
    pattern = re.compile(r"\b(" + "|".join(BOKMAL_FORMS) + r")\b", re.IGNORECASE)
    found = {key: pattern.findall(value) for key, value in texts("nn").items() if pattern.search(value)}
    assert found == {}
    assert {key.split(".")[0] for key in texts("nn")} >= {"tromso", "vestvagoy", "drammen"}


def _called_keys() -> set[str]:
    """The keys the code names: `text("…")` and `messages.text("…")`, and the nouns of
    `noun(…)` for every literal `what` of the services' loading and refusing helpers."""
    keys: set[str] = set()
    # The helpers that take a `what`, and its place among their arguments.
    takes_what = {
        "load": 2,
        "load_for_change": 3,
        "load_editable": 3,
        "not_found": 0,
        "stale": 0,
        "_item_in_draft": 4,
        "_child_to_change": 4,
    }
    for path in [*(ROOT / "kvalitet").rglob("*.py"), *(ROOT / "profiles").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            first = node.args[0] if node.args else None
            if name == "text" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                if KEY.match(first.value):  # not SQLAlchemy's text("SELECT …")
                    keys.add(first.value)
            # The actions access checks name (`action="approve"`, `authorize("create", …)`): verbs.
            actions = [k.value for k in node.keywords if k.arg == "action" and isinstance(k.value, ast.Constant)]
            if name == "authorize" and isinstance(first, ast.Constant):
                actions.append(first)
            keys |= {f"verb.{a.value}" for a in actions if isinstance(a.value, str)}
            at = takes_what.get(name or "")
            if at is not None and len(node.args) > at:
                what = node.args[at]
                if isinstance(what, ast.Constant) and isinstance(what.value, str):
                    slug = "noun." + what.value.lower().replace(" ", "_")
                    keys |= {slug, slug + ".the"}
    return keys


def test_every_key_the_code_names_is_in_the_catalogues(shipped):
    from kvalitet.services.plan_structure import PlanItem

    # Plan items are named by their model (`model.__name__.lower()`), which no scan sees.
    by_model = {f"noun.{m.__name__.lower()}{the}" for m in typing.get_args(PlanItem) for the in ("", ".the")}
    named = _called_keys() | by_model
    assert len(named) > 40
    assert named - set(texts("en")) == set()


def test_a_text_renders_in_each_language_with_its_parameters():
    missing = text("error.not_found", what=text("noun.unit"))
    assert [missing.render(locale) for locale in LOCALES] == [
        "Fant ingen enhet med den id-en.",
        "Fann ingen eining med den id-en.",
        "No unit with that id.",
    ]
    assert missing.flat_params("nn") == {"what": "eining"}


@pytest.mark.parametrize(
    ("explicit", "header", "expected"),
    [
        (None, None, "nb"),
        (None, "nn-NO,nn;q=0.9,en;q=0.5", "nn"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "no", "nb"),
        (None, "de-DE,en;q=0.3,nb;q=0.8", "nb"),
        (None, "fr, de;q=0.5", "nb"),  # none we speak: bokmål
        (None, "nb;q=0, en", "en"),  # q=0: not wanted
        (None, "nn;q=zzz, en", "en"),  # a broken weight is skipped
        ("nn", "en", "nn"),  # ?locale= wins
        ("sv", "en", "en"),  # a locale we do not speak is ignored
    ],
)
def test_the_language_of_a_request(explicit, header, expected):
    assert negotiate(explicit, header) == expected


def test_the_keys_made_from_words_of_the_model_exist():
    """Keys the code builds from stored words: each status (`status.<status>`, and a `statusLabel`), each review
    decision (`review.cannot_<action>`), each kind of unit (`kind.<kind>.plural`)."""
    from kvalitet.models.enums import ActionStatus, PlanStatus, ReviewStatus, UnitKind
    from kvalitet.services.review import DONE

    built = (
        {status(s.value).key for s in (*ReviewStatus, *PlanStatus, *ActionStatus)}
        | {f"review.cannot_{action}" for action in DONE}
        | {f"verb.{action}" for action in DONE}  # the review decisions, refused by the access check
        | {kinds(k.value).key for k in UnitKind}
        | {kind(k.value).key for k in UnitKind}  # a unit's `kindLabel`
    )
    assert built - set(catalogue("en")) == set()


def test_a_profiles_finding_is_written_in_the_language_asked_for(shipped):
    missing = text("vestvagoy.missing_deadline", action="Lesekurs")
    assert [missing.render(locale) for locale in LOCALES] == [
        "Handlingen «Lesekurs» mangler frist.",
        "Handlinga «Lesekurs» manglar frist.",
        "The action «Lesekurs» has no deadline.",
    ]


def _catalogues(**by_locale: dict[str, str]) -> Catalogues:
    return Catalogues("proveprofil", by_locale)


@pytest.mark.parametrize(
    ("catalogues", "complaint"),
    [
        (_catalogues(nb={"proveprofil.a": "A"}, nn={"proveprofil.a": "A"}), "en.po lacks ['proveprofil.a']"),
        (
            _catalogues(**{locale: {"annen.a": "A"} for locale in LOCALES}),
            "'annen.a' does not start with 'proveprofil.'",
        ),
        (
            _catalogues(nb={"proveprofil.a": "{x}"}, nn={"proveprofil.a": "{y}"}, en={"proveprofil.a": "{x}"}),
            "nn.po: 'proveprofil.a' has the parameters ['y'], en.po ['x']",
        ),
    ],
)
def test_a_plug_ins_catalogues_are_refused_unless_whole(catalogues, complaint):
    with pytest.raises(CatalogueError) as refused:
        add_catalogues(catalogues)
    assert complaint in str(refused.value)
    assert "proveprofil.a" not in texts("nb")  # nothing of it was added


def test_a_plug_in_cannot_take_another_plug_ins_key(shipped):
    ours = texts("nb")["tromso.missing_planned_action"]
    theirs = Catalogues("tromso", {locale: {"tromso.missing_planned_action": "Noe annet."} for locale in LOCALES})
    with pytest.raises(CatalogueError, match="is another text already"):
        add_catalogues(theirs)
    assert texts("nb")["tromso.missing_planned_action"] == ours
    # The same catalogues again (a second start-up in one process) change nothing.
    Profiles(new_plugin_manager())
    assert texts("nb")["tromso.missing_planned_action"] == ours
