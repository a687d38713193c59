"""The visitor's form pages (shown in an iframe, posted without JavaScript, thanked) and the embed script."""

from pathlib import Path

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _

from .. import collected, intake, validation
from ..forms import catalogue, fields
from ..i18n import current_language
from ..privacy import consent
from ..variants import choice
from . import minify, pipeline, screening, tokens
from . import thanks as thanks_page

bp = Blueprint("public", __name__)
EMBED_SCRIPT = "embed.js"
# The embed script's URL is pasted into other sites, so it cannot carry a version: cache it for a day
# and let browsers use a stale copy for a week while they fetch the new one.
EMBED_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
# Browsers ask for /favicon.ico by that fixed name wherever a page links no icon; it hardly changes.
FAVICON = "favicon.ico"
FAVICON_CACHE = "public, max-age=2592000"
FIXED_ADDRESSES = {"public.embed_script", "public.favicon"}


@bp.url_value_preprocessor
def find_form(endpoint, values):
    # A visitor's first page draws a variant by weight; every later request names the one it shows.
    # An unknown form is answered 404 by the view, once the request has its id and its rate limit.
    g.form = pipeline.find_form((values or {}).get("form_id"), draw=endpoint == "public.show_form")


def frame_policy(form):
    """Return the Content-Security-Policy for a page of `form`, framed only by its allowed origins."""
    widget = form.captcha.service.origins if form.captcha else []
    # Captcha widgets style themselves inline; that needs 'unsafe-inline', which a hash would
    # switch off, so such forms allow inline style instead of the theme's hash.
    styles = ["'unsafe-inline'"] if widget else [form.theme.style_hash] if form.theme.style_hash else []
    directives = {
        "default-src": ["'none'"],
        "style-src": ["'self'", *styles],
        "script-src": ["'self'", *widget],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", *widget],
        "frame-src": widget or ["'none'"],
        "form-action": ["'self'", *form.allowed_origins],
        "base-uri": ["'none'"],
        "frame-ancestors": list(form.allowed_origins) or ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


@bp.after_request
def page_headers(response):
    if request.endpoint in FIXED_ADDRESSES:
        return response
    if g.get("form") is not None:
        response.headers["Content-Security-Policy"] = frame_policy(g.form)
        if not g.form.allowed_origins:
            response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


@bp.context_processor
def parent_hint():
    """Name the embedding site when the browser told us (Referer) and the form allows it."""
    form = g.get("form")
    return {"parent_origin": screening.allowed_origin(form, request.referrer) if form is not None else None}


def render_form(form, data, errors, status=200):
    """Render the form page with what was typed kept and each error beside its field."""
    language = current_language()
    items = fields.describe(form, language)
    for item in items:
        item["value"] = data.get(item["name"], "") if isinstance(data.get(item["name"], ""), str) else ""
        item["errors"] = errors.get(item["name"], [])
    labels = {item["name"]: item["label"] for item in items}
    labels["consent"] = _("Consent")
    page = render_template(
        "public/form.html",
        form=form,
        fields=items,
        texts=fields.texts(form, language),
        messages=fields.script_messages(),
        errors=errors,
        labels=labels,
        consent_checked=validation.is_checked(data.get("consent")),
        consent_errors=errors.get("consent", []),
        token=tokens.issue(form.id),
        language=language,
        honeypot=screening.HONEYPOT,
        token_field=screening.TOKEN_FIELD,
        captcha=form.captcha,
        page_url=consent.page_url(data),
        extras=collected.on_page(form, data),
    )
    return page, status


def finish(form, data):
    """Answer an accepted (or trapped) submission: 303 to the thank-you page or the redirect URL."""
    target = form.redirect_url or url_for(
        "public.thanks", form_id=form.id, lang=current_language(), **choice.query(form), **thanks_page.query(form, data)
    )
    return redirect(target, 303)


@bp.get("/f/<form_id>")
def show_form(form_id):
    return render_form(catalogue.found(g.form), request.args, {})


@bp.post("/f/<form_id>")
def submit_form(form_id):
    form, data = catalogue.found(g.form), request.form
    try:
        pipeline.run(form, data, source="form")
    except pipeline.Stopped as stop:
        return answer_stop(form, data, stop)
    return finish(form, data)


def answer_stop(form, data, stop):
    """Answer a stopped sign-up: the errors to fix, a refusal, or a trapped bot's quiet success."""
    if stop.errors:
        return render_form(form, data, stop.errors, status=422)
    if stop.verdict == screening.EXPIRED:
        return render_form(form, data, {"form": [fields.script_messages()["expired"]]}, status=422)
    if stop.verdict == screening.FOREIGN_ORIGIN:
        abort(403, description=_("This form can be sent only from its own page or a site allowed to embed it."))
    # A replayed token was caught while storing, which took as long as a sign-up does.
    if stop.verdict != screening.REUSED:
        intake.accept_time.imitate()
    return finish(form, data)


@bp.get("/f/<form_id>/thanks")
def thanks(form_id):
    form, language = catalogue.found(g.form), current_language()
    texts = fields.texts(form, language)
    heading = form.text("title", language) or _("Thank you")
    return render_template(
        "public/thanks.html",
        form=form,
        texts=texts,
        heading=heading,
        language=language,
        **thanks_page.details(form, request.args),
    )


@bp.get("/favicon.ico")
def favicon():
    response = send_from_directory(current_app.static_folder, FAVICON, mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = FAVICON_CACHE
    return response


@bp.get("/embed.js")
def embed_script():
    script = minify.script(Path(current_app.static_folder) / EMBED_SCRIPT)
    response = current_app.response_class(script.body, mimetype="text/javascript")
    response.set_etag(script.etag)
    response.make_conditional(request)
    response.headers["Cache-Control"] = EMBED_CACHE
    # Any site may load the script; what it can frame is still decided by each form's allowed origins.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
