"""Masking: addresses, phone numbers and secrets in text, client addresses, names and whole addresses."""

import pytest

from signup.privacy import masking


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("mail ada@example.com now", "mail a***@example.com now"),
        ("call +380 50 123 45 67 or 0501234567", "call +38***67 or 05***67"),
        ("GET /hooks/x?token=abc123&email=x", "GET /hooks/x?token=[secret]&email=x"),
        (
            "at 2025-01-31 10:00:00, id 4f3a2b1c9d8e7f60, took 1234 ms",
            "at 2025-01-31 10:00:00, id 4f3a2b1c9d8e7f60, took 1234 ms",
        ),
    ],
)
def test_masking_text(raw, masked):
    assert masking.text(raw) == masked


def test_masking_client_addresses():
    assert masking.client("203.0.113.77") == "203.0.113.0"
    assert masking.client("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert masking.client("not an address") is None
    assert masking.client("10.0.0.255") == "10.0.0.0"
    assert masking.client("2001:db8:1234:ffff:ffff::") == "2001:db8:1234::"


@pytest.mark.parametrize(
    ("address", "shown"),
    [("ada@example.com", "a***@example.com"), ("+380501234567", "+38***67"), ("", "***")],
)
def test_an_address_keeps_only_enough_to_tell_it_apart(address, shown):
    assert masking.address(address) == shown


def test_a_secret_the_app_knows_is_hidden_wherever_it_appears():
    assert masking.text("key is sk-live-42 here", {"sk-live-42"}) == "key is [secret] here"


def test_a_name_keeps_its_initial():
    assert (masking.name("Ada"), masking.name(""), masking.name(None)) == ("A***", "", None)
