"""Route constants, so links and redirects never drift from the registered pages."""

from urllib.parse import urlencode

RESELLER_LOGIN = "/login"
RESELLER_HOME = "/reseller"
RESELLER_CONFIG = "/reseller/configuration"
RESELLER_PACKAGES = "/reseller/packages"
RESELLER_CLIENTS = "/reseller/clients"
RESELLER_REPORTS = "/reseller/reports"
RESELLER_MESSAGE_REPORT = "/reseller/reports/messages"
RESELLER_INVOICES = "/reseller/invoices"
RESELLER_AUDIT = "/reseller/audit"
RESELLER_STAFF = "/reseller/staff"
STAFF_ACCEPT = "/staff/accept"

CLIENT_LOGIN = "/r/[rid]/login"
CLIENT_DASHBOARD = "/r/[rid]/dashboard"
CLIENT_BALANCE = "/r/[rid]/balance"
CLIENT_CALLS = "/r/[rid]/calls"
CLIENT_SERVICES = "/r/[rid]/services"
CLIENT_PHONE_SYSTEM = "/r/[rid]/phone-system"
CLIENT_CALL_FLOWS = "/r/[rid]/call-flows"
CLIENT_INVOICES = "/r/[rid]/invoices"
CLIENT_MESSAGES = "/r/[rid]/messages"
CLIENT_SECURITY = "/r/[rid]/security"


def client_path(rid: int | str, page: str) -> str:
    """The white-label path of a client page of one reseller's portal."""
    return f"/r/{rid}/{page}"


def reseller_client_path(cid: int | str, page: str = "") -> str:
    """The path of a client's manage page in the reseller's interface, or of one of its sub-pages."""
    return f"{RESELLER_CLIENTS}/{cid}" + (f"/{page}" if page else "")


def report_csv(kind: str, filters: dict[str, str]) -> str:
    """The streamed CSV of a reseller report (api/report_export.py) for the filters as typed ("all" and empty left
    out; the endpoint checks the session and every filter)."""
    query = {k: v for k, v in filters.items() if v and v != "all"}
    return f"/api/reports/{kind}.csv?{urlencode(query)}"
