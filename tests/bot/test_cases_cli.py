"""`cachly cases import FILE --commune ...`: the same validation as in chat."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.cli import main
from bot.services import Services

GOOD = "Họ và tên,Số điện thoại,Loại\nLê Văn Một,0912000001,F1\nLê Văn Hai,0912000002,F0\n"


def test_import_writes_the_links_file(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = cli_env.parent / "ds.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert main(["cases", "import", str(source), "--commune", "hac thanh"]) == 0
    out = capsys.readouterr().out
    assert "Imported 2 cases into Phường Hạc Thành" in out
    with (cli_env.parent / "ds-links.csv").open(encoding="utf-8-sig") as links:
        rows = list(csv.reader(links))
    assert [r[1] for r in rows[1:]] == ["Lê Văn Một", "Lê Văn Hai"]
    assert rows[1][3].startswith("https://t.me/cachly_test_bot?start=p_")
    # The same people again are duplicates: nothing is imported twice.
    assert main(["cases", "import", str(source), "--commune", "14797"]) == 1
    assert "Row 2: already followed" in capsys.readouterr().out


def test_a_file_with_errors_needs_skip_invalid(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = cli_env.parent / "ds.csv"
    source.write_text(GOOD + "Lê Văn Ba,12,F1\n", encoding="utf-8")
    assert main(["cases", "import", str(source), "--commune", "hac thanh"]) == 1
    out = capsys.readouterr().out
    assert "The file has 3 rows, 1 with problems:" in out
    assert "• Row 4: Phone number '12' is not valid" in out
    assert "--skip-invalid" in out
    assert not (cli_env.parent / "ds-links.csv").exists()
    args = ["cases", "import", str(source), "--commune", "hac thanh", "--skip-invalid"]
    assert main([*args, "--links", str(cli_env.parent / "out.csv")]) == 0
    assert "Imported 2 cases" in capsys.readouterr().out


def test_unknown_commune_and_missing_file(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = cli_env.parent / "ds.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert main(["cases", "import", str(source), "--commune", "atlantis"]) == 1
    assert capsys.readouterr().err == "cachly: No single commune matches 'atlantis'.\n"
    assert main(["cases", "import", "nope.xlsx", "--commune", "hac thanh"]) == 1
    assert "nope.xlsx" in capsys.readouterr().err


def test_import_messages_read_as_sentences(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = cli_env.parent / "one.csv"
    source.write_text(
        "Họ và tên,Số điện thoại,Loại,Vĩ độ,Kinh độ\nA,12,F1,95,105.78\n", encoding="utf-8"
    )
    assert main(["cases", "import", str(source), "--commune", "hac thanh"]) == 1
    out = capsys.readouterr().out
    # One row is "1 row"; each reason is one clause, none ends in ".;".
    assert "The file has 1 row, 1 with problems:" in out
    line = next(line for line in out.splitlines() if line.startswith("• Row 2:"))
    assert ".;" not in line
    assert line.endswith(".")
    assert line.count(";") == 2  # name, phone, latitude
    # The wrong field is named, once; the good longitude is not blamed.
    assert line.count("latitude '95' is not valid") == 1
    assert "longitude" not in line
    source.write_text(GOOD.splitlines()[0] + "\nLê Văn Một,0912000001,F1\n", encoding="utf-8")
    assert main(["cases", "import", str(source), "--commune", "hac thanh"]) == 0
    assert "Imported 1 case into" in capsys.readouterr().out


def test_both_bad_coordinates_are_named_each_once(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = cli_env.parent / "two.csv"
    source.write_text(
        "Họ và tên,Số điện thoại,Loại,Vĩ độ,Kinh độ\n"
        "Lê Văn Một,0912000001,F1,19.8,x\nLê Văn Hai,0912000002,F1,-91,200\n",
        encoding="utf-8",
    )
    assert main(["cases", "import", str(source), "--commune", "hac thanh"]) == 1
    out = capsys.readouterr().out
    assert "The file has 2 rows, 2 with problems:" in out
    assert "• Row 2: longitude 'x' is not valid (-180 to 180)." in out
    assert (
        "• Row 3: latitude '-91' is not valid (-90 to 90); "
        "longitude '200' is not valid (-180 to 180)." in out
    )


async def test_the_import_service_tells_its_progress_in_plain_numbers(
    services: Services,
) -> None:
    rows = "".join(f"Lê Văn {i},0912{i:06d},F1\n" for i in range(1, 251))
    seen: list[tuple[int, int]] = []

    async def progress(checked: int, total: int) -> None:
        seen.append((checked, total))

    await services.cases.import_file(
        "ds.csv",
        (GOOD.splitlines()[0] + "\n" + rows).encode(),
        bot_username="cachly_test_bot",
        commune="hac thanh",
        progress=progress,
    )
    # Every hundred rows, and the last.
    assert seen == [(100, 250), (200, 250), (250, 250)]
