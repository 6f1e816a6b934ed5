"""The simulated commune: a generated Vietnamese case list and the behaviour of each person."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.case_files import parse_phone
from bot.errors import UserError

# Phường Hạc Thành, Thanh Hóa: a commune of the default deployment (province 38).
COMMUNE = "Phường Hạc Thành"
PROVINCE = "Thanh Hóa"
CENTRE = (19.8067, 105.7852)

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh")
_GIVEN: tuple[str, ...] = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Hà",
    "Hải",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
)
_GIVEN += ("Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Khánh")
_STREETS = ("Lê Lợi", "Trần Phú", "Quang Trung", "Bà Triệu", "Phan Chu Trinh", "Hạc Thành")


# Prefixes of Vietnam's mobile networks (Viettel, Vinaphone, MobiFone): every number the
# generator writes is one the import accepts, whatever the seed.
MOBILE_PREFIXES = ("096", "097", "098", "086", "091", "094", "088", "090", "093")


def _phone(rng: random.Random) -> str:
    """A mobile number the import accepts (drawn again in the rare case it would not)."""
    while True:
        number = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(1_000_000, 9_999_999)}"
        try:
            parse_phone(number)
        except UserError:
            continue
        return number


class Behaviour(StrEnum):
    """How a simulated person acts on the bot's messages."""

    ON_TIME = "on_time"  # answers every prompt at once, from home
    LATE = "late"  # answers only after the reminder
    FORGETS = "forgets"  # never answers: missed, then unreachable
    WANDERS = "wanders"  # answers on time, but shares a location away from home once
    SPO2_FALLING = "spo2_falling"  # an F0 whose oxygen saturation falls round by round
    SOS = "sos"  # presses /sos once
    HOUSEHOLD = "household"  # two people on one phone
    ZALO = "zalo"  # on Zalo: enrols by the OA's link, answers with buttons, then falls silent
    SMS = "sms"  # an elderly person on a feature phone: answers SMS by reply codes, once SOS


@dataclass(frozen=True, slots=True)
class Resident:
    """One person of the case list and how they will behave."""

    full_name: str
    phone: str
    birth_year: int
    address: str
    kind: str  # "F0" or "F1", as the file says it
    home: tuple[float, float]
    behaviour: Behaviour
    phone_owner: int  # index of the resident whose phone this person uses


# The people whose behaviour the demo is about come first, then everyone ordinary.
_SPECIAL = (
    (Behaviour.WANDERS, "F1"),
    (Behaviour.SPO2_FALLING, "F0"),
    (Behaviour.FORGETS, "F0"),
    (Behaviour.SOS, "F1"),
    (Behaviour.HOUSEHOLD, "F1"),
    (Behaviour.HOUSEHOLD, "F1"),
    (Behaviour.LATE, "F1"),
    (Behaviour.LATE, "F0"),
    (Behaviour.ZALO, "F0"),
    (Behaviour.SMS, "F1"),
)

# The channel (`Kênh` in the list) of the people off Telegram.
CHANNELS = {Behaviour.ZALO: "Zalo", Behaviour.SMS: "SMS"}


def residents(count: int, seed: int) -> list[Resident]:
    """`count` people (at least the special ones), the same for the same seed."""
    rng = random.Random(seed)
    count = max(count, len(_SPECIAL) + 1)
    names: set[str] = set()
    people: list[Resident] = []
    household_home: tuple[float, float] | None = None
    household_owner = 0
    for index in range(count):
        behaviour, kind = (
            _SPECIAL[index] if index < len(_SPECIAL) else (Behaviour.ON_TIME, _kind(rng))
        )
        name = _name(rng, names)
        home = (
            round(CENTRE[0] + rng.uniform(-0.006, 0.006), 6),
            round(CENTRE[1] + rng.uniform(-0.006, 0.006), 6),
        )
        owner = index
        if behaviour is Behaviour.HOUSEHOLD:
            if household_home is None:
                household_home, household_owner = home, index
            home, owner = household_home, household_owner
        street = rng.choice(_STREETS)
        born = rng.randrange(1945, 2005)
        if behaviour is Behaviour.SMS:
            born = 1944  # elderly, on a feature phone
        people.append(
            Resident(
                full_name=name,
                phone=_phone(rng),
                birth_year=born,
                address=f"{rng.randrange(1, 200)} {street}",
                kind=kind,
                home=home,
                behaviour=behaviour,
                phone_owner=owner,
            )
        )
    return people


def _kind(rng: random.Random) -> str:
    return "F0" if rng.random() < 0.3 else "F1"


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        if name not in taken:
            taken.add(name)
            return name


HEADERS: tuple[str, ...] = (
    "Họ và tên",
    "Số điện thoại",
    "Năm sinh",
    "Địa chỉ",
    "Loại",
    "Ngày bắt đầu",
)
HEADERS += ("Vĩ độ", "Kinh độ", "Kênh")


def case_list(people: list[Resident], start: date) -> bytes:
    """The commune's list as a health station would type it: a CSV with Vietnamese headers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Họ và tên",
            "Số điện thoại",
            "Năm sinh",
            "Địa chỉ",
            "Loại",
            "Ngày bắt đầu",
            "Vĩ độ",
            "Kinh độ",
            "Kênh",
        ]
    )
    for person in people:
        writer.writerow(
            [
                person.full_name,
                person.phone,
                person.birth_year,
                person.address,
                person.kind,
                start.strftime("%d/%m/%Y"),
                person.home[0],
                person.home[1],
                CHANNELS.get(person.behaviour, "Telegram"),
            ]
        )
    return out.getvalue().encode("utf-8")
