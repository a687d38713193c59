"""Bot checks for visitor submissions, in one place and in a fixed order, each logged by name."""

import logging

from . import metrics, tokens

log = logging.getLogger(__name__)

HONEYPOT = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 (a field name, not a secret)
EXPIRED = "expired"
# A missing token is what a hand-made copy of the form sends; an expired one, a tab left open.
# Both are likely people, so they are asked to send again rather than silently trapped.
ASK_AGAIN = {"missing", "expired"}


def _honeypot(form, data):
    value = data.get(HONEYPOT)
    return "honeypot" if value not in (None, "") else None


def _token(form, data):
    verdict, _nonce = tokens.check(data.get(TOKEN_FIELD), form.id)
    if verdict == "ok":
        return None
    return EXPIRED if verdict in ASK_AGAIN else f"token_{verdict}"


CHECKS = (_token, _honeypot)


def screen(form, data):
    """Return None when the submission looks human, EXPIRED, or the name of the rule that caught it."""
    for check in CHECKS:
        verdict = check(form, data)
        if verdict:
            metrics.screened(form.id, verdict)
            if verdict != EXPIRED:
                log.info("bot check caught a submission", extra={"rule": verdict, "form": form.id})
            return verdict
    return None
