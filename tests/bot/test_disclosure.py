"""No count under 5 can be worked out from the public page, by subtraction or otherwise.

An attacker who sees the page knows every table of exact counts that would have produced
it. A count is worked out when all those tables agree on it. The tests enumerate every
table of a small province and check that no quantity (a cell, a commune's total, a
province total, any sum of cells, the change from one day to the next) is ever pinned to
1–4 by what the page shows. The way the page used to publish (exact from 5 up, exact
totals) fails the same check, so the check has teeth.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from bot.desk.disclosure import Figure, published, total
from bot.desk.public import AreaCounts, Tally, publish

VALUES = range(13)  # each cell from 0 to 12 people
AT = datetime(2026, 11, 25, 5, tzinfo=UTC)

# A province of two communes, F0 and F1 in each (no "other"): cells (commune, kind).
CELLS = ((0, "f0"), (0, "f1"), (1, "f0"), (1, "f1"))


def _tally(values: Sequence[int]) -> Tally:
    communes = tuple(
        AreaCounts(
            code=code,
            name=f"xã {code}",
            active={"f0": values[2 * code], "f1": values[2 * code + 1], "other": 0},
            new_today=0,
            released_today=0,
        )
        for code in (0, 1)
    )
    province = AreaCounts(38, "tỉnh", {"f0": 0, "f1": 0, "other": 0}, 0, 0)
    return Tally(province=province, communes=communes, at=AT)


def page_now(values: Sequence[int]) -> tuple[str, ...]:
    """Every figure of the public page for these exact counts, as shown."""
    counts = publish(_tally(values))
    shown = []
    for area in (*counts.communes, counts.province):
        shown += [area.active_total.text, *(area.active[k].text for k in ("f0", "f1", "other"))]
    return tuple(shown)


def page_before(values: Sequence[int]) -> tuple[str, ...]:
    """The page as it was: exact counts from 5 up, "< 5" below, totals of the exact counts."""

    def text(count: int) -> str:
        return str(count) if count == 0 or count >= 5 else "< 5"

    communes = [(values[0], values[1]), (values[2], values[3])]
    shown = []
    for f0, f1 in communes:
        shown += [text(f0 + f1), text(f0), text(f1)]
    f0s, f1s = sum(c[0] for c in communes), sum(c[1] for c in communes)
    return (*shown, text(f0s + f1s), text(f0s), text(f1s))


def quantities() -> list[tuple[str, tuple[int, ...]]]:
    """Every sum of cells an attacker may want (each cell, each commune, the province, ...):
    its name and the cells it adds up."""
    found = []
    for size in range(1, len(CELLS) + 1):
        for chosen in itertools.combinations(range(len(CELLS)), size):
            found.append(("+".join(f"{CELLS[i][1]}@{CELLS[i][0]}" for i in chosen), chosen))
    return found


def pinned_small_counts(page: Callable[[Sequence[int]], tuple[str, ...]]) -> list[str]:
    """The quantities some page pins to a single value from 1 to 4."""
    tables: dict[tuple[str, ...], list[tuple[int, ...]]] = defaultdict(list)
    for values in itertools.product(VALUES, repeat=len(CELLS)):
        tables[page(values)].append(values)
    leaks = []
    for shown, consistent in tables.items():
        for name, cells in quantities():
            possible = {sum(values[i] for i in cells) for values in consistent}
            if len(possible) == 1 and 1 <= next(iter(possible)) <= 4:
                leaks.append(f"{name} = {next(iter(possible))} from {shown}")
    return leaks


def test_no_sum_of_cells_is_pinned_to_a_small_count_by_the_page() -> None:
    assert pinned_small_counts(page_now) == []


def test_the_old_page_gave_small_counts_away_by_subtraction() -> None:
    leaks = pinned_small_counts(page_before)
    # e.g. 3 F1 in one commune: its total 8 minus its F0 5, or the province minus the other.
    assert any(leak.startswith("f1@0 = 3 from ('8', '5', '< 5'") for leak in leaks)
    assert len(leaks) > 1000


def test_the_change_between_two_days_is_never_a_small_count() -> None:
    changes: dict[tuple[str, str], set[int]] = defaultdict(set)
    for yesterday, today in itertools.product(range(60), repeat=2):
        changes[(published(yesterday).text, published(today).text)].add(today - yesterday)
    for shown, possible in changes.items():
        if len(possible) == 1:
            assert possible == {0}, shown  # only "0" then "0" is exact: nobody
    assert all(len(p) >= 2 for s, p in changes.items() if s != ("0", "0"))


def test_figures_round_to_5_and_totals_are_made_of_figures() -> None:
    texts = [published(n).text for n in (0, 1, 4, 5, 7, 8, 12, 13, 1234)]
    assert texts == ["0", "< 5", "< 5", "5", "5", "10", "10", "15", "1235"]
    assert published(7) == published(5)  # what is shown is all there is
    parts = [published(n) for n in (3, 23)]  # "< 5" and "25"
    assert total(parts).text == "30"  # 2.5 + 25 = 27.5, rounded half up
    assert total([published(0)]).text == "0"
    assert total([published(2), published(0)]).text == "< 5"
    assert isinstance(total([]), Figure)


def test_bars_are_drawn_from_the_figures() -> None:
    tally = _tally([0, 0, 0, 0])
    days = ((date(2026, 11, 23), 26), (date(2026, 11, 24), 27))
    counts = publish(Tally(tally.province, tally.communes, AT, days))
    assert [(f.text, f.height) for _, f in counts.days] == [("25", 25.0), ("25", 25.0)]
