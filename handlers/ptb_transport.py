"""The outbox sender's Bot API calls made through PTB's Bot, to compare with HttpTransport."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
from telegram import Bot, InputFile
from telegram import error as tg
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.messaging import transport as sender

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
            if isinstance(value, bytes):
                content = value
                filename = str(kwargs.pop("filename", "chart.png" if name == "photo" else "file"))
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
            kind = sender.UnknownOutcome if fate_unknown(error) else sender.TransientError
            raise kind(str(error) or type(error).__name__) from error
        except tg.TelegramError as error:
            raise sender.PermanentError(str(error)) from error
        return result if isinstance(result, dict) else {}


# httpx errors raised before the request left: it cannot have been delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def fate_unknown(error: tg.TelegramError) -> bool:
    """Whether PTB's TimedOut or NetworkError came after the request went out.

    A 5xx answer is a NetworkError with no cause: Telegram answered, nothing was sent.
    """
    cause = error.__cause__
    if not isinstance(error, (tg.TimedOut, tg.NetworkError)) or isinstance(error, tg.BadRequest):
        return False
    if cause is None:
        return isinstance(error, tg.TimedOut)
    return not isinstance(cause, _NOT_SENT)


def _seconds(error: tg.RetryAfter) -> float:
    # PTB 22 deprecates the int form of retry_after; the private timedelta avoids the warning.
    value = getattr(error, "_retry_after", None)
    if value is not None and hasattr(value, "total_seconds"):
        return float(value.total_seconds())
    return float(error.retry_after)  # type: ignore[arg-type]
