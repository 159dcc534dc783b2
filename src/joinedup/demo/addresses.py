"""Demo homes on real Surrey streets: street names and points from police.uk, the rest made up."""

from __future__ import annotations

import csv
import gzip
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from joinedup.config import REPO_ROOT
from joinedup.demo.model import Address
from joinedup.places.rules import district_of_lsoa_name
from joinedup.places.schemas import SURREY_DISTRICTS

POLICE_UK_DIR = REPO_ROOT / "data" / "police-uk"
_STREET_ENDINGS = frozenset(
    "Road Close Lane Way Avenue Street Drive Gardens Court Place Hill Crescent Grove Walk Mews "
    "Mead Rise Terrace View Green Approach Parade Square End Meadow Row Ride Croft Chase Copse "
    "Gate Vale".split()
)
# Outward codes and a town for each district; the inward part is drawn at random.
POSTCODE_AREAS: dict[str, tuple[tuple[str, str], ...]] = {
    "Elmbridge": (("KT10", "Esher"), ("KT11", "Cobham"), ("KT12", "Walton-on-Thames"),
                  ("KT13", "Weybridge")),
    "Epsom and Ewell": (("KT17", "Ewell"), ("KT18", "Epsom"), ("KT19", "Epsom")),
    "Guildford": (("GU1", "Guildford"), ("GU2", "Guildford"), ("GU3", "Guildford"),
                  ("GU4", "Guildford"), ("GU5", "Bramley")),
    "Mole Valley": (("RH4", "Dorking"), ("RH5", "Dorking"), ("KT22", "Leatherhead"),
                    ("KT23", "Bookham")),
    "Reigate and Banstead": (("RH1", "Redhill"), ("RH2", "Reigate"), ("SM7", "Banstead"),
                             ("KT20", "Tadworth")),
    "Runnymede": (("KT15", "Addlestone"), ("KT16", "Chertsey"), ("TW20", "Egham")),
    "Spelthorne": (("TW15", "Ashford"), ("TW16", "Sunbury-on-Thames"), ("TW17", "Shepperton"),
                   ("TW18", "Staines-upon-Thames"), ("TW19", "Stanwell")),
    "Surrey Heath": (("GU15", "Camberley"), ("GU16", "Frimley"), ("GU17", "Camberley"),
                     ("GU18", "Lightwater"), ("GU19", "Bagshot"), ("GU20", "Windlesham")),
    "Tandridge": (("RH7", "Lingfield"), ("RH8", "Oxted"), ("RH9", "Godstone"),
                  ("CR3", "Caterham"), ("CR6", "Warlingham")),
    "Waverley": (("GU7", "Godalming"), ("GU8", "Godalming"), ("GU9", "Farnham"),
                 ("GU10", "Farnham"), ("GU27", "Haslemere")),
    "Woking": (("GU21", "Woking"), ("GU22", "Woking"), ("GU23", "Woking"), ("GU24", "Woking")),
}  # fmt: skip
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_FLAT_BLOCKS = ("Court", "House", "Lodge", "Mansions")


@dataclass(frozen=True, slots=True)
class StreetPoint:
    """A real street and its police.uk snap point, with its LSOA."""

    street: str
    district: str
    lsoa_code: str
    lsoa_name: str
    latitude: float
    longitude: float


def _street_of(location: str) -> str | None:
    street = location.removeprefix("On or near ").strip()
    if not street or street == location or street.split()[-1] not in _STREET_ENDINGS:
        return None
    return street


def _points_in(path: Path) -> list[StreetPoint]:
    points = []
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            street = _street_of(row["Location"])
            district = district_of_lsoa_name(row["LSOA name"])
            if street is None or district not in SURREY_DISTRICTS or not row["Latitude"]:
                continue
            points.append(
                StreetPoint(
                    street,
                    district,
                    row["LSOA code"],
                    row["LSOA name"],
                    float(row["Latitude"]),
                    float(row["Longitude"]),
                )
            )
    return points


@lru_cache(maxsize=2)
def street_points(directory: Path = POLICE_UK_DIR) -> dict[str, tuple[StreetPoint, ...]]:
    """Distinct Surrey street points by district, sorted so every run draws the same homes."""
    seen: dict[StreetPoint, None] = {}
    for path in sorted(directory.glob("*.csv.gz")):
        seen.update(dict.fromkeys(_points_in(path)))
    by_district: dict[str, list[StreetPoint]] = {d: [] for d in SURREY_DISTRICTS}
    for point in seen:
        by_district[point.district].append(point)
    return {
        d: tuple(sorted(pts, key=lambda p: (p.street, p.lsoa_code, p.latitude, p.longitude)))
        for d, pts in by_district.items()
    }


def random_postcode(rng: random.Random, district: str) -> tuple[str, str]:
    """A plausible postcode for ``district`` and the town that goes with it."""
    outward, town = rng.choice(POSTCODE_AREAS[district])
    inward = f"{rng.randint(1, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
    return f"{outward} {inward}", town


class AddressBook:
    """Draws homes from the real street points of each district."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._points = street_points()
        weights = [len(self._points[d]) for d in SURREY_DISTRICTS]
        # Busier districts in the police data hold more demo residents.
        self._districts = list(SURREY_DISTRICTS)
        self._weights = weights

    def district(self) -> str:
        """A district, weighted by how many streets the police data has there."""
        return self._rng.choices(self._districts, weights=self._weights)[0]

    def home(self, district: str | None = None) -> Address:
        """A new home in ``district`` (or any district)."""
        rng = self._rng
        where = district or self.district()
        point = rng.choice(self._points[where])
        number = rng.randint(1, 140)
        line = f"{number} {point.street}"
        if rng.random() < 0.15:
            block = f"{point.street.rsplit(' ', 1)[0]} {rng.choice(_FLAT_BLOCKS)}"
            line = f"Flat {rng.randint(1, 24)}, {block}, {point.street}"
        postcode, town = random_postcode(rng, where)
        return Address(
            line=line,
            street=point.street,
            town=town,
            postcode=postcode,
            district=where,
            lsoa_code=point.lsoa_code,
            lsoa_name=point.lsoa_name,
            latitude=round(point.latitude + rng.uniform(-0.0008, 0.0008), 6),
            longitude=round(point.longitude + rng.uniform(-0.0008, 0.0008), 6),
        )

    def near(self, address: Address) -> tuple[float, float]:
        """A point a street or two from ``address``."""
        return (
            round(address.latitude + self._rng.uniform(-0.003, 0.003), 6),
            round(address.longitude + self._rng.uniform(-0.003, 0.003), 6),
        )
