"""Point → commune code, from commune boundary polygons in an STRtree."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from geofence import _shapes

DEFAULT_CODE_PROPERTIES: tuple[str, ...] = ("code", "ma_xa", "ward_code", "commune_code", "maXa")


class FeatureErrorReason(StrEnum):
    """Why a feature of a boundary file was skipped."""

    NOT_A_FEATURE = "not_a_feature"
    MISSING_CODE = "missing_code"
    BAD_CODE = "bad_code"  # present but not a non-negative whole number
    UNKNOWN_CODE = "unknown_code"
    DUPLICATE_CODE = "duplicate_code"
    INVALID_GEOMETRY = "invalid_geometry"


@dataclass(frozen=True, slots=True)
class FeatureError:
    """One skipped feature: its position in the file, the reason and a human detail."""

    index: int
    reason: FeatureErrorReason
    detail: str


@dataclass(frozen=True, slots=True)
class CommuneFeature:
    """An accepted boundary: the official commune code and a JSON-ready GeoJSON geometry."""

    code: int
    geometry: Mapping[str, Any]


def _read_feature(
    index: int,
    feature: Any,
    known_codes: set[int] | None,
    seen: set[int],
    code_properties: Sequence[str],
) -> tuple[int, Any] | FeatureError:
    """One feature's commune code and geometry, or why it cannot be used."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        return FeatureError(index, FeatureErrorReason.NOT_A_FEATURE, "expected a Feature")
    properties = feature.get("properties")
    if not isinstance(properties, Mapping):
        properties = {}
    raw = next(
        (properties[name] for name in code_properties if properties.get(name) is not None),
        None,
    )
    if raw is None:
        expected = f"expected one of the properties {', '.join(code_properties)}"
        return FeatureError(index, FeatureErrorReason.MISSING_CODE, expected)
    code = _parse_code(raw)
    if code is None:
        return FeatureError(
            index, FeatureErrorReason.BAD_CODE, f"expected a numeric code, got {raw!r}"
        )
    if known_codes is not None and code not in known_codes:
        return FeatureError(
            index, FeatureErrorReason.UNKNOWN_CODE, f"code {code} is not a known commune"
        )
    if code in seen:
        return FeatureError(
            index,
            FeatureErrorReason.DUPLICATE_CODE,
            f"code {code} already came with an earlier feature",
        )
    geom, problem = _geometry_problem(feature.get("geometry"))
    if problem is not None:
        return FeatureError(index, FeatureErrorReason.INVALID_GEOMETRY, problem)
    return code, geom


def _parse_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _to_lists(value: Any) -> Any:
    # shapely's mapping() yields tuples; lists keep the stored JSON and round trips identical.
    if isinstance(value, tuple | list):
        return [_to_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_lists(v) for k, v in value.items()}
    return value


def _geometry_problem(geometry: Any) -> tuple[Any, str | None]:
    """Return (shapely geometry, None) or (None, what is wrong)."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        return None, f"expected a Polygon or MultiPolygon geometry, got {kind}"
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        return None, f"unreadable coordinates: {exc}"
    if geom.is_empty:
        return None, "empty geometry"
    min_x, min_y, max_x, max_y = (float(v) for v in geom.bounds)
    if not (
        all(math.isfinite(v) for v in (min_x, min_y, max_x, max_y))
        and -180.0 <= min_x <= max_x <= 180.0
        and -90.0 <= min_y <= max_y <= 90.0
    ):
        return None, "coordinates out of range; expected [longitude, latitude] positions"
    if not geom.is_valid:
        return None, str(shapely.is_valid_reason(geom))
    return geom, None


class CommuneIndex:
    """Answers point → commune code; build with from_geojson or from_features."""

    __slots__ = ("_codes", "_features", "_geoms", "_tree")

    def __init__(self, features: Sequence[CommuneFeature], geometries: Sequence[Any]):
        if len(features) != len(geometries):
            raise ValueError("expected one geometry per feature")
        self._features = tuple(features)
        self._codes = tuple(f.code for f in features)
        self._geoms = np.array(geometries, dtype=object)
        # Prepared geometries make each point-in-polygon test logarithmic-ish instead of
        # walking every vertex of a commune boundary.
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)

    @classmethod
    def from_geojson(
        cls,
        feature_collection: Mapping[str, Any],
        known_codes: set[int] | None = None,
        code_properties: Sequence[str] = DEFAULT_CODE_PROPERTIES,
    ) -> tuple[CommuneIndex, list[FeatureError]]:
        """Index a GeoJSON FeatureCollection; bad features are skipped and reported."""
        if not isinstance(feature_collection, Mapping) or not isinstance(
            feature_collection.get("features"), list
        ):
            raise ValueError("expected a GeoJSON FeatureCollection with a 'features' list")
        accepted: list[CommuneFeature] = []
        geometries: list[Any] = []
        errors: list[FeatureError] = []
        seen: set[int] = set()
        for index, feature in enumerate(feature_collection["features"]):
            read = _read_feature(index, feature, known_codes, seen, code_properties)
            if isinstance(read, FeatureError):
                errors.append(read)
                continue
            code, geom = read
            seen.add(code)
            accepted.append(CommuneFeature(code, _to_lists(mapping(geom))))
            geometries.append(geom)
        return cls(accepted, geometries), errors

    @classmethod
    def from_features(
        cls, features: Iterable[CommuneFeature | tuple[int, Mapping[str, Any]]]
    ) -> CommuneIndex:
        """Rebuild an index from stored (code, geometry) pairs; raises ValueError if one is bad."""
        accepted: list[CommuneFeature] = []
        geometries: list[Any] = []
        for item in features:
            feature = item if isinstance(item, CommuneFeature) else CommuneFeature(*item)
            geom, problem = _geometry_problem(feature.geometry)
            if problem is not None:
                raise ValueError(f"commune {feature.code}: {problem}")
            accepted.append(feature)
            geometries.append(geom)
        return cls(accepted, geometries)

    @property
    def features(self) -> tuple[CommuneFeature, ...]:
        """The accepted communes, in load order, ready to store."""
        return self._features

    @property
    def codes(self) -> tuple[int, ...]:
        """Codes of the indexed communes, in load order."""
        return self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def lookup(self, lat: float, lon: float) -> int | None:
        """Code of the commune containing (lat, lon) or None; a shared border gives the lower."""
        hits = self._tree.query(_shapes.make_point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        if len(hits) == 1:
            return self._codes[int(hits[0])]
        return min(self._codes[int(i)] for i in hits)
