"""How the live worker processes share the bots' send locks: each sends for its fair share.

On PostgreSQL one sender per bot sends, the one holding the bot's advisory lock
(bot/messaging/seat.py). Were every standing-by seat to try its lock at every beat, the
first worker to start would take every bot's lock and keep them: one event loop would
then send for all 34 bots of a national deployment, beside its ticks, while the other
workers' loops sent nothing, and each bot would fall behind its pace. So each process
leads at most its share, ceil(bots / live processes), and hands over what it holds above
that when another live process holds less.

The lock stays the only thing that says who sends: this module only decides which locks a
process tries and which it gives up, from the other seats' rows as last read (which may be
a beat old). Two processes that disagree about the share at worst try a lock in vain or
hand one over a beat late; never do two senders send for one bot.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class OtherSeat:
    """Another process's seat as its row was last read."""

    process: str
    lock_key: int
    leading: bool
    # Its beat moved lately: its process is alive and its `leading` is current.
    fresh: bool


@dataclass(frozen=True)
class Election:
    """What this process does with the bots' locks at this beat."""

    hand_over: list[int]  # lock keys it holds and gives up (standing down first)
    try_keys: list[int]  # lock keys it tries


def fair_share(bots: int, processes: int) -> int:
    """The most bots one of `processes` live processes sends for."""
    return math.ceil(bots / max(processes, 1))


def elect(
    me: str,
    leading: Collection[int],
    standing: Collection[int],
    others: Iterable[OtherSeat],
    unled_long: Collection[int] = (),
) -> Election:
    """Which locks this process gives up and tries, given what it leads and what it sees.

    `leading` and `standing` are the lock keys of this process's seats that send and that
    stand by; `unled_long` the keys nobody has been seen leading for several beats, tried
    whatever the share (a worker that serves bots the others do not, say).
    """
    fresh = [seat for seat in others if seat.fresh and seat.process and seat.process != me]
    processes = {seat.process for seat in fresh} | {me}
    share = fair_share(len(set(leading) | set(standing)), len(processes))
    led: dict[str, set[int]] = {process: set() for process in processes}
    served: dict[str, set[int]] = {process: set() for process in processes}
    for seat in fresh:
        served[seat.process].add(seat.lock_key)
        if seat.leading:
            led[seat.process].add(seat.lock_key)
    led_elsewhere = set().union(*(keys for process, keys in led.items() if process != me))

    # Hand over what is above the share, but only a bot that a process below its share
    # serves and can take: a lock given up that nobody takes is a bot that does not send.
    hand_over: list[int] = []
    room = {p: share - len(led[p]) for p in processes if p != me and len(led[p]) < share}
    for key in sorted(leading, reverse=True):
        if len(leading) - len(hand_over) <= share:
            break
        taker = next((p for p, left in room.items() if left > 0 and key in served[p]), None)
        if taker is not None:
            hand_over.append(key)
            room[taker] -= 1

    candidates = sorted(set(standing) - set(leading))
    free = share - len(leading)
    # The bots nobody sends for first; then the others, whose holder may be just leaving.
    preferred = [key for key in candidates if key not in led_elsewhere]
    later = [key for key in candidates if key in led_elsewhere]
    try_keys = (preferred + later)[: max(free, 0)]
    try_keys += [key for key in candidates if key in unled_long and key not in try_keys]
    return Election(hand_over=hand_over, try_keys=try_keys)
