"""Webhook intake for WordPress form plugins and other servers: authenticate, read, recognise, accept, answer 200."""

import hashlib
import logging

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _

from .. import intake, validation
from ..forms import catalogue
from ..i18n import current_language
from ..ops import logs, metrics
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
    return jsonify(status="refused", error=refusal.message, **refusal.details), refusal.status


def _from_form():
    return request.method in ("GET", "HEAD") or request.mimetype in bodies.FORM_TYPES


def read_data():
    """Return (data, None) with bracket keys nested and our URL parameters left out, or (None, why not)."""
    try:
        data = bodies.read(request, query=True)
    except bodies.BodyError as exc:
        return None, str(exc)
    if _from_form():
        data = brackets.nest(data)
    if isinstance(data, dict):
        for name in URL_PARAMS:
            data.pop(name, None)
    return data, None


def _signed_payloads(data):
    payloads = [request.get_data(cache=True)]
    if isinstance(data, dict) and _from_form():
        payloads.append(auth.php_json(data).encode())
    return payloads


def authenticate(form, data):
    """Let the request through on a valid WPForms signature or token; otherwise refuse with 401."""
    config = current_app.config
    accepted = auth.accepted_tokens(form, config)
    signature = request.headers.get(auth.SIGNATURE_HEADER)
    if form.wpforms_secret and signature:
        problem = auth.signature_problem(form.wpforms_secret, signature, _signed_payloads(data))
        if problem:
            raise Refused(401, problem)
        return
    if not accepted:
        raise Refused(401, _("Webhooks are off for this form: set WEBHOOK_TOKEN, or webhook_tokens in the forms file."))
    if not auth.token_matches(auth.presented_tokens(request), accepted):
        raise Refused(401, _("Missing or wrong token: add ?token=... to the URL, or send it as a header."))


def understand(data, problem):
    """Return the PluginPayload for the data, or refuse with 422 when it cannot be read."""
    if problem:
        raise Refused(422, problem)
    try:
        return plugins.read(data, request.headers)
    except plugins.PayloadError as exc:
        raise Refused(422, str(exc)) from None


def _received_keys(delivery):
    keys = [f"{i.key} ({i.label})" if i.label else i.key for i in delivery.items if not i.meta]
    return keys[:MAX_LISTED_KEYS]


def _refusal_message(raw):
    if raw.keys() & {"email", "phone"}:
        return _("Some fields are not valid.")
    return _(
        "No email or phone was found. Name the plugin's field email or phone, "
        "or map it with webhook_fields in the forms file."
    )


def clean(form, delivery):
    """Return (values, set aside) for the form; refuse with 422 when no usable contact is left.

    A sign-up relayed by a plugin cannot be corrected by the visitor any more, so a field that is
    not required and fails (a name eSputnik would reject, say) is left out and reported instead of
    losing the contact, as long as an email or phone remains.
    """
    raw = recognition.extract(form, delivery.items)
    values, errors = validation.clean(form, raw, require_consent=False)
    has_channel = bool(values.get("email") or values.get("phone"))
    if errors and (not has_channel or form.required & set(errors)):
        raise Refused(422, _refusal_message(raw), errors=errors, received_keys=_received_keys(delivery))
    return values, errors


def dedupe_key(form, delivery):
    """Return the key that makes a plugin's repeated delivery of one entry count once, or None."""
    if not delivery.entry or not delivery.entry[0]:
        return None
    agent = request.headers.get("User-Agent", "")
    site = agent.partition("; ")[2].strip().lower() if agent.startswith("WordPress/") else ""
    key = "|".join((form.id, delivery.plugin, site, *delivery.entry))
    if len(key) > MAX_DEDUPE_KEY:
        key = f"{form.id}|{delivery.plugin}|sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


@bp.route("/hooks/<form_id>", methods=["GET", "POST", "PUT", "PATCH"], strict_slashes=False)
def receive(form_id):
    form = g.form
    data, problem = read_data()
    authenticate(form, data)
    if request.method == "HEAD":
        # A reachability probe: answered like a GET, but a HEAD never makes a sign-up.
        return "", 200
    delivery = understand(data, problem)
    if delivery.test:
        return jsonify(status="ok", message=_("The connection works; nothing was stored.")), 200
    if delivery.draft:
        return jsonify(status="ignored", message=_("A draft entry is not a sign-up; nothing was stored.")), 200
    values, set_aside = clean(form, delivery)
    key = dedupe_key(form, delivery)
    submission_id, created = intake.accept(form, values, current_language(), source="webhook", dedupe_key=key)
    logs.name_submission(submission_id)
    if created:
        metrics.accepted(form.id, "webhook")
    if set_aside:
        log.info("webhook for %s accepted without invalid %s", form.id, ", ".join(sorted(set_aside)))
    answer = {"id": submission_id, "status": "accepted", "format": delivery.plugin}
    if not created:
        answer["duplicate"] = True
    if set_aside:
        answer["left_out"] = set_aside
    return jsonify(answer), 200
