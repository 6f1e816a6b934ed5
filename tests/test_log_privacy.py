"""At DEBUG, from every library, no log line holds a name, a phone, a position or a text."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator

import pytest

from bot import logs
from bot.cli import configure_logging
from bot.clock import FakeClock
from bot.db import Database
from handlers.polling import ReadableUpdates
from tests.bot.test_reports import SECRET
from tests.conftest import make_settings
from tests.handlers.test_cases import IMPORT_CSV
from tests.handlers.test_checkins import answer_questionnaire
from tests.handlers.test_reports import send_report
from tests.harness import Harness, running_bot, start_code

NAME = "Trịnh Quỳnh Xuyến"
ADDRESS = "12 Lê Lợi, tổ 3"
HOME = (19.8067, 105.7852)
HERE = (19.80671, 105.78523)
REPORT = "Bà Xuyến ở số 12 Lê Lợi đang cách ly mà chiều nay ra quán cà phê"
SECRETS = (
    NAME,
    "Xuyến",
    ADDRESS,
    "912345678",
    "912 345 678",
    "19.806",
    "105.785",
    REPORT,
    "ra quán cà phê",
    "Lê Văn Một",
    "Lê Văn Hai",
    "912000001",
    "1 Lê Lợi",
    "Quỳnh Hằng",
    "quynh_hang",
)
_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


@pytest.fixture
def debug_logging() -> Iterator[None]:
    """`cachly -v`'s logging, put back as it was afterwards."""
    names = [*logs.LIBRARY_LEVELS, "telegram.ext.Updater"]
    saved = {
        name: (logging.getLogger(name).level, list(logging.getLogger(name).filters))
        for name in names
    }
    configure_logging(verbose=True)
    yield
    for name, (level, filters) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.filters[:] = filters


@pytest.fixture
async def bot(
    database_url: str, db: Database, clock: FakeClock, debug_logging: None
) -> AsyncIterator[Harness]:
    """The bot with citizen reports on, at DEBUG."""
    settings = make_settings(
        database_url,
        reports={"secret": SECRET},
        outbox={"per_chat_interval_seconds": 0.05, "idle_poll_seconds": 0.05},
    )
    async with running_bot(settings, db, clock) as running:
        yield running


def decoded(text: str) -> str:
    """`text` with JSON's \\uXXXX escapes turned back into the characters they stand for."""

    def one(match: re.Match[str]) -> str:
        try:
            return str(json.loads(f'"{match.group()}"'))
        except ValueError:
            return match.group()

    return _ESCAPES.sub(one, text)


def leaks(records: list[logging.LogRecord]) -> list[tuple[str, str]]:
    """(secret, line) for every record that holds one, formatted or decoded."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    found = []
    for record in records:
        line = formatter.format(record)
        for text in (line, decoded(line)):
            found += [(secret, line[:200]) for secret in SECRETS if secret in text]
    return found


async def _walk(bot: Harness) -> None:
    """Registration, import, enrolment, a check-in with a location, an SOS, a report."""
    from tests.handlers.test_cases import _register

    officer = await bot.officer(1001)
    link = await _register(officer, name=NAME)
    await officer.send_document("danh-sach.csv", IMPORT_CSV.encode("utf-8"), "text/csv")
    question = await officer.wait_for_message(lambda m: "Chưa nhập gì" in (m.text or ""))
    await officer.press("im:ok", question)
    await officer.wait_for_message(lambda m: m.file is not None)

    person = bot.standin.user(5001, first_name="Xuyến", last_name="Trịnh Quỳnh")
    await person.send_text(f"/start {start_code(link)}")
    await person.press("✅ Tôi đồng ý", await person.wait_for_message())
    await person.wait_for_message(lambda m: "Gửi vị trí nhà" in (m.text or ""))
    await person.send_location(*HOME, horizontal_accuracy=12)
    await person.wait_for_message(lambda m: "Đã gửi vị trí nhà" in (m.text or ""))
    home = await officer.wait_for_message(lambda m: "Đúng là nhà" in (m.text or ""))
    await officer.press("✅ Đúng nhà", home)
    await person.wait_for_message(lambda m: "đã xác nhận" in (m.text or ""))

    await person.send_text("/checkin")
    await person.wait_for_message()
    await answer_questionnaire(person, f0=True)
    await person.send_location(*HERE, horizontal_accuracy=10)
    await person.wait_for_message(lambda m: "Cảm ơn" in (m.text or ""))
    await person.send_text("/sos")
    await person.wait_for_message()
    await officer.wait_for_message(lambda m: NAME in (m.text or "") and "SOS" in (m.text or ""))

    citizen = bot.standin.user(770_001, first_name="Quỳnh Hằng", username="quynh_hang")
    await send_report(citizen, REPORT)
    await officer.wait_for_message(lambda m: REPORT in (m.text or ""))


async def test_a_whole_day_at_debug_logs_no_personal_data(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await _walk(bot)
    records = caplog.records
    print(f"\n{len(records)} records scanned")
    # DEBUG is on: one line per update says what it was, by ids.
    lines = [r.getMessage() for r in records]
    assert sum("update " in line for line in lines) >= 30
    assert any("message command /checkin, chat 5001 (private)" in line for line in lines)
    assert leaks(records) == []


def test_the_scan_finds_an_escaped_name() -> None:
    record = logging.LogRecord("x", logging.DEBUG, "", 0, "%s", (json.dumps([NAME]),), None)
    assert leaks([record]) == [
        (NAME, f"x DEBUG {json.dumps([NAME])}"),
        ("Xuyến", f"x DEBUG {json.dumps([NAME])}"),
    ]


def test_an_unreadable_update_in_a_poll_is_skipped_by_its_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = {
        "update_id": 7,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"},
    }
    bad = {"update_id": 8, "message": {"text": "+84987654321"}}
    payload = json.dumps({"ok": True, "result": [bad, good]}).encode()
    with caplog.at_level(logging.DEBUG):
        answer = ReadableUpdates.parse_json_payload(payload)
    assert answer["result"] == [{"update_id": 8}, good]
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("update 8 could not be read (")
    assert "84987654321" not in caplog.text


def test_a_webhook_update_that_cannot_be_read_is_logged_by_its_id(
    caplog: pytest.LogCaptureFixture, debug_logging: None
) -> None:
    updater = logging.getLogger("telegram.ext.Updater")
    with caplog.at_level(logging.DEBUG):
        try:
            raise TypeError("bad +84987654321")
        except TypeError as error:
            updater.critical(
                "Something went wrong processing the data received from Telegram. "
                "Received data was *not* processed! Received data was: %r",
                {"update_id": 9, "message": {"text": "+84987654321"}},
                exc_info=error,
            )
    assert [r.getMessage() for r in caplog.records] == [
        "update 9 could not be read (TypeError); skipped"
    ]
    assert "84987654321" not in caplog.text


async def test_polling_goes_on_after_an_unreadable_update(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        harness.standin._push_update("message", {"text": "+84987654321"})
        user = harness.user(41)
        await user.send_text("/help")
        assert "/report" in ((await user.wait_for_message()).text or "")
    assert "could not be read" in caplog.text
    assert "84987654321" not in caplog.text
