"""Errors raised while building zones from officer input or stored data."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ZONE_ERROR_CODES: tuple[str, ...] = (
    "zone.bad_point",
    "zone.short_link",
    "zone.bad_latitude",
    "zone.bad_longitude",
    "zone.bad_radius",
    "zone.polygon_not_closed",
    "zone.polygon_too_few_points",
    "zone.polygon_invalid",
    "zone.polygon_too_large",
    "zone.polygon_too_wide",
    "zone.outside_country",
    "zone.bad_data",
)


class ZoneError(ValueError):
    """A zone or point could not be built; `.code` and `.params` drive the translated reply."""

    def __init__(self, code: str, message: str, params: Mapping[str, object] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        # Read-only so a caller formatting a reply cannot mutate the shared error.
        self.params: Mapping[str, object] = MappingProxyType(dict(params or {}))

    def __repr__(self) -> str:
        return f"ZoneError({self.code!r}, {self.message!r}, {dict(self.params)!r})"
