"""The consent ledger: the exact text and its hash, who, where and when, in the submission's transaction; CSV."""

import csv
import hashlib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from signup import db, intake
from signup.db import Consent, Submission, utcnow
from signup.forms import catalogue
from signup.privacy.consent import Agreement
from tests.conftest import TOKEN_RE, form_token, sign_up

pytestmark = pytest.mark.both_databases

AUTH = ("admin", "admin-pass")
HOST_PAGE = "https://shop.example.com/spring-sale?utm_source=mail"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"
TEXT_EN = "I agree to receive the newsletter."
TEXT_UK = "Я погоджуюся отримувати розсилку."


def consents(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Consent).order_by(Consent.id)).all()


def framed_sign_up(client, email="ada@example.com", referrer=HOST_PAGE, query=None, agent=BROWSER):
    """Load the form as an iframe on the host page would, then send it with every rendered input."""
    page = client.get("/f/news", query_string=query or {}, headers={"Referer": referrer, "User-Agent": agent})
    html = page.get_data(as_text=True)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data.update(email=email, consent="yes", website="")
    referer_of_post = "http://localhost/f/news"  # a form posts from its own page
    return client.post("/f/news", data=data, headers={"Referer": referer_of_post, "User-Agent": agent}), html


def test_a_sign_up_records_the_exact_text_shown_and_where(app, client):
    answer, html = framed_sign_up(client)
    assert answer.status_code == 303
    # The Referer's query may be personal; the page is named without it.
    assert '<input type="hidden" name="page_url" value="https://shop.example.com/spring-sale">' in html
    (record,) = consents(app)
    (submission,) = _submissions(app)
    assert record.text == TEXT_EN and record.language == "en"
    assert record.text_sha256 == hashlib.sha256(TEXT_EN.encode()).hexdigest()
    assert record.form_id == "news" and record.submission_id == submission.id
    assert record.contact_key == "ada@example.com"
    assert record.client_address == "127.0.0.1"
    assert record.page_url == "https://shop.example.com/spring-sale" and record.user_agent == BROWSER
    assert abs(record.created_at - submission.created_at) < timedelta(seconds=5)


def _submissions(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission)).all()


def test_the_text_is_recorded_in_the_language_shown(app, client):
    framed_sign_up(client, query={"lang": "uk"})
    (record,) = consents(app)
    assert record.text == TEXT_UK and record.language == "uk"
    assert record.text_sha256 == hashlib.sha256(TEXT_UK.encode()).hexdigest()


def test_a_page_parameter_from_the_embed_script_wins_over_the_referer(app, client):
    framed_sign_up(client, query={"page": "https://shop.example.com/landing#form"})
    assert consents(app)[0].page_url == "https://shop.example.com/landing#form"


def test_our_own_pages_and_junk_are_not_taken_for_the_host_page(app, client):
    framed_sign_up(client, "a@example.com", referrer="http://localhost/f/news?lang=en")
    framed_sign_up(client, "b@example.com", referrer="javascript:alert(1)")
    assert [r.page_url for r in consents(app)] == [None, None]


def test_the_client_address_comes_from_trusted_proxies_only(settings, request):
    settings["TRUSTED_PROXY_HOPS"] = 1
    app = request.getfixturevalue("app")
    client = app.test_client()
    token = form_token(client, "news")
    spoofed = {"X-Forwarded-For": "10.9.9.9, 198.51.100.23"}
    client.post("/f/news", data={"form_token": token, "email": "a@example.com", "consent": "yes"}, headers=spoofed)
    assert consents(app)[0].client_address == "198.51.100.23"


def test_the_json_api_records_consent_with_the_page_it_names(app, client):
    token = client.get("/api/forms/news?lang=uk").get_json()["token"]
    answer = client.post(
        "/api/forms/news/submissions?lang=uk",
        json={"form_token": token, "email": "a@example.com", "consent": True, "page_url": HOST_PAGE},
        headers={"Origin": "https://shop.example.com", "User-Agent": BROWSER},
    )
    assert answer.status_code == 202
    (record,) = consents(app)
    assert (record.text, record.page_url, record.submission_id) == (TEXT_UK, HOST_PAGE, answer.get_json()["id"])


def test_no_record_without_a_consent_checkbox(app, client):
    assert sign_up(client, "phone", phone="+380501234567").status_code == 303
    assert client.post("/hooks/news?token=hook-secret-123", json={"email": "a@example.com"}).status_code == 200
    assert consents(app) == []


def test_a_refused_sign_up_leaves_no_record(app, client):
    page = client.get("/f/news")
    token = TOKEN_RE.search(page.get_data(as_text=True)).group(1)
    assert client.post("/f/news", data={"form_token": token, "email": "broken@", "consent": "yes"}).status_code == 422
    assert consents(app) == []


def test_written_in_the_submission_s_transaction(app):
    shown = Agreement(TEXT_EN, "en", "127.0.0.1", None, None)
    with app.app_context():
        form = catalogue.find("news")
        first = intake.accept(form, {"email": "a@example.com"}, "en", "api", dedupe_key="k1", consent=shown)
        again = intake.accept(form, {"email": "a@example.com"}, "en", "api", dedupe_key="k1", consent=shown)
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Consent)) == 1
    assert first == (again[0], True) and again[1] is False


def _csv(answer):
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_csv_export_by_form_and_date_range(app, client):
    framed_sign_up(client, "old@example.com")
    framed_sign_up(client, "new@example.com")
    with app.app_context(), db.session() as session, session.begin():
        session.execute(
            update(Consent)
            .where(Consent.contact_key == "old@example.com")
            .values(created_at=utcnow() - timedelta(days=40))
        )
    today = utcnow().date()
    rows = _csv(client.get(f"/admin/consents.csv?form=news&from={today - timedelta(days=1)}&to={today}", auth=AUTH))
    assert [r["address"] for r in rows] == ["new@example.com"]
    row = rows[0]
    assert row["text"] == TEXT_EN and row["text_sha256"] == hashlib.sha256(TEXT_EN.encode()).hexdigest()
    assert (
        row["page_url"] == "https://shop.example.com/spring-sale"
        and row["user_agent"] == BROWSER
        and row["client_address"] == "127.0.0.1"
    )
    assert row["form"] == "news" and row["time_utc"].startswith(str(today)) and len(row["submission_id"]) == 32
    assert len(_csv(client.get("/admin/consents.csv?form=news", auth=AUTH))) == 2
    assert _csv(client.get("/admin/consents.csv?form=news&to=2000-01-01", auth=AUTH)) == []


def test_csv_export_refuses_bad_dates_and_strangers(client):
    answer = client.get("/admin/consents.csv?from=last+week", auth=AUTH)
    assert answer.status_code == 400 and "expected a date like 2025-01-31" in answer.get_data(as_text=True)
    assert client.get("/admin/consents.csv?form=nope", auth=AUTH).status_code == 404
    assert client.get("/admin/consents.csv").status_code == 401


def test_csv_cells_cannot_run_as_spreadsheet_formulas(app, client):
    framed_sign_up(client, referrer="https://shop.example.com/")
    with app.app_context(), db.session() as session, session.begin():
        session.execute(update(Consent).values(user_agent='=HYPERLINK("http://evil.example")'))
    (row,) = _csv(client.get("/admin/consents.csv", auth=AUTH))
    assert row["user_agent"] == '\'=HYPERLINK("http://evil.example")'


HOSTILE_AGENT = "Mozilla/5.0 (Windows NT 10.0;=2+5+cmd|' /C calc'!A0;)"
HOSTILE_PAGE = "https://p.example/a;=9+9"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def assert_opens_as_text(text):
    """Split as a spreadsheet in an en-US (`,`) or uk-UA/ru-RU (`;`) locale would: no cell is a formula."""
    for delimiter in (",", ";"):
        found = [v for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for v in row]
        assert not [v for v in found if v.startswith(FORMULA_STARTS)], (delimiter, found)
    assert all(line.startswith('"') and line.endswith('"') for line in text.splitlines())


def test_a_formula_after_a_semicolon_cannot_become_a_cell(app, client, runner, tmp_path):
    answer, _html = framed_sign_up(client, referrer=HOST_PAGE, agent=HOSTILE_AGENT, query={"page_url": HOSTILE_PAGE})
    assert answer.status_code == 303
    (stored,) = consents(app)
    assert (stored.user_agent, stored.page_url) == (HOSTILE_AGENT, HOSTILE_PAGE)
    export = client.get("/admin/consents.csv", auth=AUTH).get_data(as_text=True)
    target = tmp_path / "consents.csv"
    assert runner.invoke(args=["consents", "export", "--output", str(target)]).exit_code == 0
    for text in (export, target.read_text(encoding="utf-8")):
        assert_opens_as_text(text)
        (row,) = csv.DictReader(io.StringIO(text, newline=""))
        assert row["user_agent"] == "Mozilla/5.0 (Windows NT 10.0;'=2+5+cmd|' /C calc'!A0;)"
        assert row["page_url"] == "https://p.example/a;'=9+9"


def test_the_cli_exports_the_same_csv(app, client, runner, tmp_path):
    framed_sign_up(client)
    target = tmp_path / "consents.csv"
    result = runner.invoke(
        args=["consents", "export", "--form", "news", "--from", "2000-01-01", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert row["address"] == "ada@example.com" and row["text"] == TEXT_EN
    assert runner.invoke(args=["consents", "export", "--form", "nope"]).exit_code == 2
