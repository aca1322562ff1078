"""Seed for the card-payment browser test: reseller "Card Co" with Stripe on (the test's fake) and one client."""

from __future__ import annotations

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller, ResellerSettings, StripeAccount
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from tests.e2e.seed import PASSWORD

SECRET_KEY = "sk_test_good"  # what tests/stripe_fake.FakeStripe accepts
WEBHOOK_SECRET = "whsec_e2e_cards"


def seed(ids: dict) -> None:
    rid = create_reseller("reseller-card@example.com", PASSWORD, name="Card Reseller", company="Card Co")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title, st.deposit_amounts = "Card Co Phone", "10,25"
        s.add(
            StripeAccount(
                reseller_id=rid,
                enabled=True,
                publishable_key="pk_test_e2e",
                secret_key=SECRET_KEY,
                webhook_secret=WEBHOOK_SECRET,
            )
        )
        client = Client(
            reseller_id=rid, email="cardholder@example.com", password_hash=hash_password(PASSWORD), firstname="Carla"
        )
        s.add(client)
        s.flush()
        ids["card_reseller"], ids["card_client"] = rid, client.id
