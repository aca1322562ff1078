"""Manage rates & packages: the package list and, when open, the package wizard (each tab in a module of its own)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.forms import data_table
from reseller_app.components.layout import empty_state, reseller_layout
from reseller_app.pages.catalog.area_rates import area_rates_tab
from reseller_app.pages.catalog.free_zones import free_zones_tab
from reseller_app.pages.catalog.package_form import details_tab, fees_tab, free_minutes_tab, services_tab, system_tab
from reseller_app.pages.catalog.rate_lookup import rate_lookup_tab
from reseller_app.pages.catalog.simulator import simulator_tab
from reseller_app.state.catalog.package_draft import PackageDraftState as D
from reseller_app.state.catalog.packages import PackagesState as P


def _tab(value: str, label: str, needs_save: bool = False) -> rx.Component:
    return rx.tabs.trigger(label, value=value, disabled=(D.package_id == "") if needs_save else False)


def _wizard() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(rx.cond(D.package_id == "", "New package", "Edit package"), size="4"),
                rx.spacer(),
                rx.button("Close", variant="soft", color_scheme="gray", on_click=D.close, size="1"),
                width="100%",
            ),
            rx.tabs.root(
                rx.tabs.list(
                    _tab("details", "Details"),
                    _tab("fees", "Fees"),
                    _tab("free", "Free minutes"),
                    _tab("system", "Reseller system configuration"),
                    _tab("services", "Services configuration"),
                    _tab("rates", "Edit rates (per area)", True),
                    _tab("zones", "Free zone", True),
                    _tab("lookup", "Rate lookup", True),
                    _tab("simulator", "Profit simulator", True),
                    style={"flex_wrap": "wrap"},
                ),
                rx.callout(
                    rx.cond(
                        D.package_id == "",
                        "Details, Fees, Free minutes and both configuration tabs are saved together with "
                        "“Save package”. Per-area rates, free zones, the rate lookup and the profit simulator work on "
                        "a saved package: save it once to open them.",
                        "Details, Fees, Free minutes and both configuration tabs are saved together with "
                        "“Save package”. Per-area rates and free zones are saved at once, as you add or remove them; "
                        "the rate lookup and the simulator use what is saved.",
                    ),
                    icon="info",
                    size="1",
                    margin_top="0.75em",
                    id="wizard-help",
                ),
                rx.box(
                    rx.tabs.content(details_tab(), value="details"),
                    rx.tabs.content(fees_tab(), value="fees"),
                    rx.tabs.content(free_minutes_tab(), value="free"),
                    rx.tabs.content(system_tab(), value="system"),
                    rx.tabs.content(services_tab(), value="services"),
                    rx.tabs.content(area_rates_tab(), value="rates"),
                    rx.tabs.content(free_zones_tab(), value="zones"),
                    rx.tabs.content(rate_lookup_tab(), value="lookup"),
                    rx.tabs.content(simulator_tab(), value="simulator"),
                    padding_top="1em",
                ),
                value=D.tab,
                on_change=D.set_tab,
                width="100%",
            ),
            rx.cond(
                D.errors.length() > 0,
                rx.callout("Some fields need attention; nothing is saved until they are fixed.", color_scheme="red"),
            ),
            rx.cond(D.saved_message != "", rx.callout(D.saved_message, color_scheme="green", id="saved")),
            rx.hstack(
                rx.button("Save package", on_click=P.save, id="pkg-save"),
                rx.button("Cancel", variant="soft", color_scheme="gray", on_click=D.close),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(row["markup"], white_space="nowrap"),
        rx.table.cell(row["pulse"], white_space="nowrap"),
        rx.table.cell(row["monthly_fee"]),
        rx.table.cell(row["setup_fee"]),
        rx.table.cell(row["free_minutes"]),
        rx.table.cell(row["in_use"]),
        rx.table.cell(
            rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=P.edit(row["id"])),
                rx.button("Duplicate", size="1", variant="soft", on_click=P.duplicate(row["id"])),
                rx.button("Delete", size="1", variant="soft", color_scheme="red", on_click=P.ask_delete(row["id"])),
                spacing="1",
            )
        ),
    )


def packages() -> rx.Component:
    """Manage rates & packages: the package list and, when open, the wizard."""
    return reseller_layout(
        "Manage rates & packages",
        rx.vstack(
            rx.hstack(
                rx.button(rx.icon("plus", size=14), "New package", on_click=P.new_package, id="pkg-new"),
                align="center",
            ),
            rx.cond(P.notice != "", rx.callout(P.notice, color_scheme="green", size="1")),
            rx.cond(P.error != "", rx.callout(P.error, color_scheme="red", size="1", id="pkg-error")),
            rx.cond(
                P.confirm_delete != "",
                rx.callout(
                    rx.hstack(
                        rx.text("Delete this package? Its per-area rates and free zones go with it."),
                        rx.button("Delete", size="1", color_scheme="red", on_click=P.delete, id="pkg-confirm-delete"),
                        rx.button("Keep", size="1", variant="soft", on_click=P.cancel_delete),
                        align="center",
                        wrap="wrap",
                    ),
                    color_scheme="orange",
                    size="1",
                ),
            ),
            rx.cond(D.editing, _wizard()),
            rx.cond(
                P.rows.length() > 0,
                data_table(
                    (
                        "Name",
                        "Markup",
                        "Pulse",
                        "Monthly fee",
                        "Setup fee",
                        "Free minutes",
                        "Sub-accounts",
                        "",
                    ),
                    rx.table.body(rx.foreach(P.rows, _row)),
                ),
                empty_state("No packages yet", "A package sets the markup, pulse and fees your clients pay."),
            ),
            spacing="3",
            width="100%",
        ),
    )
