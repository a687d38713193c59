"""A person's address as it is stored (an email lower-cased, a phone number in E.164), and finding it in submissions."""

import json

import phonenumbers
from sqlalchemy import or_

from ..db import Submission


def normalise(address):
    """Return an address as it is stored (an email lower-cased, a phone number in E.164), or None."""
    address = (address or "").strip()
    if "@" in address[1:-1]:
        return address.lower()
    try:
        number = phonenumbers.parse(address, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def matching(address):
    """Return (stored address, condition matching every submission holding it as its key or in its payload).

    Raises ValueError when `address` is neither an email address nor a phone number with its country code.
    """
    key = normalise(address)
    if not key:
        raise ValueError(f"{address!r} is neither an email address nor a phone number starting with +")
    quoted = json.dumps(key, ensure_ascii=False).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return key, or_(Submission.contact_key == key, Submission.payload.ilike(f"%{quoted}%", escape="\\"))
