"""Creating districts, LSOAs and locations in bulk, each once, inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from joinedup.common.ids import new_id
from joinedup.places.models import District, Location, Lsoa
from joinedup.places.rules import district_of_lsoa_name, h3_cell, in_partnership_area

# Keeps IN lists well under every backend's bound-parameter limit.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class LocationKey:
    """What makes a location distinct: one row is reused for every record at the same key."""

    latitude: float | None
    longitude: float | None
    description: str
    lsoa_code: str | None
    postcode: str = ""


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class PlaceWriter:
    """Creates districts, LSOAs and locations on demand, remembering what exists (idempotent)."""

    def __init__(self, conn: Connection, h3_resolution: int) -> None:
        self._conn = conn
        self._resolution = h3_resolution
        # Districts and LSOAs are read on first use: a single partner incident needs neither.
        self._area: tuple[dict[str, bool], dict[str, str]] | None = None
        self._locations: dict[LocationKey, uuid.UUID] = {}
        self._loaded_lsoas: set[str] = set()
        self._loaded_descriptions: set[str] = set()

    @property
    def _districts(self) -> dict[str, bool]:
        return self._known_area()[0]

    @property
    def _lsoas(self) -> dict[str, str]:
        return self._known_area()[1]

    def _known_area(self) -> tuple[dict[str, bool], dict[str, str]]:
        if self._area is None:
            districts = {
                name: bool(in_area)
                for name, in_area in self._conn.execute(select(District.name, District.in_area))
            }
            lsoas = {
                code: district
                for code, district in self._conn.execute(select(Lsoa.code, Lsoa.district_name))
            }
            self._area = (districts, lsoas)
        return self._area

    def district_of(self, lsoa_code: str | None) -> str | None:
        """The district of a known LSOA (``None`` when unknown)."""
        return self._lsoas.get(lsoa_code) if lsoa_code else None

    def in_area(self, district: str | None) -> bool:
        """True when ``district`` lies inside the partnership area."""
        return district is not None and self._districts.get(district, False)

    def ensure_lsoas(self, lsoas: Mapping[str, str]) -> None:
        """Create the LSOAs (code -> name) not yet stored, and their districts."""
        new_lsoas = []
        new_districts = []
        for code, name in sorted(lsoas.items()):
            if code in self._lsoas:
                continue
            district = district_of_lsoa_name(name) or "Unknown"
            if district not in self._districts:
                self._districts[district] = in_partnership_area(district)
                new_districts.append({"name": district, "in_area": self._districts[district]})
            self._lsoas[code] = district
            new_lsoas.append({"code": code, "name": name, "district_name": district})
        if new_districts:
            self._conn.execute(insert(District), new_districts)
        if new_lsoas:
            self._conn.execute(insert(Lsoa), new_lsoas)

    def location_ids(self, keys: Iterable[LocationKey]) -> dict[LocationKey, uuid.UUID]:
        """The location id of every key, creating the locations that do not exist yet."""
        wanted = set(keys)
        self._load_existing(wanted)
        rows = []
        for key in sorted(wanted - self._locations.keys(), key=_sort_key):
            location_id = new_id()
            self._locations[key] = location_id
            rows.append(self._location_row(location_id, key))
        if rows:
            self._conn.execute(insert(Location), rows)
        return {k: self._locations[k] for k in wanted}

    def _location_row(self, location_id: uuid.UUID, key: LocationKey) -> dict[str, object]:
        return {
            "id": location_id,
            "description": key.description[:300],
            "latitude": key.latitude,
            "longitude": key.longitude,
            "h3_cell": h3_cell(key.latitude, key.longitude, self._resolution),
            "lsoa_code": key.lsoa_code,
            "district_name": self.district_of(key.lsoa_code),
            "postcode": key.postcode,
        }

    def _load_existing(self, wanted: set[LocationKey]) -> None:
        """Read the stored locations that could match ``wanted``: by LSOA, or for places with no
        LSOA by description, each LSOA or description once, so reads stay small."""
        lsoas = {k.lsoa_code for k in wanted if k.lsoa_code is not None} - self._loaded_lsoas
        descriptions = {k.description for k in wanted if k.lsoa_code is None}
        descriptions -= self._loaded_descriptions
        self._loaded_lsoas |= lsoas
        self._loaded_descriptions |= descriptions
        columns = (
            Location.id,
            Location.latitude,
            Location.longitude,
            Location.description,
            Location.lsoa_code,
            Location.postcode,
        )
        statements = [
            select(*columns).where(Location.lsoa_code.in_(chunk))
            for chunk in _chunks(sorted(lsoas))
        ]
        statements += [
            select(*columns).where(Location.lsoa_code.is_(None), Location.description.in_(chunk))
            for chunk in _chunks(sorted(descriptions))
        ]
        for statement in statements:
            for row in self._conn.execute(statement):
                key = LocationKey(row[1], row[2], row[3], row[4], row[5])
                self._locations.setdefault(key, row[0])


def _sort_key(key: LocationKey) -> tuple[str, str, float, float]:
    """A total order over keys so inserts happen in the same order on every run."""
    return (key.lsoa_code or "", key.description, key.latitude or 0.0, key.longitude or 0.0)
