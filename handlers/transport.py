"""The outbox sender's Transport over python-telegram-bot, and its start and stop.

The sender gets a Bot of its own, without the Application's AIORateLimiter: the sender
owns pacing, and a rate limiter that retries RetryAfter by itself would hide the flood
signal the sender must obey (and cap a paid-broadcast deployment at 30 a second).
"""

from __future__ import annotations

import base64
import warnings
from typing import TYPE_CHECKING, Any

from telegram import Bot, InputFile
from telegram import error as tg
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot import sender
from bot.config import Settings

if TYPE_CHECKING:
    from bot.app import CachlyApplication
    from bot.services import Services

# Outbox parameters are JSON; a file travels as "b64:<base64>" and becomes an upload here.
FILE_PREFIX = sender.FILE_PREFIX
FILE_PARAMS = ("photo", "document")

# The outbox stores plain Bot API calls, so do_api_request is used on purpose, also for the
# methods PTB has typed wrappers for.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)


class PtbTransport:
    """Makes the sender's Bot API calls with PTB, mapping its errors to the sender's."""

    def __init__(self, bot: Bot, timeout: float) -> None:
        self._bot = bot
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> PtbTransport:
        """A transport with its own connection pool, sized for the sender's concurrency."""
        telegram, outbox = settings.telegram, settings.outbox
        timeout = outbox.request_timeout_seconds
        request = HTTPXRequest(
            connection_pool_size=outbox.max_in_flight,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
        )
        kwargs: dict[str, Any] = {"request": request}
        if telegram.base_url:
            kwargs["base_url"] = telegram.base_url
        if telegram.base_file_url:
            kwargs["base_file_url"] = telegram.base_file_url
        return cls(Bot(telegram.token, **kwargs), timeout)

    async def initialize(self) -> None:
        """Open the connection pool."""
        await self._bot.initialize()

    async def shutdown(self) -> None:
        """Close the connection pool."""
        await self._bot.shutdown()

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call one Bot API method; TransportError subclasses say what went wrong."""
        kwargs = dict(params)
        for name in FILE_PARAMS:
            value = kwargs.get(name)
            if isinstance(value, str) and value.startswith(FILE_PREFIX):
                content = base64.b64decode(value.removeprefix(FILE_PREFIX))
                filename = "chart.png" if name == "photo" else str(kwargs.pop("filename", "file"))
                kwargs[name] = InputFile(content, filename=filename)
        try:
            result = await self._bot.do_api_request(
                method,
                api_kwargs=kwargs,
                read_timeout=self._timeout,
                write_timeout=self._timeout,
            )
        except tg.RetryAfter as error:
            raise sender.RetryAfter(_seconds(error), str(error)) from error
        except tg.Forbidden as error:
            raise sender.Forbidden(str(error)) from error
        except (tg.BadRequest, tg.InvalidToken, tg.EndPointNotFound, tg.ChatMigrated) as error:
            # BadRequest is a NetworkError in PTB's hierarchy: it must be caught first.
            raise sender.PermanentError(str(error)) from error
        except (tg.TimedOut, tg.NetworkError) as error:
            raise sender.TransientError(str(error) or type(error).__name__) from error
        except tg.TelegramError as error:
            raise sender.PermanentError(str(error)) from error
        return result if isinstance(result, dict) else {}


def _seconds(error: tg.RetryAfter) -> float:
    # PTB 22 deprecates the int form of retry_after; the private timedelta avoids the warning.
    value = getattr(error, "_retry_after", None)
    if value is not None and hasattr(value, "total_seconds"):
        return float(value.total_seconds())
    return float(error.retry_after)  # type: ignore[arg-type]


SENDER_KEY = "outbox_sender"
TRANSPORT_KEY = "outbox_transport"


async def start_sender(application: CachlyApplication) -> sender.OutboxSender:
    """Start the outbox sender of this process (from the Application's post_init)."""
    from bot.alerts import chat_unreachable, delivery_resent

    services: Services = application.bot_data["services"]
    transport = PtbTransport.from_settings(services.settings)
    await transport.initialize()
    outbox_sender = sender.OutboxSender(
        services.db,
        services.clock,
        transport,
        services.settings.outbox,
        on_forbidden=chat_unreachable,
        on_resent=delivery_resent,
    )
    # Not application.create_task: Application.stop() waits for those tasks, and the sender
    # runs until post_shutdown stops it.
    outbox_sender.start()
    application.bot_data[SENDER_KEY] = outbox_sender
    application.bot_data[TRANSPORT_KEY] = transport
    return outbox_sender


async def stop_sender(application: CachlyApplication) -> None:
    """Stop the outbox sender cleanly (from post_shutdown): open calls finish and are recorded."""
    outbox_sender: sender.OutboxSender | None = application.bot_data.pop(SENDER_KEY, None)
    transport: PtbTransport | None = application.bot_data.pop(TRANSPORT_KEY, None)
    if outbox_sender is not None:
        await outbox_sender.stop()
    if transport is not None:
        await transport.shutdown()
