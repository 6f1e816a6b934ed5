"""Tests of the Bot API stand-in, driven by a real telegram.Bot and a real PTB Application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from standins.telegram import BotApiStandIn, Fault, Limits, parse_html

TOKEN = "123456789:stand-in-test-token"


class FakeMonotonic:
    """A monotonic clock the limit tests move by hand, so that counts are exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _bot(standin: BotApiStandIn) -> Bot:
    return Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    async with _bot(standin) as client:
        yield client


# ---- a minimal real Application ---------------------------------------------------------


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message
    await update.message.reply_text(" ".join(context.args or []) or "(nothing)")


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message
    buttons = [[InlineKeyboardButton("Yes", callback_data="yes")]]
    buttons.append([InlineKeyboardButton("No", callback_data="no")])
    await update.message.reply_text(
        f"start:{' '.join(context.args or [])}", reply_markup=InlineKeyboardMarkup(buttons)
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"chose {query.data}")


async def _location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message
    assert message.location
    location = message.location
    if update.edited_message:
        text = f"moved {location.latitude:.4f},{location.longitude:.4f} {location.live_period}"
    else:
        text = "live" if location.live_period else "static"
        text += " forwarded" if message.forward_origin else ""
    await context.bot.send_message(message.chat.id, text)


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message
    assert update.message.document
    data = await (await update.message.document.get_file()).download_as_bytearray()
    await update.message.reply_document(
        bytes(data[::-1]), filename="reversed.bin", caption=f"{len(data)} bytes"
    )


async def _photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message
    assert update.message.photo
    data = await (await update.message.photo[-1].get_file()).download_as_bytearray()
    await update.message.reply_text(f"photo {len(data)} bytes")


@pytest.fixture
async def app(standin: BotApiStandIn) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("echo", _echo))
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(MessageHandler(filters.LOCATION, _location))
    application.add_handler(MessageHandler(filters.Document.ALL, _document))
    application.add_handler(MessageHandler(filters.PHOTO, _photo))
    async with application:
        await application.start()
        assert application.updater
        await application.updater.start_polling()
        yield application
        await application.updater.stop()
        await application.stop()


# ---- polling ----------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    standin: BotApiStandIn, bot: Bot
) -> None:
    user = standin.user(1, "Lan")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await standin.wait_for_poll()
    await user.send_text("/start abc")
    # Far below the 30 s long-poll timeout: the poll was answered by the update.
    (update,) = await asyncio.wait_for(poll, 5)
    assert update.message
    assert update.message.text == "/start abc"
    assert update.message.from_user
    assert update.message.from_user.first_name == "Lan"
    assert update.message.parse_entities() == {update.message.entities[0]: "/start"}
    assert standin.calls_of("getUpdates")[-1].params["timeout"] == 30


async def test_offsets_confirm_updates_and_limit_caps_a_batch(
    standin: BotApiStandIn, bot: Bot
) -> None:
    user = standin.user(1)
    for text in ("one", "two", "three"):
        await user.send_text(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates()  # nothing confirmed yet
    assert len(again) == 3
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert standin.pending_updates == 0


async def test_allowed_updates_filters_what_is_queued(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(1)
    await bot.get_updates(allowed_updates=["callback_query"])
    await user.send_text("ignored")
    assert standin.pending_updates == 0


async def test_stopping_answers_a_long_poll_in_flight() -> None:
    async with BotApiStandIn(TOKEN) as standin, _bot(standin) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await standin.wait_for_poll()
        await standin.stop()
        assert await asyncio.wait_for(poll, 5) == ()
        assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_webhook_blocks_polling_until_deleted(standin: BotApiStandIn, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert standin.webhook
    assert standin.webhook["secret_token"] == "s3cret"
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


# ---- the HTTP surface -------------------------------------------------------------------


async def test_token_unknown_method_and_all_body_encodings(standin: BotApiStandIn) -> None:
    standin.user(7)
    api = f"{standin.base_url}{TOKEN}"
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{standin.base_url}0:wrong/getMe")
        assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
        unknown = await client.post(f"{api}/fooBar")
        assert unknown.status_code == 404
        assert unknown.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        as_json = await client.post(
            f"{api}/sendMessage", json={"chat_id": 7, "text": "123", "reply_markup": keyboard}
        )
        assert as_json.json()["result"]["reply_markup"] == keyboard
        as_form = await client.post(
            f"{api}/sendmessage",  # Telegram ignores the case of method names
            data={"chat_id": "7", "text": "true", "reply_markup": '{"remove_keyboard":true}'},
        )
        assert as_form.json()["result"]["text"] == "true"
        as_query = await client.get(f"{api}/getMe")
        assert as_query.json()["result"]["username"] == "cachly_test_bot"
        upload = await client.post(
            f"{api}/sendDocument",
            data={"chat_id": "7", "caption": "42"},
            files={"document": ("a.csv", b"x,y\n", "text/csv")},
        )
        assert upload.json()["result"]["document"]["file_name"] == "a.csv"
    form_call = standin.calls_of("sendMessage")[1]
    assert form_call.params == {
        "chat_id": 7,
        "text": "true",
        "reply_markup": {"remove_keyboard": True},
    }
    assert form_call.message
    assert form_call.message.reply_markup == {"remove_keyboard": True}
    uploaded = standin.messages(7)[-1].file
    assert uploaded
    assert uploaded.content == b"x,y\n"


# ---- sending and editing ----------------------------------------------------------------


async def test_send_message_round_trip(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(42, "Minh", language_code="en")
    user_message_id = await user.send_text("hi")
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Share location", request_location=True)]])
    sent = await bot.send_message(
        42,
        "<b>Xin chào</b> &amp; welcome",
        parse_mode="HTML",
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert sent.text == "Xin chào & welcome"
    assert sent.message_id == user_message_id + 1  # one id sequence per chat, both sides
    assert sent.text_html == "<b>Xin chào</b> &amp; welcome"
    assert sent.from_user
    assert sent.from_user.username == "cachly_test_bot"
    received = await user.wait_for_message()
    assert received is user.last_message
    assert received.text == "Xin chào & welcome"
    assert received.reply_markup == keyboard.to_dict()
    call = standin.calls_of("sendMessage")[-1]
    assert call.chat_id == 42
    assert call.ok
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert call.result["message_id"] == sent.message_id


async def test_edits_change_the_stored_message(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(5)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ok", callback_data="ok")]])
    sent = await bot.send_message(5, "first", reply_markup=markup)
    await bot.edit_message_text("second", chat_id=5, message_id=sent.message_id)
    assert user.last_message
    assert user.last_message.text == "second"
    assert user.last_message.buttons == []  # an edit without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("second", chat_id=5, message_id=sent.message_id)
    await bot.edit_message_reply_markup(5, sent.message_id, reply_markup=markup)
    assert [b["text"] for b in user.last_message.buttons] == ["Ok"]
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(5, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("x", chat_id=5, message_id=999)
    first_response = standin.calls_of("sendMessage")[0].result
    assert first_response["text"] == "first"  # recorded answers are not rewritten by edits
    await bot.send_chat_action(5, "typing")
    assert await bot.delete_message(5, sent.message_id)
    assert user.messages == []
    with pytest.raises(BadRequest, match="to delete not found"):
        await bot.delete_message(5, sent.message_id)


async def test_bot_live_location_can_be_edited_until_stopped(
    standin: BotApiStandIn, bot: Bot
) -> None:
    user = standin.user(9)
    sent = await bot.send_location(9, 21.0278, 105.8342, live_period=900)
    edited = await bot.edit_message_live_location(
        9, sent.message_id, latitude=21.03, longitude=105.84
    )
    assert not isinstance(edited, bool)
    assert edited.location
    assert (edited.location.latitude, edited.location.live_period) == (21.03, 900)
    assert user.last_message
    assert user.last_message.location == edited.location.to_dict()
    await bot.stop_message_live_location(9, sent.message_id)
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_live_location(9, sent.message_id, latitude=21.0, longitude=105.0)


# ---- acting as users against a real Application -----------------------------------------


async def test_app_answers_commands_with_payload(
    app: Application,  # type: ignore[type-arg]
    standin: BotApiStandIn,
) -> None:
    user = standin.user(100, "An")
    await user.send_text("/echo hello world")
    assert (await user.wait_for_message()).text == "hello world"
    await user.send_text("/start invite-code")
    reply = await user.wait_for_message()
    assert reply.text == "start:invite-code"
    assert [b["callback_data"] for b in reply.buttons] == ["yes", "no"]


async def test_button_press_reaches_the_app(
    app: Application,  # type: ignore[type-arg]
    standin: BotApiStandIn,
) -> None:
    user = standin.user(101)
    await user.send_text("/start")
    await user.wait_for_message()
    await user.press("No")
    answer = await user.wait_for_answer()
    assert answer.params["text"] == "got no"
    assert answer.chat_id == 101
    edit = await standin.wait_for_call("editMessageText")
    assert edit.ok
    assert user.last_message
    assert user.last_message.text == "chose no"
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await user.press("Yes")


async def test_locations_and_live_edits_reach_the_app(
    app: Application,  # type: ignore[type-arg]
    standin: BotApiStandIn,
) -> None:
    user = standin.user(102)
    live = await user.send_location(21.0278, 105.8342, horizontal_accuracy=20, live_period=900)
    assert (await user.wait_for_message()).text == "live"
    await user.edit_live_location(live, 21.0301, 105.8355, horizontal_accuracy=12)
    assert (await user.wait_for_message()).text == "moved 21.0301,105.8355 900"
    await user.send_location(10.0, 106.0, forward=True)
    assert (await user.wait_for_message()).text == "static forwarded"


async def test_documents_and_photos_go_both_ways(
    app: Application,  # type: ignore[type-arg]
    standin: BotApiStandIn,
) -> None:
    user = standin.user(103)
    await user.send_document("notes.txt", b"hello", "text/plain")
    reply = await user.wait_for_message()
    assert reply.text == "5 bytes"
    assert reply.file
    assert (reply.file.filename, reply.file.content) == ("reversed.bin", b"olleh")
    assert reply.message["document"]["file_name"] == "reversed.bin"
    assert standin.calls_of("getFile")[-1].ok
    await user.send_photo(b"\xff\xd8 fake jpeg")
    assert (await user.wait_for_message()).text == "photo 12 bytes"


async def test_wait_for_message_fails_clearly(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(104)
    await bot.send_message(104, "not what you wait for")
    with pytest.raises(AssertionError, match="chat 104; it received:\n  sendMessage 200 'not what"):
        await user.wait_for_message(lambda m: m.text == "never", timeout=0.05)


# ---- Telegram's limits ------------------------------------------------------------------


async def test_per_chat_limit_allows_a_burst_then_answers_429() -> None:
    clock = FakeMonotonic()
    async with BotApiStandIn(TOKEN, monotonic=clock) as standin, _bot(standin) as bot:
        standin.user(1)
        for n in range(3):
            await bot.send_message(1, f"burst {n}")
        for n in range(2):
            with pytest.raises(RetryAfter):
                await bot.send_message(1, f"too fast {n}")
        refused = standin.calls[-1]
        assert refused.status == 429
        assert refused.response["parameters"]["retry_after"] >= 1
        assert refused.description == "Too Many Requests: retry after 1"
        assert standin.count_429 == 2
        clock.now += 1.0  # one second refills one token
        await bot.send_message(1, "paced")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "too fast again")


async def test_overall_limit_spans_all_chats() -> None:
    clock = FakeMonotonic()
    async with BotApiStandIn(TOKEN, monotonic=clock) as standin, _bot(standin) as bot:
        for chat in range(1, 32):
            standin.user(chat)
        for chat in range(1, 31):
            await bot.send_message(chat, "round")
        with pytest.raises(RetryAfter):
            await bot.send_message(31, "one too many")
        assert standin.count_429 == 1
        await bot.send_message(31, "paid", allow_paid_broadcast=True)
        clock.now += 1.0
        await bot.send_message(31, "next second")


async def test_limits_can_be_lifted_or_raised() -> None:
    clock = FakeMonotonic()
    standin = BotApiStandIn(TOKEN, monotonic=clock, limits=Limits.off())
    async with standin, _bot(standin) as bot:
        standin.user(1)
        for n in range(5):  # more than the per-chat burst
            await bot.send_message(1, f"n{n}")
        standin.limits = Limits.paid_broadcast()
        for chat in range(2, 42):  # 40 in one second, beyond the usual 30
            standin.user(chat)
            await bot.send_message(chat, "broadcast")
        assert standin.count_429 == 0


# ---- validation -------------------------------------------------------------------------


def test_parse_html_gives_text_and_entities() -> None:
    text, entities = parse_html(
        '<b>Bold <i>both</i></b> &lt;3 &#128512; <a href="https://x.org/?a=1&amp;b=2">link</a>'
        '<pre><code class="language-python">x = 1</code></pre>'
        "<tg-spoiler>s</tg-spoiler><blockquote expandable>q</blockquote>"
    )
    assert text == "Bold both <3 😀 linkx = 1sq"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
        {"type": "text_link", "url": "https://x.org/?a=1&b=2", "offset": 16, "length": 4},
        {"type": "pre", "language": "python", "offset": 20, "length": 5},
        {"type": "spoiler", "offset": 25, "length": 1},
        {"type": "expandable_blockquote", "offset": 26, "length": 1},
    ]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_parse_html_refuses_what_telegram_refuses(html: str, error: str) -> None:
    with pytest.raises(ValueError, match="^" + error.replace("(", r"\(")):
        parse_html(html)


async def test_text_rules(standin: BotApiStandIn, bot: Bot) -> None:
    standin.user(3)
    standin.limits = Limits.off()
    await bot.send_message(3, "a" * 4096)
    await bot.send_message(3, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # counted parsed
    for text, mode, description in [
        ("a" * 4097, None, "Bad Request: message is too long"),
        ("<b>x</b>" + "a" * 4096, "HTML", "Bad Request: message is too long"),
        ("<b> </b>", "HTML", "Bad Request: message text is empty"),
        ("<unknown>", "HTML", "Bad Request: can't parse entities: Unsupported start tag"),
    ]:
        with pytest.raises(BadRequest):
            await bot.send_message(3, text, parse_mode=mode)
        assert (standin.calls[-1].description or "").startswith(description)


async def test_callback_data_is_at_most_64_bytes(standin: BotApiStandIn, bot: Bot) -> None:
    standin.user(4)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data=data)]])

    await bot.send_message(4, "fits", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):  # bytes, not characters: 33 × 2 = 66
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(4, "too long", reply_markup=keyboard(data))


async def test_unknown_chat_and_blocked_user(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(6)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "who?")
    user.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(6, "hello?")
    assert standin.calls[-1].status == 403
    assert standin.calls[-1].chat_id == 6
    user.unblock()
    await bot.send_message(6, "welcome back")


async def test_commands_are_stored_per_scope_and_language(standin: BotApiStandIn, bot: Bot) -> None:
    standin.user(8)
    await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    officer = BotCommandScopeChat(8)
    await bot.set_my_commands([BotCommand("whoami", "Who am I")], officer, "en")
    assert standin.commands() == [{"command": "start", "description": "Bắt đầu"}]
    scope = {"type": "chat", "chat_id": 8}
    assert standin.commands(scope, "en") == [{"command": "whoami", "description": "Who am I"}]
    assert standin.commands(scope) == []
    assert [c.command for c in await bot.get_my_commands(officer, "en")] == ["whoami"]
    await bot.delete_my_commands(officer, "en")
    assert await bot.get_my_commands(officer, "en") == ()
    await bot.set_chat_menu_button(8, MenuButtonCommands())
    assert standin.menu_buttons[8] == {"type": "commands"}
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


async def test_dates_follow_the_injected_clock() -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with BotApiStandIn(TOKEN, clock=lambda: moment) as standin, _bot(standin) as bot:
        user = standin.user(1)
        await user.send_text("hi")
        (update,) = await bot.get_updates()
        assert update.message
        assert update.message.date == moment
        assert (await bot.send_message(1, "hello")).date == moment


# ---- fault injection --------------------------------------------------------------------


async def test_injected_faults_are_used_once_each(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(11)
    standin.inject_faults([Fault.too_many(7), Fault.bad_gateway(), Fault.hang()])
    with pytest.raises(RetryAfter):
        await bot.send_message(11, "one")
    assert standin.calls[-1].response["parameters"] == {"retry_after": 7}
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(11, "two")
    with pytest.raises(TimedOut):
        await bot.send_message(11, "three", read_timeout=0.2)
    assert user.messages == []
    await bot.send_message(11, "four")
    assert [c.status for c in standin.calls_of("sendMessage")] == [429, 502, 502, 200]
    assert standin.count_429 == 1
    assert [m.text for m in user.messages] == ["four"]


async def test_a_hang_can_lose_only_the_answer(standin: BotApiStandIn, bot: Bot) -> None:
    user = standin.user(12)
    standin.inject_faults([Fault.hang(deliver=True)])
    sending = asyncio.create_task(bot.send_message(12, "delivered", read_timeout=0.3))
    hanging = await standin.wait_for_call("sendMessage")
    await user.send_text("an update does not end the hang")
    with pytest.raises(TimedOut):
        await sending
    assert hanging.ok
    assert [m.text for m in user.messages] == ["delivered"]
