"""Who may use the admin view: a signed-in session or HTTP Basic, with failed sign-ins throttled."""

import hashlib
import hmac
import logging
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired

from .. import masking

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)
THROTTLE = "signup.admin_throttle"
OPEN_ENDPOINTS = {"admin.login"}


class LoginForm(FlaskForm):
    """The sign-in form: user name and password, with a CSRF token."""

    username = StringField("User name", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something; it carries only the CSRF token."""


@bp.record_once
def _set_up_throttle(state):
    config = state.app.config
    storage = storage_from_string(config["REDIS_URL"] or "memory://")
    state.app.extensions[THROTTLE] = (MovingWindowRateLimiter(storage), parse_many(config["ADMIN_LOGIN_LIMIT"]))


def throttled():
    """Tell whether this client address has used up its failed sign-ins."""
    limiter, limits = current_app.extensions[THROTTLE]
    try:
        return not all(limiter.test(limit, "admin-login", request.remote_addr or "") for limit in limits)
    except Exception:
        # A shared store that is down must not lock the operator out; the password still guards.
        log.exception("admin sign-in throttle unavailable")
        return False


def _failed():
    limiter, limits = current_app.extensions[THROTTLE]
    log.warning(
        "admin sign-in failed", extra={"event": "admin_login_failed", "client": masking.client(request.remote_addr)}
    )
    try:
        for limit in limits:
            limiter.hit(limit, "admin-login", request.remote_addr or "")
    except Exception:
        log.exception("admin sign-in throttle unavailable")


def _same(given, expected):
    return hmac.compare_digest((given or "").encode("utf-8", "replace"), expected.encode("utf-8"))


def credentials_match(username, password):
    config = current_app.config
    return _same(username, config["ADMIN_USERNAME"]) & _same(password, config["ADMIN_PASSWORD"])


def _fingerprint():
    # Sessions name the password they were opened with, so changing ADMIN_PASSWORD signs everyone out.
    config = current_app.config
    return hmac.new(config["SECRET_KEY"].encode(), config["ADMIN_PASSWORD"].encode(), hashlib.sha256).hexdigest()[:20]


def _wants_page():
    return any(kind in ("text/html", "application/xhtml+xml") and q > 0 for kind, q in request.accept_mimetypes)


def _challenge(message, status=401):
    return Response(message + "\n", status, {"WWW-Authenticate": 'Basic realm="signup admin", charset="UTF-8"'})


@bp.before_request
def require_login():
    config = current_app.config
    if not config["ADMIN_PASSWORD"]:
        if config["DEV"]:
            g.admin_user = "development"
            return None
        abort(404, description="The admin view is off: set ADMIN_PASSWORD to turn it on.")
    if session.get("admin_key") == _fingerprint():
        g.admin_user = session.get("admin")
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        if throttled():
            return _challenge("Too many failed sign-ins from your address; wait a few minutes.", 429)
        if credentials_match(auth.username, auth.password):
            g.admin_user = auth.username
            return None
        _failed()
        return _challenge("Wrong user name or password.")
    if _wants_page():
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    return _challenge("Sign in with the admin user name and password (HTTP Basic), or at /admin/login.")


@bp.after_request
def admin_headers(response):
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def safe_next(target):
    """Return `target` when it is a path inside the admin view, else the admin home."""
    parts = urlsplit(target or "")
    if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/") and "\\" not in target:
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if g.get("admin_user"):
        return redirect(safe_next(request.args.get("next")))
    status, problem = 200, None
    if request.method == "POST":
        if throttled():
            status, problem = 429, "Too many failed sign-ins from your address; wait a few minutes."
        elif not form.validate_on_submit():
            status, problem = 400, "The form expired or was incomplete; please try again."
        elif credentials_match(form.username.data, form.password.data):
            session.clear()
            session.permanent = True
            session.update(admin=current_app.config["ADMIN_USERNAME"], admin_key=_fingerprint())
            log.info("admin signed in", extra={"event": "admin_login"})
            return redirect(safe_next(form.next.data), 303)
        else:
            _failed()
            status, problem = 401, "Wrong user name or password."
    form.next.data = form.next.data or request.args.get("next", "")
    return render_template("admin/login.html", form=form, problem=problem), status


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        session.clear()
    return redirect(url_for("admin.login"), 303)
