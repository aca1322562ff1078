"""The Reflex app: builds `app` and registers pages. Nothing else lives here."""

import reflex as rx

from reseller_app import notify, routes
from reseller_app.api import create_api
from reseller_app.api.security_headers import SecurityHeaders
from reseller_app.config import settings
from reseller_app.pages import (
    api_settings,
    client,
    clients,
    configuration,
    login,
    packages,
    password_reset,
    reports,
    reseller,
    signup,
)
from reseller_app.services import scheduler
from reseller_app.state.api_settings import ApiSettingsState
from reseller_app.state.client import ClientState, ResetState, ServicesState
from reseller_app.state.clients import ClientFormState, ClientListState, ManageState, NumbersState, SubAccountState
from reseller_app.state.configuration import ConfigState
from reseller_app.state.deposit import DepositState
from reseller_app.state.login import LoginState
from reseller_app.state.packages import PackagesState
from reseller_app.state.reports import ReportsState
from reseller_app.state.reseller import ResellerState
from reseller_app.state.signup import SignupState


def index() -> rx.Component:
    """The root sends visitors to the reseller login."""
    return rx.center(rx.spinner(), min_height="100vh")


settings.check()

app = rx.App(
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    # The API mounts the Reflex app; the headers middleware then wraps both (pages, API, uploads).
    api_transformer=[create_api(), SecurityHeaders],
)
# Deliver queued email in the background of every worker (rows are claimed, so never twice).
app.register_lifespan_task(notify.run_forever)
# CDR sync, the daily billing run and optional sandbox traffic; a lease row keeps each job to one worker.
app.register_lifespan_task(scheduler.run_forever)
# Every page names its title: the client pages take the reseller's, so no framework default shows.
CLIENT_TITLE = ClientState.brand["title"]
app.add_page(index, route="/", title="Reseller portal", on_load=rx.redirect(routes.RESELLER_LOGIN))
app.add_page(
    login.reseller_login, route=routes.RESELLER_LOGIN, title="Sign in · Reseller portal", on_load=LoginState.clear
)
app.add_page(
    reseller.overview, route=routes.RESELLER_HOME, title="Overview · Reseller portal", on_load=ResellerState.guard
)
app.add_page(
    configuration.configuration,
    route=routes.RESELLER_CONFIG,
    title="Reseller configuration · Reseller portal",
    on_load=[ResellerState.guard, ConfigState.load],
)
app.add_page(
    packages.packages,
    route=routes.RESELLER_PACKAGES,
    title="Manage rates & packages · Reseller portal",
    on_load=[ResellerState.guard, PackagesState.load],
)
app.add_page(
    clients.client_list,
    route=routes.RESELLER_CLIENTS,
    title="Manage client's accounts · Reseller portal",
    on_load=[ResellerState.guard, ClientListState.load],
)
app.add_page(
    clients.client_new,
    route=f"{routes.RESELLER_CLIENTS}/new",
    title="Create a client · Reseller portal",
    on_load=[ResellerState.guard, ClientFormState.load_new],
)
app.add_page(
    clients.client_manage,
    route=f"{routes.RESELLER_CLIENTS}/[client_id]",
    title="Manage client · Reseller portal",
    on_load=[ResellerState.guard, ManageState.load],
)
app.add_page(
    clients.client_edit,
    route=f"{routes.RESELLER_CLIENTS}/[client_id]/edit",
    title="Edit client · Reseller portal",
    on_load=[ResellerState.guard, ClientFormState.load_edit],
)
app.add_page(
    clients.subaccount_config,
    route=f"{routes.RESELLER_CLIENTS}/[client_id]/subaccount/[sub_id]",
    title="Sub-account configuration · Reseller portal",
    on_load=[ResellerState.guard, SubAccountState.load],
)
app.add_page(
    clients.connect_numbers,
    route=f"{routes.RESELLER_CLIENTS}/[client_id]/numbers",
    title="Connect numbers · Reseller portal",
    on_load=[ResellerState.guard, NumbersState.load],
)
app.add_page(
    reports.reports_page,
    route=routes.RESELLER_REPORTS,
    title="Reports · Reseller portal",
    on_load=[ResellerState.guard, ReportsState.load],
)
app.add_page(
    api_settings.api_settings,
    route="/reseller/api",
    title="API & carrier · Reseller portal",
    on_load=[ResellerState.guard, ApiSettingsState.load],
)
app.add_page(
    login.client_login, route=routes.CLIENT_LOGIN, title=LoginState.brand["title"], on_load=LoginState.load_portal
)
app.add_page(client.dashboard, route=routes.CLIENT_DASHBOARD, title=CLIENT_TITLE, on_load=ClientState.load_dashboard)
app.add_page(
    client.balance,
    route=routes.CLIENT_BALANCE,
    title=CLIENT_TITLE,
    on_load=[ClientState.load_balance, DepositState.load],
)
app.add_page(client.calls, route=routes.CLIENT_CALLS, title=CLIENT_TITLE, on_load=ClientState.load_calls)
app.add_page(client.services, route=routes.CLIENT_SERVICES, title=CLIENT_TITLE, on_load=ServicesState.load)
RESET_TITLE = ResetState.brand["title"]
app.add_page(password_reset.forgot, route="/r/[rid]/forgot", title=RESET_TITLE, on_load=ResetState.load_forgot)
app.add_page(password_reset.reset, route="/r/[rid]/reset", title=RESET_TITLE, on_load=ResetState.load_reset)
app.add_page(signup.signup_page, route="/r/[rid]/signup", title=SignupState.brand["title"], on_load=SignupState.load)
