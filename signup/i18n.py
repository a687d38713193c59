"""Languages: which one a visitor is served in, and the Babel set-up behind every text."""

from pathlib import Path

from flask import g, has_request_context, request
from flask_babel import Babel, get_locale
from werkzeug.exceptions import HTTPException

LANGUAGES = ("uk", "ru", "en")
TRANSLATIONS = Path(__file__).with_name("translations")
# Requests from other servers (form plugins) carry no visitor's Accept-Language: the form's language is used.
SERVER_TO_SERVER = ("webhooks",)
babel = Babel()


def _body_language():
    try:
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return request.form.get("lang")
        if request.is_json:
            body = request.get_json(silent=True)
            return body.get("lang") if isinstance(body, dict) else None
    except (HTTPException, RecursionError):
        # An oversized, unreadable or absurdly nested body is refused elsewhere; it names no language.
        return None
    return None


def requested_language():
    """Return a supported language named by ?lang= or (on a visitor's request) a `lang` input, or None."""
    asked = request.args.get("lang")
    if asked is None and request.blueprint not in SERVER_TO_SERVER:
        # A webhook names its language in its URL: its body is not read before its token is checked.
        asked = _body_language()
    return asked if isinstance(asked, str) and asked in LANGUAGES else None


def select_language():
    """Pick the language: ?lang= (or a lang input), then Accept-Language, then the form's default."""
    if not has_request_context():
        return None  # a command line speaks the default language, English
    if g.get("language"):
        return g.language  # chosen already for this request (the admin's own choice)
    form = g.get("form")
    default = form.language if form else "en"
    asked = requested_language()
    if asked:
        return asked
    if request.blueprint in SERVER_TO_SERVER:
        return default
    return request.accept_languages.best_match(LANGUAGES) or default


def current_language():
    """Return the language of this request as a code like uk, ru or en."""
    return str(get_locale() or "en")


def init_app(app):
    """Bind Babel to `app` with our own translations."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    babel.init_app(app, locale_selector=select_language)
