"""Metric geometry agrees with the WGS84 geodesic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geofence import Circle, LocalProjection, distance_m
from tests.geofence.support import GEOD, HANOI, THANH_HOA, geodesic_m, offset

# Real places, paired with points at set distances and bearings from them.
KNOWN_PAIRS = [
    # (from lat, lon), (to lat, lon)
    ((21.0285, 105.8542), (21.0245, 105.8412)),  # Hoàn Kiếm lake to Hanoi railway station
    ((10.7798, 106.6990), (10.7725, 106.6980)),  # Nhà thờ Đức Bà to Chợ Bến Thành
    ((19.807, 105.776), (19.8085, 105.7765)),  # Thanh Hóa city, ~170 m
    ((23.3639, 105.3159), (23.3305, 105.2958)),  # from Lũng Cú flag tower, ~4 km
    ((8.6148, 104.7231), (8.6790, 104.7870)),  # from Cà Mau cape, ~10 km
    ((16.0544, 108.2022), (16.0544, 108.2900)),  # Đà Nẵng, ~9.4 km due east
    ((20.8449, 106.6881), (20.8449, 106.6882)),  # Hải Phòng, ~10 m
]


@pytest.mark.parametrize(("start", "end"), KNOWN_PAIRS)
def test_known_pairs_within_half_a_percent(
    start: tuple[float, float], end: tuple[float, float]
) -> None:
    reference = geodesic_m(*start, *end)
    assert reference < 10_000
    assert distance_m(*start, *end) == pytest.approx(reference, rel=0.005)


@pytest.mark.parametrize("metres", [1.0, 30.0, 150.0, 1_000.0, 5_000.0, 9_999.0])
@pytest.mark.parametrize("bearing", [0.0, 37.0, 90.0, 145.0, 180.0, 270.0, 321.0])
@pytest.mark.parametrize("centre", [HANOI, THANH_HOA, (8.68, 106.6), (23.36, 105.32)])
def test_fixed_offsets_within_half_a_percent(
    centre: tuple[float, float], bearing: float, metres: float
) -> None:
    lat, lon = offset(*centre, metres, bearing)
    assert distance_m(*centre, lat, lon) == pytest.approx(metres, rel=0.005)


@settings(deadline=None, max_examples=300)
@given(
    lat=st.floats(-70, 70),
    lon=st.floats(-180, 180),
    bearing=st.floats(0, 360),
    metres=st.floats(0.5, 10_000),
)
def test_any_pair_under_10_km_within_half_a_percent(
    lat: float, lon: float, bearing: float, metres: float
) -> None:
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, metres)
    assert LocalProjection(lat, lon).distance_m(lat2, lon2) == pytest.approx(metres, rel=0.005)


def test_distance_across_the_antimeridian_is_short() -> None:
    assert distance_m(0.0, 179.99, 0.0, -179.99) == pytest.approx(
        geodesic_m(0.0, 179.99, 0.0, -179.99), rel=0.005
    )


@settings(deadline=None)
@given(x=st.floats(-10_000, 10_000), y=st.floats(-10_000, 10_000))
def test_inverse_undoes_forward(x: float, y: float) -> None:
    proj = LocalProjection(*THANH_HOA)
    assert proj.forward(*proj.inverse(x, y)) == pytest.approx((x, y), abs=1e-6)


def test_circle_edge_distance_matches_geodesic() -> None:
    circle = Circle(*THANH_HOA, 50.0)
    lat, lon = offset(*THANH_HOA, 2_050.0, 200.0)
    assert circle.edge_distance_m(lat, lon) == pytest.approx(2_000.0, rel=0.005)
    assert circle.edge_distance_m(*offset(*THANH_HOA, 49.0, 10.0)) == 0.0
