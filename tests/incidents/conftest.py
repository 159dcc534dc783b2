"""Fixtures shared by the intake tests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from tests import factories as f


@pytest.fixture
def council(session: Session) -> Organisation:
    """Guildford Borough Council, committed."""
    org = f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL)
    session.commit()
    return org


def count_held(session: Session, model: type, org: Organisation) -> int:
    """How many rows of ``model`` ``org`` holds, read afresh."""
    session.expire_all()
    column = model.organisation_id  # type: ignore[attr-defined]
    return session.scalar(select(func.count()).select_from(model).where(column == org.id)) or 0
