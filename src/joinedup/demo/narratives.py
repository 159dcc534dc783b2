"""Short incident narratives of the kind partners write (no real people, places by street only)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, ...]] = {
    "asb_personal": (
        "Resident reports being verbally abused by a group of teenagers outside the shop on "
        "{street}.",
        "Complainant says a neighbour keeps shouting threats over the fence.",
        "Resident reports being followed home and taunted near {street}.",
    ),
    "asb_nuisance": (
        "Youths gathering in the alleyway off {street}, drinking and shouting until late.",
        "Motorbikes ridden at speed across the green near {street}.",
        "Reports of people congregating by the garages on {street}; residents feel intimidated.",
    ),
    "asb_environmental": (
        "Fly-tipping reported at the end of {street}: mattresses and building waste.",
        "Graffiti tags on the bus shelter and fencing in {street}.",
        "Abandoned car with smashed windows left on {street} for two weeks.",
    ),
    "noise_complaint": (
        "Loud music from a neighbouring property in {street} most nights after midnight.",
        "Dog barking for hours while the owner is out; neighbours unable to sleep.",
        "Repeated parties at a house in {street}; complainant has kept a noise diary.",
    ),
    "environmental_complaint": (
        "Bins left on the pavement and rubbish spilling into the road on {street}.",
        "Overgrown garden attracting rats, reported by the neighbour.",
    ),
    "tenancy_breach": (
        "Tenant reported for running a business from the flat; several complaints.",
        "Rent arrears and unauthorised occupants reported at the property in {street}.",
        "Damage to the communal door; tenant's visitors suspected.",
    ),
    "welfare_concern": (
        "Neighbour concerned: resident not seen for several days and post piling up.",
        "Caller worried about a relative who sounded confused and distressed on the phone.",
        "Person found sleeping in a car park near {street}; offered support.",
    ),
    "mental_health_crisis": (
        "Crisis line contact: low mood, thoughts of self-harm; home treatment team informed.",
        "Patient brought to A&E by family after a night without sleep, agitated and paranoid.",
        "Community team visit: missed medication, struggling to cope at home.",
    ),
    "missing_episode": (
        "Young person did not return home after school; found the next morning at a friend's.",
        "Reported missing by carers; returned after two days with no explanation.",
    ),
    "exploitation_cce": (
        "Concern that the young person is carrying drugs for older peers; unexplained cash.",
        "School reports the pupil with expensive new clothes and a second phone.",
    ),
    "exploitation_cse": ("Concern about an older adult contacting the young person online.",),
    "cuckooing_concern": ("Housing officer concerned that visitors have taken over the flat.",),
    "domestic_abuse": (
        "Argument between partners reported by a neighbour; victim declined to give a statement.",
        "Victim disclosed controlling behaviour: money and phone taken by the partner.",
        "Ex-partner turned up at the address in breach of a non-molestation order.",
    ),
    "hate_incident": (
        "Resident subjected to racist abuse in the street near {street}.",
        "Homophobic graffiti painted on the victim's car.",
    ),
    "safeguarding_child": (
        "School raised a concern after a child arrived hungry and unwashed several days running.",
        "Child disclosed arguments and drinking at home; referral made.",
    ),
    "safeguarding_adult": (
        "Concern that an older adult is being financially abused by a relative.",
        "Carer reports unexplained bruising on a resident with dementia.",
    ),
    "deliberate_fire_setting": (
        "Rubbish set alight by the garages on {street}; crews extinguished it.",
        "Fire started in a communal bin store; possible deliberate ignition.",
    ),
    "public_order": ("Fight outside licensed premises on {street}; one person detained.",),
    "violence_and_sexual_offences": (
        "Assault reported after a night out near {street}; victim treated for a cut head.",
    ),
    "drugs": ("Suspected drug dealing from a car parked on {street}; vehicle stopped.",),
    "criminal_damage_and_arson": ("Windows of a house on {street} smashed overnight.",),
    "other_theft": ("Parcel taken from the doorstep of a house in {street}.",),
    "anti_social_behaviour": ("Group of youths causing a disturbance on {street}.",),
}
