"""Who may post to a form's webhook: shared and per-form tokens, and WPForms' signature, compared in constant time."""

import hashlib
import hmac
import json
import time

from flask_babel import gettext as _

TOKEN_PARAM = "token"  # noqa: S105 (a parameter name, not a secret)
SIGNATURE_HEADER = "X-WPForms-Webhook-Signature"
# WPForms stamps the signature when it sends, so only clock drift between the two servers needs room.
SIGNATURE_TOLERANCE_SECONDS = 15 * 60
MAX_STAMP_DIGITS = 12  # a Unix time; longer would be no time at all, and costly to turn into a number


def presented_tokens(request):
    """Return every token the request carries: query, X-Webhook-Token, Bearer, HTTP Basic password or user."""
    found = [request.args.get(TOKEN_PARAM), request.headers.get("X-Webhook-Token")]
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found.append(value.strip())
    if request.authorization and request.authorization.type == "basic":
        # Formidable sends a value typed without a colon as "<value>:x", so the user name may hold it.
        found += [request.authorization.password, request.authorization.username]
    return [token for token in found if token]


def accepted_tokens(form, config):
    """Return the secrets that open this form's webhook: its own tokens and WEBHOOK_TOKEN."""
    shared = config["WEBHOOK_TOKEN"]
    return [*form.webhook_tokens, *([shared] if shared else [])]


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "replace")).digest()


def token_matches(presented, accepted):
    """Tell whether any presented token equals any accepted one; every pair is compared, in constant time."""
    matches = [hmac.compare_digest(_digest(p), _digest(a)) for p in presented for a in accepted]
    return any(matches)


def php_json(value):
    """Return `value` encoded as WordPress's wp_json_encode does by default (`/` and non-ASCII escaped)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def _signed_parts(header):
    parts = dict(part.strip().partition("=")[::2] for part in header.split(","))
    return parts.get("t", ""), parts.get("v", "").lower()


def signature_problem(secret, header, payloads, now=None):
    """Return why a WPForms signature does not hold for any of `payloads` (bytes, read lazily), or None.

    WPForms signs "<t>.<body>" with HMAC-SHA256: the raw JSON body in JSON format, and in FORM or
    GET format its own JSON encoding of the fields, which `payloads` should then include.
    """
    stamp, signature = _signed_parts(header)
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_STAMP_DIGITS) or not signature:
        return _("The X-WPForms-Webhook-Signature header is not in the form t=<time>,v=<signature>.")
    now = time.time() if now is None else now
    if abs(now - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return _("The WPForms signature is too old, or the two servers' clocks differ by more than 15 minutes.")
    presented = signature.encode("utf-8", "replace")
    for payload in payloads:  # lazily: a later payload may cost parsing the body, needed only on a mismatch
        expected = hmac.new(secret.encode(), stamp.encode() + b"." + payload, hashlib.sha256).hexdigest().encode()
        if hmac.compare_digest(expected, presented):
            return None
    return _(
        "The WPForms signature does not match: check the Secret against wpforms_secret, "
        "and choose the JSON request format with the POST method."
    )
