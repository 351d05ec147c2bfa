"""The site's name in English (site_settings.name_en), which English pages show; empty, they show
the server's default (YISHI_SITE_NAME_EN) or else the Chinese name.

Plain ALTER TABLE: site_settings is not rebuilt, so migration 0022's triggers stay (and saving the
settings keeps moving page_version.site).
"""


def up(migrator, db):
    db.execute_sql("ALTER TABLE site_settings ADD COLUMN name_en VARCHAR(80) NOT NULL DEFAULT ''")


def down(migrator, db):
    db.execute_sql("ALTER TABLE site_settings DROP COLUMN name_en")
