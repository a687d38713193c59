"""Command-line entry points: migrate, deliver, the one-process dev server, forms and deliveries."""

import sys

import click
from flask import Blueprint, current_app
from flask.cli import AppGroup
from werkzeug.serving import WSGIRequestHandler, run_simple

from . import catalogue, db, delivery, worker

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
    problem = worker.check_can_send(current_app.config)
    if problem:
        click.echo(problem, err=True)
        sys.exit(2)
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
    problem = worker.check_can_send(app.config)
    if problem:
        click.echo(problem, err=True)
    else:
        worker.start_in_background(app)
    port = app.config["PORT"]
    mode = "DRY RUN: nothing is sent to eSputnik" if app.config["DRY_RUN"] else app.config["ESPUTNIK_API_URL"]
    click.echo(f"\n  forms:  http://{host}:{port}/f/<form id>   admin: http://{host}:{port}/admin/")
    click.echo(f"  delivery: {mode}\n")
    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=PathOnlyLog)


forms_group = AppGroup("forms", help="Inspect the forms catalogue.")
bp.cli.add_command(forms_group)


@forms_group.command("check")
def forms_check():
    """Check the forms file and print each form's event names."""
    for form in catalogue.all_forms():
        new, known = form.event_names
        click.echo(f"{form.id}: formType={form.form_type!r}\n  new contact:   {new}\n  known contact: {known}")


deliveries_group = AppGroup("deliveries", help="Retry or discard deliveries by hand.")
bp.cli.add_command(deliveries_group)


@deliveries_group.command("retry")
@click.argument("ids", nargs=-1)
@click.option(
    "--state", "states", multiple=True, type=click.Choice(["dead", "refused", "discarded", "dry_run", "limited"])
)
def deliveries_retry(ids, states):
    """Queue submissions again, by id or by state (dead, refused, discarded, dry_run, limited)."""
    click.echo(f"{delivery.requeue(ids=ids, states=states)} submission(s) queued again")


@deliveries_group.command("discard")
@click.argument("ids", nargs=-1, required=True)
def deliveries_discard(ids):
    """Mark undelivered submissions as discarded."""
    click.echo(f"{delivery.discard(ids)} submission(s) discarded")
