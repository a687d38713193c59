"""What a thank-you says beyond its message: where the email went (masked), its inbox, the way back."""

import re
from urllib.parse import urlsplit

from ..privacy import consent, masking
from ..validation import origin_of
from .inboxes import inbox_for

# An address as masking.email hides it: at most one character, the mask, then the domain.
MASKED = re.compile(r"^[^@\s*]?\*\*\*@[\w-]+(?:\.[\w-]+)+$")
MAX_MASKED = 260
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[\w-]+(?:\.[\w-]+)+$")


def _back(form, page):
    """Return the page the form was on when it is on one of the form's sites, else None."""
    page = consent.clean_url(page)
    return page if page and origin_of(page) in form.allowed_origins else None


def _site(form):
    """Return the form's own site (its first https allowed origin) as its address and name, or None."""
    origin = next((o for o in form.allowed_origins if o.startswith("https://")), None)
    return {"url": f"{origin}/", "name": urlsplit(origin).netloc} if origin else None


def query(form, data):
    """Return the thank-you page's query for a sign-up: the masked address and the page to go back to."""
    found = {}
    email = data.get("email") if "email" in form.fields else None
    if isinstance(email, str) and EMAIL_SHAPE.match(email.strip()):
        local, _at, domain = email.strip().rpartition("@")
        found["to"] = masking.email(f"{local}@{domain.lower()}")
    back = _back(form, data.get(consent.PAGE_URL_FIELD) or data.get("page"))
    if back:
        found["back"] = back
    return found


def details(form, args):
    """Return what the thank-you page shows from its query: sent_to, inbox, back and site (each may be None).

    An address is shown only by a form that asks for one; without a page to go back to (a direct
    link to the form), the form's own site is offered instead, so the finish is not a dead end.
    """
    sent_to = args.get("to", "") if "email" in form.fields else ""
    if len(sent_to) > MAX_MASKED or not MASKED.match(sent_to):
        sent_to = None
    back = _back(form, args.get("back"))
    return {
        "sent_to": sent_to,
        "inbox": inbox_for(sent_to) if sent_to else None,
        "back": back,
        "site": None if back else _site(form),
    }
