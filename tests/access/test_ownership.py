"""The ownership map (`kvalitet.access.ownership`) is the one place that says whose each row is:
every table is in it, and what it says matches the schema's foreign keys."""

from kvalitet import models
from kvalitet.access.ownership import NOT_OWNED, OWNERSHIP, Below, Owned
from kvalitet.models import Base


def test_every_table_is_owned_or_kept_per_caller():
    mapped = {mapper.class_ for mapper in Base.registry.mappers if mapper.class_.__name__ != "Entity"}
    mapped = {m for m in mapped if hasattr(m, "__table__") and m.__table__.name in Base.metadata.tables}
    assert mapped - set(OWNERSHIP) - set(NOT_OWNED) == set()
    assert set(OWNERSHIP) & set(NOT_OWNED) == set()


def test_the_map_names_real_columns_and_foreign_keys():
    for model, rule in OWNERSHIP.items():
        columns = model.__table__.c
        if isinstance(rule, Owned):
            for column in (rule.municipality, rule.unit):
                assert column is None or column in columns, (model, column)
            if rule.public_statuses:
                assert "status" in columns
        else:
            assert isinstance(rule, Below) and rule.parents
            for column, parent in rule.parents:
                targets = {key.column.table.name for key in columns[column].foreign_keys}
                assert targets == {parent.__tablename__}, (model, column, targets)


def test_a_rows_parent_is_the_first_parent_column_set():
    import uuid

    from kvalitet.access.ownership import parent_ref

    area, goal = uuid.uuid4(), uuid.uuid4()
    assert parent_ref(models.Criterion(area_id=area, goal_id=None)) == (models.Area, area)
    assert parent_ref(models.Criterion(area_id=None, goal_id=goal)) == (models.Goal, goal)
    assert parent_ref(models.Unit(municipality_id=uuid.uuid4())) is None
