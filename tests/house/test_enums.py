"""The enumerations stored as text have one home, kvalitet.models.enums: the tables' CHECK constraints,
the services' validation and the GraphQL enums are all made from it."""

import re

import pytest
from sqlalchemy import CheckConstraint

from kvalitet.models import Base, enums
from kvalitet.models.enums import (
    ActionStatus,
    ChangeAction,
    CompetenceScope,
    DeliveryStatus,
    FigureReason,
    FigureStatus,
    FollowUpStatus,
    Gender,
    IndicatorLevel,
    IndicatorMeasure,
    IndicatorSource,
    MeetingStatus,
    Ownership,
    ParticipantRole,
    PlanStatus,
    RefreshOutcome,
    Register,
    ReportLocale,
    ReviewStatus,
    Sector,
    TargetGroup,
    UnitKind,
)
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.schema import build_schema
from kvalitet.services.errors import INVALID_VALUE, REQUIRED
from kvalitet.services.validation import Checker

# Every column holding one of a set of words, and the enumeration the words come from.
STORED = {
    ("unit", "kind"): UnitKind,
    ("unit", "ownership"): Ownership,
    ("plan", "status"): PlanStatus,
    ("local_plan", "status"): ReviewStatus,
    ("report", "status"): ReviewStatus,
    ("local_action", "status"): ActionStatus,
    ("national_goal", "sector"): Sector,
    ("change_log", "action"): ChangeAction,
    ("webhook_delivery", "status"): DeliveryStatus,
    ("indicator", "source"): IndicatorSource,
    ("indicator", "measure"): IndicatorMeasure,
    ("indicator_value", "level"): IndicatorLevel,
    ("indicator_value", "gender"): Gender,
    ("indicator_value", "status"): FigureStatus,
    ("indicator_value", "reason"): FigureReason,
    ("indicator_refresh", "outcome"): RefreshOutcome,
    ("register_sync", "outcome"): RefreshOutcome,
    ("register_sync", "register"): Register,
    ("council_report", "locale"): ReportLocale,
    ("council_report_edition", "locale"): ReportLocale,
    ("follow_up_meeting", "status"): MeetingStatus,
    ("follow_up_point", "status"): FollowUpStatus,
    ("competence_goal", "scope"): CompetenceScope,
    ("competence_measure", "scope"): CompetenceScope,
    ("competence_measure", "target_group"): TargetGroup,
}
# Words stored inside a JSON column, by (table, column, key): checked by a JSON path CHECK.
IN_JSON = {("follow_up_meeting", "participants", "role"): ParticipantRole}
# Each enumeration's GraphQL type.
GRAPHQL = {
    "UnitKind": UnitKind,
    "Ownership": Ownership,
    "PlanStatus": PlanStatus,
    "ReviewStatus": ReviewStatus,
    "ActionStatus": ActionStatus,
    "Sector": Sector,
    "ChangeAction": ChangeAction,
    "DeliveryStatus": DeliveryStatus,
    "IndicatorSource": IndicatorSource,
    "IndicatorMeasure": IndicatorMeasure,
    "IndicatorLevel": IndicatorLevel,
    "Gender": Gender,
    "FigureStatus": FigureStatus,
    "FigureReason": FigureReason,
    "RefreshOutcome": RefreshOutcome,
    "Register": Register,
    "ReportLanguage": ReportLocale,
    "MeetingStatus": MeetingStatus,
    "ParticipantRole": ParticipantRole,
    "FollowUpStatus": FollowUpStatus,
    "CompetenceScope": CompetenceScope,
    "TargetGroup": TargetGroup,
}
EVERY_ENUM = [
    value
    for value in vars(enums).values()
    if isinstance(value, type) and issubclass(value, enums.TextEnum) and value is not enums.TextEnum
]


def _one_of_checks() -> dict[tuple[str, str], CheckConstraint]:
    found = {}
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                match = re.fullmatch(r"(\w+) IN \(.*\)", str(constraint.sqltext))
                if match:
                    found[(table.name, match.group(1))] = constraint
    return found


def test_every_enumeration_has_a_column_and_a_graphql_type():
    assert set(EVERY_ENUM) == set(STORED.values()) | set(IN_JSON.values()) == set(GRAPHQL.values())


def test_words_in_json_are_checked_by_the_database():
    for (table, column, key), enum in IN_JSON.items():
        (check,) = [c for c in Base.metadata.tables[table].constraints if c.name == f"ck_{table}_{column}_valid"]
        listed = " || ".join(f'@.{key} == "{word}"' for word in enum.values())
        assert f"!({listed})" in str(check.sqltext)


def test_every_check_on_words_is_made_from_its_enumeration():
    checks = _one_of_checks()
    assert set(checks) == set(STORED), "a CHECK on words that are not in kvalitet.models.enums (or one gone)"
    for (table, column), enum in STORED.items():
        listed = ", ".join(f"'{word}'" for word in enum.values())
        assert str(checks[table, column].sqltext) == f"{column} IN ({listed})"
        # The name the migrations know it by.
        assert checks[table, column].name == f"ck_{table}_{column}_valid"


def test_column_defaults_are_words_of_the_enumeration():
    for (table, column), enum in STORED.items():
        default = Base.metadata.tables[table].columns[column].server_default
        if default is not None:
            assert default.arg in enum.values(), (table, column)


def test_unit_kind_arrays_are_checked_against_the_unit_kinds():
    listed = ", ".join(f"'{kind}'" for kind in UnitKind.values())
    for table in ("plan", "area"):
        (check,) = [c for c in Base.metadata.tables[table].constraints if c.name == f"ck_{table}_applies_to_valid"]
        assert f"ARRAY[{listed}]" in str(check.sqltext)


def test_graphql_enums_are_the_enumerations():
    schema = build_schema(Profiles(new_plugin_manager()))._schema
    for name, enum in GRAPHQL.items():
        graphql_type = schema.get_type(name)
        assert graphql_type is not None, name
        # GraphQL names are the members' names, their values the stored words, in order.
        assert [(key, value.value) for key, value in graphql_type.values.items()] == [
            (member.name, member.value) for member in enum
        ], name


def test_every_member_is_its_stored_word():
    for enum in EVERY_ENUM:
        assert all(member.value == str(member) for member in enum), enum


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("private", None),
        (None, (REQUIRED, "«ownership» must not be empty.")),
        ("public", (INVALID_VALUE, "Unknown value «public» for «ownership».")),
    ],
)
def test_a_choice_is_checked_against_its_enumeration(value, problem):
    checker = Checker()
    assert checker.choice(value, Ownership, "ownership") == value
    assert [(p.code, str(p.message), p.field) for p in checker.problems] == (  # str(): in English
        [] if problem is None else [(*problem, "ownership")]
    )


def test_a_refused_choice_names_its_field_and_value_in_each_language():
    checker = Checker()
    checker.choice("paused", ActionStatus, "status")
    checker.choice("barnehage", UnitKind, "kind")
    assert [str(p.message) for p in checker.problems] == [
        "Unknown value «paused» for «status».",
        "Unknown value «barnehage» for «kind».",
    ]
    assert checker.problems[1].message.render("nn") == "Ukjend verdi «barnehage» for «kind»."
