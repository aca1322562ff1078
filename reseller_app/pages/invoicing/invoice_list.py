"""The reseller's Invoices page and the invoices card of a client's Manage page."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import reseller_layout
from reseller_app.components.pager import pager
from reseller_app.state.invoicing.invoice_list import ClientInvoicesAdminState, InvoiceListState

L = InvoiceListState
A = ClientInvoicesAdminState
HEADERS = ("Number", "Type", "Issued", "Due", "Client", "Subtotal", "Taxes", "Total", "")


def _links(number: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.link("View", href="/api/invoices/" + number + ".html", is_external=True),
        rx.button(
            "PDF",
            size="1",
            variant="soft",
            on_click=rx.download(url="/api/invoices/" + number + ".pdf", filename=number + ".pdf"),
            id="pdf-" + number,
        ),
        spacing="3",
    )


def _row(inv: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(inv["number"], white_space="nowrap"),
        rx.table.cell(
            inv["kind"], rx.cond(inv["credit_of"] != "", rx.text(" of ", inv["credit_of"], as_="span", size="1"))
        ),
        rx.table.cell(inv["issued_on"], white_space="nowrap"),
        rx.table.cell(inv["due_on"], white_space="nowrap"),
        rx.table.cell(rx.link(inv["client"], href="/reseller/clients/" + inv["client_id"])),
        rx.table.cell(inv["subtotal"], text_align="right", white_space="nowrap"),
        rx.table.cell(inv["tax_total"], text_align="right", white_space="nowrap"),
        rx.table.cell(inv["total"], text_align="right", white_space="nowrap"),
        rx.table.cell(_links(inv["number"])),
    )


def _err(key: str) -> rx.Component:
    return rx.cond(L.errors.contains(key), rx.text(L.errors[key], size="1", color="#b91c1c", role="alert"))


def invoice_list() -> rx.Component:
    """Every invoice and credit note of the reseller: filters, pages, totals and a CSV of the filters."""
    return reseller_layout(
        "Invoices",
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.text("Client", size="1"),
                    rx.select.root(
                        rx.select.trigger(placeholder="All clients", id="inv-client"),
                        rx.select.content(
                            rx.select.item("All clients", value="all"),
                            rx.foreach(L.clients, lambda c: rx.select.item(c["name"], value=c["id"])),
                        ),
                        value=rx.cond(L.client_id == "", "all", L.client_id),
                        on_change=lambda v: L.set_filter("client_id", v),
                    ),
                    _err("client_id"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Issued from", size="1"),
                    rx.input(
                        type="date", value=L.date_from, on_change=lambda v: L.set_filter("date_from", v), id="inv-from"
                    ),
                    _err("date_from"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("to", size="1"),
                    rx.input(type="date", value=L.date_to, on_change=lambda v: L.set_filter("date_to", v), id="inv-to"),
                    _err("date_to"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Type", size="1"),
                    rx.select.root(
                        rx.select.trigger(id="inv-kind"),
                        rx.select.content(
                            rx.select.item("All", value="all"),
                            rx.select.item("Invoices", value="invoice"),
                            rx.select.item("Credit notes", value="credit_note"),
                        ),
                        value=rx.cond(L.kind == "", "all", L.kind),
                        on_change=lambda v: L.set_filter("kind", v),
                    ),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Number", size="1"),
                    rx.input(
                        value=L.number,
                        on_change=lambda v: L.set_filter("number", v),
                        placeholder="INV-",
                        id="inv-number",
                        debounce_timeout=300,
                    ),
                    spacing="1",
                ),
                rx.button(
                    "Export CSV",
                    variant="outline",
                    on_click=rx.download(url=L.export_url, filename="invoices.csv"),
                    id="inv-export",
                ),
                gap="1em",
                wrap="wrap",
                align="end",
            ),
            rx.text(
                L.count,
                " documents · total ",
                rx.text.strong(L.total),
                " · taxes ",
                rx.text.strong(L.tax_total),
                size="2",
                id="inv-totals",
            ),
            rx.cond(
                L.items.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])),
                        rx.table.body(rx.foreach(L.items, _row)),
                        size="1",
                        width="100%",
                        id="invoice-table",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.text("No invoices match.", size="2", color="gray"),
            ),
            pager(L.page, L.pages, L.turn, prefix="inv"),
            spacing="3",
            width="100%",
        ),
    )


def _admin_row(inv: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(inv["number"], white_space="nowrap"),
        rx.table.cell(inv["kind"]),
        rx.table.cell(inv["issued_on"], white_space="nowrap"),
        rx.table.cell(inv["total"], text_align="right", white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                _links(inv["number"]),
                rx.cond(
                    inv["kind"] == "Invoice",
                    rx.button(
                        "Credit…",
                        size="1",
                        variant="soft",
                        on_click=A.start_credit(inv["number"]),
                        id="credit-" + inv["number"],
                    ),
                ),
                spacing="3",
                align="center",
            )
        ),
    )


def client_invoices_card() -> rx.Component:
    """The Manage page's invoices: the client's invoices, a credit note for chosen lines, the tax exemption."""
    return rx.card(
        rx.vstack(
            rx.text("Invoices", weight="bold"),
            rx.cond(
                A.invoices.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[rx.table.column_header_cell(h) for h in ("Number", "Type", "Issued", "Total", "")]
                            )
                        ),
                        rx.table.body(rx.foreach(A.invoices, _admin_row)),
                        size="1",
                        width="100%",
                        id="client-invoices",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.text("No invoices yet: the billing run issues one on each billing date.", size="2"),
            ),
            rx.cond(
                A.credit_invoice != "",
                rx.vstack(
                    rx.text(
                        "Credit note for ", A.credit_invoice, ": tick the lines to credit", size="2", weight="medium"
                    ),
                    rx.foreach(
                        A.credit_lines,
                        lambda ln: rx.text(
                            rx.flex(
                                rx.checkbox(
                                    checked=A.credit_selected.contains(ln["position"]),
                                    on_change=lambda v: A.toggle_line(ln["position"], v),
                                    id="credit-line-" + ln["position"],
                                ),
                                ln["description"],
                                " — ",
                                ln["amount"],
                                spacing="2",
                                align="center",
                            ),
                            as_="label",
                            size="2",
                        ),
                    ),
                    rx.input(
                        value=A.credit_reason,
                        on_change=A.set_reason,
                        placeholder="Reason",
                        id="credit-reason",
                        width="100%",
                        max_width="420px",
                    ),
                    rx.hstack(
                        rx.button("Issue credit note", on_click=A.issue_credit, id="credit-issue"),
                        rx.button("Cancel", variant="soft", color_scheme="gray", on_click=A.cancel_credit),
                    ),
                    spacing="2",
                    width="100%",
                    padding="0.75em",
                    border="1px solid #e5e7eb",
                    border_radius="6px",
                ),
            ),
            rx.cond(A.credit_notice != "", rx.text(A.credit_notice, size="2", id="credit-notice")),
            rx.flex(
                rx.text(
                    rx.flex(
                        rx.switch(checked=A.exempt, on_change=A.set_exempt, id="tax-exempt"),
                        "Tax-exempt",
                        spacing="2",
                        align="center",
                    ),
                    as_="label",
                    size="2",
                ),
                rx.input(
                    value=A.exempt_number,
                    on_change=A.set_exempt_number,
                    placeholder="Exemption number",
                    id="tax-exempt-number",
                ),
                rx.button("Save", size="2", variant="soft", on_click=A.save_exemption, id="tax-exempt-save"),
                rx.cond(A.exempt_notice != "", rx.text(A.exempt_notice, size="2", id="tax-exempt-notice")),
                gap="0.75em",
                align="center",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        on_mount=A.load,
    )


TAX_COLORS = ("#7c3aed", "#0891b2", "#ea580c", "#65a30d", "#db2777", "#475569")


def taxes_panel(state: type[rx.State]) -> rx.Component:
    """The financial report's taxes collected per tax per month: chart, table and CSV (`state`: ReportsState)."""
    r = state
    return rx.vstack(
        rx.hstack(
            rx.heading("Taxes collected", size="3"),
            rx.button(
                "Export taxes CSV",
                variant="outline",
                size="1",
                on_click=rx.download(url=r.taxes_export_url, filename="taxes.csv"),
                id="taxes-export",
            ),
            align="center",
            spacing="3",
        ),
        rx.cond(
            r.tax_rows.length() > 0,
            rx.vstack(
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                        rx.recharts.x_axis(data_key="month"),
                        rx.recharts.y_axis(),
                        rx.recharts.tooltip(),
                        rx.recharts.legend(),
                        rx.foreach(
                            r.tax_names,
                            lambda name, i: rx.recharts.bar(
                                data_key=name,
                                name=name,
                                stack_id="taxes",
                                fill=rx.Var.create(list(TAX_COLORS))[i % len(TAX_COLORS)],
                            ),
                        ),
                        data=r.tax_chart,
                        width="100%",
                        height=240,
                    ),
                    width="100%",
                    background="white",
                    border_radius="8px",
                    padding="0.5em",
                    id="taxes-chart",
                ),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[rx.table.column_header_cell(h) for h in ("Month", "Tax", "Rate %", "Base", "Tax")]
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                r.tax_rows,
                                lambda row: rx.table.row(
                                    *[rx.table.cell(row[k]) for k in ("month", "tax", "rate", "base", "amount")]
                                ),
                            ),
                            rx.foreach(
                                r.tax_totals,
                                lambda t: rx.table.row(
                                    rx.table.row_header_cell("Total"),
                                    rx.table.cell(t["tax"]),
                                    rx.table.cell(""),
                                    rx.table.cell(""),
                                    rx.table.cell(rx.text(t["amount"], weight="bold")),
                                ),
                            ),
                        ),
                        variant="surface",
                        size="1",
                        width="100%",
                        id="taxes-table",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                width="100%",
                spacing="3",
            ),
            rx.text("No tax on the invoices of this period.", size="2", color="gray"),
        ),
        width="100%",
        spacing="3",
    )
