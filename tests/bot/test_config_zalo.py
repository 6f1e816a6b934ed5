"""The [zalo] table: off by default, its secrets never inline, its templates checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ZaloTemplateSettings, settings_from_mapping

ENV = {"ZALO_SECRET": "app-secret", "ZALO_OA_KEY": "oa-key", "ZALO_REFRESH": "rt-1"}


def _zalo(**table: object) -> dict[str, object]:
    base: dict[str, object] = {
        "enabled": True,
        "app_id": "3600000000000000001",
        "oa_id": "5790000000000000001",
        "app_secret_env": "ZALO_SECRET",
        "oa_secret_key_env": "ZALO_OA_KEY",
        "refresh_token_env": "ZALO_REFRESH",
        "token_file": "/var/lib/cachly/zalo-token.json",
    }
    return {"zalo": {**base, **table}}


def test_off_by_default() -> None:
    zalo = settings_from_mapping({}, {}).zalo
    assert not zalo.enabled
    assert zalo.openapi_url == "https://openapi.zalo.me"
    assert zalo.webhook_path == "/zalo/webhook"


def test_an_oa_with_its_secrets_from_the_environment_or_a_file(tmp_path: Path) -> None:
    zalo = settings_from_mapping(_zalo(), ENV).zalo
    assert (zalo.app_secret, zalo.oa_secret_key, zalo.refresh_token) == (
        "app-secret",
        "oa-key",
        "rt-1",
    )
    assert "app-secret" not in repr(zalo)
    secret = tmp_path / "oa.key"
    secret.write_text("from-a-file\n", encoding="utf-8")
    table = _zalo(oa_secret_key_env="", oa_secret_key_file=str(secret))
    assert settings_from_mapping(table, ENV).zalo.oa_secret_key == "from-a-file"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"app_secret_env": ""}, "zalo.app_secret_env"),
        ({"oa_secret_key_env": "UNSET"}, "zalo.oa_secret_key_env"),
        ({"app_id": ""}, "zalo.app_id"),
        ({"token_file": ""}, "zalo.token_file"),
        ({"openapi_url": "openapi.zalo.me"}, "zalo.openapi_url"),
        ({"webhook_path": "zalo"}, "zalo.webhook_path"),
        ({"app_secret": "inline"}, "zalo.app_secret"),
    ],
)
def test_what_an_enabled_oa_cannot_do_without(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_mapping(_zalo(**table), ENV)
    assert refused.value.key == key


def test_templates_name_their_purpose_and_where_each_parameter_comes_from() -> None:
    templates = [
        {
            "purpose": "checkin_prompt",
            "template_id": "301234",
            "params": {"message": "text:200", "date": "date", "fixed": "=Trạm y tế"},
        },
        {
            "purpose": "checkin_reminder",
            "template_id": "301235",
            "price_vnd": 250,
            "params": {"message": "text"},
        },
    ]
    zalo = settings_from_mapping(_zalo(templates=templates), ENV).zalo
    assert zalo.templates == (
        ZaloTemplateSettings(
            "checkin_prompt",
            "301234",
            (("message", "text", 200), ("date", "date", 0), ("fixed", "=Trạm y tế", 0)),
            300,
        ),
        ZaloTemplateSettings("checkin_reminder", "301235", (("message", "text", 0),), 250),
    )


@pytest.mark.parametrize(
    "template",
    [
        {"purpose": "checkin_prompt", "params": {"message": "text"}},
        {"purpose": "checkin_prompt", "template_id": "1", "params": {}},
        {"purpose": "checkin_prompt", "template_id": "1", "params": {"message": "name"}},
        {"purpose": "checkin_prompt", "template_id": "1", "params": {"message": "text:long"}},
    ],
)
def test_a_template_that_cannot_be_filled_is_refused(template: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"zalo\.templates"):
        settings_from_mapping(_zalo(templates=[template]), ENV)


def test_one_template_per_purpose() -> None:
    twice = [
        {"purpose": "checkin_prompt", "template_id": str(i), "params": {"m": "text"}}
        for i in (1, 2)
    ]
    with pytest.raises(ConfigError, match="two templates for one purpose"):
        settings_from_mapping(_zalo(templates=twice), ENV)
