"""The wizard's "Rate lookup" tab: how the saved package prices a typed number."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.catalog.rate_lookup import RateLookupTab as L


def rate_lookup_tab() -> rx.Component:
    """A number typed, and how the saved package prices it."""

    def line(label: str, key: str) -> rx.Component:
        return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(L.result[key], id=f"lookup-{key}"))

    return rx.vstack(
        rx.text("Type a number to see how this package prices it (saved settings).", size="2"),
        rx.form(
            rx.flex(
                rx.vstack(
                    rx.text("Number to price", size="1", weight="medium", as_="label", html_for="lookup-input"),
                    rx.input(
                        value=L.number,
                        on_change=L.set_number,
                        placeholder="e.g. 442071234567",
                        id="lookup-input",
                    ),
                    spacing="1",
                ),
                rx.button("Look up", type="submit", id="lookup-run"),
                spacing="2",
                align="end",
            ),
            on_submit=lambda _: L.run(),
            reset_on_submit=False,
        ),
        rx.cond(L.error != "", rx.text(L.error, color="red", size="1")),
        rx.cond(
            L.result.contains("rule"),
            rx.data_list.root(
                line("Number", "number"),
                line("Destination", "destination"),
                line("Country", "country"),
                line("Route", "route"),
                line("Carrier cost / min", "cost"),
                line("Client price / min", "price"),
                line("Priced by", "rule"),
            ),
        ),
        spacing="3",
        width="100%",
    )
