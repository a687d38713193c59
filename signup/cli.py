"""Command-line entry points: migrate, deliver, the dev server, forms, deliveries, and privacy requests."""

import json
import sys

import click
from flask import Blueprint, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, run_simple

from . import db
from .admin import snippets
from .db import Submission
from .delivery import account_status, actions, worker
from .forms import account_check, catalogue
from .privacy import addresses, consent, retention
from .states import DISCARDABLE, RETRYABLE

bp = Blueprint("cli", __name__, cli_group=None)


class PathOnlyLog(WSGIRequestHandler):
    """Logs requests without their query string, where webhook tokens travel."""

    def log_request(self, code="-", size="-"):
        # Called once the app has answered, so trimming the path here changes only the log line.
        if hasattr(self, "path"):
            self.path = self.path.partition("?")[0]
        self.requestline = getattr(self, "requestline", "").partition("?")[0]
        super().log_request(code, size)

    def log_error(self, format, *args):
        # A malformed request line is quoted in the message ("Bad request syntax ('GET /hooks/x?token=...')").
        super().log_error(format, *(a.partition("?")[0] if isinstance(a, str) else a for a in args))


@bp.cli.command("migrate")
def migrate_command():
    """Apply database migrations (safe on every deploy; never drops data)."""
    db.migrate()
    click.echo("database is up to date")


@bp.cli.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def deliver_command(once):
    """Run the delivery worker until SIGTERM."""
    problem = account_status.start_problem()
    if problem:
        click.echo(problem, err=True)
        sys.exit(2)
    account_status.announce_dry_run()
    app = current_app._get_current_object()
    if once:
        worker.drain(app, timeout=float("inf"))
    else:
        worker.run_forever(app)


@bp.cli.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
def dev_command(host):
    """Migrate, then serve the forms with the delivery worker in this same process."""
    app = current_app._get_current_object()
    db.migrate()
    problem = account_status.start_problem()
    if problem:
        click.echo(problem, err=True)
    else:
        account_status.announce_dry_run()
        worker.start_in_background(app)
    port = app.config["PORT"]
    mode = "DRY RUN: nothing is sent to eSputnik" if app.config["DRY_RUN"] else app.config["ESPUTNIK_API_URL"]
    click.echo(f"\n  forms:  http://{host}:{port}/f/<form id>   admin: http://{host}:{port}/admin/")
    click.echo(f"  delivery: {mode}\n")
    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=PathOnlyLog)


forms_group = AppGroup("forms", help="Inspect the forms catalogue.")
bp.cli.add_command(forms_group)


@forms_group.command("check")
@click.option("--base-url", help="The service's public address for the embed lines (default: PUBLIC_URL).")
@click.option("--remote", is_flag=True, help="Also check custom field ids, their types and groups against eSputnik.")
def forms_check(base_url, remote):
    """Check the forms file (it was read to get here) and print each form's event names and embed lines."""
    base = (base_url or current_app.config["PUBLIC_URL"]).rstrip("/") or None
    if base is None:
        click.echo(
            f"PUBLIC_URL is not set: the lines below show {snippets.ADDRESS_PLACEHOLDER} where the service's "
            "address belongs; set PUBLIC_URL or pass --base-url https://forms.example.com",
            err=True,
        )
    for form in catalogue.all_forms():
        if _takes_webhooks(form) and not form.language_given:
            click.echo(
                f"warning: forms.{form.id} takes webhooks but has no language, so every sign-up from a "
                'WordPress plugin goes to eSputnik as en: set language = "uk" (or ru, en) in its table, '
                "or add &lang=uk to the webhook URL",
                err=True,
            )
        new, known = form.event_names
        lines = snippets.for_form(form, base, form.text("title", form.language))
        click.echo(f"{form.id}: formType={form.form_type!r}\n  new contact:   {new}\n  known contact: {known}")
        click.echo(f"  iframe:  {lines.iframe}\n  script:  {lines.script}\n  webhook: {lines.webhook}")
    click.echo(f"{len(catalogue.all_forms())} form(s), no problem found in {current_app.config['FORMS_FILE']}")
    if remote:
        check_remote()


def check_remote():
    """Print each account's forms and their mismatches; exit 1 on any, or when an account could not be checked."""
    report = account_check.check_all()
    for found in account_status.in_use():
        if not found.forms:
            continue
        click.echo(f"account {found.name} ({found.key_env}, {found.api_url}):")
        error = report.errors.get(found.name)
        if error:
            click.echo(f"  not checked: {error}")
            continue
        for form_id in found.forms:
            problems = report.problems.get(form_id, [])
            verdict = f"{len(problems)} mismatch(es)" if problems else "matches the eSputnik account"
            click.echo(f"  {form_id}: {verdict}")
            click.echo("".join(f"    {account_check.describe(problem)}\n" for problem in problems), nl=False)
    found = sum(len(problems) for problems in report.problems.values())
    unchecked = [f"account {name} not checked: {error}" for name, error in report.errors.items()]
    if found or unchecked:
        summary = [f"{found} mismatch(es) with the eSputnik account"] if found else []
        raise click.ClickException("; ".join(summary + unchecked))
    click.echo("every form matches its eSputnik account")


def _takes_webhooks(form):
    """Tell whether any token or WPForms secret opens the form's webhook."""
    return bool(form.webhook_tokens or form.wpforms_secret or current_app.config["WEBHOOK_TOKEN"])


deliveries_group = AppGroup("deliveries", help="Retry or discard deliveries by hand.")
bp.cli.add_command(deliveries_group)


@deliveries_group.command("retry")
@click.argument("ids", nargs=-1)
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in RETRYABLE]))
def deliveries_retry(ids, states):
    """Queue submissions again, by id or by state (pending, refused, dead, dry_run, discarded, limited)."""
    click.echo(f"{actions.requeue(ids=ids, states=states)} submission(s) queued again")


@deliveries_group.command("discard")
@click.argument("ids", nargs=-1)
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in DISCARDABLE]))
def deliveries_discard(ids, states):
    """Mark undelivered submissions as discarded, by id or by state (pending, refused, dead, dry_run)."""
    if not ids and not states:
        raise click.UsageError("name submission ids or at least one --state")
    if states:
        with db.session() as session:
            ids = (*ids, *session.scalars(select(Submission.id).where(Submission.state.in_(states))))
    click.echo(f"{actions.discard(ids) if ids else 0} submission(s) discarded")


def _address_or_fail(address):
    if not addresses.normalise(address):
        raise click.BadParameter("give an email address, or a phone number starting with +", param_hint="ADDRESS")
    return address


@bp.cli.command("erase-address")
@click.argument("address")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_address_command(address, yes):
    """Delete every submission, attempt and consent record holding ADDRESS (an email or a phone number)."""
    _address_or_fail(address)
    if not yes:
        click.confirm(f"Erase everything held on {address}? This cannot be undone", abort=True)
    counts = retention.erase(address)
    click.echo(
        f"erased {counts['submissions']} submission(s), {counts['attempts']} attempt(s), "
        f"{counts['consents']} consent record(s); erase the contact in eSputnik too if asked to"
    )


@bp.cli.command("export-address")
@click.argument("address")
def export_address_command(address):
    """Print, as JSON, everything held on ADDRESS (an email or a phone number)."""
    _address_or_fail(address)
    click.echo(json.dumps(retention.export(address), ensure_ascii=False, indent=2))


@bp.cli.command("purge")
def purge_command():
    """Remove personal data past RETENTION_DAYS now (the worker also does it every hour)."""
    submissions, consents = retention.purge()
    click.echo(f"purged {submissions} submission(s), deleted {consents} consent record(s)")


consents_group = AppGroup("consents", help="The consent ledger.")
bp.cli.add_command(consents_group)


@consents_group.command("export")
@click.option("--form", "form_id", help="Only this form.")
@click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC), like 2025-01-01.")
@click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), included.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout).")
def consents_export(form_id, since, until, output):
    """Write consent records as CSV."""
    if form_id and catalogue.find(form_id) is None:
        raise click.BadParameter(f"no form {form_id!r} in the forms file", param_hint="--form")
    records = consent.find(form_id, since and since.date(), until and until.date())
    output.write(consent.to_csv(records))
