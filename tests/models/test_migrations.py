"""The Alembic migrations and the SQLModel tables never drift apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

import reseller_app.models as m


def test_models_match_migrations(engine):
    """Autogenerate finds nothing to do: every table change has its migration."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_drift_is_detected(engine):
    """The drift check itself fails when a model gains a column the migrations lack."""
    import sqlalchemy as sa

    extra = sa.Column("drift_probe", sa.Integer, nullable=True)
    table = SQLModel.metadata.tables["package"]
    table.append_column(extra)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, SQLModel.metadata)
        assert any(d[0] == "add_column" and d[3].name == "drift_probe" for d in diff)
    finally:
        table._columns.remove(extra)


def test_money_round_trips_exactly(session):
    """Micro-unit storage keeps 6 decimal places and SQL sums stay exact."""
    r = m.Reseller(email="a@example.com", password_hash="x")
    session.add(r)
    session.commit()
    c = m.Client(reseller_id=r.id, email="c@example.com", password_hash="x", firstname="C")
    session.add(c)
    session.commit()
    for i, amt in enumerate(["0.1", "0.2", "-0.000001", "12345678.123456"]):
        kind = "charge" if amt.startswith("-") else "payment"  # the database checks the sign of each kind
        session.add(m.LedgerEntry(reseller_id=r.id, client_id=c.id, reference=f"t{i}", kind=kind, amount=Decimal(amt)))
    session.commit()
    from sqlalchemy import func

    total = session.exec(select(func.sum(m.LedgerEntry.amount))).one()
    assert total == Decimal("12345678.423455")
    assert isinstance(total, Decimal)


def test_money_refuses_floats_and_excess_precision(session):
    """A float or a 7th decimal place never reaches the database."""
    r = m.Reseller(
        email="b@example.com",
        password_hash="x",
    )
    session.add(r)
    session.commit()
    session.add(m.Package(reseller_id=r.id, name="p", markup_fixed=0.1))
    with pytest.raises(Exception, match="Decimal"):
        session.commit()
    session.rollback()
    session.add(m.Package(reseller_id=r.id, name="p", markup_fixed=Decimal("0.0000001")))
    with pytest.raises(Exception, match="6 decimal places"):
        session.commit()


def test_ledger_constraints_enforced_by_database(session):
    """A zero amount or an unknown kind is refused by the database itself."""
    r = m.Reseller(email="c@example.com", password_hash="x")
    session.add(r)
    session.commit()
    c = m.Client(reseller_id=r.id, email="c@example.com", password_hash="x", firstname="C")
    session.add(c)
    session.commit()
    session.add(m.LedgerEntry(reseller_id=r.id, client_id=c.id, reference="z", kind="charge", amount=Decimal("0")))
    with pytest.raises(Exception, match="(?i)check"):
        session.commit()
    session.rollback()
    session.add(m.LedgerEntry(reseller_id=r.id, client_id=c.id, reference="k", kind="gift", amount=Decimal("1")))
    with pytest.raises(Exception, match="(?i)check"):
        session.commit()


def test_one_area_rate_per_prefix_and_per_country(session):
    """Two rates for the same prefix (or country) of a package are refused by the database."""
    r = m.Reseller(email="d@example.com", password_hash="x")
    session.add(r)
    session.commit()
    p = m.Package(reseller_id=r.id, name="p")
    session.add(p)
    session.commit()
    session.add(m.AreaRate(reseller_id=r.id, package_id=p.id, prefix="44", rate=Decimal("0.01")))
    session.add(m.AreaRate(reseller_id=r.id, package_id=p.id, country="GB", rate=Decimal("0.01")))
    session.commit()
    session.add(m.AreaRate(reseller_id=r.id, package_id=p.id, prefix="44", rate=Decimal("0.02")))
    with pytest.raises(Exception, match="(?i)unique"):
        session.commit()
    session.rollback()
    session.add(m.AreaRate(reseller_id=r.id, package_id=p.id, country="GB", rate=Decimal("0.02")))
    with pytest.raises(Exception, match="(?i)unique"):
        session.commit()
