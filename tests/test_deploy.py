"""deploy/: the systemd unit and the nginx configuration say what cachly needs."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.db import Database

DEPLOY = Path(__file__).parent.parent / "deploy"
README = Path(__file__).parent.parent / "README.md"


def _unit(name: str = "cachly.service") -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / name, encoding="utf-8")
    return unit


def test_the_unit_runs_the_installed_command_in_its_directory_with_the_token_file() -> None:
    service = _unit()["Service"]
    program, *arguments = service["ExecStart"].split()
    assert Path(program).name == "cachly"
    assert arguments == ["run"]
    assert service["Restart"] == "on-failure"
    assert service["WorkingDirectory"].startswith("/")
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()
    env = service["EnvironmentFile"]
    example = (DEPLOY / "cachly.env.example").read_text(encoding="utf-8")
    assert re.search(r"^CACHLY_TELEGRAM_TOKEN=", example, re.MULTILINE)
    assert env.startswith("/etc/")
    with pytest.raises(SystemExit) as help_exit:
        main(["run", "--help"])
    assert help_exit.value.code == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # verify wants the program and the environment file to exist: point them at stand-ins.
    program = tmp_path / "cachly"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    env = tmp_path / "cachly.env"
    env.write_text("CACHLY_TELEGRAM_TOKEN=x\n")
    text = (DEPLOY / "cachly.service").read_text(encoding="utf-8")
    text = text.replace("/opt/cachly/bin/cachly", str(program))
    text = text.replace("/etc/cachly/cachly.env", str(env))
    unit = tmp_path / "cachly.service"
    unit.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        if "cachly.service" in line and "User=" not in line and "Group=" not in line
    ]
    assert not problems, result.stderr


def test_the_worker_template_runs_one_webhook_worker_per_port() -> None:
    service = _unit("cachly@.service")["Service"]
    program, *arguments = service["ExecStart"].split()
    assert Path(program).name == "cachly"
    assert arguments == ["run", "--port", "%i"]
    assert service["EnvironmentFile"] == _unit()["Service"]["EnvironmentFile"]
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()
    conf = (DEPLOY / "nginx-cachly.conf").read_text(encoding="utf-8")
    # Every port nginx sends to is one `systemctl enable cachly@PORT` the unit names.
    ports = re.findall(r"server 127\.0\.0\.1:(\d+);", conf)
    header = (DEPLOY / "cachly@.service").read_text(encoding="utf-8")
    enabled = re.search(r"systemctl enable --now (.+)", header)
    assert enabled is not None
    assert enabled.group(1).split() == [f"cachly@{port}" for port in ports]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_worker_template(tmp_path: Path) -> None:
    program = tmp_path / "cachly"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    env = tmp_path / "cachly.env"
    env.write_text("CACHLY_TELEGRAM_TOKEN=x\n")
    text = (DEPLOY / "cachly@.service").read_text(encoding="utf-8")
    text = text.replace("/opt/cachly/bin/cachly", str(program))
    text = text.replace("/etc/cachly/cachly.env", str(env))
    unit = tmp_path / "cachly@8443.service"
    unit.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        if "cachly@" in line and "User=" not in line and "Group=" not in line
    ]
    assert not problems, result.stderr


def test_nginx_forwards_the_webhook_path_and_the_secret_header() -> None:
    conf = (DEPLOY / "nginx-cachly.conf").read_text(encoding="utf-8")
    url = re.search(r'webhook_url = "([^"]+)"', conf)
    assert url is not None
    path = urlsplit(url.group(1)).path
    location = re.search(r"location = (\S+) \{(.*?)\}", conf, re.DOTALL)
    assert location is not None
    assert location.group(1) == path
    body = location.group(2)
    assert "proxy_pass http://cachly_workers;" in body
    assert (
        "proxy_set_header X-Telegram-Bot-Api-Secret-Token $http_x_telegram_bot_api_secret_token;"
        in body
    )
    ports = re.findall(r"server 127\.0\.0\.1:(\d+);", conf)
    assert len(ports) >= 2
    assert "8443" in ports  # telegram.webhook_port's default
    assert re.search(r"listen 443 ssl;", conf)


def test_the_readme_points_at_every_piece() -> None:
    readme = README.read_text(encoding="utf-8")
    for piece in (
        "deploy/cachly.service",
        "deploy/cachly@.service",
        "deploy/cachly.env.example",
        "deploy/nginx-cachly.conf",
    ):
        assert piece in readme
    commands = ("cachly db backup", "cachly doctor", "--lang", "cachly webhook set", "/healthz")
    for command in commands:
        assert command in readme


def _postgresql_settings() -> dict[str, str]:
    settings = {}
    for line in (DEPLOY / "postgresql-cachly.conf").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, value = line.partition("=")
            settings[name.strip()] = value.strip().strip("'")
    return settings


def test_the_postgresql_settings_are_documented_and_keep_personal_data_out_of_its_log() -> None:
    settings = _postgresql_settings()
    assert "postgresql-cachly.conf" in README.read_text(encoding="utf-8")
    # Statements carry names and phone numbers as parameters: none is logged.
    assert settings["log_statement"] == "none"
    assert settings["log_min_duration_statement"] == "-1"
    # The statistics keep up with a round's churn (the default is a fifth of the table).
    assert float(settings["autovacuum_analyze_scale_factor"]) <= 0.02


async def test_postgresql_knows_every_setting_of_the_file(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's own settings")
    async with db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT name, vartype FROM pg_settings"))
        known = {name: kind for name, kind in rows.all()}
    settings = _postgresql_settings()
    assert set(settings) <= set(known), set(settings) - set(known)
    for name, value in settings.items():
        if known[name] == "bool":
            assert value in ("on", "off"), name
        elif known[name] in ("integer", "real"):
            assert re.fullmatch(r"-?\d+(\.\d+)?(kB|MB|GB|ms|s|min|h)?", value), name
