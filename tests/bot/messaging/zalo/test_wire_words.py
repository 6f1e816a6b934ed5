"""Zalo's wire format stays in the Zalo channel's modules, as Telegram's stays in its own."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
# Zalo's words: only bot/messaging/zalo/ (and the stand-in, and the composition root's
# webhook route) may speak them.
ZALO_WORDS = (
    "oa.query",
    "oa.open.url",
    "template_data",
    "X-ZEvent-Signature",
    "openapi.zalo.me",
    "business.openapi.zalo.me",
    "user_send_text",
)


def test_no_service_speaks_zalos_wire_format() -> None:
    speaking = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "zalo" not in path.relative_to(ROOT / "bot").parts
        for word in ZALO_WORDS
        if word in path.read_text(encoding="utf-8")
    ]
    assert speaking == []
