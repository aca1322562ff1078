"""The client portal's Invoices page: invoices and credit notes to open or download, and the statement of account."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.i18n import N_
from reseller_app.pages.portal.parts import empty, scroll
from reseller_app.state.i18n import t
from reseller_app.state.invoicing.client_invoices import ClientInvoicesState

S = ClientInvoicesState


def _invoice_row(inv: rx.Var) -> rx.Component:
    pdf = S.base + inv["number"] + ".pdf"
    page = S.base + inv["number"] + ".html"
    return rx.table.row(
        rx.table.cell(inv["number"], white_space="nowrap"),
        rx.table.cell(inv["kind"]),
        rx.table.cell(inv["issued_on"], white_space="nowrap"),
        rx.table.cell(inv["due_on"], white_space="nowrap"),
        rx.table.cell(inv["total"], white_space="nowrap", text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.link(t("View"), href=page, is_external=True, id="view-" + inv["number"]),
                client_button(
                    t("PDF"),
                    "primary",
                    size="1",
                    on_click=rx.download(url=pdf, filename=inv["number"] + ".pdf"),
                    id="pdf-" + inv["number"],
                ),
                spacing="3",
            )
        ),
    )


def _statement() -> rx.Component:
    st = S.statement
    return client_panel(
        t("Statement of account"),
        rx.flex(
            rx.input(type="date", value=S.st_from, on_change=S.set_st_from, aria_label=t("From"), id="st-from"),
            rx.input(type="date", value=S.st_to, on_change=S.set_st_to, aria_label=t("To"), id="st-to"),
            client_button(t("Show"), on_click=S.show_statement, id="st-show", size="2"),
            gap="0.75em",
            wrap="wrap",
            align="center",
        ),
        rx.cond(S.st_error != "", rx.text(S.st_error, color="#b91c1c", size="2", role="alert")),
        rx.text(t("Opening balance:"), " ", rx.text.strong(st["opening"], id="st-opening"), size="2"),
        rx.cond(
            S.statement_rows.length() > 0,
            scroll(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(t(h))
                                for h in (N_("Date"), N_("Description"), N_("Amount"), N_("Balance"))
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.statement_rows,
                            lambda r: rx.table.row(
                                rx.table.cell(r["date"], white_space="nowrap"),
                                rx.table.cell(r["description"]),
                                rx.table.cell(r["amount"], white_space="nowrap", text_align="right"),
                                rx.table.cell(r["balance"], white_space="nowrap", text_align="right"),
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                )
            ),
            empty(t("No postings in this period.")),
        ),
        rx.text(t("Closing balance:"), " ", rx.text.strong(st["closing"], id="st-closing"), size="2"),
        width="100%",
    )


def client_invoices() -> rx.Component:
    """The Invoices page of the client portal."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Invoices"), size="6"),
            client_panel(
                t("Your invoices"),
                rx.cond(
                    S.invoices.length() > 0,
                    scroll(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    *[
                                        rx.table.column_header_cell(t(h))
                                        for h in (N_("Number"), N_("Type"), N_("Issued"), N_("Due"), N_("Total"))
                                    ],
                                    rx.table.column_header_cell(""),
                                )
                            ),
                            rx.table.body(rx.foreach(S.invoices, _invoice_row)),
                            size="1",
                            width="100%",
                            id="invoices",
                        )
                    ),
                    empty(t("No invoices yet.")),
                ),
                width="100%",
            ),
            _statement(),
            spacing="4",
            width="100%",
        )
    )
