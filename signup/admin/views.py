"""The admin pages: forms at a glance, submissions and their attempts, retry and discard, test sign-ups, consents."""

import logging
from datetime import date

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import collected, intake
from ..db import utcnow
from ..delivery import account_status, actions, outbox
from ..forms import catalogue, fields
from ..i18n import current_language
from ..ops import refusals
from ..privacy import consent, masking
from ..states import State
from . import by_account, chart, queries, snippets, words
from .access import ActionForm, bp, here, safe_next

log = logging.getLogger(__name__)
LATEST = 10


def _form_or_404(form_id):
    return catalogue.found(catalogue.find(form_id or ""))


def _banners(backlog_size, oldest_seconds, base, paused):
    """Return (kind, text, technical detail or None) for each banner of the dashboard."""
    config, banners = current_app.config, []
    if base is None:
        banners.append(
            (
                "info",
                _(
                    "PUBLIC_URL is not set, so the lines to paste below show %(placeholder)s where this service's "
                    "address belongs. Set PUBLIC_URL to the address visitors reach it at (for example "
                    "https://forms.example.com) and restart, or replace the placeholder by hand.",
                    placeholder=snippets.ADDRESS_PLACEHOLDER,
                ),
                None,
            )
        )
    for account, reason in sorted(paused.items(), key=_first):
        plain = words.pause(reason)
        banners.append(("danger", _paused_banner(account, plain), reason if plain != reason else None))
    if backlog_size and oldest_seconds > config["BACKLOG_WARN_MINUTES"] * 60:
        minutes = round(oldest_seconds / 60)
        banners.append(
            (
                "danger",
                ngettext(
                    "The backlog is old: %(num)d sign-up waiting, the oldest for %(minutes)d minutes.",
                    "The backlog is old: %(num)d sign-ups waiting, the oldest for %(minutes)d minutes.",
                    backlog_size,
                    minutes=minutes,
                )
                + " "
                + _("Check the worker and eSputnik's answers below."),
                None,
            )
        )
    if config["DRY_RUN"]:
        banners.append(
            (
                "info",
                _(
                    "Dry run: sign-ups are stored and shown with the exact request that would be sent; "
                    "nothing goes to eSputnik."
                ),
                None,
            )
        )
    if not config["ADMIN_PASSWORD"]:
        banners.append(
            ("info", _("This admin view has no password (development). Set ADMIN_PASSWORD before exposing it."), None)
        )
    return banners


def _first(item):
    # The default account (None) first, then the others by name.
    return (item[0] is not None, item[0] or "")


def _paused_banner(account, reason):
    if account is None:
        return _(
            "Delivery is paused: %(reason)s. Nothing is lost; sign-ups wait and go out once eSputnik accepts the key.",
            reason=reason,
        )
    return _(
        "Delivery to account %(account)s is paused: %(reason)s. Nothing is lost; its sign-ups wait and go out "
        "once eSputnik accepts its key.",
        account=account,
        reason=reason,
    )


@bp.get("/")
def index():
    size, oldest = queries.backlog()
    base = snippets.base_url(current_app.config, request.scheme, request.host)
    forms = []
    for form in catalogue.all_forms():
        # The line to paste names the frame in the form's own language; the heading is in the marketer's.
        title = fields.texts(form, form.language)["title"]
        forms.append((form, snippets.for_form(form, base, title), fields.texts(form, g.language)["title"]))
    latest, _more = queries.search(limit=LATEST)
    refusals.flush()  # this process's latest refusals too, not only those already written
    daily = queries.daily_by_form(chart.DAYS)
    today = utcnow().date()
    charts = {form.id: chart.days(daily.get(form.id, {}), today) for form, _lines, _title in forms}
    paused = outbox.paused_reasons()
    accounts = account_status.in_use(paused)
    return render_template(
        "admin/index.html",
        forms=forms,
        groups=by_account.grouped(accounts, forms),
        several=by_account.several(accounts),
        latest=queries.present(latest, {form.id: form for form, _lines, _title in forms}),
        here=url_for("admin.index"),
        counts=queries.counts_by_form(),
        refused=refusals.recent(),
        backlog=(size, oldest),
        banners=_banners(size, oldest, base, paused),
        connections=by_account.connections(accounts, recheck=bool(request.args.get("recheck"))),
        action=ActionForm(),
        today=date.today().isoformat(),
        charts=charts,
        chart=chart,
        words=words,
    )


def _page():
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1


@bp.get("/submissions")
def submissions():
    form_id = request.args.get("form") or None
    form = _form_or_404(form_id) if form_id else None
    address = request.args.get("q", "")[:320]
    state = request.args.get("state") or None
    account = request.args.get("account", "")[:40] or None
    reveal = request.args.get("reveal") == "1"
    if reveal:
        log.info("admin showed personal data", extra={"event": "admin_reveal", "user": g.admin_user, "form": form_id})
    page = _page()
    rows, more = queries.search(form_id, address, state, page, account=account)
    accounts = account_status.in_use(outbox.paused_reasons())
    return render_template(
        "admin/submissions.html",
        form=form,
        address=address,
        state=state,
        states=tuple(State),
        account=account,
        accounts=by_account.names(accounts, account),
        several=by_account.several(accounts),
        reveal=reveal,
        page=page,
        more=more,
        items=queries.present(rows, {f.id: f for f in catalogue.all_forms()}, reveal=reveal),
        action=ActionForm(),
        here=here(),
        words=words,
    )


def _act(submission_id, change, event, done):
    if not ActionForm().validate_on_submit():
        abort(400, description=_("The page had expired; reload it and try again."))
    changed = change(submission_id)
    log.info("admin action", extra={"event": f"admin_{event}", "submission": submission_id, "changed": changed})
    flash(done if changed else _("The submission was left as it was."))
    return redirect(safe_next(request.form.get("next")), 303)


@bp.post("/submissions/<submission_id>/retry")
def retry(submission_id):
    return _act(submission_id, lambda sid: actions.requeue(ids=[sid]), "retry", _("The submission was queued again."))


@bp.post("/submissions/<submission_id>/discard")
def discard(submission_id):
    return _act(submission_id, lambda sid: actions.discard([sid]), "discard", _("The submission was discarded."))


@bp.route("/forms/<form_id>/test", methods=["GET", "POST"])
def test_sign_up(form_id):
    form = _form_or_404(form_id)
    action, errors, data = ActionForm(), {}, request.form
    if request.method == "POST":
        if not action.validate_on_submit():
            abort(400, description=_("The page had expired; reload it and try again."))
        values, errors = collected.clean(form, data, require_consent=False)
        if not errors:
            intake.accept(form, values, form.language, source="admin")
            shown = masking.address(intake.contact_key(values))
            flash(
                _(
                    "Test sign-up for %(address)s stored; the worker sends it within seconds. "
                    "Watch for the event below.",
                    address=shown,
                )
            )
            return redirect(url_for("admin.submissions", form=form.id, q=intake.contact_key(values)), 303)
    return render_template(
        "admin/test_sign_up.html",
        form=form,
        inputs=fields.describe(form, current_language()),  # labels in the admin's language, as the page around them
        data=data,
        errors=errors,
        action=action,
        dry_run=current_app.config["DRY_RUN"],
    ), (422 if errors else 200)


def _day(name):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problem = _("%(name)s: expected a date like 2025-01-31, got %(value)s.", name=name, value=raw[:20])
        abort(400, description=problem)


@bp.get("/consents.csv")
def consents_csv():
    form_id = request.args.get("form") or None
    if form_id:
        _form_or_404(form_id)
    since, until = _day("from"), _day("to")
    records = consent.find(form_id, since, until)
    log.info("admin exported consents", extra={"event": "consent_export", "form": form_id, "rows": len(records)})
    name = f"consents-{form_id or 'all'}-{since or 'start'}-{until or 'now'}.csv"
    return Response(
        consent.to_csv(records),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
