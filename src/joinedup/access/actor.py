"""Who is acting: the signed-in user as every policy and scope function sees them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from joinedup.partners.schemas import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in user acting for their organisation (or the system, for jobs)."""

    user_id: uuid.UUID
    username: str
    display_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    role: Role
    team_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    via_api_token: bool = False
