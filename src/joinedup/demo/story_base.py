"""What every planted story is built with: a story, its people, their copies and incidents."""

from __future__ import annotations

from joinedup.demo.model import RecordCopy, Story, TruePerson
from joinedup.demo.population import Builder
from joinedup.incidents.schemas import InvolvementRole

Role = InvolvementRole
Parties = list[tuple[RecordCopy, InvolvementRole]]
Step = tuple[str, str, float, Parties, str, bool]
"""One incident of a story: organisation, category, days ago, parties, narrative, at home."""


class StoryMaker:
    """Adds people, copies and incidents to one story (and to the population)."""

    def __init__(self, builder: Builder, story: Story) -> None:
        self.b = builder
        self.story = story

    def held(self, person: TruePerson, *organisations: str) -> dict[str, RecordCopy]:
        """Copies of ``person`` at each organisation, recorded as part of the story."""
        if person.id not in self.story.person_ids:
            self.story.person_ids.append(person.id)
        copies = {}
        for organisation in organisations:
            record = self.b.hold(person, organisation)
            self.story.records.append(record)
            copies[organisation] = record
        return copies

    def add(
        self,
        organisation: str,
        category: str,
        days_ago: float,
        parties: Parties,
        text: str,
        *,
        at_home: bool = False,
    ) -> None:
        """An incident of the story; every party must be a record of ``organisation``."""
        for record, _role in parties:
            if record.organisation != organisation:
                raise ValueError("an incident involves only its own organisation's records")
        spec = self.b.incident(organisation, category, days_ago, parties, text, at_home=at_home)
        self.story.incidents.append(spec)

    def add_all(self, steps: list[Step]) -> None:
        """Several incidents of the story, in the order given."""
        for organisation, category, days_ago, parties, text, at_home in steps:
            self.add(organisation, category, days_ago, parties, text, at_home=at_home)
