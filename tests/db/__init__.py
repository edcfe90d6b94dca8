"""The database: sessions, the change log, migrations."""
