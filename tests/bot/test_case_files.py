"""Reading case lists (CSV, XLSX, encodings, headers, limits) and writing exports."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from bot.case_files import (
    CaseDraft,
    FieldError,
    display_phone,
    draft_from_row,
    format_point,
    parse_birth_year,
    parse_date,
    parse_name,
    parse_phone,
    read_table,
    write_csv,
    write_xlsx,
)
from bot.errors import UserError

TODAY = date(2026, 11, 25)
LIMITS = {"max_bytes": 2 * 1024 * 1024, "max_rows": 5000}
VI_CSV = (
    "Họ và tên,Số điện thoại,Năm sinh,Địa chỉ,Loại,Ngày bắt đầu,Ngày kết thúc,Vĩ độ,Kinh độ\n"
    "Nguyễn Văn Ân,0912 345 678,1980,12 Lê Lợi,F0,25/11/2026,02/12/2026,19.8067,105.7852\n"
)


@pytest.mark.parametrize("raw", ["0912 345 678", "+84912345678", "84912345678", "0912.345.678"])
def test_phone_numbers_are_normalised(raw: str) -> None:
    assert parse_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["12345", "+33612345678", "0912", "abc"])
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(FieldError) as error:
        parse_phone(raw)
    assert error.value.key == "cases.bad_phone"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25/11/2026", date(2026, 11, 25)),
        ("5/1/2027", date(2027, 1, 5)),
        ("2026-11-25", date(2026, 11, 25)),
        ("25-11-26", date(2026, 11, 25)),
        ("3/12", date(2026, 12, 3)),
        ("2026-11-25 00:00:00", date(2026, 11, 25)),
    ],
)
def test_dates(raw: str, expected: date) -> None:
    assert parse_date(raw, TODAY) == expected


def test_bad_dates() -> None:
    for raw in ("31/02/2026", "tomorrow", "2026/13/01"):
        with pytest.raises(FieldError):
            parse_date(raw, TODAY)


def test_utf8_csv_with_vietnamese_headers() -> None:
    for content in (VI_CSV.encode(), b"\xef\xbb\xbf" + VI_CSV.encode()):
        table = read_table("ds.csv", content, **LIMITS)
        ((row, values),) = table.rows
        assert row == 2
        draft = draft_from_row(values, TODAY)
        assert draft == CaseDraft(
            full_name="Nguyễn Văn Ân",
            phone="+84912345678",
            birth_year=1980,
            address="12 Lê Lợi",
            kind="f0",
            start_date=date(2026, 11, 25),
            end_date=date(2026, 12, 2),
            home=(19.8067, 105.7852),
        )


def _cp1258(text: str) -> bytes:
    """Encode as Windows does: letters with their hat or horn whole, tone marks combining."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in marks if m not in shape)
        out += (unicodedata.normalize("NFC", base + shape) + tones).encode("cp1258")
    return out


def test_windows_1258_csv_is_read_and_cp1252_losses_are_refused() -> None:
    table = read_table("ds.csv", _cp1258(VI_CSV), **LIMITS)
    assert table.rows[0][1]["full_name"] == "Nguyễn Văn Ân"
    lossy = VI_CSV.encode("cp1252", errors="replace")
    with pytest.raises(UserError) as error:
        read_table("ds.csv", lossy, **LIMITS)
    assert error.value.key == "cases.file_encoding"


def test_english_headers_semicolons_and_blank_rows() -> None:
    text = "Full name;Phone;Kind\n\nAn Nguyen;0912345678;f1\n;;\nBinh Tran;0987654321;Other\n"
    table = read_table("list.csv", text.encode(), **LIMITS)
    assert [row for row, _ in table.rows] == [3, 5]
    assert table.rows[1][1] == {"full_name": "Binh Tran", "phone": "0987654321", "kind": "Other"}


def test_xlsx_with_dates_and_numbers() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Số điện thoại", "Năm sinh", "Ngày bắt đầu"])
    sheet.append(["Lê Thị Mai", 912345678, 1975, datetime(2026, 11, 24)])
    buffer = io.BytesIO()
    book.save(buffer)
    ((_, values),) = read_table("ds.xlsx", buffer.getvalue(), **LIMITS).rows
    draft = draft_from_row(values, TODAY)
    assert isinstance(draft, CaseDraft)
    assert (draft.phone, draft.birth_year, draft.start_date) == (
        "+84912345678",
        1975,
        date(2026, 11, 24),
    )


def test_every_reason_of_a_bad_row_is_given() -> None:
    problems = draft_from_row(
        {"full_name": "An", "phone": "123", "birth_year": "1850", "kind": "F9"}, TODAY
    )
    assert isinstance(problems, tuple)
    assert [p.key for p in problems] == [
        "cases.bad_phone",
        "cases.bad_birth_year",
        "cases.bad_kind",
    ]


@pytest.mark.parametrize(
    ("filename", "content", "key"),
    [
        ("ds.csv", b"x" * (2 * 1024 * 1024 + 1), "cases.file_too_big"),
        ("ds.xls", b"\xd0\xcf\x11\xe0", "cases.file_xls"),
        ("ds.pdf", b"%PDF", "cases.file_type"),
        ("ds.xlsx", b"not a workbook", "cases.file_unreadable"),
        ("ds.csv", b"", "cases.file_empty"),
        ("ds.csv", "Họ và tên,Địa chỉ\nAn,x\n".encode(), "cases.file_missing_columns"),
        ("ds.csv", b"a,b\n" + b"x" * 140_000 + b",y\n", "cases.csv_unreadable"),
    ],
)
def test_unusable_files_are_refused(filename: str, content: bytes, key: str) -> None:
    with pytest.raises(UserError) as error:
        read_table(filename, content, **LIMITS)
    assert error.value.key == key


def test_csv_lines_ending_in_cr_alone_are_read() -> None:
    # Excel for Mac's "CSV (Macintosh)"; a stray CR inside a line was an unhandled error.
    text = 'Họ và tên,Số điện thoại\rAn Nguyễn,0912345678\r"Bình\rTrần",0987654321\r'
    table = read_table("ds.csv", text.encode(), **LIMITS)
    assert [values for _, values in table.rows] == [
        {"full_name": "An Nguyễn", "phone": "0912345678"},
        {"full_name": "Bình\rTrần", "phone": "0987654321"},
    ]
    with pytest.raises(UserError) as error:
        read_table("ds.csv", b"a\rb,c\n", **LIMITS)
    assert error.value.key == "cases.file_missing_columns"


def test_row_limit() -> None:
    rows = "".join(f"Người {i},09123456{i % 100:02d}\n" for i in range(11))
    content = ("Họ và tên,Số điện thoại\n" + rows).encode()
    with pytest.raises(UserError) as error:
        read_table("ds.csv", content, max_bytes=LIMITS["max_bytes"], max_rows=10)
    assert error.value.key == "cases.file_too_many_rows"
    assert len(read_table("ds.csv", content, max_bytes=10**6, max_rows=11).rows) == 11


def test_written_files_read_back() -> None:
    headers = ["Họ và tên", "Số điện thoại"]
    rows = [["<b>Nguyễn</b> & Co", "0912 345 678"]]
    assert write_csv(headers, rows).startswith(b"\xef\xbb\xbf")
    book = load_workbook(io.BytesIO(write_xlsx(headers, rows)))
    assert [[c.value for c in r] for r in book.active.iter_rows()] == [headers, rows[0]]
    table = read_table("back.csv", write_csv(headers, rows), **LIMITS)
    assert table.rows[0][1]["full_name"] == "<b>Nguyễn</b> & Co"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nguyễn thị hoà", "Nguyễn Thị Hoà"),
        ("  đặng   văn  ất ", "Đặng Văn Ất"),
        ("Nguyễn thị Hoà", "Nguyễn Thị Hoà"),
        ("NGUYỄN VĂN AN", "NGUYỄN VĂN AN"),
        ("Lê Văn McLean", "Lê Văn McLean"),
        ("<b>trần</b> & co", "<b>trần</b> & Co"),
        (unicodedata.normalize("NFD", "ứng thị ẩn"), "Ứng Thị Ẩn"),
    ],
)
def test_names_are_title_cased_and_squeezed(raw: str, expected: str) -> None:
    assert parse_name(raw) == expected
    assert draft_from_row({"full_name": raw, "phone": "0912345678"}, TODAY) == CaseDraft(
        expected, "+84912345678"
    )


def test_phones_and_points_are_shown_as_people_write_them() -> None:
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone(parse_phone("84 286 123 4567")) == "028 6123 4567"
    assert format_point(19.8067, 105.7852) == "19.8067, 105.7852"
    assert format_point(21.0, 105.123456789) == "21, 105.123457"


@pytest.mark.parametrize("raw", ["²", "19²0", "abc", "1850"])
def test_a_year_of_birth_that_is_not_one_is_refused_with_its_message(raw: str) -> None:
    # "²" passes str.isdigit() but not int(): the officer is told, nothing breaks.
    with pytest.raises(FieldError) as error:
        parse_birth_year(raw, date(2026, 12, 1))
    assert error.value.key == "cases.bad_birth_year"


def test_a_year_of_birth_is_read() -> None:
    assert parse_birth_year(" 1958 ", date(2026, 12, 1)) == 1958
