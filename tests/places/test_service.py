"""Creating districts, LSOAs and locations once each, in bulk."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.places.models import District, Location, Lsoa
from joinedup.places.service import LocationKey, PlaceWriter


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_lsoas_create_their_districts_with_the_area_flag_once(session: Session):
    writer = PlaceWriter(session.connection(), 9)
    writer.ensure_lsoas({"E01030001": "Guildford 001A", "E01031000": "Crawley 010B"})
    writer.ensure_lsoas({"E01030001": "Guildford 001A", "E01030002": "Guildford 001B"})
    session.commit()
    assert {d.name: d.in_area for d in session.scalars(select(District))} == {
        "Guildford": True,
        "Crawley": False,
    }
    assert _count(session, Lsoa) == 3
    again = PlaceWriter(session.connection(), 9)
    again.ensure_lsoas({"E01030002": "Guildford 001B"})
    assert again.district_of("E01030002") == "Guildford" and again.in_area("Guildford")
    assert not again.in_area("Crawley") and not again.in_area(None)


def test_one_location_per_distinct_key_across_calls_and_writers(session: Session):
    writer = PlaceWriter(session.connection(), 9)
    writer.ensure_lsoas({"E01030001": "Guildford 001A"})
    high_street = LocationKey(51.236, -0.57, "On or near High Street", "E01030001")
    no_lsoa = LocationKey(51.3, -0.5, "On or near Station Road", None)
    ids = writer.location_ids([high_street, high_street, no_lsoa])
    assert len(set(ids.values())) == 2
    session.commit()
    later = PlaceWriter(session.connection(), 9).location_ids([high_street, no_lsoa])
    assert later == ids
    assert _count(session, Location) == 2
    stored = session.get(Location, ids[high_street])
    assert stored is not None and stored.district_name == "Guildford"
    assert stored.h3_cell is not None and len(stored.h3_cell) == 15
