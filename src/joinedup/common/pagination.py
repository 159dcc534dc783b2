"""Page-numbered lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
PER_PAGE = 25


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self) -> int:
        """1-based position of the first item on this page (0 when empty)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_item(self) -> int:
        """1-based position of the last item on this page."""
        return min(self.total, self.page * self.per_page)


def paginate(
    session: Session, stmt: Select[*tuple[Any, ...]], page: int, per_page: int = PER_PAGE
) -> Page[Any]:
    """Run ``stmt`` for one page and count the whole list with the same filters."""
    page = max(1, page)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    items = [row[0] if len(row) == 1 else row for row in rows]
    return Page(items=items, page=page, per_page=per_page, total=total)


class PageOut(BaseModel, Generic[T]):
    """One page of a list, as the API returns it."""

    items: list[T]
    page: int
    per_page: int
    total: int
    pages: int

    @classmethod
    def of(cls, page: Page[T]) -> PageOut[T]:
        """The API form of ``page``."""
        return cls(
            items=list(page.items),
            page=page.page,
            per_page=page.per_page,
            total=page.total,
            pages=page.pages,
        )
