"""Time per verdict (circle, 50-vertex polygon) and per commune lookup (3,321 polygons).

Run from the repository root: python -m benchmarks.bench_geofence
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from geofence import (
    CommuneIndex,
    Fix,
    FixKind,
    LocalProjection,
    Polygon,
    Zone,
    judge,
    make_circle,
)

CENTRE = (19.807, 105.776)  # Thanh Hóa
GRID_ROWS, GRID_COLS = 41, 81  # 3,321 cells, the number of communes after the 2025 reform
GRID_LAT = (8.4, 23.3)
GRID_LON = (102.2, 109.4)
EDGE_POINTS = 50  # vertices per cell side, so about 200 per commune


def _best_us(call: Callable[[int], None], items: int, repeats: int = 5) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call(items)
        best = min(best, time.perf_counter() - start)
    return best / items * 1e6


def _fixes(count: int, max_m: float, rng: random.Random) -> list[Fix]:
    proj = LocalProjection(*CENTRE)
    now = datetime(2025, 9, 1, tzinfo=UTC)
    fixes = []
    for _ in range(count):
        bearing, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, max_m)
        lat, lon = proj.inverse(dist * math.sin(bearing), dist * math.cos(bearing))
        fixes.append(Fix(lat, lon, rng.choice([None, 5.0, 20.0, 60.0]), now, FixKind.LIVE))
    return fixes


def regular_polygon(lat: float, lon: float, radius_m: float, vertices: int) -> Polygon:
    """A polygon of `vertices` corners on a circle around (lat, lon)."""
    proj = LocalProjection(lat, lon)
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        p_lat, p_lon = proj.inverse(radius_m * math.cos(angle), radius_m * math.sin(angle))
        ring.append((p_lon, p_lat))
    ring.append(ring[0])
    return Polygon(tuple(ring))


def _wiggly_edge(
    start: tuple[float, float], end: tuple[float, float], amplitude: float, phase: int
) -> list[tuple[float, float]]:
    # Offsets vanish at both corners, so neighbouring cells meet exactly.
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    points = []
    for k in range(EDGE_POINTS):
        t = k / EDGE_POINTS
        offset = amplitude * math.sin(math.pi * 3 * t) * (1 if phase % 2 else -1)
        points.append((x0 + (x1 - x0) * t + nx * offset, y0 + (y1 - y0) * t + ny * offset))
    return points


def commune_grid() -> dict[str, Any]:
    """A GeoJSON FeatureCollection of 3,321 tiling, wiggly-edged communes over Vietnam."""
    dlat = (GRID_LAT[1] - GRID_LAT[0]) / GRID_ROWS
    dlon = (GRID_LON[1] - GRID_LON[0]) / GRID_COLS
    amplitude = 0.1 * min(dlat, dlon)

    def corner(row: int, col: int) -> tuple[float, float]:
        return GRID_LON[0] + col * dlon, GRID_LAT[0] + row * dlat

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
        # Always generated from the lower corner so both neighbours get identical vertices.
        if a <= b:
            return _wiggly_edge(corner(*a), corner(*b), amplitude, a[0] + a[1])
        points = [*_wiggly_edge(corner(*b), corner(*a), amplitude, b[0] + b[1]), corner(*a)]
        return points[::-1][:-1]

    features = []
    for row in range(GRID_ROWS):
        for col in range(GRID_COLS):
            corners = [(row, col), (row, col + 1), (row + 1, col + 1), (row + 1, col)]
            ring: list[Sequence[float]] = []
            for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
                ring.extend(edge(a, b))
            ring.append(ring[0])
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": 10000 + row * GRID_COLS + col},
                    "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    """Print microseconds per operation."""
    rng = random.Random(20250901)
    fixes = _fixes(2000, 400.0, rng)
    circle = make_circle(*CENTRE, 50.0)
    polygon = regular_polygon(*CENTRE, 120.0, 50)
    # Fixes inside the polygon mostly take the inner-disc shortcut; outside ones need the
    # full GEOS distance, so they are timed apart as the worst case.
    polygon_inside = [f for f in fixes if polygon.edge_distance_m(f.lat, f.lon) == 0.0]
    polygon_outside = [f for f in fixes if polygon.edge_distance_m(f.lat, f.lon) > 0.0]

    def verdicts(zone: Zone, sample: list[Fix]) -> Callable[[int], None]:
        def run(n: int) -> None:
            for i in range(n):
                judge(zone, sample[i % len(sample)])

        return run

    index, errors = CommuneIndex.from_geojson(commune_grid())
    if errors:
        raise SystemExit(f"generated grid has invalid features: {errors[:3]}")
    points = [(rng.uniform(*GRID_LAT), rng.uniform(*GRID_LON)) for _ in range(2000)]

    def run_lookup(n: int) -> None:
        for i in range(n):
            index.lookup(*points[i % len(points)])

    vertices = sum(len(f.geometry["coordinates"][0]) - 1 for f in index.features) / len(index)
    rows = [
        ("circle verdict (fixes 0-400 m from centre)", _best_us(verdicts(circle, fixes), 50_000)),
        (
            "50-vertex polygon verdict, fix inside",
            _best_us(verdicts(polygon, polygon_inside), 50_000),
        ),
        (
            "50-vertex polygon verdict, fix outside",
            _best_us(verdicts(polygon, polygon_outside), 50_000),
        ),
        (
            f"commune lookup ({len(index):,} polygons of {vertices:.0f} vertices)",
            _best_us(run_lookup, 20_000),
        ),
    ]
    for label, micros in rows:
        print(f"{label:<52} {micros:7.2f} µs")


if __name__ == "__main__":
    main()
