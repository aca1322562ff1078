"""Server-side pages of a list: the one place that turns (total, page, size) into a window and a page.

A service counts the rows in SQL, asks `window` where the requested page falls (clamped to the pages there
are, so a stale "page 9" of a list that shrank shows its last page), reads `w.rows(stmt)` and returns
`w.page_of(items)`; `read_page` does the counting and reading for a plain select. Every paged service answers the
same shape, `Page.as_dict()`:
`{"items": [...], "page": 2, "pages": 7, "total": "153"}` (plus whatever else the service adds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")
S = TypeVar("S")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (1-based), how many pages there are and how many rows in all."""

    items: list[T]
    page: int
    pages: int
    total: int

    def as_dict(self) -> dict[str, Any]:
        """The page as the state layer reads it (the total as text, for display)."""
        return {"items": self.items, "page": self.page, "pages": self.pages, "total": str(self.total)}


@dataclass(frozen=True)
class Window:
    """Where one page sits in a list of `total` rows."""

    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, even when empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.size

    def rows(self, stmt: S) -> S:
        """The statement limited to this page's rows (a SQLAlchemy/SQLModel select)."""
        return stmt.offset(self.offset).limit(self.size)  # type: ignore[attr-defined]

    def page_of(self, items: list[T]) -> Page[T]:
        """This page holding `items`."""
        return Page(items, self.page, self.pages, self.total)


def page_size(raw: object, default: int, choices: tuple[int, ...] = ()) -> int:
    """The page size asked for: one of `choices` when given (else `default`), otherwise 1 to MAX_PAGE_SIZE."""
    try:
        size = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    if choices:
        return size if size in choices else default
    return min(max(1, size), MAX_PAGE_SIZE)


def window(total: int, page: object, size: int) -> Window:
    """The window of page `page` (1-based; junk counts as 1, past the end as the last page) of `total` rows."""
    try:
        wanted = int(page)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        wanted = 1
    pages = max(1, -(-int(total) // size))
    return Window(min(max(1, wanted), pages), size, int(total))


def read_page(session: Session, stmt: Any, page: object, size: int, *order: Any) -> tuple[Window, list[Any]]:  # noqa: ANN401
    """Count the rows of a select in SQL, then read the asked page of them in `order`: (its window, its rows)."""
    w = window(session.exec(select(func.count()).select_from(stmt.subquery())).one(), page, size)
    return w, list(session.exec(w.rows(stmt.order_by(*order))).all())
