"""A second, really separate, empty database for tests (helper, not a test file).

On SQLite it is a new file; when the suite runs on PostgreSQL it is a new database on the same
server (created here and dropped afterwards, even if it is still in use).
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


@contextmanager
def fresh_database(directory: Path) -> Iterator[dict]:
    """Yields ``{"url": DATABASE_URL, "settings": a Django DATABASES entry}`` of a new,
    empty database."""
    if connection.vendor != "postgresql":
        path = directory / f"fresh-{uuid.uuid4().hex[:8]}.sqlite3"
        yield {
            "url": f"sqlite:///{path}",
            "settings": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
        }
        return
    import psycopg

    own = connection.settings_dict
    host, port, user = own["HOST"] or "127.0.0.1", own["PORT"] or 5432, own["USER"]
    password = own["PASSWORD"] or ""
    name = f"microcert_fresh_{uuid.uuid4().hex[:10]}"
    server = f"postgresql://{user}:{password}@{host}:{port}/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            "url": f"postgres://{user}:{password}@{host}:{port}/{name}",
            "settings": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": name,
                "HOST": host,
                "PORT": port,
                "USER": user,
                "PASSWORD": password,
            },
        }
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
