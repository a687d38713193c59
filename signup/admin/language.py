"""The admin's language: the marketer's choice (remembered in a cookie), else the browser's, else English."""

from flask import g, request, url_for

from ..i18n import LANGUAGES
from .access import bp

COOKIE = "admin_lang"
COOKIE_DAYS = 365
NAMES = {"uk": "Українська", "ru": "Русский", "en": "English"}


def choose(asked, remembered, accepted):
    """Return the language: one asked for now, else the one remembered, else the browser's best, else English."""
    for candidate in (asked, remembered):
        if candidate in LANGUAGES:
            return candidate
    return accepted.best_match(LANGUAGES) or "en"


@bp.before_app_request
def _choose():
    # Before the sign-in check, so the login page and its refusals speak the marketer's language too.
    if request.blueprint == "admin":
        g.language = choose(request.args.get("lang"), request.cookies.get(COOKIE), request.accept_languages)


@bp.after_request
def _remember(response):
    asked = request.args.get("lang")
    if asked in LANGUAGES and asked != request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_DAYS * 24 * 3600,
            path="/admin",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


def _links():
    """Return (code, name, address) for each language: this page, in that language."""
    if not request.endpoint or request.endpoint.endswith(".static"):
        return []
    values = {**(request.view_args or {}), **request.args.to_dict()}
    return [(code, name, url_for(request.endpoint, **{**values, "lang": code})) for code, name in NAMES.items()]


@bp.context_processor
def _language_links():
    return {"language_links": _links()}
