"""Provinces and communes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, NullableJSON


class Province(Base):
    """A province or centrally governed city, from the official list."""

    __tablename__ = "provinces"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))


class Commune(Base):
    """A commune, ward or special zone: the unit a health station serves."""

    __tablename__ = "communes"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))
    # Diacritics-free, lower-case name, so that 'hac thanh' finds 'Phường Hạc Thành'.
    folded_name: Mapped[str] = mapped_column(String(100), index=True)
    boundary: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON, default=None)
    boundary_loaded_at: Mapped[datetime | None] = mapped_column(default=None)
