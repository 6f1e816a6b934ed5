"""Thin, fast access to the two GEOS calls on the verdict hot path."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

# shapely's public Point() and distance() spend ~15 µs per call in argument checking that a
# scalar call does not need; the underlying ufuncs in shapely.lib do the same work in ~5 µs.
# They are not public API, so each candidate is probed once and the public functions remain
# the fallback if a future shapely changes them.

PointFactory = Callable[[float, float], Any]
DistanceFn = Callable[[Any, Any], Any]


def _lib_point_2(x: float, y: float) -> Any:
    return shapely.lib.points(np.array((x, y)), np.intc(0))


def _lib_point_1(x: float, y: float) -> Any:
    return shapely.lib.points(np.array((x, y)))


def _public_point(x: float, y: float) -> Any:
    return shapely.Point(x, y)


def _choose_point() -> PointFactory:
    for candidate in (_lib_point_2, _lib_point_1):
        # Any failure just means this candidate does not exist in the installed shapely.
        with contextlib.suppress(Exception):
            probe = candidate(1.5, -2.5)
            if isinstance(probe, shapely.Point) and (probe.x, probe.y) == (1.5, -2.5):
                return candidate
    return _public_point


def _choose_distance() -> DistanceFn:
    with contextlib.suppress(Exception):
        lib_distance: DistanceFn = shapely.lib.distance
        square = shapely.box(0.0, 0.0, 1.0, 1.0)
        if float(lib_distance(square, shapely.Point(4.0, 5.0))) == 5.0:
            return lib_distance
    public_distance: DistanceFn = shapely.distance
    return public_distance


make_point: PointFactory = _choose_point()
distance: DistanceFn = _choose_distance()
