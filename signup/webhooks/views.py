"""Webhook intake for WordPress form plugins and other servers: authenticate, read, recognise, accept, answer 200."""

import hashlib
import logging

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from .. import collected, intake
from ..forms import catalogue
from ..i18n import current_language
from ..ops import logs, metrics, refusals
from ..ops.errors import handle_http
from . import auth, bodies, brackets, plugins, recognition

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)
URL_PARAMS = (auth.TOKEN_PARAM, "lang")  # parameters of our own URL, never the plugin's fields
MAX_LISTED_KEYS = 40
MAX_DEDUPE_KEY = 200


class Refused(Exception):
    """A request turned away, with its status, the reason for the plugin's log, and any details."""

    def __init__(self, status, message, **details):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


@bp.url_value_preprocessor
def find_form(_endpoint, values):
    g.form = catalogue.found(catalogue.find((values or {}).get("form_id", "")))


@bp.errorhandler(Refused)
def answer_refusal(refusal):
    log.info("webhook for %s refused with %s: %s", g.form.id, refusal.status, refusal.message)
    refusals.record(g.form.id, "webhook", refusal.status, refusal.message)
    return jsonify(status="refused", error=refusal.message, **refusal.details), refusal.status


@bp.errorhandler(RequestEntityTooLarge)
@bp.errorhandler(TooManyRequests)
def answer_limit(exc):
    answer, status = handle_http(exc)
    if g.get("form") is not None:
        refusals.record(g.form.id, "webhook", status, answer.get_json()["error"])
    return answer, status


def _from_form():
    return request.method in ("GET", "HEAD") or request.mimetype in bodies.FORM_TYPES


def read_data():
    """Return the data with bracket keys nested and our URL parameters left out; refuse what cannot be read."""
    try:
        data = bodies.read(request, query=True)
    except bodies.BodyError as exc:
        raise Refused(exc.status or 422, str(exc)) from None
    if _from_form():
        data = brackets.nest(data)
    if isinstance(data, dict):
        for name in URL_PARAMS:
            data.pop(name, None)
    return data


def _signed_payloads(read):
    """Yield what WPForms may have signed, the raw body first; the fields are read (into `read`) only after it."""
    yield request.get_data(cache=True)
    if _from_form():
        read.append(read_data())
        if isinstance(read[0], dict):
            yield auth.php_json(read[0]).encode()


def authenticate(form):
    """Let the request through on a valid WPForms signature or token, else refuse with 401; return data read.

    Tokens travel in the URL and headers, so they are checked before a byte of the body is parsed.
    WPForms signs the raw body, or in its FORM and GET formats its own JSON of the fields: only
    then, and only when the raw body does not match, are the fields read (under the body's caps).
    """
    read = []
    signature = request.headers.get(auth.SIGNATURE_HEADER)
    if form.wpforms_secret and signature:
        payloads = _signed_payloads(read)
        problem = auth.signature_problem(form.wpforms_secret, signature, payloads)
        if problem:
            raise Refused(401, problem)
        return read[0] if read else None
    accepted = auth.accepted_tokens(form, current_app.config)
    if not accepted:
        raise Refused(401, _("Webhooks are off for this form: set WEBHOOK_TOKEN, or webhook_tokens in the forms file."))
    if not auth.token_matches(auth.presented_tokens(request), accepted):
        raise Refused(401, _("Missing or wrong token: add ?token=... to the URL, or send it as a header."))
    return None


def understand(data):
    """Return the PluginPayload for the data, or refuse with 422 when it cannot be read."""
    try:
        return plugins.read(data, request.headers)
    except plugins.PayloadError as exc:
        raise Refused(422, str(exc)) from None
    except bodies.BodyError as exc:
        raise Refused(exc.status or 422, str(exc)) from None


def _received_keys(payload):
    keys = [f"{i.key} ({i.label})" if i.label else i.key for i in payload.items if not i.meta]
    return keys[:MAX_LISTED_KEYS]


def _refusal_message(raw):
    if raw.keys() & {"email", "phone"}:
        return _("Some fields are not valid.")
    return _(
        "No email or phone was found. Name the plugin's field email or phone, "
        "or map it with webhook_fields in the forms file."
    )


def clean(form, payload):
    """Return (values, set aside) for the form; refuse with 422 when no usable contact is left.

    A sign-up relayed by a plugin cannot be corrected by the visitor any more, so a field that is
    not required and fails (a name eSputnik would reject, say) is left out and reported instead of
    losing the contact, as long as an email or phone remains.
    """
    raw = recognition.extract(form, payload.items)
    values, errors = collected.clean(form, raw, require_consent=False)
    has_channel = bool(values.get("email") or values.get("phone"))
    if errors and (not has_channel or form.required & set(errors)):
        raise Refused(422, _refusal_message(raw), errors=errors, received_keys=_received_keys(payload))
    return values, errors


def dedupe_key(form, payload):
    """Return the key that makes a plugin's repeated delivery of one entry count once, or None."""
    if not payload.entry or not payload.entry[0]:
        return None
    agent = request.headers.get("User-Agent", "")
    site = agent.partition("; ")[2].strip().lower() if agent.startswith("WordPress/") else ""
    key = "|".join((form.id, payload.plugin, site, *payload.entry))
    if len(key) > MAX_DEDUPE_KEY:
        key = f"{form.id}|{payload.plugin}|sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


@bp.route("/hooks/<form_id>", methods=["GET", "POST", "PUT", "PATCH"], strict_slashes=False)
def receive(form_id):
    form = g.form
    already_read = authenticate(form)
    if request.method == "HEAD":
        # A reachability probe: answered like a GET, but a HEAD never makes a sign-up.
        return "", 200
    data = already_read if already_read is not None else read_data()
    payload = understand(data)
    if payload.test:
        return jsonify(status="ok", message=_("The connection works; nothing was stored.")), 200
    if payload.draft:
        return jsonify(status="ignored", message=_("A draft entry is not a sign-up; nothing was stored.")), 200
    values, set_aside = clean(form, payload)
    key = dedupe_key(form, payload)
    submission_id, created = intake.accept(form, values, current_language(), source="webhook", dedupe_key=key)
    logs.name_submission(submission_id)
    if created:
        metrics.accepted(form.id, "webhook")
    if set_aside:
        log.info("webhook for %s accepted without invalid %s", form.id, ", ".join(sorted(set_aside)))
    answer = {"id": submission_id, "status": "accepted", "format": payload.plugin}
    if not created:
        answer["duplicate"] = True
    if set_aside:
        answer["left_out"] = set_aside
    return jsonify(answer), 200
