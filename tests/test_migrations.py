"""Migrating an empty database must give exactly the schema models.py declares, on both engines."""
from playhouse.schema_diff import diff_models

import models
from app import make_database
from tests.conftest import ENGINE_URL, POSTGRES


def describe(database, schema=None):
    """Columns, indexes and foreign keys of every model table, as comparable sets."""
    kwargs = {"schema": schema} if schema else {}
    shape = {}
    for model in models.MODELS:
        table = model._meta.table_name
        columns = {(c.name, c.data_type.lower(), c.null, c.primary_key) for c in database.get_columns(table, **kwargs)}
        indexes = {(tuple(i.columns), i.unique) for i in database.get_indexes(table, **kwargs)}
        keys = {(k.column, k.dest_table, k.dest_column) for k in database.get_foreign_keys(table, **kwargs)}
        shape[table] = (columns, indexes, keys)
    return shape


def test_migrated_database_matches_models(database_template, tmp_path):
    if POSTGRES:
        migrated = make_database(ENGINE_URL)
        with migrated.connection_context():
            assert not diff_models(migrated, models.MODELS)
            migrated.execute_sql("DROP SCHEMA IF EXISTS models_check CASCADE")
            migrated.execute_sql("CREATE SCHEMA models_check")
            migrated.execute_sql("SET search_path TO models_check")
            models.db.initialize(migrated)
            migrated.create_tables(models.MODELS)
            declared = describe(migrated, "models_check")
            actual = describe(migrated, "public")
            migrated.execute_sql("SET search_path TO public")
            migrated.execute_sql("DROP SCHEMA models_check CASCADE")
    else:
        migrated = make_database(f"sqlite:///{database_template}")
        with migrated.connection_context():
            assert not diff_models(migrated, models.MODELS)
            actual = describe(migrated)
        fresh = make_database(f"sqlite:///{tmp_path}/fresh.db")
        models.db.initialize(fresh)
        with fresh.connection_context():
            fresh.create_tables(models.MODELS)
            declared = describe(fresh)
    assert set(actual) == set(declared)
    for table in declared:
        assert actual[table] == declared[table], table


def test_every_model_has_a_table_after_migration(db):
    tables = set(db.get_tables())
    assert {m._meta.table_name for m in models.MODELS} <= tables


def test_the_automatic_audit_migration_marks_earlier_automatic_hides(db):
    import importlib

    from playhouse.migrate import SchemaMigrator

    migration = importlib.import_module("migrations.0008_audit_automatic")
    migrator = SchemaMigrator.from_database(db.obj)
    migration.down(migrator, db.obj)
    db.execute_sql(
        f"INSERT INTO audit_log (action, object_type, object_id, note, created_at) VALUES "
        f"('issue.hide', 'issue', 1, {db.obj.param}, {db.obj.param})",
        ("hidden automatically after 3 reports", models.utcnow()),
    )
    db.execute_sql(
        f"INSERT INTO audit_log (action, object_type, object_id, note, created_at) VALUES "
        f"('user.create', 'user', 1, {db.obj.param}, {db.obj.param})",
        ("flask create-admin", models.utcnow()),
    )
    migration.up(migrator, db.obj)
    marks = {row.action: row.automatic for row in models.AuditLog.select()}
    assert marks == {"issue.hide": True, "user.create": False}
