"""[[bots]]: one bot per province in one configuration, and one clear line for each mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import DEFAULT_BOT, ConfigError, load_settings, settings_from_mapping
from bot.routing import Routing

ENV = {"THANH_HOA_TOKEN": "111:thanh-hoa", "NGHE_AN_TOKEN": "222:nghe-an"}


def two_bots(**changes: Any) -> dict[str, Any]:
    bots: list[dict[str, Any]] = [
        {"key": "thanh-hoa", "provinces": ["Thanh Hóa"], "token_env": "THANH_HOA_TOKEN"},
        {"key": "nghe-an", "provinces": [40], "token_env": "NGHE_AN_TOKEN", "username": "@na_bot"},
    ]
    for index, change in changes.items():
        bots[int(index[1:])].update(change)
    return {"deployment": {"provinces": [38, 40]}, "bots": bots}


def test_without_bots_one_bot_serves_every_province_with_todays_settings() -> None:
    raw = {"telegram": {"bot_username": "cachly_bot"}, "deployment": {"provinces": [38, 40]}}
    settings = settings_from_mapping(raw, {"CACHLY_TELEGRAM_TOKEN": "123:env"})
    (bot,) = settings.all_bots
    assert (bot.key, bot.provinces, bot.token, bot.username) == (
        DEFAULT_BOT,
        (38, 40),
        "123:env",
        "cachly_bot",
    )
    assert settings.bot_of(40) == DEFAULT_BOT
    assert settings.for_bot(DEFAULT_BOT).telegram == settings.telegram


def test_each_bot_serves_its_provinces_with_its_own_token(tmp_path: Path) -> None:
    secret = tmp_path / "na.secret"
    secret.write_text("a-webhook-secret\n", encoding="utf-8")
    settings = settings_from_mapping(two_bots(b1={"webhook_secret_file": str(secret)}), ENV)
    assert [b.key for b in settings.all_bots] == ["thanh-hoa", "nghe-an"]
    assert (settings.bot_of(38), settings.bot_of(40)) == ("thanh-hoa", "nghe-an")
    nghe_an = settings.for_bot("nghe-an")
    assert nghe_an.telegram.token == "222:nghe-an"
    assert nghe_an.telegram.bot_username == "na_bot"
    assert nghe_an.telegram.webhook_secret == "a-webhook-secret"
    assert nghe_an.deployment.provinces == (40,)
    routing = Routing.of(nghe_an)
    assert routing.serves(40)
    assert not routing.serves(38)
    assert routing.bot_of(38) == "thanh-hoa"  # what it queues for Thanh Hóa goes to that bot
    # A token never shows in the settings' repr (logs, tracebacks).
    assert "222:nghe-an" not in repr(settings)


def test_a_bot_may_have_its_own_bot_api_server() -> None:
    raw = two_bots(b1={"base_url": "http://127.0.0.1:8082/bot"})
    settings = settings_from_mapping(raw, ENV)
    nghe_an, thanh_hoa = settings.for_bot("nghe-an"), settings.for_bot("thanh-hoa")
    assert nghe_an.telegram.base_url == "http://127.0.0.1:8082/bot"
    assert nghe_an.telegram.base_file_url == "http://127.0.0.1:8082/file/bot"
    assert thanh_hoa.telegram.base_url == ""


def test_a_token_from_a_file(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("333:from-file\n", encoding="utf-8")
    raw = two_bots(b0={"token_env": "", "token_file": str(token)})
    assert settings_from_mapping(raw, ENV).for_bot("thanh-hoa").telegram.token == "333:from-file"


@pytest.mark.parametrize(
    ("raw", "key", "problem"),
    [
        (two_bots(b1={"provinces": [38]}), "bots[1].provinces", "served by bots"),
        (two_bots(b1={"provinces": [40, 1]}), "bots[1].provinces", "not in deployment.provinces"),
        (two_bots(b1={"provinces": []}), "bots[1].provinces", "at least one"),
        (two_bots(b1={"key": "thanh-hoa"}), "bots[1].key", "two bots"),
        (two_bots(b1={"key": "Nghệ An"}), "bots[1].key", "short name"),
        (two_bots(b1={"token_env": "MISSING"}), "bots[1].token_env", "not set"),
        (two_bots(b1={"token_env": ""}), "bots[1].token_env", "token_env or token_file"),
        (two_bots(b1={"token": "222:inline"}), "bots[1].token", "unknown key"),
        (two_bots(b1={"provinces": ["Atlantis"]}), "bots[1].provinces", "unknown province"),
        ({**two_bots(), "telegram": {"token": "1:x"}}, "telegram.token", "own token"),
        ({**two_bots(), "deployment": {"provinces": [38, 40, 1]}}, "bots", "no bot serves"),
        ({"bots": {"key": "a"}}, "bots", "array of tables"),
    ],
)
def test_bot_mistakes_are_one_clear_line(raw: dict[str, Any], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(raw, ENV)
    assert caught.value.key == key
    assert problem in str(caught.value)
    assert "222:nghe-an" not in str(caught.value)


def test_bots_from_a_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "cachly.toml"
    config.write_text(
        """
[deployment]
provinces = ["Thanh Hóa", "Nghệ An"]

[[bots]]
key = "thanh-hoa"
provinces = ["Thanh Hóa"]
token_env = "THANH_HOA_TOKEN"

[[bots]]
key = "nghe-an"
provinces = ["Nghệ An"]
token_env = "NGHE_AN_TOKEN"
""",
        encoding="utf-8",
    )
    settings = load_settings(config, environ=ENV)
    assert [(b.key, b.provinces) for b in settings.all_bots] == [
        ("thanh-hoa", (38,)),
        ("nghe-an", (40,)),
    ]
