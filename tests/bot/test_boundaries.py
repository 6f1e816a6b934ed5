"""Commune boundaries: loaded from GeoJSON by the admin, used to route a point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.services import Services

HAC_THANH = 14797
HAM_RONG = 14758  # Phường Hàm Rồng


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A small square polygon with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: object, geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature carrying a commune code."""
    return {"type": "Feature", "properties": {"ma_xa": code}, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[105.0, 19.0], [105.01, 19.01], [105.01, 19.0], [105.0, 19.01], [105.0, 19.0]]
    ],
}


async def test_point_routes_to_the_commune_that_contains_it(services: Services) -> None:
    result = await services.boundaries.load(
        collection(
            feature(HAC_THANH, square(105.77, 19.80)),
            feature(HAM_RONG, square(105.78, 19.80)),
        )
    )
    assert (result.loaded, result.skipped) == (2, ())
    found = await services.boundaries.commune_at(19.805, 105.775)
    assert found is not None
    assert found.name == "Phường Hạc Thành"
    neighbour = await services.boundaries.commune_at(19.805, 105.785)
    assert neighbour is not None
    assert neighbour.code == HAM_RONG
    assert await services.boundaries.commune_at(21.0, 105.8) is None


async def test_without_boundaries_nothing_routes(services: Services) -> None:
    assert await services.boundaries.commune_at(19.805, 105.775) is None


def test_cli_reports_skipped_features_and_counts(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli_env.parent / "communes.geojson"
    path.write_text(
        json.dumps(
            collection(
                feature(HAC_THANH, square(105.77, 19.80)),
                feature(99999999, square(105.0, 19.0)),  # not a commune of Thanh Hóa
                feature(HAM_RONG, BOWTIE),  # self-intersecting
                {"type": "Feature", "properties": {}, "geometry": square(105.0, 19.0)},
            )
        ),
        encoding="utf-8",
    )
    assert main(["admin", "load-boundaries", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "Loaded the boundaries of 1 communes."
    skipped = [line for line in out if line.startswith("Skipped feature number")]
    assert [line.split(":")[0] for line in skipped] == [
        "Skipped feature number 1",
        "Skipped feature number 2",
        "Skipped feature number 3",
    ]


def test_cli_refuses_a_file_that_is_not_geojson(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_env.parent / "x.geojson").write_text("[1, 2", encoding="utf-8")
    assert main(["admin", "load-boundaries", "x.geojson"]) == 1
    assert capsys.readouterr().err.startswith("cachly: The file is not a valid GeoJSON")
