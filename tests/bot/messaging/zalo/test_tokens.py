"""The OA access token: refreshed before it expires, the rotated refresh token kept."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.messaging.zalo.client import ZaloClient
from bot.messaging.zalo.tokens import TokenKeeper, TokenUnavailable
from standins.zalo import ZaloStandIn


def _stored(path: Path) -> dict[str, str]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _exists(path: Path) -> bool:
    return path.exists()


async def test_the_first_token_comes_from_the_operators_refresh_token(
    zalo: ZaloStandIn, keeper: TokenKeeper, token_file: Path
) -> None:
    first = zalo.tokens.refresh_token
    token = await keeper.access_token()
    assert zalo.tokens.refusal(token) is None
    # Spent and rotated: the new refresh token is in the file, the old one is refused.
    assert first in zalo.tokens.spent
    assert _stored(token_file)["refresh_token"] == zalo.tokens.refresh_token != first
    assert _mode(token_file) == 0o600
    # No temporary file is left beside it.
    names = {p.name for p in token_file.parent.iterdir()}
    assert names == {token_file.name, f".{token_file.name}.lock"}


async def test_the_token_is_reused_until_shortly_before_it_expires(
    zalo: ZaloStandIn, keeper: TokenKeeper, clock: FakeClock
) -> None:
    token = await keeper.access_token()
    clock.advance(timedelta(hours=24))
    assert await keeper.access_token() == token
    assert zalo.tokens.refreshes == 1
    # Zalo's tokens live 25 hours; within the last half hour it is renewed first.
    clock.advance(timedelta(minutes=40))
    renewed = await keeper.access_token()
    assert renewed != token
    assert zalo.tokens.refreshes == 2
    assert zalo.tokens.refusal(renewed) is None


async def test_a_restarted_worker_reads_the_rotated_token_from_the_file(
    zalo: ZaloStandIn,
    keeper: TokenKeeper,
    client: ZaloClient,
    clock: FakeClock,
    token_file: Path,
) -> None:
    first = zalo.tokens.refresh_token
    token = await keeper.access_token()
    # Started again with the operator's (now spent) token in its environment: the file wins.
    again = TokenKeeper(
        client,
        app_id=zalo.app_id,
        app_secret=zalo.tokens.app_secret,
        state_file=token_file,
        clock=clock,
        initial_refresh_token=first,
    )
    assert await again.access_token() == token
    assert zalo.tokens.refreshes == 1
    clock.advance(timedelta(hours=25))
    assert zalo.tokens.refusal(await again.access_token()) is None
    assert zalo.tokens.refreshes == 2


async def test_two_workers_sharing_the_file_never_spend_a_token_twice(
    zalo: ZaloStandIn, client: ZaloClient, clock: FakeClock, token_file: Path
) -> None:
    initial = zalo.tokens.refresh_token

    def worker() -> TokenKeeper:
        return TokenKeeper(
            client,
            app_id=zalo.app_id,
            app_secret=zalo.tokens.app_secret,
            state_file=token_file,
            clock=clock,
            initial_refresh_token=initial,
        )

    a, b = worker(), worker()
    first_a, first_b = await a.access_token(), await b.access_token()
    assert first_a == first_b
    clock.advance(timedelta(hours=25))
    assert await b.access_token() == await a.access_token()
    assert zalo.tokens.refreshes == 2
    refused = [c for c in zalo.calls if c.code != 0]
    assert refused == []


async def test_a_token_zalo_revoked_early_is_replaced_once(
    zalo: ZaloStandIn, keeper: TokenKeeper
) -> None:
    token = await keeper.access_token()
    zalo.tokens.revoke_access_tokens()
    replaced = await keeper.replace(token)
    assert replaced != token
    assert zalo.tokens.refusal(replaced) is None
    # Callers that saw the same stale token get the new one, not another refresh.
    assert await keeper.replace(token) == replaced
    assert zalo.tokens.refreshes == 2


async def test_a_refused_refresh_token_is_reported_not_retried_forever(
    zalo: ZaloStandIn, client: ZaloClient, clock: FakeClock, token_file: Path
) -> None:
    keeper = TokenKeeper(
        client,
        app_id=zalo.app_id,
        app_secret=zalo.tokens.app_secret,
        state_file=token_file,
        clock=clock,
        initial_refresh_token="rt-spent-long-ago",
    )
    with pytest.raises(TokenUnavailable, match="-14014"):
        await keeper.access_token()
    assert not _exists(token_file)
    nothing = TokenKeeper(
        client, app_id=zalo.app_id, app_secret="x", state_file=token_file, clock=clock
    )
    with pytest.raises(TokenUnavailable, match="no Zalo refresh token"):
        await nothing.access_token()
