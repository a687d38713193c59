"""The eSputnik client: its URL, auth and answers, and the Subscribe body (which masking and the purge also read)."""

import http.cookiejar
import json
import threading
from dataclasses import dataclass

from ..states import Outcome

SUBSCRIBE_PATH = "/api/v1/contact/subscribe"
ACCOUNT_PATH = "/api/v1/account/info"
ADDRESS_FIELDS = ("town", "region", "address", "postcode")
DETAIL_LIMIT = 500

POOL_DEFAULT = 10
_pool_lock = threading.Lock()
_sessions = {}  # pool size → the one Session of this process with a pool that large
# URL → the proxies and certificate bundle the environment sets for it. The Session would read the
# environment again at every call (about a tenth of a delivery worker's CPU); it does not change meanwhile.
_environment = {}


def http_library():
    """Return the HTTP library, imported on first use: a web worker seldom calls eSputnik, and it weighs 6 MB."""
    import requests.adapters

    return requests


@dataclass(frozen=True)
class Answer:
    """What one call came to: delivered, refused, paused, throttled, retry or unknown."""

    outcome: Outcome
    status: int | None
    detail: str
    retry_after: float | None = None
    body: str | None = None


def build_payload(form, values, language):
    """Return the Subscribe contact body for a form's cleaned values, keys without value left out."""
    channels = []
    if values.get("email"):
        channels.append({"type": "email", "value": values["email"]})
    if values.get("phone"):
        channels.append({"type": "sms", "value": values["phone"]})
    contact = {"channels": channels}
    if values.get("first_name"):
        contact["firstName"] = values["first_name"]
    if values.get("last_name"):
        contact["lastName"] = values["last_name"]
    address = {key: values[key] for key in ADDRESS_FIELDS if values.get(key)}
    if address:
        contact["address"] = address
    # Custom fields the visitor filled in, then the hidden values the page carried (UTM tags, page, referrer).
    sources = (*form.custom_fields.items(), *form.hidden.items())
    fields = [{"id": field_id, "value": values[name]} for name, field_id in sources if values.get(name)]
    if fields:
        contact["fields"] = fields
    contact["languageCode"] = language
    payload = {"contact": contact}
    groups = [*form.groups, *values.get("groups", ())]
    if groups:
        payload["groups"] = groups
    payload["formType"] = form.form_type
    return payload


def encode(payload):
    """Serialise a payload exactly as it is stored and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _answer_of(result):
    try:
        answer = json.loads(result)
    except (TypeError, ValueError):
        return {}
    return answer if isinstance(answer, dict) else {}


def contact_was_new(result):
    """Return whether a Subscribe answer says the contact was new (True), known (False), or cannot tell (None)."""
    new = _answer_of(result).get("new")
    # Numbers and booleans may come back as strings.
    return {True: True, False: False, "true": True, "false": False}.get(new) if isinstance(new, (bool, str)) else None


def email_status(result):
    """Return the emailStatus of a Subscribe answer (NEED_CONFIRMATION, BLACKLISTED, ...), or None."""
    status = _answer_of(result).get("emailStatus")
    if not isinstance(status, str) or not status.strip():
        return None
    return status.strip().upper()[:32]


def prepare(config):
    """Load the HTTP library and make the connection pool now, before the first call is paced.

    Made at the first call instead, they would hold the calls paced meanwhile, which would then
    reach eSputnik together, above its limit.
    """
    _session(config)


def _session(config=None):
    """Return the process's Session: kept-alive connections, as many as calls may be in flight, shared by threads."""
    size = (config or {}).get("DELIVERY_MAX_CONCURRENCY", POOL_DEFAULT)
    if size in _sessions:
        return _sessions[size]
    with _pool_lock:
        if size not in _sessions:
            session = http_library().Session()
            session.trust_env = False  # read once per URL instead (_environment_for)
            # Cookies are the one part of a Session that threads would share unsafely; an API needs none.
            session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            # One pool per host: accounts with their own api_url each keep their connections alive.
            adapter = http_library().adapters.HTTPAdapter(pool_connections=8, pool_maxsize=size)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            _sessions[size] = session
        return _sessions[size]


def _retry_after(response):
    raw = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, min(float(raw), 3600.0))
    except ValueError:
        return None


def _reason(response):
    text = response.text.strip()
    try:
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            text = data["message"]
    except ValueError:
        pass
    return text[:DETAIL_LIMIT] or response.reason or ""


def classify(response):
    """Turn an HTTP answer from eSputnik into an Answer."""
    status = response.status_code
    reason = _reason(response)
    if 200 <= status < 300:
        return Answer(Outcome.DELIVERED, status, "accepted", body=response.text[:DETAIL_LIMIT])
    if status == 409:
        return Answer(Outcome.DELIVERED, status, f"already done (duplicate within a minute): {reason}")
    if status in (401, 403):
        return Answer(
            Outcome.PAUSED, status, f"eSputnik refused the API key ({status}); check ESPUTNIK_API_KEY and its rights"
        )
    if status in (404, 405):
        return Answer(Outcome.PAUSED, status, f"eSputnik answered {status}; check ESPUTNIK_API_URL")
    if status == 429:
        return Answer(Outcome.THROTTLED, status, "rate limited by eSputnik", retry_after=_retry_after(response))
    if 400 <= status < 500:
        return Answer(Outcome.REFUSED, status, reason or f"refused with {status}")
    return Answer(Outcome.RETRY, status, f"eSputnik answered {status}: {reason}"[:DETAIL_LIMIT])


def failure(exc):
    """Return the Answer for a call that raised `exc` before eSputnik answered."""
    from urllib3.exceptions import NewConnectionError  # loaded with requests, which raised `exc`

    requests = http_library()
    # A connection never made means nothing was sent; anything later may have landed.
    if isinstance(exc, requests.ConnectTimeout):
        return Answer(Outcome.RETRY, None, "connect timeout")
    if isinstance(exc, requests.ReadTimeout):
        return Answer(Outcome.UNKNOWN, None, "no answer within the read timeout")
    if isinstance(exc, requests.ConnectionError):
        cause = exc.args[0] if exc.args else None
        reason = getattr(cause, "reason", cause)
        if isinstance(reason, NewConnectionError):
            return Answer(Outcome.RETRY, None, "connection refused or host unreachable")
        return Answer(Outcome.UNKNOWN, None, "connection dropped before an answer")
    return Answer(Outcome.UNKNOWN, None, f"request failed: {type(exc).__name__}")


def _environment_for(url):
    """Return the proxies and certificate bundle the environment sets for `url` (HTTPS_PROXY, NO_PROXY, ...)."""
    if url not in _environment:
        with http_library().Session() as reader:
            found = reader.merge_environment_settings(url, {}, None, None, None)
        _environment[url] = {"proxies": found["proxies"], "verify": found["verify"]}
    return _environment[url]


def _post(config, path, body):
    url = config["ESPUTNIK_API_URL"] + path
    return _session(config).post(
        url,
        **_environment_for(url),
        data=body.encode("utf-8"),
        auth=("api", config["ESPUTNIK_API_KEY"]),
        headers={"Content-Type": "application/json; charset=UTF-8", "Accept": "application/json"},
        timeout=(config["ESPUTNIK_CONNECT_TIMEOUT"], config["ESPUTNIK_READ_TIMEOUT"]),
        allow_redirects=False,
    )


def subscribe(config, body):
    """Send one stored Subscribe contact body and say what came of it."""
    try:
        response = _post(config, SUBSCRIBE_PATH, body)
    except http_library().RequestException as exc:
        return failure(exc)
    return classify(response)


def get(config, path, params=None):
    """Send one GET to eSputnik's API with the key and both timeouts; return the response."""
    url = config["ESPUTNIK_API_URL"] + path
    return _session(config).get(
        url,
        **_environment_for(url),
        params=params,
        auth=("api", config["ESPUTNIK_API_KEY"]),
        headers={"Accept": "application/json"},
        timeout=(config["ESPUTNIK_CONNECT_TIMEOUT"], config["ESPUTNIK_READ_TIMEOUT"]),
        allow_redirects=False,
    )


def account_info(config):
    """Ask eSputnik who the key belongs to; return its Answer (status 200: key accepted) and the account's name."""
    try:
        response = get(config, ACCOUNT_PATH)
    except http_library().RequestException as exc:
        return failure(exc), None
    if response.status_code != 200:
        return classify(response), None
    try:
        data = response.json()
    except ValueError:
        data = None
    name = data.get("organisationName") or data.get("userName") if isinstance(data, dict) else None
    name = name.strip() if isinstance(name, str) and name.strip() else None
    return Answer(Outcome.DELIVERED, 200, f"key accepted ({name})" if name else "key accepted"), name
