"""The wizard's "Free zone" tab: free calling by country, by prefix, or up to a cost rate."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.catalog.free_zones import FreeZonesTab as Z


def _zone_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["kind"]),
        rx.table.cell(row["value"]),
        rx.table.cell(rx.button("Remove", size="1", variant="soft", color_scheme="red", on_click=Z.delete(row["id"]))),
    )


def free_zones_tab() -> rx.Component:
    """The package's free zones and the form that adds one."""
    return rx.vstack(
        rx.text("Free calling by country, by prefix, or to any destination costing up to a rate.", size="2"),
        rx.flex(
            rx.select.root(
                rx.select.trigger(id="zone-kind"),
                rx.select.content(
                    rx.select.item("Country", value="country"),
                    rx.select.item("Prefix", value="prefix"),
                    rx.select.item("Maximum cost rate", value="max_rate"),
                ),
                value=Z.kind,
                on_change=Z.set_kind,
            ),
            rx.vstack(
                rx.text("Country, prefix or rate", size="1", weight="medium", as_="label", html_for="zone-value"),
                rx.input(value=Z.value, on_change=Z.set_value, placeholder="FR, 4420 or 0.0100", id="zone-value"),
                spacing="1",
            ),
            rx.button("Add free zone", on_click=Z.add, id="zone-add"),
            spacing="2",
            wrap="wrap",
            align="end",
        ),
        rx.cond(Z.error != "", rx.text(Z.error, color="red", size="1", id="zone-error")),
        rx.cond(
            Z.rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Type", "Zone", "")])),
                rx.table.body(rx.foreach(Z.rows, _zone_row)),
                variant="surface",
                size="1",
            ),
            rx.text("No free zones.", size="2", color="gray"),
        ),
        spacing="3",
        width="100%",
    )
