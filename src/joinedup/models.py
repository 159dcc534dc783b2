"""Imports every domain's ORM models so Alembic and tests see the whole schema."""

from joinedup.agreements import models as agreements_models
from joinedup.audit import models as audit_models
from joinedup.auth import models as auth_models
from joinedup.db import Base
from joinedup.incidents import models as incidents_models
from joinedup.partners import models as partners_models
from joinedup.people import models as people_models
from joinedup.places import models as places_models

__all__ = [
    "Base",
    "agreements_models",
    "audit_models",
    "auth_models",
    "incidents_models",
    "partners_models",
    "people_models",
    "places_models",
]
