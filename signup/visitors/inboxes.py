"""Webmail providers whose inbox has a known address, so a thank-you can offer to open it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Inbox:
    """A webmail provider's name as people know it, and the address of its inbox."""

    name: str
    url: str


GMAIL = Inbox("Gmail", "https://mail.google.com/mail/u/0/#inbox")
OUTLOOK = Inbox("Outlook", "https://outlook.live.com/mail/0/inbox")
YAHOO = Inbox("Yahoo Mail", "https://mail.yahoo.com/")
PROVIDERS = {
    "gmail.com": GMAIL,
    "googlemail.com": GMAIL,
    "outlook.com": OUTLOOK,
    "hotmail.com": OUTLOOK,
    "live.com": OUTLOOK,
    "msn.com": OUTLOOK,
    "yahoo.com": YAHOO,
    "ymail.com": YAHOO,
    "rocketmail.com": YAHOO,
    "ukr.net": Inbox("ukr.net", "https://mail.ukr.net/desktop"),
    "i.ua": Inbox("I.UA", "https://mail.i.ua/"),
    "meta.ua": Inbox("META.UA", "https://webmail.meta.ua/"),
    "icloud.com": Inbox("iCloud Mail", "https://www.icloud.com/mail"),
    "me.com": Inbox("iCloud Mail", "https://www.icloud.com/mail"),
    "proton.me": Inbox("Proton Mail", "https://mail.proton.me/"),
    "protonmail.com": Inbox("Proton Mail", "https://mail.proton.me/"),
}
# Country domains of the big three: hotmail.co.uk, outlook.com.ua, yahoo.co.uk, live.ru ...
BRANDS = {"hotmail": OUTLOOK, "outlook": OUTLOOK, "live": OUTLOOK, "yahoo": YAHOO}
COUNTRY_SUFFIXES = {"com", "co", "net", "org"}


def inbox_for(address):
    """Return the Inbox of an email address's provider, or None when its webmail is not known."""
    domain = (address or "").rpartition("@")[2].strip().rstrip(".").lower()
    if domain in PROVIDERS:
        return PROVIDERS[domain]
    brand, _dot, rest = domain.partition(".")
    parts = rest.split(".")
    is_country = (len(parts) == 1 and len(parts[0]) == 2) or (len(parts) == 2 and parts[0] in COUNTRY_SUFFIXES)
    return BRANDS.get(brand) if rest and is_country else None
