"""Cookie-less form tokens: signed, bound to one form and to the time the form was shown."""

import math
import secrets
import time
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "signup.form-token.v1"


@lru_cache(maxsize=4)
def _serializer_for(secret_key):
    # Building one derives its signing key; the secret is fixed at start, so it is done once.
    return URLSafeSerializer(secret_key, salt=SALT)


def _serializer():
    return _serializer_for(current_app.config["SECRET_KEY"])


def issue(form_id, now=None):
    """Return a fresh token for `form_id`, stamped with the issue time."""
    now = time.time() if now is None else now
    # Rounded down, so a token is never younger than it looks.
    return _serializer().dumps({"f": form_id, "t": math.floor(now * 100) / 100, "n": secrets.token_urlsafe(9)})


def check(token, form_id, now=None):
    """Return (verdict, nonce): verdict is ok, missing, forged, wrong_form, too_fast or expired."""
    if not token or not isinstance(token, str):
        return "missing", None
    try:
        data = _serializer().loads(token)
        issued, nonce, token_form = float(data["t"]), str(data["n"]), data["f"]
    except (BadSignature, KeyError, TypeError, ValueError):
        return "forged", None
    if token_form != form_id:
        return "wrong_form", nonce
    age = (time.time() if now is None else now) - issued
    if age < current_app.config["FORM_MIN_FILL_SECONDS"]:
        return "too_fast", nonce
    if age > current_app.config["FORM_TOKEN_MAX_AGE"]:
        return "expired", nonce
    return "ok", nonce
