"""Reads of places."""

from __future__ import annotations

from joinedup.places.models import Location
from joinedup.places.schemas import LocationOut


def location_out(loc: Location) -> LocationOut:
    """A location as the pages and API show it."""
    return LocationOut(
        id=loc.id,
        description=loc.description,
        latitude=loc.latitude,
        longitude=loc.longitude,
        h3_cell=loc.h3_cell,
        lsoa_code=loc.lsoa_code,
        district=loc.district_name,
        postcode=loc.postcode,
    )
