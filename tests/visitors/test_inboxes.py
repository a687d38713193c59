"""Which inbox a thank-you offers to open, by the address's domain."""

import pytest

from signup.visitors.inboxes import GMAIL, OUTLOOK, YAHOO, inbox_for


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("ada@gmail.com", "Gmail"),
        ("a***@GMail.com", "Gmail"),
        ("ada@googlemail.com", "Gmail"),
        ("ada@outlook.com", "Outlook"),
        ("ada@hotmail.com", "Outlook"),
        ("ada@live.com", "Outlook"),
        ("ada@hotmail.co.uk", "Outlook"),
        ("ada@outlook.com.ua", "Outlook"),
        ("ada@live.ru", "Outlook"),
        ("ada@yahoo.com", "Yahoo Mail"),
        ("ada@yahoo.co.uk", "Yahoo Mail"),
        ("ada@ymail.com", "Yahoo Mail"),
        ("ada@ukr.net", "ukr.net"),
        ("ada@i.ua", "I.UA"),
        ("ada@meta.ua", "META.UA"),
        ("ada@icloud.com", "iCloud Mail"),
        ("ada@proton.me", "Proton Mail"),
        ("ada@example.com", None),
        ("ada@mail.gmail.com.evil.example", None),
        ("ada@live.example.com", None),
        ("ada@yahoo", None),
        ("ada@gmail.com.", "Gmail"),
        ("no-at-sign", None),
        ("", None),
        (None, None),
    ],
)
def test_inbox_by_domain(address, name):
    found = inbox_for(address)
    assert (found.name if found else None) == name


def test_every_inbox_address_is_https():
    for inbox in (GMAIL, OUTLOOK, YAHOO, inbox_for("a@ukr.net"), inbox_for("a@i.ua"), inbox_for("a@meta.ua")):
        assert inbox.url.startswith("https://")
