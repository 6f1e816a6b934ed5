"""Verdicts: accuracy discs, tolerance, assumed accuracy, and their invariants."""

from __future__ import annotations

import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geofence import (
    Circle,
    Fix,
    GeofenceSettings,
    LocalProjection,
    Polygon,
    VerdictKind,
    VerdictReason,
    judge,
)
from tests.geofence.support import T0, THANH_HOA, fix_near, geodesic_polygon, offset

ZONE = Circle(*THANH_HOA, 50.0)


@pytest.mark.parametrize(
    ("metres", "accuracy", "kind", "edge_m", "reason"),
    [
        (30.0, 10.0, VerdictKind.INSIDE, 0.0, VerdictReason.IN_ZONE),
        (200.0, 20.0, VerdictKind.OUTSIDE, 150.0, VerdictReason.BEYOND_ACCURACY),
        (70.0, 40.0, VerdictKind.INSIDE, 20.0, VerdictReason.DISC_TOUCHES),
        (120.0, 60.0, VerdictKind.UNCERTAIN, 70.0, VerdictReason.WITHIN_TOLERANCE),
    ],
)
@pytest.mark.parametrize("bearing", [0.0, 63.0, 180.0, 251.0])
def test_thanh_hoa_table(
    metres: float,
    accuracy: float,
    kind: VerdictKind,
    edge_m: float,
    reason: VerdictReason,
    bearing: float,
) -> None:
    verdict = judge(ZONE, fix_near(THANH_HOA, metres, accuracy, bearing_deg=bearing))
    assert verdict.kind is kind
    assert verdict.reason is reason
    assert verdict.distance_m == pytest.approx(edge_m, abs=0.005 * metres)
    assert not verdict.weak_evidence
    assert verdict.accuracy_m == accuracy


def test_missing_accuracy_uses_assumed_value_and_is_weak() -> None:
    near = judge(ZONE, fix_near(THANH_HOA, 100.0, None))  # 50 m past the edge, within 65 m
    far = judge(ZONE, fix_near(THANH_HOA, 250.0, None))
    assert (near.kind, near.reason, near.weak_evidence) == (
        VerdictKind.INSIDE,
        VerdictReason.DISC_TOUCHES,
        True,
    )
    assert near.accuracy_m == GeofenceSettings().assumed_accuracy_m
    assert (far.kind, far.weak_evidence) == (VerdictKind.OUTSIDE, True)


def test_assumed_accuracy_is_configurable() -> None:
    strict = GeofenceSettings(assumed_accuracy_m=10.0)
    assert judge(ZONE, fix_near(THANH_HOA, 100.0, None), strict).kind is VerdictKind.OUTSIDE


def test_accuracy_worse_than_maximum_is_uncertain() -> None:
    verdict = judge(ZONE, fix_near(THANH_HOA, 600.0, 300.0))
    assert (verdict.kind, verdict.reason) == (VerdictKind.UNCERTAIN, VerdictReason.POOR_ACCURACY)
    assert verdict.distance_m == pytest.approx(550.0, rel=0.005)


def test_tolerance_is_configurable() -> None:
    # 120 m from the centre with 60 m accuracy sits 10 m past the disc.
    fix = fix_near(THANH_HOA, 120.0, 60.0)
    assert judge(ZONE, fix, GeofenceSettings(tolerance_m=5.0)).kind is VerdictKind.OUTSIDE
    assert judge(ZONE, fix, GeofenceSettings(tolerance_m=25.0)).kind is VerdictKind.UNCERTAIN


def test_polygon_zone_verdicts() -> None:
    square = geodesic_polygon(THANH_HOA, 70.7, 4, rotation_deg=45.0)  # ~100 m sides
    inside = judge(square, fix_near(THANH_HOA, 20.0, 10.0))
    outside = judge(square, fix_near(THANH_HOA, 250.0, 20.0, bearing_deg=90.0))
    assert (inside.kind, inside.distance_m) == (VerdictKind.INSIDE, 0.0)
    assert outside.kind is VerdictKind.OUTSIDE
    assert outside.distance_m == pytest.approx(200.0, rel=0.01)


def test_concave_polygon_whose_centre_is_outside_it() -> None:
    # An L: two 100 m x 40 m bars meeting at the south-west corner; the mean of its corners
    # lies in the notch, outside the shape.
    proj = LocalProjection(*THANH_HOA)
    corners = [(0, 0), (100, 0), (100, 40), (40, 40), (40, 100), (0, 100), (0, 0)]
    ring = []
    for x, y in corners:
        lat, lon = proj.inverse(x - 40.0, y - 40.0)
        ring.append((lon, lat))
    zone = Polygon(tuple(ring))
    in_notch = Fix(*proj.inverse(30.0, 30.0), 2.0, T0)  # 30 m from both bars
    in_bar = Fix(*proj.inverse(40.0, -20.0), 5.0, T0)
    assert zone.edge_distance_m(in_notch.lat, in_notch.lon) == pytest.approx(30.0, rel=0.001)
    assert judge(zone, in_notch).kind is VerdictKind.OUTSIDE
    assert judge(zone, in_bar).kind is VerdictKind.INSIDE


@settings(deadline=None)
@given(x=st.floats(-400.0, 400.0), y=st.floats(-400.0, 400.0))
def test_polygon_distance_matches_plain_geometry(x: float, y: float) -> None:
    # The shortcut for points well inside must agree with a full distance computation.
    proj = LocalProjection(*THANH_HOA)
    zone = geodesic_polygon(THANH_HOA, 150.0, 50)
    lat, lon = proj.inverse(x, y)
    metric = [proj.forward(p_lat, p_lon) for p_lon, p_lat in zone.ring]
    expected = shapely.Polygon(metric).distance(shapely.Point(proj.forward(lat, lon)))
    assert zone.edge_distance_m(lat, lon) == pytest.approx(expected, abs=0.01)


# --- properties ----------------------------------------------------------------------------

centres = st.tuples(st.floats(8.5, 23.3), st.floats(102.2, 109.4))
radii = st.floats(10.0, 1000.0)
accuracies = st.none() | st.floats(0.0, 1500.0)
bearings = st.floats(0.0, 360.0)


@settings(deadline=None)
@given(centre=centres, radius=radii, accuracy=accuracies)
def test_fix_at_centre_is_inside_whatever_the_accuracy(
    centre: tuple[float, float], radius: float, accuracy: float | None
) -> None:
    fix = Fix(*centre, accuracy, T0)
    assert judge(Circle(*centre, radius), fix).kind is VerdictKind.INSIDE
    polygon = geodesic_polygon(centre, radius, 24)
    assert judge(polygon, fix).kind is VerdictKind.INSIDE


@settings(deadline=None)
@given(
    centre=centres,
    radius=radii,
    accuracy=accuracies,
    bearing=bearings,
    near=st.floats(0.0, 5_000.0),
    further=st.floats(0.0, 5_000.0),
    use_polygon=st.booleans(),
)
def test_moving_away_never_turns_outside_into_inside(
    centre: tuple[float, float],
    radius: float,
    accuracy: float | None,
    bearing: float,
    near: float,
    further: float,
    use_polygon: bool,
) -> None:
    zone = geodesic_polygon(centre, radius, 24) if use_polygon else Circle(*centre, radius)
    first = judge(zone, fix_near(centre, near, accuracy, bearing_deg=bearing))
    second = judge(zone, fix_near(centre, near + further, accuracy, bearing_deg=bearing))
    if first.kind is VerdictKind.OUTSIDE:
        assert second.kind is VerdictKind.OUTSIDE
    assert second.distance_m >= first.distance_m - 1e-6


@settings(deadline=None)
@given(
    centre=centres,
    radius=radii,
    bearing=bearings,
    metres=st.floats(0.0, 3_000.0),
    accuracy=st.floats(0.0, 1500.0),
    worse_by=st.floats(0.0, 1500.0),
)
def test_worse_accuracy_never_turns_inside_into_outside(
    centre: tuple[float, float],
    radius: float,
    bearing: float,
    metres: float,
    accuracy: float,
    worse_by: float,
) -> None:
    zone = Circle(*centre, radius)
    worse = min(accuracy + worse_by, 1500.0)
    sharp = judge(zone, fix_near(centre, metres, accuracy, bearing_deg=bearing))
    vague = judge(zone, fix_near(centre, metres, worse, bearing_deg=bearing))
    if sharp.kind is VerdictKind.INSIDE:
        assert vague.kind is not VerdictKind.OUTSIDE


@settings(deadline=None)
@given(
    centre=centres,
    radius=radii,
    bearing=bearings,
    metres=st.floats(0.0, 3_000.0),
    accuracy=accuracies,
)
def test_circle_and_approximating_polygon_agree_away_from_the_edge(
    centre: tuple[float, float],
    radius: float,
    bearing: float,
    metres: float,
    accuracy: float | None,
) -> None:
    circle = Circle(*centre, radius)
    polygon = geodesic_polygon(centre, radius, 72)
    config = GeofenceSettings()
    used = config.assumed_accuracy_m if accuracy is None else accuracy
    # 72 corners on the circle cut in by at most r(1 - cos 2.5°) < 0.001 r.
    margin = 0.002 * radius + 0.5
    edge = metres - radius
    assume(all(abs(edge - threshold) > margin for threshold in (0.0, used, used + 25.0)))
    fix = fix_near(centre, metres, accuracy, bearing_deg=bearing)
    from_circle, from_polygon = judge(circle, fix), judge(polygon, fix)
    assert from_circle.kind is from_polygon.kind
    assert from_circle.reason is from_polygon.reason
    assert from_polygon.distance_m == pytest.approx(from_circle.distance_m, abs=margin)


def test_fix_exactly_on_the_disc_boundary_counts_as_touching() -> None:
    lat, lon = offset(*THANH_HOA, 90.0, 0.0)
    edge = ZONE.edge_distance_m(lat, lon)
    verdict = judge(ZONE, Fix(lat, lon, edge, T0))
    assert verdict.kind is VerdictKind.INSIDE
