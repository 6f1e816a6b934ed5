"""Settings: defaults, environment overrides, and one clear line for every mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, known_keys, load_settings, settings_from_mapping


def test_defaults_need_no_file(tmp_cwd: Path) -> None:
    settings = load_settings(environ={})
    assert settings.database.url == "sqlite+aiosqlite:///cachly.sqlite3"
    assert settings.schedule.timezone == "Asia/Ho_Chi_Minh"
    assert settings.deployment.language == "vi"
    assert settings.deployment.provinces == (38,)
    assert settings.telegram.mode == "polling"


def test_environment_supplies_token_and_database(tmp_cwd: Path) -> None:
    (tmp_cwd / "cachly.toml").write_text('[telegram]\ntoken = "from-file"\n', encoding="utf-8")
    settings = load_settings(
        environ={
            "CACHLY_TELEGRAM_TOKEN": "123:env",
            "CACHLY_DATABASE_URL": "postgresql+asyncpg://u:p@localhost/cachly",
        }
    )
    assert settings.telegram.token == "123:env"
    assert settings.database.url.startswith("postgresql+asyncpg://")


def test_provinces_by_code_or_name() -> None:
    settings = settings_from_mapping({"deployment": {"provinces": ["thanh hoa", 1, "Hà Nội"]}}, {})
    assert settings.deployment.provinces == (38, 1)


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (
            {"schedule": {"timezone": "Asia/Hanoi1"}},
            "schedule.timezone: unknown time zone 'Asia/Hanoi1'",
        ),
        (
            {"deployment": {"language": "fr"}},
            "deployment.language: expected one of vi, en, got 'fr'",
        ),
        (
            {"deployment": {"provinces": ["Atlantis"]}},
            "deployment.provinces: unknown province 'Atlantis'",
        ),
        (
            {"deployment": {"provinces": []}},
            "deployment.provinces: at least one province is needed",
        ),
        ({"database": {"url": "mysql://x"}}, "database.url: expected sqlite+aiosqlite:///FILE"),
        ({"telegram": {"mode": "webhook"}}, "telegram.webhook_url: an https:// URL is needed"),
        ({"telegram": {"tokne": "x"}}, "telegram.tokne: unknown key"),
        ({"invitations": {"ttl_hours": 0}}, "invitations.ttl_hours: expected 1–720, got 0"),
        ({"telegram": "yes"}, "telegram: expected a table"),
    ],
)
def test_mistakes_name_the_key(raw: dict[str, object], line: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(raw, {})
    assert str(caught.value).startswith(line)
    assert "\n" not in str(caught.value)


def test_bad_file_stops_the_program_with_one_line(
    tmp_cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_cwd / "bad.toml").write_text('[schedule]\ntimezone = "Asia/Hanoi1"\n', encoding="utf-8")
    assert main(["--config", "bad.toml", "run"]) == 2
    err = capsys.readouterr().err
    assert err == "cachly: schedule.timezone: unknown time zone 'Asia/Hanoi1'\n"


def test_broken_toml_is_one_line(tmp_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_cwd / "broken.toml").write_text("[telegram\n", encoding="utf-8")
    assert main(["--config", "broken.toml", "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cachly: config: broken.toml is not valid TOML")
    assert err.count("\n") == 1


def test_run_without_token_says_how_to_get_one(
    tmp_cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CACHLY_TELEGRAM_TOKEN", raising=False)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert "@BotFather" in err
    assert err.count("\n") == 1
    assert not (tmp_cwd / "cachly.sqlite3").exists()


def test_example_config_is_valid_and_complete() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    settings = load_settings(example, environ={})
    assert settings == settings_from_mapping({}, {})
    documented = _dotted_keys(tomllib.loads(example.read_text(encoding="utf-8")))
    assert documented == known_keys()


def _dotted_keys(table: dict[str, object], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, value in table.items():
        if isinstance(value, dict):
            keys |= _dotted_keys(value, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_downloads_follow_a_local_bot_api_server() -> None:
    from bot.config import settings_from_mapping

    local = {"telegram": {"base_url": "http://127.0.0.1:8081/bot"}}
    assert settings_from_mapping(local, {}).telegram.base_file_url == (
        "http://127.0.0.1:8081/file/bot"
    )
    both = {"telegram": {"base_url": "http://a/bot", "base_file_url": "http://b/files/bot"}}
    assert settings_from_mapping(both, {}).telegram.base_file_url == "http://b/files/bot"
    assert settings_from_mapping({}, {}).telegram.base_file_url == ""
