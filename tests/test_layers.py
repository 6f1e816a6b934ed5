"""The layering the README promises, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.actions import Action
from handlers import BUTTONS

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> dict[str, set[str]]:
    """Every module of `package` and the top-level names of what it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module} imports {name}"
        for module, names in _imports(package).items()
        for name in sorted(names)
        if name.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("bot", ("telegram", "handlers", "cachly", "standins", "tests", "web")),
        ("handlers", ("cachly", "standins", "tests", "web")),
        # The desk is pages over the services: no Telegram, no bot glue, no root.
        ("web", ("telegram", "handlers", "cachly", "standins", "tests")),
        ("geofence", ("bot", "handlers", "telegram", "sqlalchemy", "cachly")),
        ("standins", ("bot", "handlers", "cachly", "tests")),
        ("benchmarks", ("tests",)),
    ],
)
def test_layers_import_only_downwards(package: str, forbidden: tuple[str, ...]) -> None:
    assert _offenders(package, forbidden) == []


def test_every_button_action_has_one_handler() -> None:
    registered = [action for action, _detail, _callback in BUTTONS]
    assert sorted(registered) == sorted(Action)


# The Bot API's words; only Telegram's renderer and transport may speak them.
WIRE_WORDS = (
    "inline_keyboard",
    "callback_data",
    "reply_markup",
    "request_location",
    "parse_mode",
    "sendMessage",
    "editMessageText",
    "sendLocation",
    "sendPhoto",
    "sendDocument",
)


def test_no_service_speaks_the_bot_apis_wire_format() -> None:
    speaking = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "telegram" not in path.relative_to(ROOT / "bot").parts
        for word in WIRE_WORDS
        if word in path.read_text(encoding="utf-8")
    ]
    assert speaking == []
