"""Planted stories about homes and neighbourhoods: cuckooing, repeat ASB, hate, case reviews."""

from __future__ import annotations

from dataclasses import replace

from joinedup.demo import organisations as orgs
from joinedup.demo.population import HOUSING_BY_DISTRICT
from joinedup.demo.story_base import Role, StoryMaker
from joinedup.people.schemas import Gender, VulnerabilityMarker

_M = VulnerabilityMarker


def cuckooing(m: StoryMaker, district: str) -> None:
    """A vulnerable tenant's flat taken over for dealing; four agencies each see a part."""
    b = m.b
    council, housing = orgs.COUNCILS[district].name, HOUSING_BY_DISTRICT[district]
    home = b.addresses.home(district)
    tenant = b.person(
        age=(32, 58),
        address=home,
        markers=(_M.LEARNING_DISABILITY, _M.SOCIAL_ISOLATION, _M.MENTAL_HEALTH),
    )
    t = m.held(tenant, housing, orgs.POLICE, council, orgs.MH_TRUST)
    dealer = m.held(b.person(age=(19, 26), gender=Gender.MALE), orgs.POLICE)[orgs.POLICE]
    next_door = replace(home, line=f"{b.rng.randint(1, 140)} {home.street}")
    neighbour = m.held(b.person(age=(40, 75), address=next_door), council)[council]
    concern, police, mh = Role.SUBJECT_OF_CONCERN, orgs.POLICE, orgs.MH_TRUST
    m.add_all([
        (housing, "tenancy_breach", 80, [(t[housing], concern)],
         "Neighbours report visitors to the flat at all hours and a smell of cannabis on the "
         "stairwell in {street}.", True),
        (council, "asb_nuisance", 62, [(neighbour, Role.REPORTER), (t[council], concern)],
         "Resident reports people coming and going from a neighbouring flat in {street}, "
         "doors banging through the night.", False),
        (police, "drugs", 45, [(t[police], concern), (dealer, Role.SUSPECT)],
         "Attended report of suspected drug dealing from a flat in {street}; two males left on "
         "arrival, one stopped and found with wraps.", True),
        (housing, "cuckooing_concern", 30, [(t[housing], concern)],
         "Home visit: unknown adults present, tenant anxious and said they were friends "
         "staying for a while. Tenant has a learning disability.", True),
        (council, "asb_nuisance", 21, [(neighbour, Role.REPORTER), (t[council], concern)],
         "Second report: shouting in the communal area of {street} and needles left by the "
         "bins.", False),
        (mh, "welfare_concern", 14, [(t[mh], concern)],
         "Care coordinator: two missed appointments; when reached by phone the patient said "
         "people were staying and they could not talk.", False),
        (police, "drugs", 6, [(t[police], concern)],
         "Second call about dealing from the same flat in {street}; occupant appeared "
         "frightened and would not give names.", True),
    ])  # fmt: skip


def asb_victim_in_crisis(m: StoryMaker, district: str) -> None:
    """A repeat ASB victim whose mental health is collapsing, known to three agencies."""
    b = m.b
    council = orgs.COUNCILS[district].name
    victim = b.person(age=(35, 70), district=district, markers=(_M.MENTAL_HEALTH,))
    v = m.held(victim, council, orgs.POLICE, orgs.MH_TRUST)
    texts = (
        "Resident reports youths kicking a football against their door and shouting "
        "abuse in {street}.",
        "Eggs thrown at the windows again; resident says this has gone on for weeks.",
        "Resident reports being followed and filmed by a group of teenagers near home.",
    )
    for days, text in zip((170, 110, 40), texts, strict=True):
        m.add(council, "asb_personal", days, [(v[council], Role.VICTIM)], text, at_home=True)
    m.add(
        orgs.POLICE,
        "asb_personal",
        95,
        [(v[orgs.POLICE], Role.VICTIM)],
        "Caller distressed, reports group outside the house in {street} banging on windows.",
    )
    m.add(
        orgs.POLICE,
        "welfare_concern",
        30,
        [(v[orgs.POLICE], Role.SUBJECT_OF_CONCERN)],
        "Caller said they cannot take any more of the harassment and spoke of ending their "
        "life; officers attended and referred to the crisis team.",
        at_home=True,
    )
    m.add(
        orgs.MH_TRUST,
        "mental_health_crisis",
        29,
        [(v[orgs.MH_TRUST], Role.SUBJECT_OF_CONCERN)],
        "Crisis team assessment after police referral: low mood, not sleeping, describes "
        "being targeted by local youths.",
    )
    m.add(
        orgs.MH_TRUST,
        "mental_health_crisis",
        8,
        [(v[orgs.MH_TRUST], Role.SUBJECT_OF_CONCERN)],
        "Home treatment team visit: patient barricading door at night.",
        at_home=True,
    )


def hate_incidents(m: StoryMaker, district: str) -> None:
    """A victim of repeated hate incidents who reported to police, council and victim support."""
    b = m.b
    council = orgs.COUNCILS[district].name
    victim = b.person(age=(22, 60), district=district)
    v = m.held(victim, orgs.POLICE, council, orgs.VICTIM_SUPPORT)
    m.add(
        orgs.POLICE,
        "hate_incident",
        120,
        [(v[orgs.POLICE], Role.VICTIM)],
        "Victim subjected to racist abuse by a neighbour while unloading shopping in {street}.",
    )
    m.add(
        council,
        "hate_incident",
        75,
        [(v[council], Role.VICTIM)],
        "Graffiti targeting the resident's religion painted on the garden wall.",
        at_home=True,
    )
    m.add(
        orgs.POLICE,
        "hate_incident",
        33,
        [(v[orgs.POLICE], Role.VICTIM)],
        "Further abuse shouted from a passing car; victim now afraid to leave home.",
    )
    m.add(
        orgs.VICTIM_SUPPORT,
        "hate_incident",
        25,
        [(v[orgs.VICTIM_SUPPORT], Role.VICTIM)],
        "Referral accepted: emotional support and a home security assessment offered.",
    )


def case_review_threshold(m: StoryMaker, district: str) -> None:
    """Three complaints in six months from one victim, each to a different agency."""
    b = m.b
    council, housing = orgs.COUNCILS[district].name, HOUSING_BY_DISTRICT[district]
    victim = b.person(age=(28, 80), district=district)
    v = m.held(victim, council, orgs.POLICE, housing)
    m.add(
        council,
        "asb_personal",
        150,
        [(v[council], Role.VICTIM)],
        "Resident reports a neighbour's visitors intimidating them on the path in {street}.",
        at_home=True,
    )
    m.add(
        orgs.POLICE,
        "asb_personal",
        92,
        [(v[orgs.POLICE], Role.VICTIM)],
        "Caller reports threats from people at the neighbouring property; says the council "
        "has done nothing.",
    )
    m.add(
        housing,
        "asb_nuisance",
        31,
        [(v[housing], Role.VICTIM)],
        "Tenant reports loud parties and threats at the shared entrance; asks about an ASB "
        "Case Review.",
        at_home=True,
    )


def neighbour_dispute(m: StoryMaker, district: str) -> None:
    """Two neighbours who each report the other: both victim and suspect, to two agencies."""
    b = m.b
    council = orgs.COUNCILS[district].name
    one = b.person(age=(30, 70), district=district)
    next_door = f"{b.rng.randint(1, 140)} {one.address.street}"
    two = b.person(age=(30, 70), address=replace(one.address, line=next_door))
    a = m.held(one, council, orgs.POLICE)
    c = m.held(two, council, orgs.POLICE)
    m.add(
        council,
        "asb_personal",
        140,
        [(a[council], Role.VICTIM), (c[council], Role.SUSPECT)],
        "Resident reports neighbour's dog barking and being sworn at over the boundary hedge.",
    )
    m.add(
        council,
        "asb_personal",
        100,
        [(c[council], Role.VICTIM), (a[council], Role.SUSPECT)],
        "Counter-complaint: neighbour accuses the first complainant of filming their garden.",
    )
    m.add(
        orgs.POLICE,
        "public_order",
        50,
        [(a[orgs.POLICE], Role.SUSPECT), (c[orgs.POLICE], Role.SUSPECT)],
        "Verbal altercation between neighbours in {street}; both gave accounts, words of "
        "advice given.",
    )
