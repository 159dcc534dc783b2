"""Background partner incidents: what each organisation records about the people it holds."""

from __future__ import annotations

from joinedup.demo import organisations as orgs
from joinedup.demo.model import IncidentSpec, RecordCopy
from joinedup.demo.narratives import TEXTS
from joinedup.demo.population import Builder
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.schemas import OrgKind

Role = InvolvementRole
DAYS_BACK = 730

# How much each kind of organisation records, and what.
KIND_WEIGHT: dict[OrgKind, float] = {
    OrgKind.POLICE: 25, OrgKind.DISTRICT_COUNCIL: 30, OrgKind.MENTAL_HEALTH_TRUST: 10,
    OrgKind.HOUSING_PROVIDER: 10, OrgKind.COUNTY_COUNCIL: 6, OrgKind.DOMESTIC_ABUSE_SERVICE: 5,
    OrgKind.FIRE_AND_RESCUE: 3, OrgKind.YOUTH_JUSTICE: 3, OrgKind.PROBATION: 2,
    OrgKind.VICTIM_SUPPORT: 2, OrgKind.EDUCATION: 2, OrgKind.VOLUNTARY_SECTOR: 2,
}  # fmt: skip
CATEGORIES: dict[OrgKind, tuple[tuple[str, float], ...]] = {
    OrgKind.POLICE: (("domestic_abuse", 4), ("welfare_concern", 4), ("missing_episode", 2),
                     ("public_order", 2), ("violence_and_sexual_offences", 2), ("drugs", 2),
                     ("criminal_damage_and_arson", 2), ("anti_social_behaviour", 3),
                     ("hate_incident", 1), ("mental_health_crisis", 2), ("other_theft", 1)),
    OrgKind.DISTRICT_COUNCIL: (("asb_personal", 3), ("asb_nuisance", 4), ("asb_environmental", 2),
                               ("noise_complaint", 4), ("environmental_complaint", 1),
                               ("hate_incident", 0.5), ("welfare_concern", 1)),
    OrgKind.HOUSING_PROVIDER: (("tenancy_breach", 3), ("asb_nuisance", 3), ("asb_personal", 2),
                               ("welfare_concern", 1), ("cuckooing_concern", 0.3)),
    OrgKind.MENTAL_HEALTH_TRUST: (("mental_health_crisis", 4), ("welfare_concern", 2),
                                  ("safeguarding_adult", 1)),
    OrgKind.COUNTY_COUNCIL: (("safeguarding_child", 2), ("safeguarding_adult", 2),
                             ("welfare_concern", 1), ("exploitation_cce", 1),
                             ("exploitation_cse", 0.3), ("missing_episode", 1)),
    OrgKind.DOMESTIC_ABUSE_SERVICE: (("domestic_abuse", 1),),
    OrgKind.VICTIM_SUPPORT: (("hate_incident", 1), ("domestic_abuse", 1), ("asb_personal", 1)),
    OrgKind.FIRE_AND_RESCUE: (("deliberate_fire_setting", 3), ("welfare_concern", 1)),
    OrgKind.PROBATION: (("domestic_abuse", 1), ("welfare_concern", 1)),
    OrgKind.YOUTH_JUSTICE: (("exploitation_cce", 2), ("missing_episode", 1), ("asb_personal", 1)),
    OrgKind.EDUCATION: (("safeguarding_child", 2), ("missing_episode", 1),
                        ("exploitation_cce", 1)),
    OrgKind.VOLUNTARY_SECTOR: (("welfare_concern", 2), ("exploitation_cce", 1),
                               ("safeguarding_adult", 1)),
}  # fmt: skip
# The role of the main person, and of a second person when there is one (with its chance).
ROLES: dict[str, tuple[Role, Role, float]] = {
    "domestic_abuse": (Role.VICTIM, Role.SUSPECT, 0.7),
    "hate_incident": (Role.VICTIM, Role.WITNESS, 0.2),
    "asb_personal": (Role.VICTIM, Role.SUSPECT, 0.4),
    "asb_nuisance": (Role.REPORTER, Role.SUSPECT, 0.3),
    "asb_environmental": (Role.REPORTER, Role.SUSPECT, 0.1),
    "noise_complaint": (Role.REPORTER, Role.SUBJECT_OF_CONCERN, 0.5),
    "environmental_complaint": (Role.REPORTER, Role.SUBJECT_OF_CONCERN, 0.3),
    "violence_and_sexual_offences": (Role.VICTIM, Role.SUSPECT, 0.6),
    "public_order": (Role.SUSPECT, Role.WITNESS, 0.4),
    "criminal_damage_and_arson": (Role.VICTIM, Role.SUSPECT, 0.4),
    "other_theft": (Role.VICTIM, Role.WITNESS, 0.2),
    "drugs": (Role.SUSPECT, Role.WITNESS, 0.2),
    "anti_social_behaviour": (Role.REPORTER, Role.SUSPECT, 0.3),
    "deliberate_fire_setting": (Role.SUSPECT, Role.REPORTER, 0.3),
    "missing_episode": (Role.SUBJECT_OF_CONCERN, Role.REPORTER, 0.5),
}
# Organisations that record one person per incident (their client), never a second party.
SINGLE_PARTY = frozenset(
    {OrgKind.DOMESTIC_ABUSE_SERVICE, OrgKind.VICTIM_SUPPORT, OrgKind.MENTAL_HEALTH_TRUST,
     OrgKind.EDUCATION, OrgKind.VOLUNTARY_SECTOR}
)  # fmt: skip
CHILD_CATEGORIES = frozenset(
    {"missing_episode", "exploitation_cce", "exploitation_cse", "safeguarding_child"}
)


class _Pools:
    """The records each organisation holds, split into children and everyone."""

    def __init__(self, records: list[RecordCopy], exclude: RecordCopy | None) -> None:
        self.all: dict[str, list[RecordCopy]] = {}
        self.children: dict[str, list[RecordCopy]] = {}
        for record in records:
            if exclude is not None and record.key == exclude.key:
                continue
            self.all.setdefault(record.organisation, []).append(record)
            if record.is_child:
                self.children.setdefault(record.organisation, []).append(record)


def _weights(pools: _Pools) -> tuple[list[str], list[float]]:
    names = [spec.name for spec in orgs.ORGANISATIONS if spec.name in pools.all]
    weights = []
    for name in names:
        spec = orgs.BY_NAME[name]
        # Councils and housing providers share their kind's weight by how many people they hold.
        weights.append(KIND_WEIGHT.get(spec.kind, 0) * len(pools.all[name]) ** 0.5)
    return names, weights


def background_incidents(
    b: Builder, count: int, exclude: RecordCopy | None = None
) -> list[IncidentSpec]:
    """``count`` incidents over the last two years, each involving records of its recorder."""
    pools = _Pools(b.population.records, exclude)
    names, weights = _weights(pools)
    rng = b.rng
    specs = []
    for _ in range(count):
        organisation = rng.choices(names, weights)[0]
        options = CATEGORIES[orgs.BY_NAME[organisation].kind]
        category = rng.choices([c for c, _w in options], [w for _c, w in options])[0]
        wanted = pools.children.get(organisation) if category in CHILD_CATEGORIES else None
        subject = rng.choice(wanted or pools.all[organisation])
        first, second, chance = ROLES.get(category, (Role.SUBJECT_OF_CONCERN, Role.REPORTER, 0.2))
        parties = [(subject, first)]
        other = rng.choice(pools.all[organisation])
        single = orgs.BY_NAME[organisation].kind in SINGLE_PARTY
        if not single and rng.random() < chance and other.key != subject.key:
            parties.append((other, second))
        text = rng.choice(TEXTS[category])
        days = rng.uniform(0.5, DAYS_BACK)
        specs.append(b.incident(organisation, category, days, parties, text,
                                at_home=rng.random() < 0.45))  # fmt: skip
    return specs
