"""The one page arithmetic of the services: window, page size, and the shape every paged service answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reseller_app.models import Client
from reseller_app.services.common.paging import MAX_PAGE_SIZE, Page, page_size, window


@pytest.mark.parametrize(
    ("total", "page", "size", "expected"),
    [
        (0, 1, 25, (1, 1, 0)),  # an empty list still has its one (empty) page
        (25, 1, 25, (1, 1, 0)),
        (26, 2, 25, (2, 2, 25)),
        (31, 99, 25, (2, 2, 25)),  # past the end: the last page
        (31, 0, 25, (1, 2, 0)),
        (31, -3, 25, (1, 2, 0)),
        (31, "2", 25, (2, 2, 25)),  # as a browser sends it
        (31, "junk", 25, (1, 2, 0)),
        (31, None, 25, (1, 2, 0)),
    ],
)
def test_window(total, page, size, expected):
    w = window(total, page, size)
    assert (w.page, w.pages, w.offset) == expected
    assert w.size == size and w.total == total


def test_page_sizes():
    assert page_size("40", 25) == 40
    assert page_size(0, 25) == 1 and page_size(10_000, 25) == MAX_PAGE_SIZE
    assert page_size("x", 25) == 25
    assert page_size(100, 50, (25, 50, 100)) == 100
    assert page_size(30, 50, (25, 50, 100)) == 50  # only the sizes offered


def test_rows_limits_a_select_to_the_window():
    sql = str(window(31, 2, 25).rows(select(Client.id)).compile(compile_kwargs={"literal_binds": True}))
    assert "LIMIT 25" in sql and "OFFSET 25" in sql


def test_the_shape_of_a_page():
    page = window(31, 2, 25).page_of(["a", "b"])
    assert page == Page(["a", "b"], 2, 2, 31)
    assert page.as_dict() == {"items": ["a", "b"], "page": 2, "pages": 2, "total": "31"}
