"""Hiding personal data and secrets: addresses and phone numbers in text, payloads, client addresses."""

import copy
import ipaddress
import re

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@([\w-]+(?:\.[\w-]+)+)", re.UNICODE)
# E.164 as stored, or a number as a visitor may type it: a plus or a long run of digits.
PHONE = re.compile(r"(?<![\w+])(?:\+\d[\d ().-]{6,18}\d|\d{9,15})(?![\w])")
SECRET_PARAMS = re.compile(r"((?:token|password|api_key|key)=)[^&\s\"']+", re.IGNORECASE)
HIDDEN = "***"
SECRET = "[secret]"  # noqa: S105 (what a secret is replaced with)


def email(value):
    """Return an email address with its local part hidden: a***@example.com."""
    local, _at, domain = (value or "").partition("@")
    return f"{local[:1]}{HIDDEN}@{domain}" if domain else HIDDEN


def phone(value):
    """Return a phone number with all but its first and last two digits hidden."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 5:
        return HIDDEN
    return f"{'+' if (value or '').lstrip().startswith('+') else ''}{digits[:2]}{HIDDEN}{digits[-2:]}"


def address(value):
    """Return an email address or a phone number, masked by whichever it looks like."""
    return email(value) if "@" in (value or "") else phone(value)


def name(value):
    """Return a name reduced to its initial."""
    return f"{value[:1]}{HIDDEN}" if value else value


def text(value, secrets=()):
    """Return free text with addresses, phone numbers, token parameters and the given secrets hidden."""
    if not value:
        return value
    for secret in secrets:
        if secret and len(secret) >= 4:
            value = value.replace(secret, SECRET)
    value = SECRET_PARAMS.sub(lambda m: m.group(1) + SECRET, value)
    value = EMAIL.sub(lambda m: email(m.group(0)), value)
    return PHONE.sub(lambda m: phone(m.group(0)), value)


HOST_DROPPED_V4 = (2**32 - 1) ^ (2**8 - 1)  # a /24
HOST_DROPPED_V6 = (2**128 - 1) ^ (2**80 - 1)  # a /48


def client(value):
    """Return a client IP address with its host part dropped (the last IPv4 byte, the last 80 IPv6 bits)."""
    try:
        ip = ipaddress.ip_address(value or "")
    except ValueError:
        return None
    # The host bits cleared on the number: building a network object for it cost more than the rest of a log line.
    return str(type(ip)(int(ip) & (HOST_DROPPED_V4 if ip.version == 4 else HOST_DROPPED_V6)))


def payload(body):
    """Return a Subscribe contact body (a dict) with every personal value masked."""
    hidden = copy.deepcopy(body)
    contact = hidden.get("contact") if isinstance(hidden, dict) else None
    if not isinstance(contact, dict):
        return hidden
    for channel in contact.get("channels") or []:
        if isinstance(channel, dict) and isinstance(channel.get("value"), str):
            channel["value"] = email(channel["value"]) if channel.get("type") == "email" else phone(channel["value"])
    for key in ("firstName", "lastName"):
        if isinstance(contact.get(key), str):
            contact[key] = name(contact[key])
    if isinstance(contact.get("address"), dict):
        contact["address"] = {key: HIDDEN for key in contact["address"]}
    for item in contact.get("fields") or []:
        if isinstance(item, dict) and "value" in item:
            item["value"] = HIDDEN
    return hidden
