"""The visitor's form pages: shown in an iframe, posted without JavaScript, thanked."""

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import captcha, catalogue, consent, fields, intake, metrics, screening, tokens, validation
from .i18n import current_language

bp = Blueprint("public", __name__)


@bp.url_value_preprocessor
def find_form(_endpoint, values):
    g.form = catalogue.find((values or {}).get("form_id", ""))


def _form_or_404():
    if g.form is None:
        abort(404, description=_("There is no such form."))
    return g.form


def frame_policy(form):
    """Return the Content-Security-Policy for a page of `form`, framed only by its allowed origins."""
    widget = form.captcha.service.origins if form.captcha else []
    directives = {
        "default-src": ["'none'"],
        # Captcha widgets style themselves inline; forms without one allow no inline style.
        "style-src": ["'self'", *(["'unsafe-inline'"] if widget else [])],
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
    if g.get("form") is not None:
        response.headers["Content-Security-Policy"] = frame_policy(g.form)
    response.headers["Cache-Control"] = "no-store"
    return response


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
    )
    return page, status


def finish(form):
    """Answer an accepted (or trapped) submission: 303 to the thank-you page or the redirect URL."""
    target = form.redirect_url or url_for("public.thanks", form_id=form.id, lang=current_language())
    return redirect(target, 303)


@bp.get("/f/<form_id>")
def show_form(form_id):
    return render_form(_form_or_404(), request.args, {})


@bp.post("/f/<form_id>")
def submit_form(form_id):
    form = _form_or_404()
    data = request.form
    verdict = screening.screen(form, data)
    if verdict == screening.EXPIRED:
        message = _("This form was open for too long. Please check it and send it again.")
        return render_form(form, data, {"form": [message]}, status=422)
    if verdict == screening.FOREIGN_ORIGIN:
        abort(403, description=_("This form can be sent only from its own page or a site allowed to embed it."))
    if verdict:
        screening.accept_time.imitate()
        return finish(form)
    values, errors = validation.clean(form, data)
    errors.update(captcha_errors(form, data))
    if errors:
        return render_form(form, data, errors, status=422)
    submission_id, _created = intake.accept(
        form,
        values,
        current_language(),
        source="form",
        token_nonce=g.form_token_nonce,
        consent=consent.shown(form, data),
    )
    if submission_id:
        metrics.accepted(form.id, "form")
    return finish(form)


def captcha_errors(form, data):
    """Return {"captcha": [message]} when the form has a captcha the visitor did not pass."""
    problem = captcha.verify(form.captcha, data) if form.captcha else None
    if problem == "unavailable":
        return {"captcha": [_("The anti-spam check is not answering. Please try again in a minute.")]}
    if problem:
        return {"captcha": [_("Please complete the anti-spam check.")]}
    return {}


@bp.get("/f/<form_id>/thanks")
def thanks(form_id):
    form = _form_or_404()
    texts = fields.texts(form, current_language())
    return render_template("public/thanks.html", form=form, texts=texts, language=current_language())
