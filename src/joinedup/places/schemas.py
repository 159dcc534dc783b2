"""Places: districts, LSOAs and locations."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

SURREY_DISTRICTS = (
    "Elmbridge",
    "Epsom and Ewell",
    "Guildford",
    "Mole Valley",
    "Reigate and Banstead",
    "Runnymede",
    "Spelthorne",
    "Surrey Heath",
    "Tandridge",
    "Waverley",
    "Woking",
)


class LocationOut(BaseModel):
    """A location as shown on person and incident pages."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    description: str
    latitude: float | None
    longitude: float | None
    h3_cell: str | None
    lsoa_code: str | None
    district: str | None
    postcode: str
