"""Placeholders in plain-text templates."""

from __future__ import annotations

from decimal import Decimal

from reseller_app.notify import render


def test_fills_known_placeholders():
    text = "Hello [firstname] [lastname], your balance is [balance] (threshold [threshold]). See [url]"
    out = render(
        text,
        firstname="Marie",
        lastname="Tremblay",
        balance=Decimal("8.5000"),
        threshold="10.00",
        url="https://portal.example.com/",
    )
    assert out == ("Hello Marie Tremblay, your balance is 8.5000 (threshold 10.00). See https://portal.example.com/")


def test_unknown_placeholders_and_brackets_left_alone():
    assert render("[firstname] [company] [not a name] [] [1x]", firstname="Jo") == "Jo [company] [not a name] [] [1x]"


def test_values_are_inserted_literally_and_not_expanded_again():
    out = render("Dear [firstname], [lastname]", firstname="[lastname] <b>&", lastname="X")
    assert out == "Dear [lastname] <b>&, X"


def test_repeated_placeholder_and_no_values():
    assert render("[a][a]", a=1) == "11"
    assert render("nothing [here]") == "nothing [here]"
