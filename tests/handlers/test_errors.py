"""The one error handler: it logs first, without personal data, then apologises."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from handlers.context import CachlyContext
from tests.harness import Harness


async def _explode(update: Update, context: CachlyContext) -> None:
    raise RuntimeError("database went away")


async def test_failure_is_logged_and_the_user_gets_an_apology(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.application.add_handler(CommandHandler("boom", _explode), group=-1)
    user = harness.user(31, first_name="Nguyễn Thị Hoa")
    with caplog.at_level(logging.INFO):
        await user.send_location(19.8071, 105.7761)
        await user.wait_for_message()
        await user.send_text("/boom")
        apology = await user.wait_for_message()
    assert apology.text == "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút."
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures
    assert failures[0].exc_info is not None
    assert "database went away" in str(failures[0].exc_info[1])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Hoa" not in logged
    assert "19.807" not in logged
    assert "105.776" not in logged
