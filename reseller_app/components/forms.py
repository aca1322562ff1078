"""Pieces of the reseller's forms and lists: a field's message, a two-column grid, a scrolling table."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.i18n import t


def field_error(errors: rx.Var, key: str, color: str = "red") -> rx.Component:
    """The message beside a field (`errors[key]`, id `err-<key>`), shown only when there is one."""
    return rx.cond(
        errors.contains(key),
        # A long message (or a long typed word quoted in it) wraps under its field instead of widening the form.
        rx.text(errors[key], color=color, size="1", id=f"err-{key}", overflow_wrap="anywhere"),
    )


def form_grid(*children: rx.Component) -> rx.Component:
    """Fields side by side in two columns, one column on a phone."""
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def data_table(
    headers: list[str] | list[rx.Var] | tuple[str, ...], body: rx.Component, **props: object
) -> rx.Component:
    """A table with its header row that scrolls sideways on a narrow screen instead of overflowing the page."""
    return rx.box(
        # On a phone, say that the table scrolls (its last columns, such as the actions, are off to the right).
        rx.text(t("Swipe the table sideways to see every column."), size="1", color="gray", display=["block", "none"]),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                body,
                variant="surface",
                width="100%",
                **props,
            ),
            overflow_x="auto",
            width="100%",
        ),
        width="100%",
    )
