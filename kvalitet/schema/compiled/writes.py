"""`saveAssessment` in one statement, answered before the GraphQL pipeline runs: the write
counterpart of `RepeatedRequests`.

A mutation document the default path has run without GraphQL errors is looked at once
(`WritePlans.learn`, from `CompiledQueries`): when it is one `saveAssessment(input: $var)` whose
payload asks only for the assessment's columns and the errors, its plan is kept by document
text. The same document again is answered by the plan. The input is checked in Python as the
service checks it (the ids, one subject, the texts); the statement checks the rest (access, the
report's state, the subject among the report's items, the level on the profile's scale, the
version), writes the assessment and its change-log row, and returns the payload's JSON.

Only a successful write is answered here. Whatever the statement's checks refuse, it writes
nothing and returns NULL, and the request runs on the default path, which says what is wrong:
the errors are the default path's own, by construction. `tests/schema/test_compiled_writes.py`
runs each case both ways and compares answers, rows and change log.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from sqlalchemy import ColumnElement, exists, literal_column, select
from sqlalchemy.dialects import postgresql

from kvalitet.infra.caches import LRUCache
from kvalitet.models import Assessment, Report
from kvalitet.schema.compiled.json_sql import global_id, json_object, scalar_json, sql_text
from kvalitet.schema.compiled.reads import Computed, NodeId, NotCompilable, Scalar, field_read
from kvalitet.schema.mutation_support import decode_id
from kvalitet.services.errors import UserInputError
from kvalitet.services.report_items import items_sql
from kvalitet.services.review import EDITABLE
from kvalitet.services.validation import TEXT_MAX, Checker, storable

if TYPE_CHECKING:
    from kvalitet.access.actor import AccessPolicy, Actor
    from kvalitet.plugins import Profiles

MUTATION = "saveAssessment"
# The input's fields, by their GraphQL names, and the Python types a JSON value must have.
_INPUT: dict[str, tuple[type, ...]] = {
    "reportId": (str,),
    "level": (str,),
    "criterionId": (str, type(None)),
    "localGoalId": (str, type(None)),
    "comment": (str, type(None)),
    "evidence": (str, type(None)),
    "version": (int, type(None)),
    "idempotencyKey": (type(None),),  # a key is kept by the default path's records
}
_INT_MAX = 2**31 - 1  # GraphQL's Int

# The payload's one row, as the statement's final SELECT reads it.
_ROW = Assessment.__table__.alias("written")
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's dialects are untyped


@dataclass(frozen=True)
class WritePlan:
    """A learnt `saveAssessment` document: its operation's name, where its input is, and its
    answer's shape."""

    operation: str | None
    variable: str
    data_sql: str  # JSON text of `data`, over the written row `written`
    tail: bytes  # the response after `data` (its extensions), as the default path wrote it
    cost: int | None = None  # its query cost, as counted on the default path (the rate limits charge it)


class WritePlans:
    """Learnt documents by their text (a plan's document holds its one operation); a miss is
    only the default path."""

    def __init__(self, size: int = 256):
        self.cache: LRUCache[WritePlan] = LRUCache(size)

    def get(self, query: str, operation_name: object) -> WritePlan | None:
        """The plan of `query`, when `operation_name` (as the request gave it) names its operation."""
        plan = self.cache.get(query)
        if plan is None or (operation_name is not None and operation_name != plan.operation):
            return None
        return plan

    def learn(
        self, schema: GraphQLSchema, document: DocumentNode, query: str, tail: bytes, cost: int | None = None
    ) -> None:
        if self.cache.get(query) is not None:
            return
        try:
            plan = _plan(schema, document, tail)
        except NotCompilable:
            return
        self.cache.put(query, replace(plan, cost=cost))


def _plan(schema: GraphQLSchema, document: DocumentNode, tail: bytes) -> WritePlan:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(document.definitions) != 1:
        raise NotCompilable("one operation, no fragments")
    operation = operations[0]
    if operation.operation != OperationType.MUTATION or operation.directives:
        raise NotCompilable("not a plain mutation")
    root = _fields(operation.selection_set)
    mutation_type = schema.mutation_type
    if len(root) != 1 or root[0].name.value != MUTATION or mutation_type is None:
        raise NotCompilable(f"not one {MUTATION}")
    field = root[0]
    arguments = field.arguments or ()
    if len(arguments) != 1 or arguments[0].name.value != "input" or not isinstance(arguments[0].value, VariableNode):
        raise NotCompilable("the input is not one variable")
    variable = arguments[0].value.name.value
    payload_type = get_named_type(mutation_type.fields[MUTATION].type)
    assert isinstance(payload_type, GraphQLObjectType)
    members: list[tuple[str, Any]] = []
    for sub in _fields(field.selection_set):
        name = sub.name.value
        if name == "__typename":
            members.append((_key(sub), sql_text(f'"{payload_type.name}"')))
        elif name == "errors":
            members.append((_key(sub), sql_text("[]")))
        elif name == "assessment":
            members.append((_key(sub), _assessment(schema, sub)))
        else:
            raise NotCompilable(f"{payload_type.name}.{name}")
    data = json_object([(_key(field), json_object(members))])
    return WritePlan(operation.name.value if operation.name else None, variable, _sql(data), tail)


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The selections, when every one is a plain field (no fragment, no directive)."""
    selections = selection_set.selections if selection_set is not None else ()
    if not all(isinstance(s, FieldNode) and not s.directives for s in selections):
        raise NotCompilable("fragments or directives")
    return [s for s in selections if isinstance(s, FieldNode)]


def _key(field: FieldNode) -> str:
    return field.alias.value if field.alias is not None else field.name.value


def _assessment(schema: GraphQLSchema, field: FieldNode) -> ColumnElement[str]:
    """The assessment's object over the written row: its columns and computed fields only
    (what else the statement reads sees the database as it was before the write)."""
    assessment_type = schema.get_type("Assessment")
    assert isinstance(assessment_type, GraphQLObjectType)
    fields = _fields(field.selection_set)
    if len({_key(f) for f in fields}) != len(fields):
        raise NotCompilable("a key asked for twice")
    members: list[tuple[str, Any]] = []
    for sub in fields:
        name = sub.name.value
        if name == "__typename":
            members.append((_key(sub), sql_text('"Assessment"')))
            continue
        read = field_read(assessment_type, name)
        if isinstance(read, NodeId):
            members.append((_key(sub), global_id("Assessment", _ROW.c.id)))
        elif isinstance(read, Scalar):
            members.append((_key(sub), scalar_json(_ROW.c[read.column], read.kind, read.nullable, read.enum_names)))
        elif isinstance(read, Computed):
            nullable = not isinstance(assessment_type.fields[name].type, GraphQLNonNull)
            members.append((_key(sub), scalar_json(read.sql(_ROW), read.kind, nullable)))
        else:
            raise NotCompilable(f"Assessment.{name} reads other rows")
    return json_object(members)


def _sql(data: ColumnElement[str]) -> str:
    """The statement, with the payload's JSON written over `written` (the row it wrote)."""
    rendered = data.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True})
    editable = ", ".join(f"'{status.value}'" for status in EDITABLE)
    return _STATEMENT.format(is_item=_is_item(), editable=editable, data=rendered)


def _is_item() -> str:
    """The condition that the subject ($3 or $4) is among the items of the row `report`
    (`items_sql`, the one statement of what a report must assess), as SQL text."""
    report = Report.__table__
    items = items_sql(report, only=(literal_column("$3::uuid"), literal_column("$4::uuid"))).subquery("item")
    # Written inside a SELECT from `report`, so the items are correlated to it, not joined.
    text = str(
        select(report.c.id)
        .where(exists(select(literal_column("1")).select_from(items)))
        .compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True})
    )
    head = "SELECT report.id \nFROM report \nWHERE "
    assert text.startswith(head), text[:80]
    return text[len(head) :]


# $1 report id, $2 level, $3 criterion id, $4 local goal id, $5 comment, $6 evidence, $7 version,
# $8 the new row's id, $9 the actor's name, $10 the scales by profile code (jsonb),
# $11-$18 (municipalities, units) that may: read the report, update it, create an assessment,
# update one; $19 every owner may (the caller may do all of it everywhere).
_STATEMENT = """
WITH report_row AS (
    SELECT report.id, report.municipality_id, report.unit_id,
           ($19::boolean OR report.municipality_id = ANY($15::uuid[]) OR report.unit_id = ANY($16::uuid[])) AS may_create,
           ($19::boolean OR report.municipality_id = ANY($17::uuid[]) OR report.unit_id = ANY($18::uuid[])) AS may_update
    FROM report
    JOIN unit ON unit.id = report.unit_id
    JOIN municipality ON municipality.id = unit.municipality_id
    WHERE report.id = $1::uuid
      AND report.status IN ({editable})
      AND ($19::boolean OR report.municipality_id = ANY($11::uuid[]) OR report.unit_id = ANY($12::uuid[]))
      AND ($19::boolean OR report.municipality_id = ANY($13::uuid[]) OR report.unit_id = ANY($14::uuid[]))
      AND $2::varchar IN (SELECT jsonb_array_elements_text($10::jsonb -> municipality.profile_code))
      AND {is_item}
    FOR SHARE OF report
),
earlier AS (
    SELECT assessment.id, assessment.version, assessment.level, assessment.comment, assessment.evidence
    FROM assessment JOIN report_row ON assessment.report_id = report_row.id
    WHERE assessment.criterion_id = $3::uuid OR assessment.local_goal_id = $4::uuid
    FOR UPDATE OF assessment
),
allowed AS (
    SELECT earlier.*, (earlier.level, earlier.comment, earlier.evidence)
               IS DISTINCT FROM ($2::varchar, $5::text, $6::text) AS changed
    FROM earlier JOIN report_row ON report_row.may_update
    WHERE earlier.version = $7::integer
),
updated AS (
    UPDATE assessment
    SET level = $2::varchar, comment = $5::text, evidence = $6::text,
        version = assessment.version + 1, updated_at = now()
    FROM allowed
    WHERE assessment.id = allowed.id AND allowed.changed
    RETURNING assessment.*
),
inserted AS (
    INSERT INTO assessment (id, report_id, criterion_id, local_goal_id, level, comment, evidence)
    SELECT $8::uuid, report_row.id, $3::uuid, $4::uuid, $2::varchar, $5::text, $6::text
    FROM report_row
    WHERE report_row.may_create AND NOT EXISTS (SELECT FROM earlier)
    ON CONFLICT DO NOTHING
    RETURNING assessment.*
),
logged AS (
    INSERT INTO change_log (actor, municipality_id, unit_id, entity_type, entity_id, action, changes)
    SELECT $9::text, report_row.municipality_id, report_row.unit_id, 'Assessment', updated.id, 'update',
           CASE WHEN allowed.level IS DISTINCT FROM updated.level
                THEN jsonb_build_object('level', jsonb_build_array(allowed.level, updated.level)) ELSE '{{}}' END
        || CASE WHEN allowed.comment IS DISTINCT FROM updated.comment
                THEN jsonb_build_object('comment', jsonb_build_array(allowed.comment, updated.comment)) ELSE '{{}}' END
        || CASE WHEN allowed.evidence IS DISTINCT FROM updated.evidence
                THEN jsonb_build_object('evidence', jsonb_build_array(allowed.evidence, updated.evidence)) ELSE '{{}}' END
    FROM updated JOIN allowed ON allowed.id = updated.id, report_row
    UNION ALL
    SELECT $9::text, report_row.municipality_id, report_row.unit_id, 'Assessment', inserted.id, 'create',
           jsonb_build_object('id', inserted.id, 'report_id', inserted.report_id,
                              'criterion_id', inserted.criterion_id, 'local_goal_id', inserted.local_goal_id,
                              'measure_id', inserted.measure_id,
                              'level', inserted.level, 'comment', inserted.comment, 'evidence', inserted.evidence)
    FROM inserted, report_row
)
SELECT {data}
FROM (
    SELECT * FROM updated
    UNION ALL SELECT * FROM inserted
    UNION ALL SELECT assessment.* FROM assessment JOIN allowed ON allowed.id = assessment.id AND NOT allowed.changed
) AS written
"""


def arguments(
    plan: WritePlan, variables: Any, actor: Actor, policy: AccessPolicy, scales: str
) -> tuple[Any, ...] | None:
    """The statement's arguments for `variables`, or None when the default path must answer."""
    owners = getattr(policy, "owners", None)
    if owners is None or not isinstance(variables, dict):
        return None
    given = variables.get(plan.variable)
    if not isinstance(given, dict) or not set(given) <= set(_INPUT) or not {"reportId", "level"} <= set(given):
        return None
    for name, value in given.items():
        if not isinstance(value, _INPUT[name]) or isinstance(value, bool):
            return None
        if isinstance(value, str) and not storable(value):
            return None
    version = given.get("version")
    if version is not None and not -_INT_MAX - 1 <= version <= _INT_MAX:
        return None
    try:  # the ids as the mutation decodes them; one it refuses is the default path's error
        report_id = decode_id(given["reportId"], "Report", "reportId")
        criterion_id = decode_id(given.get("criterionId"), "Criterion", "criterionId")
        local_goal_id = decode_id(given.get("localGoalId"), "LocalGoal", "localGoalId")
    except UserInputError:
        return None
    if (criterion_id is None) == (local_goal_id is None):
        return None
    checker = Checker()  # the service's own checks of the texts, and their trimmed values
    comment = checker.text(given.get("comment"), "comment", max_length=TEXT_MAX, required=False)
    evidence = checker.text(given.get("evidence"), "evidence", max_length=TEXT_MAX, required=False)
    if checker.problems:
        return None
    allowed = []
    everywhere = True
    for action, model in (("read", Report), ("update", Report), ("create", Assessment), ("update", Assessment)):
        found = owners(actor, action, model)
        everywhere = everywhere and found is None
        allowed += [[], []] if found is None else [list(found[0]), list(found[1])]
    return (
        report_id,
        given["level"],
        criterion_id,
        local_goal_id,
        comment,
        evidence,
        version,
        uuid.uuid4(),
        actor.id or "anonymous",
        scales,
        *allowed,
        everywhere,
    )


def scales_of(profiles: Profiles) -> str:
    """Every installed profile's scale, by code, as the statement's jsonb argument."""
    return json.dumps({p.code: [s.level for s in profiles.assessment_scale(p.code)] for p in profiles.all()})


__all__ = ["MUTATION", "WritePlan", "WritePlans", "arguments", "scales_of"]
