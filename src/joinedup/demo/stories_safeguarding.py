"""Planted stories about people at risk: domestic abuse, exploitation, fire, crisis, old age."""

from __future__ import annotations

from joinedup.demo import organisations as orgs
from joinedup.demo.population import DA_BY_DISTRICT, HOUSING_BY_DISTRICT
from joinedup.demo.story_base import Role, StoryMaker
from joinedup.people.schemas import Gender, VulnerabilityMarker

_M = VulnerabilityMarker


def domestic_abuse_escalating(m: StoryMaker, district: str) -> None:
    """Escalating abuse: four incidents in twelve months, with the DA service involved."""
    b = m.b
    service = DA_BY_DISTRICT[district]
    home = b.addresses.home(district)
    victim = b.person(
        age=(22, 45), gender=Gender.FEMALE, address=home, markers=(_M.DOMESTIC_ABUSE_VICTIM,)
    )
    partner = b.person(age=(24, 50), gender=Gender.MALE, address=home)
    v = m.held(victim, orgs.POLICE, service, orgs.COUNCILS[district].name)
    p = m.held(partner, orgs.POLICE)
    pairs = [(v[orgs.POLICE], Role.VICTIM), (p[orgs.POLICE], Role.SUSPECT)]
    steps = (
        (
            300,
            "Verbal argument reported by a neighbour; victim said nothing physical "
            "happened. DASH: standard risk.",
        ),
        (170, "Partner smashed the victim's phone and stopped her leaving. DASH: medium."),
        (
            75,
            "Victim pushed down the stairs; bruising to arms. Partner arrested and "
            "released under investigation. DASH: 12 yes answers.",
        ),
        (
            12,
            "Strangulation disclosed; victim pregnant and afraid to return home. DASH: 16 "
            "yes answers, high risk - MARAC referral.",
        ),
    )
    for days, text in steps:
        m.add(orgs.POLICE, "domestic_abuse", days, list(pairs), text, at_home=True)
    m.add(
        service,
        "domestic_abuse",
        10,
        [(v[service], Role.VICTIM)],
        "IDVA allocated after police referral; safety planning and a refuge space discussed.",
    )


def child_exploitation(m: StoryMaker, district: str) -> None:
    """A child going missing and found with drugs: criminal exploitation by a county line."""
    b = m.b
    home = b.addresses.home(district)
    child = b.person(age=(14, 16), address=home, markers=(_M.CHILD, _M.EXPLOITATION_RISK))
    parent = b.person(age=(38, 52), gender=Gender.FEMALE, address=home, surname=child.surname)
    c = m.held(child, orgs.POLICE, orgs.COUNTY, orgs.YOUTH_JUSTICE, orgs.EDUCATION)
    mum = m.held(parent, orgs.POLICE, orgs.COUNTY)
    adult = m.held(b.person(age=(19, 24), gender=Gender.MALE), orgs.POLICE)[orgs.POLICE]
    for days in (200, 120, 47):
        m.add(
            orgs.POLICE,
            "missing_episode",
            days,
            [(c[orgs.POLICE], Role.SUBJECT_OF_CONCERN), (mum[orgs.POLICE], Role.REPORTER)],
            "Reported missing overnight by parent; returned next day with new trainers and a "
            "second phone, would not say where they had been.",
            at_home=True,
        )
    m.add(
        orgs.EDUCATION,
        "missing_episode",
        115,
        [(c[orgs.EDUCATION], Role.SUBJECT_OF_CONCERN)],
        "Pupil absent for three days without explanation; attendance down to 60 per cent.",
    )
    m.add(
        orgs.POLICE,
        "drugs",
        60,
        [(c[orgs.POLICE], Role.SUSPECT), (adult, Role.SUSPECT)],
        "Child stopped at a railway station in a car with an older male; cash and wraps "
        "found. Treated as a potential victim of exploitation.",
    )
    m.add(
        orgs.COUNTY,
        "exploitation_cce",
        55,
        [(c[orgs.COUNTY], Role.SUBJECT_OF_CONCERN), (mum[orgs.COUNTY], Role.REPORTER)],
        "Child exploitation screening completed after police referral: significant risk.",
    )
    m.add(
        orgs.YOUTH_JUSTICE,
        "exploitation_cce",
        20,
        [(c[orgs.YOUTH_JUSTICE], Role.SUBJECT_OF_CONCERN)],
        "Youth justice worker: child disclosed owing money to 'older boys' from London.",
    )


def fire_setter(m: StoryMaker, district: str) -> None:
    """A young person setting fires near home, seen by fire, police and youth justice."""
    b = m.b
    young = b.person(age=(15, 17), gender=Gender.MALE, district=district, markers=(_M.CHILD,))
    y = m.held(young, orgs.FIRE, orgs.POLICE, orgs.YOUTH_JUSTICE)
    fires = (
        (160, "Wheelie bin set alight behind the shops on {street}."),
        (95, "Fire in a disused garage block near {street}; young male seen running away."),
        (28, "Grass fire on the recreation ground; same young person identified by a witness."),
    )
    for days, text in fires:
        m.add(orgs.FIRE, "deliberate_fire_setting", days, [(y[orgs.FIRE], Role.SUSPECT)], text)
    m.add(
        orgs.POLICE,
        "criminal_damage_and_arson",
        90,
        [(y[orgs.POLICE], Role.SUSPECT)],
        "Arson at garage block; suspect interviewed with an appropriate adult.",
    )
    m.add(
        orgs.YOUTH_JUSTICE,
        "asb_personal",
        40,
        [(y[orgs.YOUTH_JUSTICE], Role.SUSPECT)],
        "Referral for a fire-setting intervention; breach of the Acceptable Behaviour Contract.",
    )


def elderly_targeted(m: StoryMaker, district: str) -> None:
    """An isolated older person targeted by doorstep fraud and a 'friend' who moved in."""
    b = m.b
    elder = b.person(age=(79, 92), district=district, markers=(_M.ELDERLY, _M.SOCIAL_ISOLATION))
    e = m.held(elder, orgs.POLICE, orgs.COUNTY, orgs.VWCU)
    suspect = m.held(b.person(age=(30, 45), gender=Gender.MALE), orgs.POLICE)[orgs.POLICE]
    m.add(
        orgs.POLICE,
        "other_theft",
        140,
        [(e[orgs.POLICE], Role.VICTIM), (suspect, Role.SUSPECT)],
        "Rogue trader charged £4,000 for roof repairs that were never done.",
        at_home=True,
    )
    m.add(
        orgs.VWCU,
        "welfare_concern",
        120,
        [(e[orgs.VWCU], Role.VICTIM)],
        "Victim caseworker call: victim lives alone, confused about dates, embarrassed.",
    )
    m.add(
        orgs.COUNTY,
        "safeguarding_adult",
        45,
        [(e[orgs.COUNTY], Role.SUBJECT_OF_CONCERN)],
        "Bank raised concern: large cash withdrawals; a man described as a friend now "
        "staying at the address.",
        at_home=True,
    )
    m.add(
        orgs.POLICE,
        "welfare_concern",
        9,
        [(e[orgs.POLICE], Role.SUBJECT_OF_CONCERN), (suspect, Role.SUSPECT)],
        "Neighbour concerned: resident not seen for days, a man answering the door.",
        at_home=True,
    )


def repeat_crisis(m: StoryMaker, district: str) -> None:
    """Repeated mental-health calls to police where health should lead: Right Care, Right Person."""
    b = m.b
    council = orgs.COUNCILS[district].name
    person = b.person(age=(25, 55), district=district, markers=(_M.MENTAL_HEALTH,))
    p = m.held(person, orgs.POLICE, orgs.MH_TRUST, council)
    for days in (210, 130, 64):
        m.add(
            orgs.POLICE,
            "welfare_concern",
            days,
            [(p[orgs.POLICE], Role.SUBJECT_OF_CONCERN)],
            "Person in distress on the road bridge near {street}; detained under s136 and "
            "taken to a place of safety.",
        )
    m.add(
        orgs.MH_TRUST,
        "mental_health_crisis",
        63,
        [(p[orgs.MH_TRUST], Role.SUBJECT_OF_CONCERN)],
        "Assessed at the place of safety; discharged to the home treatment team.",
    )
    m.add(
        council,
        "noise_complaint",
        35,
        [(p[council], Role.SUBJECT_OF_CONCERN)],
        "Neighbours report shouting and banging from the flat at night.",
        at_home=True,
    )
    m.add(
        orgs.MH_TRUST,
        "mental_health_crisis",
        18,
        [(p[orgs.MH_TRUST], Role.SUBJECT_OF_CONCERN)],
        "Missed depot injection; crisis line called twice this week.",
    )


def care_leaver(m: StoryMaker, district: str) -> None:
    """A care leaver losing a tenancy and drawn into drug use and exploitation."""
    b = m.b
    housing = HOUSING_BY_DISTRICT[district]
    young = b.person(age=(18, 20), district=district, markers=(_M.CARE_LEAVER, _M.SUBSTANCE_MISUSE))
    y = m.held(young, orgs.COUNTY, housing, orgs.CATCH22, orgs.POLICE)
    m.add(
        orgs.COUNTY,
        "safeguarding_adult",
        150,
        [(y[orgs.COUNTY], Role.SUBJECT_OF_CONCERN)],
        "Personal adviser: lost contact for a month; new older friends paying for things.",
    )
    m.add(
        housing,
        "tenancy_breach",
        90,
        [(y[housing], Role.SUBJECT_OF_CONCERN)],
        "Rent arrears and reports of visitors at night at the flat in {street}.",
        at_home=True,
    )
    m.add(
        orgs.CATCH22,
        "welfare_concern",
        60,
        [(y[orgs.CATCH22], Role.SUBJECT_OF_CONCERN)],
        "Attended drop-in: thin, not sleeping, says they are 'holding stuff' for someone.",
    )
    m.add(
        orgs.POLICE,
        "drugs",
        22,
        [(y[orgs.POLICE], Role.SUSPECT)],
        "Found with a quantity of cannabis at the flat; disclosed being told to keep it.",
        at_home=True,
    )
