"""One Bot API stand-in per bot, in a process of its own, for the national benchmark.

    python -m benchmarks.fleet SPEC.json

The spec names each bot's token and the chats that talk to it. Every stand-in enforces
Telegram's free limits (about 30 new messages a second per bot, one a second per chat).
The process prints one JSON line with each bot's port, then answers a line "report" on
stdin with one JSON line of what each bot delivered (per chat, the wall-clock times of its
messages) and the 429s it answered; it stops at the end of stdin.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from cachly.demo.texts import says
from standins.telegram import BotApiStandIn, Limits


async def serve(spec: dict[str, Any]) -> None:
    """Start the stand-ins, print their ports, then report on request until stdin ends."""
    async with contextlib.AsyncExitStack() as stack:
        standins: dict[str, BotApiStandIn] = {}
        for bot in spec["bots"]:
            standin = await stack.enter_async_context(
                BotApiStandIn(
                    bot["token"],
                    bot_username=bot["username"],
                    limits=Limits(),
                    # Wall-clock times, so the benchmark can compare them with due times.
                    monotonic=time.time,
                )
            )
            for chat in range(bot["first_chat"], bot["first_chat"] + bot["chats"]):
                standin.user(chat)
            standins[bot["key"]] = standin
        gc.collect()
        gc.freeze()  # hundreds of thousands of users: keep the collector off them
        print(json.dumps({key: s.port for key, s in standins.items()}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            print(json.dumps(report(standins)), flush=True)


def report(standins: dict[str, BotApiStandIn]) -> dict[str, Any]:
    """Per bot: the times of each chat's delivered prompts and reminders, and the 429s."""
    out: dict[str, Any] = {}
    for key, standin in standins.items():
        sends: dict[int, list[float]] = defaultdict(list)
        reminders: dict[int, list[float]] = defaultdict(list)
        for call in standin.calls:
            if call.method == "sendMessage" and call.ok and call.chat_id is not None:
                text = call.message.text if call.message else None
                kind = reminders if says(text, "checkin.reminder") else sends
                kind[call.chat_id].append(call.at)
        out[key] = {"sends": sends, "reminders": reminders, "count_429": standin.count_429}
    return out


if __name__ == "__main__":
    asyncio.run(serve(json.loads(Path(sys.argv[1]).read_text())))
