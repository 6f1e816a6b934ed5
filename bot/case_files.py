"""Case fields and files: parsing what officers type or upload, and writing exports.

Pure code: no database, no Telegram. Field parsers raise `FieldError` (a `UserError`), so
a chat step can answer with the reason and keep its state, and a file import can list the
reason against the row number.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import phonenumbers
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.channels import parse_channel
from bot.errors import UserError
from bot.text import fold

KINDS = ("f0", "f1", "other")
MAX_NAME = 200
MAX_ADDRESS = 500
MIN_BIRTH_YEAR = 1900

# Import and export share these columns, Vietnamese headers first (what the export writes).
FIELDS = (
    "full_name",
    "phone",
    "birth_year",
    "address",
    "kind",
    "source_code",
    "start_date",
    "end_date",
    "lat",
    "lon",
    "channel",
)
VI_HEADERS = {
    "full_name": "Họ và tên",
    "phone": "Số điện thoại",
    "birth_year": "Năm sinh",
    "address": "Địa chỉ",
    "kind": "Loại",
    "source_code": "Mã ca nguồn",
    "start_date": "Ngày bắt đầu",
    "end_date": "Ngày kết thúc",
    "lat": "Vĩ độ",
    "lon": "Kinh độ",
    "channel": "Kênh",
}
EN_HEADERS = {
    "full_name": "Full name",
    "phone": "Phone",
    "birth_year": "Year of birth",
    "address": "Address",
    "kind": "Kind",
    "source_code": "Source case",
    "start_date": "Start date",
    "end_date": "End date",
    "lat": "Latitude",
    "lon": "Longitude",
    "channel": "Channel",
}
# Headers are matched folded (no diacritics, no case), with the spellings people use.
_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": ("ho ten", "ten", "name", "ho va ten nguoi cach ly"),
    "phone": ("sdt", "so dt", "dien thoai", "phone number", "telephone", "mobile"),
    "birth_year": ("nam sinh", "birth year", "year of birth", "yob"),
    "address": ("dia chi", "noi o", "address"),
    "kind": ("loai", "phan loai", "kind", "type"),
    "source_code": ("ma ca nguon", "ca nguon", "f0 nguon", "source", "source case"),
    "start_date": ("ngay bat dau", "bat dau", "start", "start date"),
    "end_date": ("ngay ket thuc", "ket thuc", "end", "end date"),
    "lat": ("vi do", "lat", "latitude"),
    "lon": ("kinh do", "lon", "lng", "long", "longitude"),
    "channel": ("kenh", "kenh lien lac", "channel", "kenh nhan tin"),
}
HEADER_FIELDS: dict[str, str] = {
    fold(name): field
    for field in FIELDS
    for name in (VI_HEADERS[field], EN_HEADERS[field], *_ALIASES[field])
}
REQUIRED = ("full_name", "phone")


class FieldError(UserError):
    """A value that cannot be used, with the catalogue key that says why."""


@dataclass(frozen=True)
class CaseDraft:
    """What an officer gives for one case, validated; dates and home are optional."""

    full_name: str
    phone: str
    birth_year: int | None = None
    address: str = ""
    kind: str = "f1"
    source_code: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    # The home point, when the officer knows it; the zone is built from it.
    home: tuple[float, float] | None = None
    # What carries the person's messages (bot.channels.Channel's value).
    channel: str = "telegram"


@dataclass(frozen=True)
class Problem:
    """One reason a row cannot be imported."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class RowProblem:
    """A bad row: its number as the spreadsheet shows it, and every reason."""

    row: int
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Table:
    """The rows of an uploaded file, each with its spreadsheet row number."""

    rows: tuple[tuple[int, dict[str, str]], ...]


# ---- fields ----------------------------------------------------------------------------


def parse_name(text: str) -> str:
    """A person's full name: trimmed, spaces squeezed, in title case, at least two letters."""
    name = title_name(text)
    if sum(ch.isalpha() for ch in name) < 2:
        raise FieldError("cases.bad_name")
    if len(name) > MAX_NAME:
        raise FieldError("cases.too_long", limit=MAX_NAME)
    return name


def title_name(text: str) -> str:
    """A full name in Vietnamese title case: "nguyễn thị hoà" becomes "Nguyễn Thị Hoà".

    Only words typed all in lower case change: a word someone capitalised on purpose
    ("McLean", "NGUYỄN") is theirs to keep.
    """
    words = unicodedata.normalize("NFC", text).split()
    # str.upper maps every precomposed Vietnamese letter, đ included.
    return " ".join(word[0].upper() + word[1:] if word.islower() else word for word in words)


def parse_address(text: str) -> str:
    """An address: free text, trimmed."""
    address = " ".join(unicodedata.normalize("NFC", text).split())
    if len(address) > MAX_ADDRESS:
        raise FieldError("cases.too_long", limit=MAX_ADDRESS)
    return address


def parse_phone(text: str) -> str:
    """A Vietnamese phone number in E.164: 0912 345 678, +84912345678 and 84912345678 agree."""
    raw = text.strip()
    digits = re.sub(r"[\s.\-()]", "", raw)
    # "84912345678" without the plus is common in spreadsheets; phonenumbers would read it
    # as a national number.
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException:
        raise FieldError("cases.bad_phone", value=raw[:30]) from None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise FieldError("cases.bad_phone", value=raw[:30])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A stored number as Vietnamese people write it: 0912 345 678 (every case text uses this)."""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def parse_birth_year(text: str, today: date) -> int:
    """A year of birth between 1900 and this year."""
    value = text.strip().removesuffix(".0")
    if not value.isdecimal() or not MIN_BIRTH_YEAR <= int(value) <= today.year:
        raise FieldError("cases.bad_birth_year", value=text.strip()[:10], year=today.year)
    return int(value)


def parse_kind(text: str) -> str:
    """F0, F1 or other (Vietnamese or English words accepted)."""
    value = fold(text).replace(" ", "")
    kinds = {"f0": "f0", "f1": "f1", "other": "other", "khac": "other"}
    if value not in kinds:
        raise FieldError("cases.bad_kind", value=text.strip()[:10])
    return kinds[value]


def parse_channel_field(text: str) -> str:
    """Telegram, Zalo or SMS (also "tin nhắn"), as a channel's value."""
    channel = parse_channel(text)
    if channel is None:
        raise FieldError("channel.bad", value=text.strip()[:10])
    return channel.value


def parse_date(text: str, today: date) -> date:
    """A date as dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy, dd/mm) or ISO yyyy-mm-dd."""
    value = text.strip().split(" ")[0] if text.strip() else ""
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            return date.fromisoformat(_pad_iso(value))
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?", value)
        if match:
            day, month, year = match.groups()
            full_year = today.year if year is None else int(year)
            if full_year < 100:
                full_year += 2000
            return date(full_year, int(month), int(day))
    except ValueError:
        pass
    raise FieldError("cases.bad_date", value=text.strip()[:20])


def _pad_iso(value: str) -> str:
    year, month, day = value.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def format_point(lat: float, lon: float) -> str:
    """A point as Google Maps shows it, latitude first, so an officer can compare."""
    return f"{lat:.6f}".rstrip("0").rstrip(".") + ", " + f"{lon:.6f}".rstrip("0").rstrip(".")


def parse_coordinate(text: str, low: float, high: float, key: str) -> float:
    """One latitude or longitude; a decimal comma (21,0285) is accepted; `key` names the field."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise FieldError(key, value=text.strip()[:30]) from None
    if not low <= value <= high:
        raise FieldError(key, value=text.strip()[:30])
    return value


def normalise_code(text: str) -> str:
    """A case code as typed: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", text).upper()


# ---- rows ------------------------------------------------------------------------------


def draft_from_row(values: dict[str, str], today: date) -> CaseDraft | tuple[Problem, ...]:
    """Validate one row: a draft, or every reason it is bad."""
    problems: list[Problem] = []
    found: dict[str, Any] = {}

    def attempt(field: str, parse: Any) -> None:
        raw = values.get(field, "").strip()
        if not raw:
            return
        try:
            found[field] = parse(raw)
        except FieldError as error:
            problems.append(Problem(error.key, tuple(error.params.items())))

    if not values.get("full_name", "").strip():
        problems.append(Problem("cases.problem.no_name"))
    if not values.get("phone", "").strip():
        problems.append(Problem("cases.problem.no_phone"))
    attempt("full_name", parse_name)
    attempt("phone", parse_phone)
    attempt("birth_year", lambda v: parse_birth_year(v, today))
    attempt("address", parse_address)
    attempt("kind", parse_kind)
    attempt("source_code", normalise_code)
    attempt("start_date", lambda v: parse_date(v, today))
    attempt("end_date", lambda v: parse_date(v, today))
    attempt("lat", lambda v: parse_coordinate(v, -90, 90, "cases.problem.bad_latitude"))
    attempt("lon", lambda v: parse_coordinate(v, -180, 180, "cases.problem.bad_longitude"))
    attempt("channel", parse_channel_field)
    if ("lat" in found) != ("lon" in found) and not problems:
        problems.append(Problem("cases.problem.half_coordinates"))
    start, end = found.get("start_date"), found.get("end_date")
    if start and end and end <= start:
        problems.append(Problem("cases.end_before_start"))
    if problems:
        return tuple(problems)
    home = (found["lat"], found["lon"]) if "lat" in found and "lon" in found else None
    return CaseDraft(
        full_name=found["full_name"],
        phone=found["phone"],
        birth_year=found.get("birth_year"),
        address=found.get("address", ""),
        kind=found.get("kind", "f1"),
        source_code=found.get("source_code"),
        start_date=start,
        end_date=end,
        home=home,
        channel=found.get("channel", "telegram"),
    )


# ---- reading files ---------------------------------------------------------------------


def read_table(filename: str, content: bytes, *, max_bytes: int, max_rows: int) -> Table:
    """Read the rows of a CSV or XLSX file, refusing what is too big or unreadable."""
    if len(content) > max_bytes:
        raise UserError("cases.file_too_big", limit=_size(max_bytes))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx" or (not extension and zipfile.is_zipfile(io.BytesIO(content))):
        grid = _xlsx_rows(content)
    elif extension in ("csv", "txt"):
        grid = _csv_rows(_decode(content))
    elif extension == "xls":
        raise UserError("cases.file_xls")
    else:
        raise UserError("cases.file_type")
    return _table(grid, max_rows)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1258."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_legacy(content)
    return unicodedata.normalize("NFC", text)


def _decode_legacy(content: bytes) -> str:
    # Excel on a Vietnamese Windows saves "CSV" in Windows-1258, whose tone marks are
    # combining characters: decode, then compose (the caller normalises).
    try:
        text = content.decode("cp1258")
    except UnicodeDecodeError:
        raise UserError("cases.file_encoding") from None
    if _lost_letters(text):
        # Saved in a Western code page (CP1252): the Vietnamese letters became '?'.
        raise UserError("cases.file_encoding")
    return text


def _lost_letters(text: str) -> bool:
    # A '?' inside a word is what Excel writes for a letter the code page lacks.
    return re.search(r"\w\?|\?\w", text) is not None


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": a line may end in CR alone (Excel for Mac's "CSV (Macintosh)"), CRLF or LF,
    # and a quoted field may hold any of them, as the csv module expects.
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error:  # a field over the module's limit (128 KB): no case list
        raise UserError("cases.csv_unreadable") from None


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UserError("cases.file_unreadable") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(grid: list[list[str]], max_rows: int) -> Table:
    rows = iter(enumerate(grid, start=1))
    header: list[str] | None = None
    for _number, cells in rows:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if header is None:
        raise UserError("cases.file_empty")
    columns = {i: HEADER_FIELDS.get(fold(name)) for i, name in enumerate(header)}
    present = {field for field in columns.values() if field}
    missing = [VI_HEADERS[f] for f in REQUIRED if f not in present]
    if missing:
        raise UserError("cases.file_missing_columns", columns=", ".join(missing))
    table: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(table) >= max_rows:
            raise UserError("cases.file_too_many_rows", limit=max_rows)
        values = {
            field: cells[i].strip()
            for i, field in columns.items()
            if field and i < len(cells) and cells[i].strip()
        }
        table.append((number, values))
    if not table:
        raise UserError("cases.file_empty")
    return Table(tuple(table))


# ---- writing files ---------------------------------------------------------------------


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """An XLSX workbook with one sheet, a bold header row and sensible column widths."""
    return write_workbook([("cachly", headers, rows)])


def write_workbook(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]],
) -> bytes:
    """An XLSX workbook with one sheet per (title, headers, rows), in that order."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])  # Excel's limit for a sheet's name
        for index, header in enumerate(headers):
            letter = _column_letter(index)
            sheet.column_dimensions[letter].width = max(12, min(40, len(header) + 4))
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV with a BOM, so Excel shows the Vietnamese letters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
