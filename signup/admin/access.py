"""Who may use the admin view: a signed-in session or HTTP Basic, with failed sign-ins throttled."""

import hashlib
import hmac
import logging
import re
from urllib.parse import quote, quote_from_bytes, unquote

import click
from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired

from ..privacy import masking
from . import sessions, throttle

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)
OPEN_ENDPOINTS = {"admin.login"}
LOCKED_OUT = lazy_gettext("Too many failed sign-ins from your address; wait a few minutes.")
# Only the characters a URI may hold unescaped: no space, no control character, no backslash.
NEXT_RE = re.compile(r"/admin/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*")
NEXT_MAX = 2000


class LoginForm(FlaskForm):
    """The sign-in form: user name and password, with a CSRF token."""

    username = StringField("User name", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something; it carries only the CSRF token."""


@bp.record_once
def _set_up_throttle(state):
    throttle.set_up(state.app)


def _same(given, expected):
    return hmac.compare_digest((given or "").encode("utf-8", "replace"), expected.encode("utf-8"))


def credentials_match(username, password):
    config = current_app.config
    return _same(username, config["ADMIN_USERNAME"]) & _same(password, config["ADMIN_PASSWORD"])


def _fingerprint():
    # Sessions name the credentials they were opened with, so changing ADMIN_PASSWORD signs everyone out.
    config = current_app.config
    secret, named = config["SECRET_KEY"].encode(), f"{config['ADMIN_USERNAME']}\0{config['ADMIN_PASSWORD']}"
    return hmac.new(secret, named.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def _session_user():
    """Return the user of this request's session when the session is still open in the database."""
    if "admin_sid" not in session:
        return None
    fingerprint = _fingerprint()
    user = sessions.user_of(session["admin_sid"], fingerprint) if session.get("admin_key") == fingerprint else None
    if user is None:
        # Ended elsewhere (signed out, expired, another password): the browser forgets it too.
        for name in ("admin_key", "admin_sid"):
            session.pop(name, None)
    return user


def _check_password(username, password):
    """Check a sign-in against the throttle and the credentials; return None when it passes, else (status, why)."""
    key = throttle.key_for(username)
    if throttle.locked(key):
        return 429, str(LOCKED_OUT)
    if credentials_match(username, password):
        throttle.remember_device(username)
        return None
    throttle.failed(key)
    log.warning(
        "admin sign-in failed", extra={"event": "admin_login_failed", "client": masking.client(request.remote_addr)}
    )
    return 401, _("Wrong user name or password.")


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
        abort(404, description=_("The admin view is off: set ADMIN_PASSWORD to turn it on."))
    user = _session_user()
    if user:
        g.admin_user = user
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        refused = _check_password(auth.username, auth.password)
        if refused:
            return _challenge(refused[1], refused[0])
        g.admin_user = auth.username
        return None
    if _wants_page():
        return redirect(url_for("admin.login", next=here()))
    return _challenge(_("Sign in with the admin user name and password (HTTP Basic), or at /admin/login."))


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


def here():
    """Return this request's path and query, escaped as a URI, for a later `next`."""
    path = quote(request.path, safe="/!$&'()*+,;=:@-._~")
    query = quote_from_bytes(request.query_string, safe="/!$&'()*+,;=:@-._~?%")
    return f"{path}?{query}" if query else path


def safe_next(target):
    """Return `target` when it is a plain path inside the admin view, else the admin home."""
    if isinstance(target, str) and len(target) <= NEXT_MAX and NEXT_RE.fullmatch(target):
        # A browser reads %2e as a dot, so /admin/%2e%2e/ would lead out of the admin view.
        segments = unquote(target.split("?", 1)[0]).split("/")
        if "." not in segments and ".." not in segments:
            return target
    return url_for("admin.index")


def _open_session():
    fingerprint, lifetime = _fingerprint(), current_app.permanent_session_lifetime.total_seconds()
    session_id = sessions.open_session(current_app.config["ADMIN_USERNAME"], fingerprint, lifetime)
    session.clear()
    session.permanent = True
    session.update(admin_key=fingerprint, admin_sid=session_id)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if g.get("admin_user"):
        return redirect(safe_next(request.args.get("next")))
    status, problem = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            refused = _check_password(form.username.data, form.password.data)
        else:
            refused = 400, _("The form expired or was incomplete; please try again.")
        if refused is None:
            _open_session()
            log.info("admin signed in", extra={"event": "admin_login"})
            return redirect(safe_next(form.next.data), 303)
        status, problem = refused
    wanted = form.next.data or request.args.get("next", "")
    form.next.data = wanted if safe_next(wanted) == wanted else ""
    return render_template("admin/login.html", form=form, problem=problem), status


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        sessions.close_session(session.get("admin_sid"))
        session.clear()
    return redirect(url_for("admin.login"), 303)


@bp.cli.command("unlock")
def unlock_command():
    """Lift every admin sign-in lockout, for an operator on a browser that never signed in before."""
    click.echo(f"admin sign-in lockouts lifted ({throttle.unlock()} count(s) dropped)")
