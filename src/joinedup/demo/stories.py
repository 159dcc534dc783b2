"""The planted hidden-harm stories: each a stable id, kind, description, people and records."""

from __future__ import annotations

from collections.abc import Callable

from joinedup.demo import stories_asb as asb
from joinedup.demo import stories_safeguarding as safeguarding
from joinedup.demo.model import Story
from joinedup.demo.population import Builder
from joinedup.demo.story_base import StoryMaker

StoryKind = Callable[[StoryMaker, str], None]

# (kind, how it is built, the districts it is planted in). Guildford appears often on purpose:
# the demo practitioner works for Guildford Borough Council.
PLAN: tuple[tuple[str, StoryKind, tuple[str, ...]], ...] = (
    ("cuckooing", asb.cuckooing, ("Guildford", "Woking", "Reigate and Banstead")),
    (
        "repeat_asb_victim_mental_health",
        asb.asb_victim_in_crisis,
        ("Guildford", "Guildford", "Waverley"),
    ),
    (
        "domestic_abuse_escalating",
        safeguarding.domestic_abuse_escalating,
        ("Woking", "Woking", "Guildford", "Spelthorne"),
    ),
    (
        "child_criminal_exploitation",
        safeguarding.child_exploitation,
        ("Guildford", "Spelthorne", "Reigate and Banstead"),
    ),
    ("hate_incident_victim", asb.hate_incidents, ("Woking", "Elmbridge", "Guildford")),
    (
        "asb_case_review_threshold",
        asb.case_review_threshold,
        ("Guildford", "Runnymede", "Epsom and Ewell", "Tandridge"),
    ),
    ("fire_setter", safeguarding.fire_setter, ("Spelthorne", "Surrey Heath")),
    (
        "elderly_targeted",
        safeguarding.elderly_targeted,
        ("Mole Valley", "Waverley", "Epsom and Ewell"),
    ),
    (
        "repeat_mental_health_crisis",
        safeguarding.repeat_crisis,
        ("Guildford", "Reigate and Banstead"),
    ),
    ("care_leaver_exploited", safeguarding.care_leaver, ("Woking", "Guildford")),
    ("neighbour_dispute", asb.neighbour_dispute, ("Elmbridge", "Guildford")),
)


def add_stories(builder: Builder) -> list[Story]:
    """Plant every story in the plan, numbered in order (S01, S02 …)."""
    stories = []
    number = 0
    for kind, build, districts in PLAN:
        for district in districts:
            number += 1
            description = (build.__doc__ or kind).strip().rstrip(".") + f" ({district})."
            story = Story(id=f"S{number:02d}", kind=kind, description=description)
            build(StoryMaker(builder, story), district)
            stories.append(story)
    builder.population.stories.extend(stories)
    return stories
