"""Texts people read, in bokmål, nynorsk and English: one catalogue per language, by stable key.

The catalogues are gettext PO files beside this module (`nb.po`, `nn.po`, `en.po`), read with
Babel. A key is a stable code (`report.nothing_to_assess`); a text is a format string with
named parameters (`{count}`). A service says what happened as a `Text` (key and parameters);
the API renders it in the caller's language and gives the key and parameters beside it, so a
front end can write its own text. `tests/house/test_messages.py` holds the catalogues to the
same keys and parameters, and keeps typical bokmål forms out of the nynorsk one.

A profile adds its own texts (its rules' findings) as catalogues of its own, under keys that
start with its code (`tromso.missing_quality_goal`): `add_catalogues`, which the plug-in manager
calls at start-up with what each plug-in's `kvalitet_messages` hook returns.

The language of a request (`negotiate`): an explicit `locale`, else the best of
`Accept-Language`, else bokmål. Another language (Northern Sámi, `se`) is one more catalogue.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import IO

from babel.messages.pofile import read_po

LOCALES: tuple[str, ...] = ("nb", "nn", "en")
DEFAULT_LOCALE = "nb"
# Tags a browser may send for a language we speak ("no" is Norwegian, written as bokmål).
_ALIASES = {"no": "nb", **{locale: locale for locale in LOCALES}}


@functools.cache
def catalogue(locale: str) -> Mapping[str, str]:
    """The texts of `locale`, by key."""
    with resources.files(__package__).joinpath(f"{locale}.po").open("rb") as file:
        return read_catalogue(file, locale)


def read_catalogue(file: IO[bytes], locale: str) -> dict[str, str]:
    """The texts of one PO file, by key."""
    return {str(m.id): str(m.string) for m in read_po(file, locale=locale) if m.id and m.string}


class CatalogueError(ValueError):
    """A plug-in's catalogues are incomplete or collide with texts already there."""


@dataclass(frozen=True)
class Catalogues:
    """A plug-in's own texts: by locale, by key. Every key starts with `namespace` and a dot
    (the profile's code), and every locale the service speaks has every key."""

    namespace: str
    texts: Mapping[str, Mapping[str, str]]


# Texts added by plug-ins, by locale and key. Process-wide, as gettext's bound domains are: a
# key is its owner's (the namespace), so adding the same catalogues twice changes nothing.
_added: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}


def add_catalogues(catalogues: Catalogues) -> None:
    """Add a plug-in's texts, after checking them whole: nothing is added when they are not."""
    texts, prefix = catalogues.texts, catalogues.namespace + "."
    keys = {locale: set(texts.get(locale, {})) for locale in LOCALES}
    every, whole = set().union(*keys.values()), set.intersection(*keys.values())
    problems = [f"{key!r} does not start with {prefix!r}" for key in sorted(every) if not key.startswith(prefix)]
    problems += [f"{locale}.po lacks {sorted(every - found)}" for locale, found in keys.items() if every - found]
    for key in sorted(whole):
        wanted = placeholders(texts["en"][key])
        problems += [
            f"{locale}.po: {key!r} has the parameters {sorted(placeholders(texts[locale][key]))}, en.po {sorted(wanted)}"
            for locale in LOCALES
            if placeholders(texts[locale][key]) != wanted
        ]
        if any(
            key in catalogue(locale) or _added[locale].get(key, texts[locale][key]) != texts[locale][key]
            for locale in LOCALES
        ):
            problems.append(f"{key!r} is another text already")
    if problems:
        raise CatalogueError(f"the catalogues of {catalogues.namespace!r}: " + "; ".join(problems))
    for locale in LOCALES:
        _added[locale].update(texts[locale])


def texts(locale: str) -> Mapping[str, str]:
    """Every text of `locale`: the core's and the plug-ins'."""
    return {**catalogue(locale), **_added[locale]}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class Text:
    """A message for a person: its catalogue key and its parameters (values shown as given,
    except those that are keys of other texts, `Text` themselves)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, locale: str) -> str:
        locale = locale if locale in LOCALES else DEFAULT_LOCALE
        template = catalogue(locale).get(self.key) or _added[locale][self.key]
        return template.format_map(self.flat_params(locale))

    def flat_params(self, locale: str) -> dict[str, str]:
        """The parameters as text in `locale`: a nested `Text` rendered, a profile's label (with
        `nb`, `nn` and `en`) in that language, anything else as it is."""
        return {k: _in(v, locale) for k, v in self.params.items()}

    def __str__(self) -> str:  # logs and exceptions: English
        return self.render("en")


def _in(value: object, locale: str) -> str:
    if isinstance(value, Text):
        return value.render(locale)
    if all(hasattr(value, name) for name in LOCALES):  # a profile's Label
        return str(getattr(value, locale))
    return str(value)


def text(key: str, /, **params: object) -> Text:
    return Text(key, params)


def noun(what: str, *, definite: bool = False) -> Text:
    """The catalogued word for what an id names ("local plan": `noun.local_plan`)."""
    return Text("noun." + what.lower().replace(" ", "_") + (".the" if definite else ""))


def kinds(kind: str) -> Text:
    """A kind of unit in the plural, as messages name them ("… is not for kindergartens")."""
    return Text(f"kind.{kind}.plural")


def verb(action: str) -> Text:
    """What an access check refuses, as messages say it ("approve": `verb.approve`)."""
    return Text(f"verb.{action}")


def kind(kind: str) -> Text:
    """A kind of unit in the singular ("school": `kind.school`)."""
    return Text(f"kind.{kind}")


def status(value: str) -> Text:
    """A status (a plan's, a review's, an action's) as messages name it ("submitted": `status.submitted`)."""
    return Text(f"status.{value}")


def label(word: Text, locale: str) -> str:
    """A catalogued word as a label on a screen: «sendt inn» → «Sendt inn»."""
    said = word.render(locale)
    return said[:1].upper() + said[1:]


def render(message: str | Text, locale: str) -> str:
    """A message in `locale`: a `Text` rendered, a plain (not yet catalogued) text as it is."""
    return message.render(locale) if isinstance(message, Text) else message


def negotiate(explicit: str | None, accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The locale of a request: `explicit` if we speak it, else the first language of the
    `Accept-Language` header we speak (by its q-values), else `default`."""
    if explicit and explicit.lower() in _ALIASES:
        return _ALIASES[explicit.lower()]
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in _ALIASES and quality > 0:
            ranked.append((-quality, index, _ALIASES[language]))
    return min(ranked)[2] if ranked else default


__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "CatalogueError",
    "Catalogues",
    "Text",
    "add_catalogues",
    "catalogue",
    "kind",
    "kinds",
    "label",
    "negotiate",
    "noun",
    "placeholders",
    "read_catalogue",
    "render",
    "status",
    "text",
    "texts",
    "verb",
]
