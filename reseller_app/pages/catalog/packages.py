"""Manage rates & packages: the package list and the package wizard with its rates, free zones and simulator."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import empty_state, reseller_layout
from reseller_app.state.catalog.packages import PackagesState as P

EDITABLE_LABELS = [
    ("password", "Password"),
    ("device_type", "Device type"),
    ("auth_type", "Authentication type"),
    ("callerid", "Caller ID override"),
    ("moh", "Music on hold"),
    ("codecs", "Allowed codecs"),
    ("dtmf", "DTMF mode"),
    ("nat", "NAT"),
]
SERVICE_LABELS = [
    ("subaccounts", "Sub-accounts"),
    ("dids", "Phone numbers (DIDs)"),
    ("e911", "e911"),
    ("voicemail", "Voicemail"),
    ("forwarding", "Call forwarding"),
    ("fax", "Fax"),
    ("cdr", "Call history (CDR)"),
    ("balance", "Balance"),
]


def _error(key: str, errors: rx.Var = P.errors) -> rx.Component:
    return rx.cond(errors.contains(key), rx.text(errors[key], color="red", size="1", id=f"err-{key}"))


def _field(label: str, control: rx.Component, key: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color="gray")) if hint else rx.fragment(),
        _error(key),
        spacing="1",
        width="100%",
        max_width="360px",
    )


def _text(key: str, label: str, hint: str = "", placeholder: str = "") -> rx.Component:
    return _field(
        label,
        rx.input(
            value=P.form[key],
            on_change=P.set_form(key),
            id=f"pkg-{key}",
            placeholder=placeholder,
            width="100%",
            color_scheme=rx.cond(P.errors.contains(key), "red", "gray"),
        ),
        key,
        hint,
    )


def _choice(key: str, label: str, options: list[tuple[str, str]]) -> rx.Component:
    return _field(
        label,
        rx.select.root(
            rx.select.trigger(id=f"pkg-{key}", width="100%"),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in options]),
            value=P.form[key],
            on_change=P.set_form(key),
        ),
        key,
    )


def _flag(key: str, label: str) -> rx.Component:
    return rx.text(
        rx.flex(rx.checkbox(checked=P.flags[key], on_change=P.set_flag(key), id=f"pkg-{key}"), label, gap="2"),
        as_="label",
        size="2",
    )


def _ticks(field: str, items: list[tuple[str, str]]) -> rx.Component:
    return rx.flex(
        *[
            rx.text(
                rx.flex(
                    rx.checkbox(checked=P.lists[field].contains(value), on_change=P.toggle(field, value)),
                    text,
                    gap="2",
                ),
                as_="label",
                size="2",
                min_width="200px",
            )
            for value, text in items
        ],
        wrap="wrap",
        gap="3",
    )


ROUTE_OPTIONS = [("value", "Value"), ("premium", "Premium")]


def _details() -> rx.Component:
    return rx.vstack(
        _text("name", "Package name", "Shown in your clients' transaction history."),
        rx.flex(
            _text("markup_fixed", "Outbound markup: fixed ($/min)", placeholder="0.0025"),
            _text("markup_percent", "Outbound markup: percent (%)", placeholder="20"),
            gap="4",
            wrap="wrap",
            width="100%",
        ),
        _choice("pulse", "Pulse (billing increment, seconds)", [(p, f"{p} s") for p in ("1", "6", "30", "60")]),
        rx.flex(
            _choice("canada_route", "Canada route", ROUTE_OPTIONS),
            _choice("international_route", "International route", ROUTE_OPTIONS),
            gap="4",
            wrap="wrap",
            width="100%",
        ),
        rx.text("The United States always use the Premium route.", size="1", color="gray"),
        _flag("onnet_free", "VoIP-to-VoIP calls are free"),
        rx.card(
            rx.vstack(
                rx.text("Live example", weight="bold", size="2"),
                rx.flex(
                    rx.input(
                        value=P.sample_destination,
                        on_change=P.set_sample_destination,
                        placeholder="Sample destination, e.g. 442071234567",
                        id="sample-destination",
                        width="240px",
                    ),
                    rx.input(
                        value=P.sample_cost,
                        on_change=P.set_sample_cost,
                        placeholder="or a carrier cost, e.g. 0.009",
                        id="sample-cost",
                        width="200px",
                    ),
                    gap="2",
                    wrap="wrap",
                ),
                rx.cond(
                    P.example["error"] != "",
                    rx.text(P.example["error"], color="orange", size="2"),
                    rx.vstack(
                        rx.text(P.example["label"], size="1", color="gray"),
                        rx.text(P.example["text"], size="4", weight="bold", id="example-line"),
                        spacing="0",
                    ),
                ),
                spacing="2",
            ),
            width="100%",
            max_width="560px",
        ),
        spacing="3",
        width="100%",
    )


def _fees() -> rx.Component:
    return rx.vstack(
        _text("monthly_fee", "Monthly fee ($)", "Charged per connected sub-account on each billing date."),
        _text("setup_fee", "Setup fee ($)", "Charged once when the package is connected."),
        _flag("allow_did_purchase", "Clients may buy phone numbers from their portal"),
        spacing="3",
    )


def _free_minutes() -> rx.Component:
    return rx.vstack(
        _text(
            "free_minutes",
            "Free minutes per billing cycle",
            "Inbound and outbound, counted in whole minutes from the billing date.",
        ),
        spacing="3",
    )


def _system() -> rx.Component:
    return rx.vstack(
        rx.text("The user can edit these sub-account settings:", size="2"),
        _ticks("subaccount_editable", EDITABLE_LABELS),
        _error("subaccount_editable"),
        spacing="3",
    )


def _services() -> rx.Component:
    return rx.vstack(
        _choice(
            "service_config",
            "Type of configuration",
            [("default", "Default configuration (your services settings)"), ("package", "Package configuration")],
        ),
        rx.cond(
            P.form["service_config"] == "package",
            rx.vstack(
                _choice(
                    "view_setting",
                    "View setting",
                    [
                        ("standard", "Standard view"),
                        ("simple", "Simple view"),
                        ("simple_hide", "Simple view (hide services page)"),
                    ],
                ),
                rx.text("Services shown:", size="2"),
                _ticks("services", SERVICE_LABELS),
                _error("services"),
                spacing="3",
            ),
            rx.text("The client sees the services of your Reseller configuration.", size="2", color="gray"),
        ),
        spacing="3",
    )


def _area_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["kind"]),
        rx.table.cell(rx.text(row["target"], " ", rx.text(row["name"], as_="span", color="gray"))),
        rx.table.cell(row["rate"]),
        rx.table.cell(
            rx.button("Remove", size="1", variant="soft", color_scheme="red", on_click=P.delete_area_rate(row["id"]))
        ),
    )


def _rates() -> rx.Component:
    return rx.vstack(
        rx.text("Custom rates per minute override the markup, by country or by calling-code prefix.", size="2"),
        rx.flex(
            rx.select.root(
                rx.select.trigger(id="area-kind"),
                rx.select.content(rx.select.item("Country", value="country"), rx.select.item("Prefix", value="prefix")),
                value=P.area_kind,
                on_change=P.set_area_kind,
            ),
            rx.vstack(
                rx.input(
                    value=P.area_target,
                    on_change=P.set_area_target,
                    placeholder="GB, Canada or 4420",
                    id="area-target",
                ),
                _error("target", P.area_errors),
                spacing="1",
            ),
            rx.vstack(
                rx.input(value=P.area_rate, on_change=P.set_area_rate, placeholder="Rate, e.g. 0.0300", id="area-rate"),
                _error("rate", P.area_errors),
                spacing="1",
            ),
            rx.button("Add rate", on_click=P.add_area_rate, id="area-add"),
            gap="2",
            wrap="wrap",
            align="start",
        ),
        rx.flex(
            rx.input(
                value=P.area_search,
                on_change=P.set_area_search,
                placeholder="Search prefix or country",
                id="area-search",
                width="240px",
            ),
            rx.text(P.area_total, " rates", size="2", color="gray"),
            rx.spacer(),
            rx.upload(
                rx.button(rx.icon("upload", size=14), "Import CSV", variant="soft", size="2"),
                id="area-csv",
                multiple=False,
                max_files=1,
                no_drag=True,
                border="none",
                padding="0",
                on_drop=P.import_csv(rx.upload_files(upload_id="area-csv")),
            ),
            rx.button(rx.icon("download", size=14), "Export CSV", variant="soft", size="2", on_click=P.export_csv),
            gap="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.text("CSV columns: prefix,country,rate (one of prefix or country per line).", size="1", color="gray"),
        rx.cond(P.import_message != "", rx.callout(P.import_message, color_scheme="green", size="1")),
        rx.cond(
            P.import_error != "",
            rx.callout(
                rx.text(P.import_error, white_space="pre-line"), color_scheme="red", size="1", id="import-error"
            ),
        ),
        rx.cond(
            P.area_rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in ("Type", "Area", "Rate / min", "")])
                    ),
                    rx.table.body(rx.foreach(P.area_rows, _area_row)),
                    variant="surface",
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No per-area rates: every destination is priced with the markup.", size="2", color="gray"),
        ),
        rx.hstack(
            rx.button("Previous", size="1", on_click=P.turn_area_page(-1), disabled=P.area_page <= 1),
            rx.text("Page ", P.area_page, " of ", P.area_pages, size="2"),
            rx.button("Next", size="1", on_click=P.turn_area_page(1), disabled=P.area_page >= P.area_pages),
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def _zone_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["kind"]),
        rx.table.cell(row["value"]),
        rx.table.cell(
            rx.button("Remove", size="1", variant="soft", color_scheme="red", on_click=P.delete_zone(row["id"]))
        ),
    )


def _zones() -> rx.Component:
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
                value=P.zone_kind,
                on_change=P.set_zone_kind,
            ),
            rx.input(value=P.zone_value, on_change=P.set_zone_value, placeholder="FR, 4420 or 0.0100", id="zone-value"),
            rx.button("Add free zone", on_click=P.add_zone, id="zone-add"),
            gap="2",
            wrap="wrap",
        ),
        rx.cond(P.zone_error != "", rx.text(P.zone_error, color="red", size="1", id="zone-error")),
        rx.cond(
            P.zone_rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Type", "Zone", "")])),
                rx.table.body(rx.foreach(P.zone_rows, _zone_row)),
                variant="surface",
                size="1",
            ),
            rx.text("No free zones.", size="2", color="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _lookup() -> rx.Component:
    def line(label: str, key: str) -> rx.Component:
        return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(P.lookup[key], id=f"lookup-{key}"))

    return rx.vstack(
        rx.text("Type a number to see how this package prices it (saved settings).", size="2"),
        rx.form(
            rx.flex(
                rx.input(
                    value=P.lookup_number,
                    on_change=P.set_lookup_number,
                    placeholder="e.g. 442071234567",
                    id="lookup-input",
                ),
                rx.button("Look up", type="submit", id="lookup-run"),
                gap="2",
            ),
            on_submit=lambda _: P.run_lookup(),
            reset_on_submit=False,
        ),
        rx.cond(P.lookup_error != "", rx.text(P.lookup_error, color="red", size="1")),
        rx.cond(
            P.lookup.contains("rule"),
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


def _sim_card(title: str, key: str) -> rx.Component:
    r = P.sim_result
    return rx.card(
        rx.text(title, weight="bold", size="2"),
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Revenue"), rx.data_list.value(r[f"{key}_revenue"])),
            rx.data_list.item(rx.data_list.label("Carrier cost"), rx.data_list.value(r[f"{key}_cost"])),
            rx.data_list.item(
                rx.data_list.label("Profit"), rx.data_list.value(r[f"{key}_profit"], id=f"sim-{key}-profit")
            ),
        ),
        min_width="240px",
        flex="1",
    )


def _simulator() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Re-rate real calls under this draft (the values in the tabs, saved or not) and compare with the saved "
            "package, using the billing engine's own rating code.",
            size="2",
        ),
        rx.flex(
            rx.text("Last", size="2"),
            rx.input(value=P.sim_days, on_change=P.set_sim_days, width="70px", id="sim-days"),
            rx.text("days of the clients on this package", size="2"),
            rx.button("Simulate", on_click=P.simulate_recent, loading=P.sim_running, id="sim-run"),
            rx.upload(
                rx.button(rx.icon("upload", size=14), "…or upload a CDR file", variant="soft"),
                id="sim-csv",
                multiple=False,
                max_files=1,
                no_drag=True,
                border="none",
                padding="0",
                on_drop=P.simulate_upload(rx.upload_files(upload_id="sim-csv")),
            ),
            gap="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(
            "CDR file columns: call_id,start,direction,account,caller,destination,duration,disposition,onnet",
            size="1",
            color="gray",
        ),
        rx.cond(
            P.sim_running | (P.sim_progress > 0),
            rx.vstack(
                rx.progress(value=P.sim_progress, max=100, width="100%", max_width="480px"),
                rx.text(P.sim_status, size="1", color="gray"),
                width="100%",
            ),
        ),
        rx.cond(
            P.sim_error != "",
            rx.callout(rx.text(P.sim_error, white_space="pre-line"), color_scheme="red", size="1"),
        ),
        rx.cond(
            P.sim_result.contains("calls"),
            rx.vstack(
                rx.text(P.sim_result["source"], size="2", color="gray"),
                rx.flex(_sim_card("Current package", "current"), _sim_card("Draft", "draft"), gap="3", wrap="wrap"),
                rx.text(
                    "Profit change: ",
                    rx.text(
                        P.sim_result["difference"],
                        as_="span",
                        weight="bold",
                        color=rx.match(P.sim_result["difference_sign"], ("up", "green"), ("down", "red"), "gray"),
                        id="sim-difference",
                    ),
                    size="3",
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _tab(value: str, label: str, needs_save: bool = False) -> rx.Component:
    return rx.tabs.trigger(label, value=value, disabled=(P.package_id == "") if needs_save else False)


def _wizard() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(rx.cond(P.package_id == "", "New package", "Edit package"), size="4"),
                rx.spacer(),
                rx.button("Close", variant="soft", color_scheme="gray", on_click=P.close, size="1"),
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
                rx.box(
                    rx.tabs.content(_details(), value="details"),
                    rx.tabs.content(_fees(), value="fees"),
                    rx.tabs.content(_free_minutes(), value="free"),
                    rx.tabs.content(_system(), value="system"),
                    rx.tabs.content(_services(), value="services"),
                    rx.tabs.content(_rates(), value="rates"),
                    rx.tabs.content(_zones(), value="zones"),
                    rx.tabs.content(_lookup(), value="lookup"),
                    rx.tabs.content(_simulator(), value="simulator"),
                    padding_top="1em",
                ),
                value=P.tab,
                on_change=P.set_tab,
                width="100%",
            ),
            rx.cond(
                P.errors.length() > 0,
                rx.callout("Some fields need attention; nothing is saved until they are fixed.", color_scheme="red"),
            ),
            rx.cond(P.saved_message != "", rx.callout(P.saved_message, color_scheme="green", id="saved")),
            rx.hstack(
                rx.button("Save package", on_click=P.save, id="pkg-save"),
                rx.button("Cancel", variant="soft", color_scheme="gray", on_click=P.close),
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
            rx.cond(P.editing, _wizard()),
            rx.cond(
                P.rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in (
                                        "Name",
                                        "Markup",
                                        "Pulse",
                                        "Monthly fee",
                                        "Setup fee",
                                        "Free minutes",
                                        "Sub-accounts",
                                        "",
                                    )
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(P.rows, _row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                empty_state("No packages yet", "A package sets the markup, pulse and fees your clients pay."),
            ),
            spacing="3",
            width="100%",
        ),
    )
