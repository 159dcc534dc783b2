"""JoinedUp's one incident taxonomy (documented in ``docs/taxonomy.md``).

Each category names its group, the data category that information-sharing agreements govern,
and a default relative harm weight. Weights are indicative "days of imprisonment"-style values in
the spirit of the Cambridge Crime Harm Index; partnerships configure their own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from joinedup.agreements.schemas import DataCategory


class Group(enum.StrEnum):
    """The broad family a category belongs to."""

    CRIME = "crime"
    ASB = "asb"
    CONCERN = "concern"


class AsbClass(enum.StrEnum):
    """National Standard for Incident Recording ASB classes."""

    PERSONAL = "personal"
    NUISANCE = "nuisance"
    ENVIRONMENTAL = "environmental"


@dataclass(frozen=True, slots=True)
class Category:
    """One incident category."""

    code: str
    label: str
    group: Group
    data_category: DataCategory
    harm_weight: float
    police_uk_name: str | None = None
    asb_class: AsbClass | None = None


_D = DataCategory
CATEGORIES: tuple[Category, ...] = (
    # The 14 police.uk street-level categories.
    Category(
        "anti_social_behaviour",
        "Anti-social behaviour",
        Group.ASB,
        _D.ASB,
        1.0,
        "Anti-social behaviour",
    ),
    Category("bicycle_theft", "Bicycle theft", Group.CRIME, _D.INCIDENT, 3.0, "Bicycle theft"),
    Category("burglary", "Burglary", Group.CRIME, _D.INCIDENT, 180.0, "Burglary"),
    Category(
        "criminal_damage_and_arson",
        "Criminal damage and arson",
        Group.CRIME,
        _D.INCIDENT,
        20.0,
        "Criminal damage and arson",
    ),
    Category("drugs", "Drugs", Group.CRIME, _D.INCIDENT, 20.0, "Drugs"),
    Category("other_theft", "Other theft", Group.CRIME, _D.INCIDENT, 5.0, "Other theft"),
    Category(
        "possession_of_weapons",
        "Possession of weapons",
        Group.CRIME,
        _D.INCIDENT,
        180.0,
        "Possession of weapons",
    ),
    Category("public_order", "Public order", Group.CRIME, _D.INCIDENT, 10.0, "Public order"),
    Category("robbery", "Robbery", Group.CRIME, _D.INCIDENT, 365.0, "Robbery"),
    Category("shoplifting", "Shoplifting", Group.CRIME, _D.INCIDENT, 2.0, "Shoplifting"),
    Category(
        "theft_from_the_person",
        "Theft from the person",
        Group.CRIME,
        _D.INCIDENT,
        20.0,
        "Theft from the person",
    ),
    Category("vehicle_crime", "Vehicle crime", Group.CRIME, _D.INCIDENT, 10.0, "Vehicle crime"),
    Category(
        "violence_and_sexual_offences",
        "Violence and sexual offences",
        Group.CRIME,
        _D.INCIDENT,
        120.0,
        "Violence and sexual offences",
    ),
    Category("other_crime", "Other crime", Group.CRIME, _D.INCIDENT, 20.0, "Other crime"),
    # ASB as partners record it, by National Standard for Incident Recording class.
    Category("asb_personal", "ASB – personal", Group.ASB, _D.ASB, 2.0, None, AsbClass.PERSONAL),
    Category("asb_nuisance", "ASB – nuisance", Group.ASB, _D.ASB, 1.0, None, AsbClass.NUISANCE),
    Category(
        "asb_environmental",
        "ASB – environmental",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.ENVIRONMENTAL,
    ),
    # ASB incident types, each with the NSIR class it is usually recorded under.
    Category(
        "asb_rowdy_behaviour",
        "ASB – rowdy or inconsiderate behaviour",
        Group.ASB,
        _D.ASB,
        1.0,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_neighbour_nuisance",
        "ASB – rowdy or nuisance neighbours",
        Group.ASB,
        _D.ASB,
        2.0,
        None,
        AsbClass.PERSONAL,
    ),
    Category(
        "asb_vehicle_nuisance",
        "ASB – vehicle nuisance or inappropriate vehicle use",
        Group.ASB,
        _D.ASB,
        1.0,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_street_drinking",
        "ASB – street drinking",
        Group.ASB,
        _D.ASB,
        1.0,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_begging",
        "ASB – begging or vagrancy",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_trespass",
        "ASB – trespass",
        Group.ASB,
        _D.ASB,
        1.0,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_animal_problems",
        "ASB – animal problems",
        Group.ASB,
        _D.ASB,
        1.0,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_fireworks",
        "ASB – misuse of fireworks",
        Group.ASB,
        _D.ASB,
        1.0,
        None,
        AsbClass.NUISANCE,
    ),
    Category(
        "asb_nuisance_calls",
        "ASB – nuisance calls or malicious communications",
        Group.ASB,
        _D.ASB,
        2.0,
        None,
        AsbClass.PERSONAL,
    ),
    Category(
        "asb_drug_litter",
        "ASB – drug paraphernalia or littering",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.ENVIRONMENTAL,
    ),
    Category(
        "asb_abandoned_vehicle",
        "ASB – abandoned vehicle",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.ENVIRONMENTAL,
    ),
    Category(
        "asb_fly_tipping",
        "ASB – fly-tipping",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.ENVIRONMENTAL,
    ),
    Category(
        "asb_graffiti",
        "ASB – graffiti or criminal-damage-like nuisance",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.ENVIRONMENTAL,
    ),
    # Non-crime concerns.
    Category("welfare_concern", "Concern for welfare", Group.CONCERN, _D.SAFEGUARDING_ADULTS, 5.0),
    Category("mental_health_crisis", "Mental health crisis", Group.CONCERN, _D.MENTAL_HEALTH, 5.0),
    Category("missing_episode", "Missing episode", Group.CONCERN, _D.SAFEGUARDING_CHILDREN, 10.0),
    Category(
        "exploitation_cce",
        "Child criminal exploitation concern",
        Group.CONCERN,
        _D.SAFEGUARDING_CHILDREN,
        60.0,
    ),
    Category(
        "exploitation_cse",
        "Child sexual exploitation concern",
        Group.CONCERN,
        _D.SAFEGUARDING_CHILDREN,
        60.0,
    ),
    Category("cuckooing_concern", "Cuckooing concern", Group.CONCERN, _D.SAFEGUARDING_ADULTS, 60.0),
    Category("domestic_abuse", "Domestic abuse incident", Group.CONCERN, _D.DOMESTIC_ABUSE, 60.0),
    Category("hate_incident", "Hate incident", Group.CONCERN, _D.INCIDENT, 20.0),
    Category(
        "safeguarding_child",
        "Safeguarding concern (child)",
        Group.CONCERN,
        _D.SAFEGUARDING_CHILDREN,
        30.0,
    ),
    Category(
        "safeguarding_adult",
        "Safeguarding concern (adult)",
        Group.CONCERN,
        _D.SAFEGUARDING_ADULTS,
        30.0,
    ),
    Category(
        "deliberate_fire_setting", "Deliberate fire-setting", Group.CONCERN, _D.INCIDENT, 40.0
    ),
    Category("noise_complaint", "Noise complaint", Group.ASB, _D.ASB, 0.5, None, AsbClass.NUISANCE),
    Category(
        "environmental_complaint",
        "Environmental complaint",
        Group.ASB,
        _D.ASB,
        0.5,
        None,
        AsbClass.ENVIRONMENTAL,
    ),
    Category("tenancy_breach", "Tenancy breach", Group.CONCERN, _D.HOUSING, 2.0),
)

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
BY_POLICE_UK_NAME: dict[str, Category] = {
    c.police_uk_name: c for c in CATEGORIES if c.police_uk_name is not None
}


def harm_weight(code: str, overrides: Mapping[str, float] | None = None) -> float | None:
    """The relative harm weight of a category: the partnership's own (``JOINEDUP_HARM_WEIGHTS``)
    where set, else the default; ``None`` for an unknown code."""
    found = BY_CODE.get(code)
    if found is None:
        return None
    if overrides and code in overrides:
        return float(overrides[code])
    return found.harm_weight


def category(code: str) -> Category:
    """The category with ``code``; ``KeyError`` when there is none."""
    return BY_CODE[code]


def label(code: str) -> str:
    """The label people read for a category code (the code itself if unknown)."""
    found = BY_CODE.get(code)
    return found.label if found else code
