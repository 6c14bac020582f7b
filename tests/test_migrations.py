"""The migrations build exactly the schema the models describe, and run down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from sqlalchemy import Column, Integer, MetaData, Table, inspect

from pim import create_app
from pim.cli import preserved_logging, upgrade_database
from pim.extensions import db


def schema_differences(engine) -> list:
    """What autogenerate would put in a new migration (empty when models match)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def test_models_match_the_migrated_schema(app):
    with app.app_context():
        differences = schema_differences(db.engine)
    assert differences == [], (
        f"models and migrations differ; add a migration (vitrine db migrate): {differences}"
    )


def test_a_model_without_a_migration_would_fail_the_suite(app):
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    Table("lookbook", changed, Column("id", Integer, primary_key=True))
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, changed)
    assert [(kind, table.name) for kind, table in differences] == [("add_table", "lookbook")]


@pytest.fixture
def scratch_app(scratch_database_url, tmp_path):
    """An app on its own empty database, so migrating down does not disturb other tests."""
    scratch = create_app(
        {"DATABASE_URL": scratch_database_url, "INSTANCE_PATH": str(tmp_path), "TESTING": True}
    )
    with scratch.app_context():
        yield scratch
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_again(scratch_app):
    upgrade_database()
    tables = set(inspect(db.engine).get_table_names())
    assert {"product", "product_model", "completeness", "user_account"} <= tables
    with preserved_logging():
        downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade_database()
    assert set(inspect(db.engine).get_table_names()) == tables
    assert schema_differences(db.engine) == []
