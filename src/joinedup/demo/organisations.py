"""The demo partnership's organisations, teams and users (Surrey's real partner bodies)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.partners.models import Organisation, Team, User
from joinedup.partners.schemas import OrgKind, Role

DEMO_PASSWORD = "joinedup-demo-2026"

POLICE = "Surrey Police"
COUNTY = "Surrey County Council"
ICB = "NHS Surrey Heartlands Integrated Care Board"
MH_TRUST = "Surrey and Borders Partnership NHS Foundation Trust"
VWCU = "Surrey Victim and Witness Care Unit"
VICTIM_SUPPORT = "Victim Support"
FIRE = "Surrey Fire and Rescue Service"
PROBATION = "The Probation Service (Surrey and Sussex)"
YOUTH_JUSTICE = "Surrey Youth Justice Service"
EDUCATION = "Surrey Schools Safeguarding Service"
CATCH22 = "Catch22"
CATALYST = "Catalyst"
OPCC = "Office of the Police and Crime Commissioner for Surrey"
GUILDFORD = "Guildford Borough Council"
GUILDFORD_HOUSING = "Guildford Borough Council Housing"
YOUR_SANCTUARY = "Your Sanctuary"


@dataclass(frozen=True, slots=True)
class OrgSpec:
    """One demo organisation: who it is and how it numbers its records."""

    name: str
    short_name: str
    kind: OrgKind
    district: str = ""
    teams: tuple[str, ...] = ()
    person_ref: str = ""
    incident_ref: str = ""


def _council(name: str, short: str, district: str, prefix: str) -> OrgSpec:
    return OrgSpec(
        name,
        short,
        OrgKind.DISTRICT_COUNCIL,
        district,
        ("ASB and Community Safety", "Environmental Health"),
        prefix + "-ASB-{n:05d}",
        prefix + "-CS-{n:06d}",
    )


COUNCILS: dict[str, OrgSpec] = {
    spec.district: spec
    for spec in (
        _council("Elmbridge Borough Council", "Elmbridge BC", "Elmbridge", "EBC"),
        _council(
            "Epsom and Ewell Borough Council", "Epsom and Ewell BC", "Epsom and Ewell", "EEBC"
        ),
        _council(GUILDFORD, "Guildford BC", "Guildford", "GBC"),
        _council("Mole Valley District Council", "Mole Valley DC", "Mole Valley", "MVDC"),
        _council(
            "Reigate and Banstead Borough Council", "Reigate and Banstead BC",
            "Reigate and Banstead", "RBBC",
        ),
        _council("Runnymede Borough Council", "Runnymede BC", "Runnymede", "RBC"),
        _council("Spelthorne Borough Council", "Spelthorne BC", "Spelthorne", "SBC"),
        _council("Surrey Heath Borough Council", "Surrey Heath BC", "Surrey Heath", "SHBC"),
        _council("Tandridge District Council", "Tandridge DC", "Tandridge", "TDC"),
        _council("Waverley Borough Council", "Waverley BC", "Waverley", "WAV"),
        _council("Woking Borough Council", "Woking BC", "Woking", "WBC"),
    )
}  # fmt: skip

DA_SERVICES: dict[str, OrgSpec] = {
    spec.name: spec
    for spec in (
        OrgSpec(YOUR_SANCTUARY, "Your Sanctuary", OrgKind.DOMESTIC_ABUSE_SERVICE, "",
                ("IDVA Service", "Refuge"), "YS-{n:05d}", "YS-REF-{n:06d}"),
        OrgSpec("East Surrey Domestic Abuse Services", "ESDAS", OrgKind.DOMESTIC_ABUSE_SERVICE,
                "", ("IDVA Service",), "ESDAS-{n:05d}", "ESDAS-REF-{n:06d}"),
        OrgSpec("North Surrey Domestic Abuse Service", "NSDAS", OrgKind.DOMESTIC_ABUSE_SERVICE,
                "", ("IDVA Service",), "NSDAS-{n:05d}", "NSDAS-REF-{n:06d}"),
        OrgSpec("South West Surrey Domestic Abuse Service", "SWSDAS",
                OrgKind.DOMESTIC_ABUSE_SERVICE, "", ("IDVA Service",), "SWS-{n:05d}",
                "SWS-REF-{n:06d}"),
    )
}  # fmt: skip

HOUSING: dict[str, OrgSpec] = {
    spec.name: spec
    for spec in (
        OrgSpec(GUILDFORD_HOUSING, "GBC Housing", OrgKind.HOUSING_PROVIDER, "Guildford",
                ("Tenancy Sustainment", "Estates"), "GBCH-T{n:06d}", "GBCH-{n:06d}"),
        OrgSpec("Accent Housing", "Accent", OrgKind.HOUSING_PROVIDER, "",
                ("Neighbourhood Services",), "ACC-{n:07d}", "ACC-CASE-{n:06d}"),
        OrgSpec("Clarion Housing", "Clarion", OrgKind.HOUSING_PROVIDER, "",
                ("Tenancy Enforcement",), "CLA-{n:07d}", "CLA-ASB-{n:06d}"),
        OrgSpec("A2Dominion", "A2Dominion", OrgKind.HOUSING_PROVIDER, "",
                ("Community Safety",), "A2D-{n:06d}", "A2D-ASB-{n:06d}"),
        OrgSpec("Raven Housing Trust", "Raven", OrgKind.HOUSING_PROVIDER, "Reigate and Banstead",
                ("Tenancy Sustainment",), "RHT-{n:06d}", "RHT-CASE-{n:06d}"),
    )
}  # fmt: skip

OTHERS: tuple[OrgSpec, ...] = (
    OrgSpec(POLICE, "Surrey Police", OrgKind.POLICE, "",
            ("Neighbourhood Policing – Guildford", "Neighbourhood Policing – Woking",
             "Neighbourhood Policing – Reigate and Banstead", "Safeguarding Investigation Unit",
             "Analysis and Insight"), "SP-PER-{n:07d}", "SP-OCC-{n:07d}"),
    OrgSpec(COUNTY, "Surrey CC", OrgKind.COUNTY_COUNCIL, "",
            ("Community Safety Partnership Team", "Information Governance", "Adult Social Care",
             "Children's Services", "Digital"), "SCC-LAS-{n:07d}", "SCC-SG-{n:06d}"),
    OrgSpec(ICB, "Surrey Heartlands ICB", OrgKind.NHS_ICB, "", ("Safeguarding Team",)),
    OrgSpec(MH_TRUST, "SABP", OrgKind.MENTAL_HEALTH_TRUST, "",
            ("Mental Health Liaison", "Community Mental Health Recovery Service",
             "Crisis Resolution and Home Treatment"), "SABP-{n:07d}", "SABP-EV-{n:06d}"),
    OrgSpec(VWCU, "VWCU", OrgKind.VICTIM_SUPPORT, "", ("Victim Caseworkers",),
            "VWCU-{n:06d}", "VWCU-REF-{n:06d}"),
    OrgSpec(VICTIM_SUPPORT, "Victim Support", OrgKind.VICTIM_SUPPORT, "", ("Surrey Team",),
            "VS-{n:06d}", "VS-REF-{n:06d}"),
    OrgSpec(FIRE, "SFRS", OrgKind.FIRE_AND_RESCUE, "", ("Community Safety and Prevention",),
            "SFRS-P{n:06d}", "SFRS-INC-{n:06d}"),
    OrgSpec(PROBATION, "Probation", OrgKind.PROBATION, "", ("Surrey Probation Delivery Unit",),
            "X{n:06d}", "PS-{n:06d}"),
    OrgSpec(YOUTH_JUSTICE, "SYJS", OrgKind.YOUTH_JUSTICE, "", ("Youth Justice Team",),
            "SYJS-{n:05d}", "SYJS-EV-{n:06d}"),
    OrgSpec(EDUCATION, "Schools Safeguarding", OrgKind.EDUCATION, "",
            ("Inclusion and Attendance",), "EDU-{n:06d}", "EDU-CON-{n:06d}"),
    OrgSpec(CATCH22, "Catch22", OrgKind.VOLUNTARY_SECTOR, "", ("Young People's Service",),
            "C22-{n:05d}", "C22-REF-{n:06d}"),
    OrgSpec(CATALYST, "Catalyst", OrgKind.VOLUNTARY_SECTOR, "", ("Substance Misuse Service",),
            "CAT-{n:05d}", "CAT-REF-{n:06d}"),
    OrgSpec(OPCC, "OPCC Surrey", OrgKind.COMMISSIONERS_OFFICE, "", ("Policy and Commissioning",)),
)  # fmt: skip

ORGANISATIONS: tuple[OrgSpec, ...] = (
    *OTHERS[:2],
    *COUNCILS.values(),
    *OTHERS[2:],
    *DA_SERVICES.values(),
    *HOUSING.values(),
)
BY_NAME: dict[str, OrgSpec] = {spec.name: spec for spec in ORGANISATIONS}


@dataclass(frozen=True, slots=True)
class UserSpec:
    """One demo login."""

    username: str
    display_name: str
    organisation: str
    role: Role
    team: str = ""
    job: str = ""


USERS: tuple[UserSpec, ...] = (
    UserSpec("asb.guildford", "Sam Okafor", GUILDFORD, Role.PRACTITIONER,
             "ASB and Community Safety", "ASB officer"),
    UserSpec("pc.woking", "Priya Shah", POLICE, Role.PRACTITIONER,
             "Neighbourhood Policing – Woking", "Police constable"),
    UserSpec("mh.liaison", "Tom Hargreaves", MH_TRUST, Role.PRACTITIONER,
             "Mental Health Liaison", "Mental health liaison nurse"),
    UserSpec("idva", "Aisha Rahman", YOUR_SANCTUARY, Role.PRACTITIONER, "IDVA Service", "IDVA"),
    UserSpec("housing.officer", "Gemma Lloyd", GUILDFORD_HOUSING, Role.PRACTITIONER,
             "Tenancy Sustainment", "Housing officer"),
    UserSpec("supervisor.guildford", "Helen Marsh", GUILDFORD, Role.SUPERVISOR,
             "ASB and Community Safety", "Community safety manager"),
    UserSpec("csp.coordinator", "Mark Davies", COUNTY, Role.COORDINATOR,
             "Community Safety Partnership Team", "CSP manager"),
    UserSpec("analyst", "Ravi Patel", POLICE, Role.ANALYST, "Analysis and Insight",
             "Crime and ASB analyst"),
    UserSpec("dpo", "Claire Donnelly", COUNTY, Role.IG_LEAD, "Information Governance",
             "Data Protection Officer"),
    UserSpec("admin", "Joe Fletcher", COUNTY, Role.ADMIN, "Digital", "System administrator"),
    UserSpec("pc.guildford", "Dan Whitmore", POLICE, Role.PRACTITIONER,
             "Neighbourhood Policing – Guildford", "Police constable"),
    UserSpec("asb.woking", "Leanne Brooks", "Woking Borough Council", Role.PRACTITIONER,
             "ASB and Community Safety", "ASB officer"),
    UserSpec("asb.reigate", "Imran Qureshi", "Reigate and Banstead Borough Council",
             Role.PRACTITIONER, "ASB and Community Safety", "ASB officer"),
    UserSpec("fire.prevention", "Kerry Walsh", FIRE, Role.PRACTITIONER,
             "Community Safety and Prevention", "Prevention officer"),
    UserSpec("yjs.worker", "Marcus Bell", YOUTH_JUSTICE, Role.PRACTITIONER,
             "Youth Justice Team", "Youth justice worker"),
    UserSpec("probation.officer", "Fiona Grant", PROBATION, Role.PRACTITIONER,
             "Surrey Probation Delivery Unit", "Probation officer"),
    UserSpec("victim.caseworker", "Naomi Clarke", VWCU, Role.PRACTITIONER,
             "Victim Caseworkers", "Victim caseworker"),
    UserSpec("social.worker", "Owen Pryce", COUNTY, Role.PRACTITIONER, "Adult Social Care",
             "Social worker"),
    UserSpec("supervisor.police", "Sgt Laura Kemp", POLICE, Role.SUPERVISOR,
             "Neighbourhood Policing – Guildford", "Neighbourhood sergeant"),
    UserSpec("pcc.officer", "Ben Adeyemi", OPCC, Role.COORDINATOR, "Policy and Commissioning",
             "Community safety policy officer"),
)  # fmt: skip


def create_organisations(session: Session) -> dict[str, uuid.UUID]:
    """Create every demo organisation and its teams; returns organisation ids by name."""
    ids: dict[str, uuid.UUID] = {}
    for spec in ORGANISATIONS:
        org = Organisation(
            name=spec.name, short_name=spec.short_name, kind=spec.kind, district=spec.district
        )
        org.teams = [Team(name=team) for team in spec.teams]
        session.add(org)
        session.flush()
        ids[spec.name] = org.id
    return ids


def create_users(session: Session, org_ids: dict[str, uuid.UUID], password_hash: str) -> int:
    """Create the demo logins, all with the one demo password (already hashed)."""
    teams = {
        (team.organisation_id, team.name): team.id
        for team in session.scalars(select(Team).where(Team.organisation_id.in_(org_ids.values())))
    }
    for spec in USERS:
        org_id = org_ids[spec.organisation]
        session.add(
            User(
                username=spec.username,
                display_name=spec.display_name,
                email=f"{spec.username}@demo.joinedup.invalid",
                organisation_id=org_id,
                team_id=teams.get((org_id, spec.team)),
                role=spec.role,
                password_hash=password_hash,
            )
        )
    session.flush()
    return len(USERS)
