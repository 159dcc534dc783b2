"""Pure place logic: LSOA names to districts, coordinates to H3 cells, postcode tidying."""

from __future__ import annotations

import re

import h3

from joinedup.places.schemas import SURREY_DISTRICTS

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
# Longest first so "Surrey Heath" is not read as a shorter name that prefixes it.
_DISTRICTS_LONGEST_FIRST = sorted(SURREY_DISTRICTS, key=len, reverse=True)


def district_of_lsoa_name(lsoa_name: str) -> str | None:
    """The district an LSOA name begins with (``Elmbridge 001A`` -> ``Elmbridge``).

    Returns the name before the trailing code for districts outside the partnership too.
    """
    name = lsoa_name.strip()
    if not name:
        return None
    for district in _DISTRICTS_LONGEST_FIRST:
        if name.startswith(district + " "):
            return district
    head, _, _code = name.rpartition(" ")
    return head or None


def in_partnership_area(district: str | None) -> bool:
    """True when ``district`` is one of Surrey's 11 districts and boroughs."""
    return district in SURREY_DISTRICTS


def h3_cell(latitude: float | None, longitude: float | None, resolution: int) -> str | None:
    """The H3 cell of a point, or ``None`` when the point is missing or impossible."""
    if latitude is None or longitude is None:
        return None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    return str(h3.latlng_to_cell(latitude, longitude, resolution))


def normalise_postcode(raw: str) -> str:
    """A UK postcode in canonical form (``gu1  1aa`` -> ``GU1 1AA``); other text tidied."""
    compact = re.sub(r"\s+", "", raw.upper())
    match = _POSTCODE.match(compact)
    if not match:
        return raw.strip().upper()
    return f"{match.group(1)} {match.group(2)}"
