"""The pager under every paged list: Previous, "Page n of m", Next (the list is paged on the server)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from reseller_app.state.i18n import t, t_format


def pager(
    page: rx.Var,
    pages: rx.Var,
    turn: Callable[[int], rx.event.EventSpec],
    prefix: str = "page",
    labels: tuple[str | rx.Var, str | rx.Var] | None = None,
    button: Callable[..., rx.Component] = rx.button,
    **props: object,
) -> rx.Component:
    """Buttons that call `turn(-1)` and `turn(1)`, disabled at either end; ids `<prefix>-prev|label|next`.

    `button` draws the two buttons (the client portal passes its themed one); `props` style the row.
    """
    labels = labels or (t("Previous"), t("Next"))
    return rx.hstack(
        button(labels[0], size="1", on_click=turn(-1), disabled=page <= 1, id=f"{prefix}-prev"),
        rx.text(
            t_format("Page {page} of {pages}", page=page.to(str), pages=pages.to(str)), size="2", id=f"{prefix}-label"
        ),
        button(labels[1], size="1", on_click=turn(1), disabled=page >= pages, id=f"{prefix}-next"),
        align="center",
        **props,
    )
