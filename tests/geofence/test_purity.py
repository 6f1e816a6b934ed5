"""The geofence package stays pure: no Telegram, no database, no app code."""

from __future__ import annotations

import ast
from pathlib import Path

import geofence

FORBIDDEN = {"telegram", "sqlalchemy", "alembic", "asyncpg", "aiosqlite", "bot", "handlers"}


def test_no_forbidden_imports() -> None:
    package = Path(geofence.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert found == []


def test_public_api_is_exported() -> None:
    for name in geofence.__all__:
        assert hasattr(geofence, name), name
