"""The admin's account check: per form, kept across requests and processes, checked again by a link."""

import json

import pytest

from signup import db
from signup.admin import account
from signup.db import Flag, utcnow
from signup.forms import catalogue
from tests.forms.test_account_check import FORMS, shop_account

AUTH = ("admin", "admin-pass")


@pytest.fixture(autouse=True)
def shop_only(settings):
    settings["FORMS"] = catalogue.parse(FORMS)


def index(client):
    return client.get("/admin/", auth=AUTH).get_data(as_text=True)


@pytest.mark.both_databases
def test_nothing_is_asked_until_the_marketer_checks(client, fake_esputnik):
    html = index(client)
    assert "not checked yet" in html and 'href="/admin/account-check"' in html
    assert not [c for c in fake_esputnik.calls if "addressbooks" in c.path or "groups" in c.path]


@pytest.mark.both_databases
def test_check_again_shows_each_mismatch_and_keeps_it(app, client, fake_esputnik):
    shop_account(fake_esputnik)
    fake_esputnik.segments = ["Subscriber", "News"]
    answer = client.get("/admin/account-check", auth=AUTH)
    assert (answer.status_code, answer.headers["Location"]) == (303, "/admin/#account")
    html = index(client)
    assert "no segment &#39;Subscribers&#39; in eSputnik" in html and "did you mean &#39;Subscriber&#39;?" in html
    assert "check again" in html
    calls = len(fake_esputnik.calls)
    # Kept: another request (or another process) shows the same without asking eSputnik again.
    assert "did you mean" in app.test_client().get("/admin/", auth=AUTH).get_data(as_text=True)
    assert len(fake_esputnik.calls) == calls
    fake_esputnik.segments = ["Subscribers", "News"]
    client.get("/admin/account-check", auth=AUTH)
    assert "custom fields and groups match" in index(client)


def test_an_account_that_cannot_be_asked_says_why_without_the_key(client, fake_esputnik):
    fake_esputnik.always(("status", 401, b"{}"))
    client.get("/admin/account-check", auth=AUTH)
    html = index(client)
    assert "could not ask eSputnik" in html and "refused the API key" in html
    assert "test-key" not in html


def test_the_check_needs_the_admins_sign_in(client):
    assert client.get("/admin/account-check").status_code in (302, 401)


def test_a_report_kept_before_accounts_were_checked_apart_still_shows(app, client):
    kept = {"problems": {}, "error": "eSputnik refused the API key (401)", "at": "2026-01-31T10:00:00"}
    with app.app_context(), db.session() as session, session.begin():
        session.add(Flag(name=account.FLAG, value=json.dumps(kept), updated_at=utcnow()))
    html = index(client)
    assert "could not ask eSputnik: eSputnik refused the API key (401)" in html and "2026-01-31 10:00" in html
