"""Imports every domain's ORM models so Alembic and tests see the whole schema."""

from joinedup.access import models as access_models
from joinedup.agreements import models as agreements_models
from joinedup.audit import models as audit_models
from joinedup.auth import models as auth_models
from joinedup.db import Base
from joinedup.incidents import models as incidents_models
from joinedup.linkage import entities as linkage_models
from joinedup.linkage import pprl_models
from joinedup.oversight import models as oversight_models
from joinedup.partners import models as partners_models
from joinedup.people import models as people_models
from joinedup.places import models as places_models
from joinedup.public import models as public_models
from joinedup.retention import models as retention_models
from joinedup.subject_access import models as subject_access_models

__all__ = [
    "Base",
    "access_models",
    "oversight_models",
    "retention_models",
    "subject_access_models",
    "agreements_models",
    "audit_models",
    "auth_models",
    "incidents_models",
    "linkage_models",
    "pprl_models",
    "partners_models",
    "people_models",
    "places_models",
    "public_models",
]
