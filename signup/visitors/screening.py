"""Bot checks for visitor submissions, in one place and a fixed order, each logged by its name.

The order: bot-like user agent, the signed form token (signature, form, minimum fill time,
maximum age), a token already used, the honeypot, then the Origin of the request. Each check
returns a verdict; nothing caught is stored or sent. How a verdict is answered is the caller's
choice: the HTML form answers a trapped bot as it answers a person, after about as long; the
JSON API, whose callers are programs, refuses with a message saying what to do instead.
"""

import logging
import re

from flask import request

from .. import intake
from ..ops import metrics
from ..validation import origin_of
from . import tokens

log = logging.getLogger(__name__)

HONEYPOT = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 (a field name, not a secret)
EXPIRED = "expired"
FOREIGN_ORIGIN = "origin"
USER_AGENT = "user_agent"
HONEYPOT_FILLED = "honeypot"
FORGED = "token_forged"
WRONG_FORM = "token_wrong_form"
TOO_FAST = "token_too_fast"
REUSED = intake.REUSED
# A missing token is what a hand-made copy of the form sends; an expired one, a tab left open.
# Both are likely people, so they are asked to send again rather than silently trapped.
ASK_AGAIN = {"missing", "expired"}
# Words of scripted clients and crawlers, matched in the lowered agent by plain substring search:
# one regular expression of alternatives took 15 µs a request, this 1 µs.
BOT_WORDS = (
    "curl", "wget", "python-requests", "python-urllib", "aiohttp", "httpx", "go-http-client", "java/", "okhttp",
    "libwww", "scrapy", "httpclient", "axios/", "node-fetch", "guzzle", "crawler", "spider", "slurp", "phantomjs",
)  # fmt: skip
BOT_WORD = re.compile(r"bot\b")  # "bot" as a word's end: Googlebot, bot/1.0; not "Bottle"


def is_bot_agent(agent):
    """Tell whether a User-Agent is empty or names a scripted client or a crawler."""
    agent = agent.strip().lower()
    return not agent or any(word in agent for word in BOT_WORDS) or ("bot" in agent and bool(BOT_WORD.search(agent)))


def allowed_origin(form, url):
    """Return the origin of `url` when `form` allows sites of that origin to use it, else None."""
    origin = origin_of(url)
    return origin if origin is not None and origin in form.allowed_origins else None


def _user_agent(form, data):
    return USER_AGENT if is_bot_agent(request.headers.get("User-Agent", "")) else None


def _token_verdict(form, data):
    verdict, nonce = tokens.check(data.get(TOKEN_FIELD), form.id)
    if verdict == "ok":
        return None, nonce
    return EXPIRED if verdict in ASK_AGAIN else f"token_{verdict}", None


def _honeypot(form, data):
    return HONEYPOT_FILLED if data.get(HONEYPOT) not in (None, "") else None


def _origin(form, data):
    # A page on another site making a visitor's browser post here (list-bombing through
    # strangers' browsers) shows itself by its Origin, or by Sec-Fetch-Site when Origin is absent.
    origin = request.headers.get("Origin")
    if origin is not None:
        ours = origin_of(origin) == request.host_url.rstrip("/")
        return None if ours or allowed_origin(form, origin) else FOREIGN_ORIGIN
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return FOREIGN_ORIGIN
    return None


def _verdict(form, data):
    """Return (the first rule that caught the submission or None, the token's nonce when it is good)."""
    verdict = _user_agent(form, data)
    if verdict:
        return verdict, None
    verdict, nonce = _token_verdict(form, data)
    # A token already used is refused where the sign-up is stored, atomically (intake.accept).
    return verdict or _honeypot(form, data) or _origin(form, data), nonce


def screen(form, data):
    """Return (verdict, nonce): no verdict and the token's nonce for a person, else EXPIRED (ask again),
    FOREIGN_ORIGIN (refuse), or the rule that caught it."""
    verdict, nonce = _verdict(form, data)
    if not verdict:
        return None, nonce
    metrics.screened(form.id, verdict)
    if verdict != EXPIRED:
        log.info("bot check caught a submission", extra={"rule": verdict, "form": form.id})
    return verdict, None
