"""Reading points from typed coordinates and map links."""

from __future__ import annotations

import pytest

from geofence import ZONE_ERROR_CODES, ZoneError, parse_point

LAT, LON = 21.0285, 105.8542


@pytest.mark.parametrize(
    "text",
    [
        "21.0285, 105.8542",
        "21.0285,105.8542",
        "21.0285 105.8542",
        "  21.0285 ,  105.8542  ",
        "21.0285; 105.8542",
        "(21.0285, 105.8542)",
        "21.0285° N, 105.8542° E",
        "21.0285N 105.8542E",
        "21,0285 105,8542",
        "https://www.google.com/maps/@21.0285,105.8542,17z",
        "https://www.google.com/maps/place/H%E1%BB%93+G%C6%B0%C6%A1m/@21.0285,105.8542,17z",
        "https://maps.google.com/?q=21.0285,105.8542",
        "https://maps.google.com/maps?q=loc:21.0285,105.8542&z=17",
        "https://www.google.com/maps?ll=21.0285,105.8542&z=17",
        "https://www.google.com/maps/search/?api=1&query=21.0285%2C105.8542",
        "https://www.google.com/maps/search/21.0285,+105.8542?entry=tts",
        "https://www.google.com/maps/dir/?api=1&destination=21.0285,105.8542",
        "google.com/maps/@21.0285,105.8542,15z",
        "Nhà bà Lan: https://maps.google.com/?q=21.0285,105.8542 (cổng xanh)",
        "https://www.openstreetmap.org/?mlat=21.0285&mlon=105.8542#map=17/21.0300/105.8600",
        "https://www.openstreetmap.org/?mlat=21.0285&mlon=105.8542",
        "https://www.openstreetmap.org/#map=17/21.0285/105.8542",
        "https://www.openstreetmap.org/#map=17/21.0285/105.8542&layers=H",
        "https://www.openstreetmap.org/search?query=21.0285%2C105.8542",
        "geo:21.0285,105.8542",
        "geo:21.0285,105.8542?z=17",
        "geo:0,0?q=21.0285,105.8542(Nh%C3%A0)",
    ],
)
def test_accepted_forms(text: str) -> None:
    assert parse_point(text) == pytest.approx((LAT, LON))


def test_google_place_pin_wins_over_map_view() -> None:
    url = (
        "https://www.google.com/maps/place/Ho+Guom/@21.0300,105.8500,17z/data=!3m1!4b1"
        "!4m6!3m5!1s0x0:0x0!8m2!3d21.0285!4d105.8542!16s"
    )
    assert parse_point(url) == pytest.approx((LAT, LON))


def test_degrees_minutes_seconds() -> None:
    assert parse_point("21°01'42.6\"N 105°51'15.1\"E") == pytest.approx((LAT, LON), abs=1e-4)


def test_southern_and_western_hemispheres() -> None:
    assert parse_point("33.8688° S, 151.2093° E") == pytest.approx((-33.8688, 151.2093))
    assert parse_point("-33.8688, -70.5") == pytest.approx((-33.8688, -70.5))
    assert parse_point("40.7128N 74.0060W") == pytest.approx((40.7128, -74.006))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "nhà tôi ở gần chợ",
        "21.0285",
        "21.0285, 105.8542, 3",
        "abc, def",
        "https://example.com/21.0285/105.8542",
        "https://www.google.com/maps/place/H%E1%BB%93+G%C6%B0%C6%A1m",
        "https://www.openstreetmap.org/",
    ],
)
def test_garbage_says_what_was_expected(text: str) -> None:
    with pytest.raises(ZoneError) as caught:
        parse_point(text)
    assert caught.value.code == "zone.bad_point"
    assert "expected" in str(caught.value)
    assert "21.0285, 105.8542" in str(caught.value)


def test_short_links_get_their_own_code() -> None:
    with pytest.raises(ZoneError) as caught:
        parse_point("https://maps.app.goo.gl/Xy7kq9Jr2nV")
    assert caught.value.code == "zone.short_link"


def test_swapped_coordinates_are_named() -> None:
    with pytest.raises(ZoneError) as caught:
        parse_point("105.8542, 21.0285")
    assert caught.value.code == "zone.bad_latitude"
    assert caught.value.params == {"value": 105.8542}
    assert "latitude comes first" in str(caught.value)


def test_longitude_out_of_range() -> None:
    with pytest.raises(ZoneError) as caught:
        parse_point("21.0, 190.0")
    assert caught.value.code == "zone.bad_longitude"


def test_error_codes_are_catalogued_and_errors_are_value_errors() -> None:
    for text in ("hello", "https://goo.gl/abc", "95, 10", "10, 195"):
        with pytest.raises(ValueError, match=r"^expected") as caught:
            parse_point(text)
        assert isinstance(caught.value, ZoneError)
        assert caught.value.code in ZONE_ERROR_CODES
