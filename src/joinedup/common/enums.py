"""Storing Python enums as readable strings on every database."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum as SAEnum


def str_enum(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """A column type that stores ``enum_cls`` by value, with a named CHECK constraint."""

    def values(members: Any) -> list[str]:
        return [m.value for m in members]

    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=values,
        validate_strings=True,
    )
