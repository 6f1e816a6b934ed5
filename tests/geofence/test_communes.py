"""Commune lookup from a small generated GeoJSON file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geofence import CommuneFeature, CommuneIndex, FeatureErrorReason

# A 3 x 3 grid of 0.01° cells south-west of Thanh Hóa city; cell (row, col) has code
# 16000 + 10 * row + col.
ORIGIN_LAT, ORIGIN_LON, STEP = 19.78, 105.75, 0.01


def cell(row: int, col: int) -> dict[str, Any]:
    lat, lon = ORIGIN_LAT + row * STEP, ORIGIN_LON + col * STEP
    ring = [[lon, lat], [lon + STEP, lat], [lon + STEP, lat + STEP], [lon, lat + STEP], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def centre_of(row: int, col: int) -> tuple[float, float]:
    return ORIGIN_LAT + (row + 0.5) * STEP, ORIGIN_LON + (col + 0.5) * STEP


GRID = {
    "type": "FeatureCollection",
    "features": [feature(cell(r, c), code=16000 + 10 * r + c) for r in range(3) for c in range(3)],
}


def test_every_cell_centre_maps_to_its_code() -> None:
    index, errors = CommuneIndex.from_geojson(GRID)
    assert errors == []
    assert len(index) == 9
    for row in range(3):
        for col in range(3):
            assert index.lookup(*centre_of(row, col)) == 16000 + 10 * row + col


def test_points_outside_every_commune_give_none() -> None:
    index, _ = CommuneIndex.from_geojson(GRID)
    assert index.lookup(ORIGIN_LAT - 0.001, ORIGIN_LON) is None
    assert index.lookup(21.0285, 105.8542) is None


def test_a_shared_border_gives_the_lower_code() -> None:
    index, _ = CommuneIndex.from_geojson(GRID)
    border_lat = ORIGIN_LAT + 0.5 * STEP
    border_lon = ORIGIN_LON + STEP  # between cells (0, 0) and (0, 1)
    assert index.lookup(border_lat, border_lon) == 16000


def test_multipolygons_and_string_codes_with_leading_zeros() -> None:
    islands = {
        "type": "MultiPolygon",
        "coordinates": [cell(0, 0)["coordinates"], cell(2, 2)["coordinates"]],
    }
    index, errors = CommuneIndex.from_geojson(
        {"type": "FeatureCollection", "features": [feature(islands, ma_xa="00004")]}
    )
    assert errors == []
    assert index.lookup(*centre_of(0, 0)) == 4
    assert index.lookup(*centre_of(2, 2)) == 4
    assert index.lookup(*centre_of(1, 1)) is None


def test_code_property_names_are_configurable() -> None:
    collection = {"type": "FeatureCollection", "features": [feature(cell(0, 0), MA=7)]}
    _, errors = CommuneIndex.from_geojson(collection)
    assert [e.reason for e in errors] == [FeatureErrorReason.MISSING_CODE]
    index, errors = CommuneIndex.from_geojson(collection, code_properties=("MA",))
    assert errors == []
    assert index.lookup(*centre_of(0, 0)) == 7


def test_bad_features_are_reported_by_index_and_skipped() -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[105.0, 19.0], [105.01, 19.01], [105.01, 19.0], [105.0, 19.01], [105.0, 19.0]]
        ],
    }
    swapped = {
        "type": "Polygon",
        "coordinates": [[[19.0, 105.0], [19.1, 105.0], [19.1, 105.1], [19.0, 105.0]]],
    }
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature(cell(0, 0), code=16000),  # 0: fine
            feature(cell(0, 1), name="no code"),  # 1
            feature(cell(0, 2), code=99999),  # 2: not a known commune
            feature(cell(1, 0), code="abc"),  # 3
            feature(bow_tie, code=16010),  # 4
            feature({"type": "Point", "coordinates": [105.76, 19.79]}, code=16011),  # 5
            "not even a dict",  # 6
            feature(cell(1, 2), code=16000),  # 7: same code as feature 0
            feature(None, code=16012),  # 8
            feature(swapped, code=16020),  # 9
            feature({"type": "Polygon", "coordinates": [[[1, 2]]]}, code=16021),  # 10
            feature(cell(2, 2), code=16022.0),  # 11: fine, a float code from a GIS export
        ],
    }
    known = {16000, 16010, 16011, 16012, 16020, 16021, 16022}
    index, errors = CommuneIndex.from_geojson(collection, known_codes=known)
    assert [(e.index, e.reason) for e in errors] == [
        (1, FeatureErrorReason.MISSING_CODE),
        (2, FeatureErrorReason.UNKNOWN_CODE),
        (3, FeatureErrorReason.BAD_CODE),
        (4, FeatureErrorReason.INVALID_GEOMETRY),
        (5, FeatureErrorReason.INVALID_GEOMETRY),
        (6, FeatureErrorReason.NOT_A_FEATURE),
        (7, FeatureErrorReason.DUPLICATE_CODE),
        (8, FeatureErrorReason.INVALID_GEOMETRY),
        (9, FeatureErrorReason.INVALID_GEOMETRY),
        (10, FeatureErrorReason.INVALID_GEOMETRY),
    ]
    assert "Self-intersection" in errors[3].detail
    assert index.codes == (16000, 16022)
    assert index.lookup(*centre_of(0, 0)) == 16000
    assert index.lookup(*centre_of(1, 2)) is None


def test_not_a_feature_collection() -> None:
    with pytest.raises(ValueError, match="FeatureCollection"):
        CommuneIndex.from_geojson({"type": "Feature"})


def test_accepted_features_round_trip_through_json() -> None:
    index, _ = CommuneIndex.from_geojson(GRID)
    stored = json.dumps([[f.code, f.geometry] for f in index.features])
    rebuilt = CommuneIndex.from_features((code, geometry) for code, geometry in json.loads(stored))
    assert rebuilt.codes == index.codes
    assert [f.geometry for f in rebuilt.features] == [f.geometry for f in index.features]
    for row in range(3):
        for col in range(3):
            assert rebuilt.lookup(*centre_of(row, col)) == index.lookup(*centre_of(row, col))
    assert CommuneIndex.from_features(index.features).codes == index.codes


def test_rebuilding_from_a_bad_stored_geometry_fails_loudly() -> None:
    with pytest.raises(ValueError, match="commune 5"):
        CommuneIndex.from_features([CommuneFeature(5, {"type": "Point", "coordinates": [1, 2]})])


def test_an_empty_index_finds_nothing() -> None:
    index, errors = CommuneIndex.from_geojson({"type": "FeatureCollection", "features": []})
    assert (len(index), errors, index.lookup(19.8, 105.8)) == (0, [], None)
