"""The Reflex app: builds `app` and registers pages. Nothing else lives here."""

import functools

import reflex as rx

from reseller_app import notify, routes
from reseller_app.api import cors, create_api
from reseller_app.api.security_headers import SecurityHeaders
from reseller_app.api.uploads import UploadGuard
from reseller_app.config import settings
from reseller_app.pages.access import login, password_reset, signup
from reseller_app.pages.api import settings as api_settings
from reseller_app.pages.callflows import call_flows, phone_system
from reseller_app.pages.catalog import packages
from reseller_app.pages.clients import client_form, client_list, manage, numbers, subaccount
from reseller_app.pages.invoicing import client_invoices, invoice_list
from reseller_app.pages.messaging import inbox as messages_page
from reseller_app.pages.messaging import report as message_report
from reseller_app.pages.portal import balance, calls, dashboard, security
from reseller_app.pages.portal import services as services_page
from reseller_app.pages.reporting import overview as reseller
from reseller_app.pages.reporting import reports
from reseller_app.pages.settings import configuration
from reseller_app.pages.staff import audit_log as audit_log_page
from reseller_app.pages.staff import members as staff_pages
from reseller_app.services.jobs import scheduler
from reseller_app.state import limits
from reseller_app.state.access.login import LoginState
from reseller_app.state.access.signup import SignupState
from reseller_app.state.api.settings import ApiSettingsState
from reseller_app.state.callflows.call_flows import CallFlowsState
from reseller_app.state.callflows.phone_system import PhoneSystemState
from reseller_app.state.catalog import simulator as sim_uploads
from reseller_app.state.catalog.packages import PackagesState
from reseller_app.state.clients.client_form import ClientFormState
from reseller_app.state.clients.client_list import ClientListState
from reseller_app.state.clients.manage import ManageState
from reseller_app.state.clients.numbers import NumbersState
from reseller_app.state.clients.subaccount import SubAccountState
from reseller_app.state.invoicing.client_invoices import ClientInvoicesState
from reseller_app.state.invoicing.invoice_list import InvoiceListState
from reseller_app.state.messaging.inbox import MessagesState
from reseller_app.state.messaging.report import MessageReportState
from reseller_app.state.portal.balance import BalanceState
from reseller_app.state.portal.calls import CallsState
from reseller_app.state.portal.dashboard import DashboardState
from reseller_app.state.portal.deposit import DepositState
from reseller_app.state.portal.reset import ResetState
from reseller_app.state.portal.security import SecurityState
from reseller_app.state.portal.services import ServicesState
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.reporting.overview import ResellerState
from reseller_app.state.reporting.reports import ReportsState
from reseller_app.state.settings.configuration import ConfigState
from reseller_app.state.staff.audit_log import AuditLogState
from reseller_app.state.staff.members import InviteState, StaffState
from reseller_app.state.staff.two_factor import TwoFactorState


def index() -> rx.Component:
    """The root sends visitors to the reseller login."""
    return rx.center(rx.spinner(), min_height="100vh")


settings.check()

# Reflex's CORS reflects any origin with credentials: PortalCors answers for our own origins only.
cors.take_over_reflex_cors()
# Each page draws its own icon (components/layout.favicon): the neutral one, or a client portal's own.
app = rx.App(
    # The API mounts the Reflex app; CORS, then the headers middleware wrap both (pages, API, uploads).
    api_transformer=[create_api(), UploadGuard, cors.PortalCors, SecurityHeaders],
)
# The websocket's handshake: the same origins (our own, or the host the page came from).
app.sio.eio.cors_allowed_origins = cors.socket_origin_allowed
# Simulator uploads left in the temporary folder by a crash or a kill (older than an hour) go at start.
sim_uploads.clean_leftovers()
# One tab cannot flood the worker with events (a per-connection budget in front of Reflex's event handler).
limits.install(app)
# Deliver queued email in the background of every worker (rows are claimed, so never twice).
app.register_lifespan_task(notify.run_forever)
# CDR sync, the daily billing run and optional sandbox traffic; a lease row keeps each job to one worker.
app.register_lifespan_task(scheduler.run_forever)
# No og:image: Reflex's default points at a favicon.ico it does not ship; every page names its own icon instead.
add_page = functools.partial(app.add_page, image="")
# Every page names its title: the client pages take the reseller's, so no framework default shows.
CLIENT_TITLE = PortalState.brand["title"]
add_page(index, route="/", title="Reseller portal", on_load=rx.redirect(routes.RESELLER_LOGIN))
add_page(login.reseller_login, route=routes.RESELLER_LOGIN, title="Sign in · Reseller portal", on_load=LoginState.clear)
# The reseller's pages: each checks the session (guard), then loads its own data.
RESELLER_PAGES = [
    (reseller.overview, routes.RESELLER_HOME, "Overview", ResellerState.load_overview),
    (configuration.configuration, routes.RESELLER_CONFIG, "Reseller configuration", ConfigState.load),
    (packages.packages, routes.RESELLER_PACKAGES, "Manage rates & packages", PackagesState.load),
    (client_list.client_list, routes.RESELLER_CLIENTS, "Manage client's accounts", ClientListState.load),
    (client_form.client_new, f"{routes.RESELLER_CLIENTS}/new", "Create a client", ClientFormState.load_new),
    (manage.client_manage, f"{routes.RESELLER_CLIENTS}/[client_id]", "Manage client", ManageState.load),
    (client_form.client_edit, f"{routes.RESELLER_CLIENTS}/[client_id]/edit", "Edit client", ClientFormState.load_edit),
    (
        subaccount.subaccount_config,
        f"{routes.RESELLER_CLIENTS}/[client_id]/subaccount/[sub_id]",
        "Sub-account configuration",
        SubAccountState.load,
    ),
    (numbers.connect_numbers, f"{routes.RESELLER_CLIENTS}/[client_id]/numbers", "Connect numbers", NumbersState.load),
    (invoice_list.invoice_list, routes.RESELLER_INVOICES, "Invoices", InvoiceListState.load),
    (reports.reports_page, routes.RESELLER_REPORTS, "Reports", ReportsState.load),
    (message_report.message_report, routes.RESELLER_MESSAGE_REPORT, "SMS/MMS report", MessageReportState.load),
    (api_settings.api_settings, "/reseller/api", "API & carrier", ApiSettingsState.load),
    (audit_log_page.audit_log_page, routes.RESELLER_AUDIT, "Audit log", AuditLogState.load),
    (staff_pages.staff_page, routes.RESELLER_STAFF, "Staff", [StaffState.load, TwoFactorState.load]),
]
for component, route, title, load in RESELLER_PAGES:
    add_page(
        component,
        route=route,
        title=f"{title} · Reseller portal",
        on_load=ResellerState.guard
        if load is None
        else [ResellerState.guard, *(load if isinstance(load, list) else [load])],
    )
add_page(staff_pages.accept_page, route=routes.STAFF_ACCEPT, title="Join · Reseller portal", on_load=InviteState.load)
add_page(login.client_login, route=routes.CLIENT_LOGIN, title=LoginState.brand["title"], on_load=LoginState.load_portal)
add_page(dashboard.dashboard, route=routes.CLIENT_DASHBOARD, title=CLIENT_TITLE, on_load=DashboardState.load)
add_page(
    balance.balance,
    route=routes.CLIENT_BALANCE,
    title=CLIENT_TITLE,
    on_load=[BalanceState.load, DepositState.load],
)
add_page(calls.calls, route=routes.CLIENT_CALLS, title=CLIENT_TITLE, on_load=CallsState.load)
add_page(messages_page.messages_page, route=routes.CLIENT_MESSAGES, title=CLIENT_TITLE, on_load=MessagesState.load)
add_page(services_page.services, route=routes.CLIENT_SERVICES, title=CLIENT_TITLE, on_load=ServicesState.load)
add_page(phone_system.phone_system, route=routes.CLIENT_PHONE_SYSTEM, title=CLIENT_TITLE, on_load=PhoneSystemState.load)
add_page(call_flows.call_flows, route=routes.CLIENT_CALL_FLOWS, title=CLIENT_TITLE, on_load=CallFlowsState.load)
add_page(security.security, route=routes.CLIENT_SECURITY, title=CLIENT_TITLE, on_load=SecurityState.load)
add_page(
    client_invoices.client_invoices,
    route=routes.CLIENT_INVOICES,
    title=CLIENT_TITLE,
    on_load=ClientInvoicesState.load,
)
RESET_TITLE = ResetState.brand["title"]
add_page(password_reset.forgot, route="/r/[rid]/forgot", title=RESET_TITLE, on_load=ResetState.load_forgot)
add_page(password_reset.reset, route="/r/[rid]/reset", title=RESET_TITLE, on_load=ResetState.load_reset)
add_page(signup.signup_page, route="/r/[rid]/signup", title=SignupState.brand["title"], on_load=SignupState.load)
