"""Refused intake calls: counted per form and reason, shown masked in the admin view, bounded, pruned."""

import html as markup
import re
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from signup import create_app, db
from signup.db import utcnow
from signup.forms import catalogue
from signup.ops import refusals
from signup.ops.refusals import Refusal
from signup.privacy import masking
from tests.conftest import FORMS_FILE, SECRET
from tests.wordpress import FORM

TOKEN = "hook-secret-123"
AUTH = ("admin", "admin-pass")
WRONG = "wrong-token-0a1b2c3d4e5f"
NO_TOKEN = "Missing or wrong token: add ?token=... to the URL, or send it as a header."
SHOWN_NO_TOKEN = masking.text(NO_TOKEN)  # a token= in any reason is masked, even our own placeholder


def admin_page(client):
    answer = client.get("/admin/", auth=AUTH)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def form_block(html, form_id):
    """Return the admin page's part about one form."""
    return re.search(rf'<section class="form" id="form-{form_id}"[^>]*>(.*?)</section>', html, re.S).group(1)


def refused_rows(block):
    """Return [(reason text, 24 h, 7 days)] from one form's table of refused calls."""
    found = re.findall(
        r'<tr><td><span class="state refused">(.*?)</td><td class="num">(\d+)</td><td class="num">(\d+)', block
    )
    return [(markup.unescape(re.sub(r"<[^>]+>", "", reason)), int(day), int(week)) for reason, day, week in found]


def stored(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Refusal)).all()


@pytest.mark.both_databases
def test_refused_webhook_calls_show_per_form_with_their_reasons(app, client):
    for _ in range(3):
        assert client.post(f"/hooks/news?token={WRONG}", json={"email": "a@example.com"}).status_code == 401
    assert client.post(f"/hooks/news?token={TOKEN}", json={"message": "hello"}).status_code == 422
    assert (
        client.post(f"/hooks/full?token={TOKEN}", data="&".join(["a[]="] * 2_000), content_type=FORM).status_code == 413
    )
    assert client.post(f"/hooks/news?token={TOKEN}", json={"email": "b@example.com"}).status_code == 200
    html = admin_page(client)
    news = refused_rows(form_block(html, "news"))
    assert news[0] == (f"401 webhook: {SHOWN_NO_TOKEN}", 3, 3)
    assert news[1][0].startswith("422 webhook: No email or phone was found.") and news[1][1:] == (1, 1)
    assert len(news) == 2
    (full,) = refused_rows(form_block(html, "full"))
    assert full[0].startswith("413 webhook: Тіло запиту містить понад 1000 полів") and full[1:] == (1, 1)
    assert "none in the last 7 days" in form_block(html, "phone")
    assert WRONG not in html and TOKEN not in html


@pytest.mark.both_databases
def test_the_last_day_and_the_week_are_counted_apart_and_older_hours_pruned(app, client):
    now = utcnow()
    with app.test_request_context():
        refusals.record("news", "webhook", 401, NO_TOKEN, now=now - timedelta(days=3))
        refusals.record("news", "webhook", 401, NO_TOKEN, now=now - timedelta(days=3, hours=1))
        refusals.record("news", "webhook", 401, NO_TOKEN, now=now - timedelta(hours=2))
        refusals.record("news", "webhook", 401, NO_TOKEN, now=now - timedelta(days=9))
        refusals.flush()
    assert refused_rows(form_block(admin_page(client), "news")) == [(f"401 webhook: {SHOWN_NO_TOKEN}", 1, 3)]
    with app.app_context():
        assert refusals.prune() == 1
    assert len(stored(app)) == 3


@pytest.mark.both_databases
def test_a_flood_of_refusals_adds_to_one_count_not_to_the_rows(app, client):
    for _ in range(300):
        client.post("/hooks/news", data=b"x" * 1000, content_type="application/json")
    with app.app_context():
        refusals.flush()
        refusals.flush()  # nothing gathered since: writes nothing
    (row,) = stored(app)
    assert (row.form_id, row.source, row.status, row.count) == ("news", "webhook", 401, 300)


@pytest.mark.both_databases
def test_the_counts_gathered_by_two_processes_add_up(app, settings):
    second = create_app(settings, environ={"SECRET_KEY": SECRET})
    for instance in (app, second):
        with instance.test_request_context():
            refusals.record("news", "api", 403, "reason")
            refusals.record("news", "api", 403, "reason")
            refusals.flush()
    second.extensions["signup.engine"].dispose()
    (row,) = stored(app)
    assert row.count == 4


def test_reasons_are_masked_and_cut_short(app, client):
    reason = "Rejected ada.lovelace@example.com at +380501234567 with token=abc123secret " + "x" * 500
    with app.test_request_context():
        refusals.record("news", "webhook", 422, reason)
    (shown,) = refused_rows(form_block(admin_page(client), "news"))
    assert "ada.lovelace" not in shown[0] and "abc123secret" not in shown[0] and "0501234567" not in shown[0]
    assert "a***@example.com" in shown[0] and len(shown[0]) < 330


def test_json_api_refusals_are_shown_too(app, client):
    answer = client.post(
        "/api/forms/news/submissions", json={"email": "a@example.com"}, headers={"User-Agent": "python-requests/2.32"}
    )
    assert answer.status_code == 403
    (shown,) = refused_rows(form_block(admin_page(client), "news"))
    assert shown[0].startswith("403 JSON API: This address takes sign-ups from visitors' browsers.")


@pytest.mark.both_databases
def test_the_migration_creates_the_table_the_code_uses(app):
    with app.app_context(), db.engine().connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.Base.metadata)
    assert [d for d in differences if "intake_refusals" in repr(d)] == []
    with app.app_context(), db.session() as session:
        assert session.scalar(select(func.count()).select_from(Refusal)) == 0


LANGUAGELESS = f"""
[forms.wp]
form_type = "wp"
fields = ["email"]
webhook_tokens = ["{"t" * 20}"]

[forms.wp-uk]
form_type = "wp uk"
fields = ["email"]
language = "uk"
webhook_tokens = ["{"u" * 20}"]
"""


def test_forms_check_warns_of_a_webhook_form_without_a_language(settings):
    settings.update(FORMS=catalogue.parse(LANGUAGELESS), WEBHOOK_TOKEN="")
    app = create_app(settings, environ={"SECRET_KEY": SECRET})
    result = app.test_cli_runner().invoke(args=["forms", "check"])
    assert result.exit_code == 0
    assert "warning: forms.wp takes webhooks but has no language" in result.stderr
    assert "goes to eSputnik as en" in result.stderr and "forms.wp-uk" not in result.stderr


def test_forms_check_does_not_warn_when_no_webhook_opens_the_form(settings):
    settings.update(FORMS=catalogue.load(FORMS_FILE), WEBHOOK_TOKEN="")
    result = create_app(settings, environ={"SECRET_KEY": SECRET}).test_cli_runner().invoke(args=["forms", "check"])
    assert "warning" not in result.stderr
