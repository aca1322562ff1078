"""The wizard's "Edit rates (per area)" tab: add, search, page, remove, and the CSV import and export."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.forms import data_table, field_error
from reseller_app.components.pager import pager
from reseller_app.state.catalog.area_rates import AreaRatesTab as A


def _area_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["kind"]),
        rx.table.cell(rx.text(row["target"], " ", rx.text(row["name"], as_="span", color="gray"))),
        rx.table.cell(row["rate"]),
        rx.table.cell(rx.button("Remove", size="1", variant="soft", color_scheme="red", on_click=A.delete(row["id"]))),
    )


def area_rates_tab() -> rx.Component:
    """Custom rates per minute by country or prefix, with the CSV import and export."""
    return rx.vstack(
        rx.text("Custom rates per minute override the markup, by country or by calling-code prefix.", size="2"),
        rx.flex(
            rx.select.root(
                rx.select.trigger(id="area-kind", margin_top="1.4em"),
                rx.select.content(rx.select.item("Country", value="country"), rx.select.item("Prefix", value="prefix")),
                value=A.kind,
                on_change=A.set_kind,
            ),
            rx.vstack(
                rx.text("Country or prefix", size="1", weight="medium", as_="label", html_for="area-target"),
                rx.input(
                    value=A.target,
                    on_change=A.set_target,
                    placeholder="GB, Canada or 4420",
                    id="area-target",
                    width="100%",
                ),
                field_error(A.errors, "target"),
                spacing="1",
                # A long message wraps under its field instead of widening it and pushing the form aside.
                width="220px",
                max_width="100%",
            ),
            rx.vstack(
                rx.text("Rate per minute", size="1", weight="medium", as_="label", html_for="area-rate"),
                rx.input(value=A.rate, on_change=A.set_rate, placeholder="e.g. 0.0300", id="area-rate", width="100%"),
                field_error(A.errors, "rate"),
                spacing="1",
                width="180px",
                max_width="100%",
            ),
            rx.button("Add rate", on_click=A.add, id="area-add", margin_top="1.4em"),
            spacing="2",
            wrap="wrap",
            align="start",
            width="100%",
        ),
        rx.flex(
            rx.input(
                value=A.search,
                on_change=A.set_search,
                placeholder="Search prefix or country",
                id="area-search",
                width="240px",
            ),
            rx.text(A.count_label, size="2", color="gray", id="area-count"),
            rx.spacer(),
            rx.upload(
                rx.button(rx.icon("upload", size=14), "Import CSV", variant="soft", size="2"),
                id="area-csv",
                multiple=False,
                max_files=1,
                no_drag=True,
                border="none",
                padding="0",
                on_drop=A.import_csv(rx.upload_files(upload_id="area-csv")),
            ),
            rx.button(rx.icon("download", size=14), "Export CSV", variant="soft", size="2", on_click=A.export_csv),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.text("CSV columns: prefix,country,rate (one of prefix or country per line).", size="1", color="gray"),
        rx.cond(
            A.import_message != "",
            rx.callout(A.import_message, color_scheme="green", size="1", id="import-message"),
        ),
        rx.cond(
            A.import_error != "",
            rx.callout(
                rx.text(A.import_error, white_space="pre-line"), color_scheme="red", size="1", id="import-error"
            ),
        ),
        rx.cond(A.error != "", rx.callout(A.error, color_scheme="red", size="1")),
        rx.cond(
            A.rows.length() > 0,
            data_table(("Type", "Area", "Rate / min", ""), rx.table.body(rx.foreach(A.rows, _area_row)), size="1"),
            rx.text("No per-area rates: every destination is priced with the markup.", size="2", color="gray"),
        ),
        pager(A.page, A.pages, A.turn, prefix="area"),
        spacing="3",
        width="100%",
    )
