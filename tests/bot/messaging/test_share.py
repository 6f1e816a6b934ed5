"""The bots' send locks shared among live workers: each sends for its fair share (#13)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.config import OutboxSettings
from bot.db import Database
from bot.messaging.heartbeat import ProcessHeartbeat
from bot.messaging.seat import SenderSeat, process_locks
from bot.messaging.share import OtherSeat, elect, fair_share

BOTS = [101, 102, 103, 104]


def seats_of(
    process: str, leading: set[int], served: list[int], fresh: bool = True
) -> list[OtherSeat]:
    return [OtherSeat(process, key, key in leading, fresh) for key in served]


def test_a_lone_process_tries_every_bot() -> None:
    election = elect("a", leading=set(), standing=set(BOTS), others=[])
    assert election.try_keys == BOTS
    assert election.hand_over == []


def test_a_process_above_its_share_hands_over_what_the_other_can_take() -> None:
    others = seats_of("b", leading=set(), served=BOTS)
    election = elect("a", leading=set(BOTS), standing=set(), others=others)
    assert len(election.hand_over) == 2
    assert election.try_keys == []


def test_a_process_below_its_share_tries_the_bots_nobody_sends_for_first() -> None:
    others = seats_of("a", leading={101, 102, 103}, served=BOTS)
    election = elect("b", leading=set(), standing=set(BOTS), others=others)
    assert election.try_keys == [104, 101]  # its share is 2: the free one, then one held


def test_nothing_is_handed_to_a_process_that_does_not_serve_the_bot() -> None:
    others = seats_of("b", leading=set(), served=[101])
    election = elect("a", leading=set(BOTS), standing=set(), others=others)
    assert election.hand_over == [101]  # only the bot b can send for


def test_a_stale_process_counts_for_nothing() -> None:
    others = seats_of("b", leading={103, 104}, served=BOTS, fresh=False)
    election = elect("a", leading={101, 102}, standing={103, 104}, others=others)
    assert election.try_keys == [103, 104]  # b's beat stopped: a's share is every bot


def test_a_bot_nobody_sends_for_long_is_tried_whatever_the_share() -> None:
    others = seats_of("b", leading={101, 102}, served=BOTS)
    election = elect("a", leading={103, 104}, standing={105}, others=others, unled_long={105})
    assert election.try_keys == [105]


class Sharing:
    """Processes' beats against a model of the locks: who holds each bot's."""

    def __init__(self, names: list[str], keys: list[int], holder: dict[int, str | None]) -> None:
        self.names, self.keys, self.holder = names, keys, holder
        self.handing: dict[str, list[int]] = {name: [] for name in names}

    def beat(self, name: str) -> None:
        for key in self.handing[name]:  # the lock goes a beat after standing down
            self.holder[key] = None
        self.handing[name] = []
        others = [
            OtherSeat(other, key, self.holder[key] == other, True)
            for other in self.names
            if other != name
            for key in self.keys
        ]
        mine = {key for key in self.keys if self.holder[key] == name}
        election = elect(name, leading=mine, standing=set(self.keys) - mine, others=others)
        for key in election.hand_over:
            self.holder[key] = "handing"
            self.handing[name].append(key)
        for key in election.try_keys:
            if self.holder[key] is None:
                self.holder[key] = name


@settings(max_examples=200, deadline=None)
@given(bots=st.integers(1, 40), processes=st.integers(1, 6), data=st.data())
def test_shares_settle_with_every_bot_led_once_and_no_process_above_its_share(
    bots: int, processes: int, data: st.DataObject
) -> None:
    """Whoever holds what at the start, beats in any order end in a fair sharing."""
    names = [f"p{n}" for n in range(processes)]
    keys = list(range(bots))
    holder = {key: data.draw(st.sampled_from([None, *names])) for key in keys}
    sharing = Sharing(names, keys, holder)
    for _ in range(12 * processes):
        sharing.beat(data.draw(st.sampled_from(names)))
    for _ in range(3):  # then a few beats each, in turn, let every hand-over finish
        for name in names:
            sharing.beat(name)
    share = fair_share(bots, processes)
    assert all(holder[key] in names for key in keys)  # every bot sends
    assert all(sum(1 for key in keys if holder[key] == name) <= share for name in names)


class Monotonic:
    """The heartbeats' monotonic time, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def leading(seats: list[SenderSeat]) -> set[int]:
    return {seat.key for seat in seats if seat.leading}


async def test_two_workers_share_the_bots_and_one_takes_all_when_the_other_dies(
    db: Database, clock: FakeClock
) -> None:
    if db.settings.is_sqlite:
        pytest.skip("one process on SQLite: every sender sends")
    # A beat far longer than the test: each beat here is one the test asks for.
    outbox = replace(OutboxSettings(), heartbeat_seconds=60.0, owner_stale_seconds=180.0)
    monotonic = Monotonic()
    other_db = Database(db.settings)  # the second worker's own connections
    first = ProcessHeartbeat(db, clock, outbox, monotonic=monotonic, on_resent=None)
    second = ProcessHeartbeat(other_db, clock, outbox, monotonic=monotonic, on_resent=None)
    first_seats = [SenderSeat(db, bot_id=bot) for bot in BOTS]
    second_seats = [SenderSeat(other_db, bot_id=bot) for bot in BOTS]
    try:
        for seat in first_seats:
            await first.join(seat)
        assert leading(first_seats) == set(BOTS)  # alone, it sends for every bot

        for seat in second_seats:
            await second.join(seat)
        for _ in range(3):
            monotonic.now += 60.0
            await first.beat()
            await second.beat()
        assert len(leading(first_seats)) == 2
        assert len(leading(second_seats)) == 2
        assert leading(first_seats) | leading(second_seats) == set(BOTS)

        # The second worker dies: its locks go with its session, its beat stops.
        await process_locks(other_db.engine).broken()
        for _ in range(3):
            monotonic.now += 60.0
            await first.beat()
        assert leading(first_seats) == set(BOTS)
    finally:
        for heartbeat, seats in ((first, first_seats), (second, second_seats)):
            for seat in seats:
                await heartbeat.leave(seat)
                await seat.leave()
        await other_db.dispose()
