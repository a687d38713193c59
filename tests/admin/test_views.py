"""The admin view: sign-in both ways, CSRF, throttling, masking, search, actions, test sign-ups, status."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from signup import db
from signup.db import Submission, utcnow
from signup.delivery import outbox, worker
from tests.conftest import SECRET, sign_up

AUTH = ("admin", "admin-pass")
HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(client, path="/admin/", **kwargs):
    page = client.get(path, **kwargs)
    assert page.status_code == 200, page.status_code
    return CSRF_RE.search(page.get_data(as_text=True)).group(1)


def sign_in(client, username="admin", password=AUTH[1], **kwargs):
    token = csrf(client, "/admin/login")
    form = {"csrf_token": token, "username": username, "password": password, "next": ""}
    return client.post("/admin/login", data=form, **kwargs)


def rows(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission).order_by(Submission.created_at)).all()


def full_sign_up(client, email="ada.lovelace@example.com", phone="+380501234567"):
    answer = sign_up(client, "full", email=email, phone=phone, first_name="Ada", last_name="Lovelace", town="Kyiv")
    assert answer.status_code == 303


# Signing in


def test_without_credentials_a_script_gets_401_and_a_browser_the_login_page(client):
    answer = client.get("/admin/")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Basic")
    answer = client.get("/admin/submissions?q=x", headers=HTML)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/login?next=/admin/submissions?q%3Dx"
    assert client.get("/admin/", auth=("admin", "wrong")).status_code == 401
    assert client.get("/admin/", auth=("root", "admin-pass")).status_code == 401


def test_http_basic_still_opens_every_page(client):
    assert client.get("/admin/", auth=AUTH).status_code == 200
    assert client.get("/admin/submissions", auth=AUTH).status_code == 200


def test_the_login_page_signs_in_with_a_session(client):
    page = client.get("/admin/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page and 'name="csrf_token"' in page
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    cookie = client.get_cookie("signup_admin")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client):
    token = csrf(client, "/admin/login")
    form = {"csrf_token": token, "username": "admin", "password": "admin-pass"}
    answer = client.post("/admin/login", data={**form, "next": "/admin/submissions?form=news"})
    assert answer.headers["Location"] == "/admin/submissions?form=news"
    client.delete_cookie("signup_admin")
    token = csrf(client, "/admin/login")
    answer = client.post("/admin/login", data={**form, "csrf_token": token, "next": "https://evil.example/admin/"})
    assert answer.headers["Location"] == "/admin/"


def test_login_without_its_csrf_token_is_refused(client):
    csrf(client, "/admin/login")
    answer = client.post("/admin/login", data={"username": "admin", "password": "admin-pass"})
    assert answer.status_code == 400 and "expired" in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 401


def test_a_wrong_password_on_the_login_page_is_refused(client):
    answer = sign_in(client, password="guess")
    assert answer.status_code == 401 and "Wrong user name or password" in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 401


def test_changing_the_password_ends_open_sessions(app, client):
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    app.config["ADMIN_PASSWORD"] = "a-new-password"
    assert client.get("/admin/").status_code == 401


def test_sign_out_needs_the_csrf_token(client):
    sign_in(client)
    assert client.post("/admin/logout").status_code == 303
    assert client.get("/admin/").status_code == 200  # a forged sign-out did nothing
    client.post("/admin/logout", data={"csrf_token": csrf(client)})
    assert client.get("/admin/").status_code == 401


def test_failed_sign_ins_are_throttled_per_client_address(client):
    for _ in range(5):
        assert sign_in(client, password="guess").status_code == 401
    assert sign_in(client).status_code == 429  # even the right password waits now
    assert client.get("/admin/", auth=AUTH).status_code == 429
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get("/admin/", auth=AUTH, environ_base=other).status_code == 200


def test_failed_basic_sign_ins_count_too(client):
    for _ in range(5):
        assert client.get("/admin/", auth=("admin", "guess")).status_code == 401
    assert client.get("/admin/", auth=AUTH).status_code == 429


def test_without_a_password_admin_is_off_outside_development(app, client):
    app.config["ADMIN_PASSWORD"] = ""
    assert client.get("/admin/").status_code == 404
    app.config["DEV"] = True
    answer = client.get("/admin/")
    assert answer.status_code == 200 and "no password" in answer.get_data(as_text=True)


def test_visitors_never_get_the_admin_session_cookie(client):
    sign_up(client, "news", email="a@example.com", consent="yes")
    client.get("/api/forms/news")
    assert client.get_cookie("signup_admin") is None


def test_admin_is_never_framed(client):
    answer = client.get("/admin/", auth=AUTH)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]


# The forms list


def test_lists_every_form_with_its_exact_event_names_groups_and_origins(client):
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    for form_id, form_type in (("news", "newsletter"), ("phone", "sms offers"), ("full", "full form")):
        assert f"<code>{form_id}</code>" in html
        assert f'<code class="event">subscribeFromApi-{form_type}</code>' in html
        assert f'<code class="event">subscribeUpdateFromApi-{form_type}</code>' in html
    assert "Subscribers, Leads" in html
    assert "https://shop.example.com, http://localhost:8000" in html


def test_embed_lines_for_each_form_with_copy_buttons_and_no_secret(app, client):
    app.config["PUBLIC_URL"] = "https://forms.example.com"
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "&lt;iframe src=&#34;https://forms.example.com/f/news&#34; title=&#34;Subscribe&#34;" in html
    assert (
        "&lt;script src=&#34;https://forms.example.com/embed.js&#34; data-form=&#34;news&#34; async&gt;&lt;/script&gt;"
        in html
    )
    assert html.count("https://forms.example.com/hooks/news?token=&lt;WEBHOOK_TOKEN&gt;") >= 5
    assert 'data-copy="iframe-news"' in html and 'id="iframe-news"' in html
    assert '<script src="/static/admin.js" defer>' in html
    for secret in ("hook-secret-123", "test-key", "admin-pass", SECRET):
        assert secret not in html


PLACEHOLDER_SCRIPT = "&lt;script src=&#34;&lt;PUBLIC_URL&gt;/embed.js&#34; data-form=&#34;news&#34;"


def test_without_public_url_a_host_header_never_reaches_the_lines_to_paste(app, client):
    for dev in (False, True):
        app.config["DEV"] = dev
        for host in ("evil.example", "localhost.evil.example", "127.0.0.1.evil.example:5000", "localhost:5000<x>"):
            html = client.get("/admin/", auth=AUTH, headers={"Host": host}).get_data(as_text=True)
            assert "evil.example" not in html and "&lt;x&gt;" not in html, (dev, host)
            assert PLACEHOLDER_SCRIPT in html
            assert "/hooks/news?token=&lt;WEBHOOK_TOKEN&gt;" in html
            assert "PUBLIC_URL is not set" in html


def test_a_development_run_on_loopback_shows_working_lines(app, client):
    app.config["DEV"] = True
    for host, base in (
        ("127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("localhost:5000", "http://localhost:5000"),
        ("[::1]:8000", "http://[::1]:8000"),
    ):
        html = client.get("/admin/", auth=AUTH, headers={"Host": host}).get_data(as_text=True)
        assert f"&lt;iframe src=&#34;{base}/f/news&#34;" in html and "PUBLIC_URL is not set" not in html
    app.config["DEV"] = False
    html = client.get("/admin/", auth=AUTH, headers={"Host": "127.0.0.1:5000"}).get_data(as_text=True)
    assert "http://127.0.0.1:5000/f/news" not in html and PLACEHOLDER_SCRIPT in html


def test_public_url_wins_over_any_host(app, client):
    app.config.update(PUBLIC_URL="https://forms.example.com", DEV=True)
    html = client.get("/admin/", auth=AUTH, headers={"Host": "localhost:5000"}).get_data(as_text=True)
    assert "https://forms.example.com/embed.js" in html and "localhost:5000" not in html
    assert "PUBLIC_URL is not set" not in html


def test_counts_by_state_for_the_last_24_hours_and_7_days(app, client):
    for address in ("a@example.com", "b@example.com", "c@example.com"):
        sign_up(client, "news", email=address, consent="yes")
    with app.app_context(), db.session() as session, session.begin():
        ids = session.scalars(select(Submission.id).order_by(Submission.id)).all()
        session.execute(
            update(Submission).where(Submission.id == ids[0]).values(created_at=utcnow() - timedelta(days=3))
        )
        session.execute(
            update(Submission).where(Submission.id == ids[1]).values(created_at=utcnow() - timedelta(days=9))
        )
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    section = html[html.index('id="form-news"') : html.index('id="form-phone"')]
    assert re.search(r"Last 24 hours</th><td[^>]*>.*?Waiting: 1</a>", section)
    assert re.search(r"Last 7 days</th><td[^>]*>.*?Waiting: 2</a>", section)


# Submissions


def test_personal_data_is_masked_unless_asked_for(client):
    full_sign_up(client)
    html = client.get("/admin/submissions?form=full", auth=AUTH).get_data(as_text=True)
    assert "a***@example.com" in html and "+38***67" in html
    for personal in ("ada.lovelace@example.com", "Lovelace", "380501234567", "Kyiv"):
        assert personal not in html
    assert "&#34;formType&#34;: &#34;full form&#34;" in html
    shown = client.get("/admin/submissions?form=full&reveal=1", auth=AUTH).get_data(as_text=True)
    assert "ada.lovelace@example.com" in shown and "Lovelace" in shown and "+380501234567" in shown


@pytest.mark.both_databases
def test_esputnik_s_refusal_reason_is_masked_unless_asked_for(app, client, fake_esputnik):
    reason = "contact ada.lovelace@example.com with phone +380501234567 is blocked"
    fake_esputnik.then(("status", 400, json.dumps({"message": reason})))
    full_sign_up(client)
    worker.drain(app)
    assert rows(app)[0].state == "refused"
    for page in ("/admin/", "/admin/submissions?form=full"):
        html = client.get(page, auth=AUTH).get_data(as_text=True)
        assert 'class="reason" lang="en">contact a***@example.com with phone +38***67 is blocked</span>' in html, page
        assert "ada.lovelace@example.com" not in html and "380501234567" not in html, page
    shown = client.get("/admin/submissions?form=full&reveal=1", auth=AUTH).get_data(as_text=True)
    assert f'class="reason" lang="en">{reason}</span>' in shown


def test_the_dashboard_shows_the_latest_submissions_masked(client):
    full_sign_up(client)
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "a***@example.com" in html and "ada.lovelace@example.com" not in html


def test_search_by_address_newest_first(app, client):
    app.config["DUPLICATE_WINDOW_SECONDS"] = 0  # two separate sign-ups of one address
    full_sign_up(client, "ada@example.com", "+380501234567")
    full_sign_up(client, "bob@example.com", "+380671234567")
    full_sign_up(client, "ada@example.com", "+380931234567")
    by_email = client.get("/admin/submissions?q=ADA@example.com&reveal=1", auth=AUTH).get_data(as_text=True)
    assert by_email.count('<tr id="s-') == 2 and "bob@" not in by_email
    assert by_email.index("+380931234567") < by_email.index("+380501234567")  # newest first
    by_phone = client.get("/admin/submissions?q=%2B380671234567", auth=AUTH).get_data(as_text=True)
    assert by_phone.count('<tr id="s-') == 1 and "b***@example.com" in by_phone
    by_part = client.get("/admin/submissions?q=bob", auth=AUTH).get_data(as_text=True)
    assert by_part.count('<tr id="s-') == 1
    assert client.get("/admin/submissions?q=nobody", auth=AUTH).get_data(as_text=True).count('<tr id="s-') == 0
    assert client.get("/admin/submissions?form=nope", auth=AUTH).status_code == 404


def test_every_attempt_shows_esputnik_s_status_and_reason(app, client, fake_esputnik):
    fake_esputnik.then(("status", 503, '{"message":"maintenance"}'), ("status", 400, '{"message":"bad channel"}'))
    full_sign_up(client)
    worker.drain(app)
    worker.drain(app)
    html = client.get("/admin/submissions?form=full", auth=AUTH).get_data(as_text=True)
    assert '<td>503</td><td>will retry</td><td lang="en">eSputnik answered 503: maintenance</td>' in html
    assert '<td>400</td><td>refused</td><td lang="en">bad channel</td>' in html


def test_retry_and_discard_need_the_csrf_token(app, client, fake_esputnik):
    fake_esputnik.then(("status", 400, '{"message":"bad channel"}'))
    full_sign_up(client)
    worker.drain(app)
    (row,) = rows(app)
    assert row.state == "refused"
    assert client.post(f"/admin/submissions/{row.id}/retry", auth=AUTH).status_code == 400
    assert rows(app)[0].state == "refused"
    token = csrf(client, "/admin/submissions", auth=AUTH)
    answer = client.post(
        f"/admin/submissions/{row.id}/retry", data={"csrf_token": token, "next": "/admin/?x=1"}, auth=AUTH
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin/?x=1"
    assert rows(app)[0].state == "pending"
    worker.drain(app)
    assert rows(app)[0].state == "delivered"
    assert "queued again" in client.get("/admin/", auth=AUTH).get_data(as_text=True)


def test_discard_stops_a_waiting_submission(app, client, fake_esputnik):
    full_sign_up(client)
    (row,) = rows(app)
    token = csrf(client, "/admin/submissions", auth=AUTH)
    client.post(f"/admin/submissions/{row.id}/discard", data={"csrf_token": token}, auth=AUTH)
    assert rows(app)[0].state == "discarded"
    worker.drain(app)
    assert fake_esputnik.subscribe_calls() == []


def test_a_test_sign_up_shows_its_events_and_then_the_one_fired(app, client, fake_esputnik):
    page = client.get("/admin/forms/news/test", auth=AUTH).get_data(as_text=True)
    assert "subscribeFromApi-newsletter" in page and "subscribeUpdateFromApi-newsletter" in page
    token = CSRF_RE.search(page).group(1)
    bad = client.post("/admin/forms/news/test", data={"csrf_token": token, "email": "nope"}, auth=AUTH)
    assert bad.status_code == 422 and "valid email" in bad.get_data(as_text=True)
    answer = client.post("/admin/forms/news/test", data={"csrf_token": token, "email": "me@example.com"}, auth=AUTH)
    assert answer.status_code == 303
    (row,) = rows(app)
    assert row.source == "admin" and row.form_id == "news"
    worker.drain(app)
    (call,) = fake_esputnik.subscribe_calls()
    assert call.json["formType"] == "newsletter"
    html = client.get(answer.headers["Location"], auth=AUTH).get_data(as_text=True)
    assert 'eSputnik fired <code class="event">subscribeFromApi-newsletter</code>' in html


def test_a_test_sign_up_labels_its_fields_in_the_admin_language(client):
    # The form's own language is Ukrainian; an admin reading English sees the field in English.
    page = client.get("/admin/forms/full/test", auth=AUTH, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">City<" in page and "Місто" not in page


def test_a_test_sign_up_needs_the_csrf_token(app, client):
    answer = client.post("/admin/forms/news/test", data={"email": "me@example.com"}, auth=AUTH)
    assert answer.status_code == 400 and rows(app) == []


# eSputnik's status and the banners


def test_connection_status_from_the_account_endpoint(app, client, fake_esputnik):
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "Connected: eSputnik accepts the key of “Test shop”." in html
    assert [c.path for c in fake_esputnik.calls] == ["/api/v1/account/info"]
    client.get("/admin/", auth=AUTH)
    assert len(fake_esputnik.calls) == 1  # kept for a minute
    fake_esputnik.api_key = "rotated"
    html = client.get("/admin/?recheck=1", auth=AUTH).get_data(as_text=True)
    assert "Not connected: eSputnik does not accept the API key." in html
    assert '<span lang="en">eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights</span>' in html


def test_connection_status_in_dry_run_without_a_key(app, client, fake_esputnik):
    app.config.update(ESPUTNIK_API_KEY="", DRY_RUN=True)
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "No ESPUTNIK_API_KEY is set" in html and "Dry run" in html
    assert fake_esputnik.calls == []


@pytest.mark.both_databases
def test_banners_when_delivery_is_paused_or_the_backlog_is_old(app, client):
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "Delivery is paused" not in html and "backlog is old" not in html
    with app.app_context():
        outbox.pause("eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights")
    full_sign_up(client)
    with app.app_context(), db.session() as session, session.begin():
        session.execute(update(Submission).values(queued_at=utcnow() - timedelta(minutes=40)))
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "Delivery is paused: eSputnik does not accept the API key. Nothing is lost" in html
    assert "The backlog is old: 1 sign-up waiting, the oldest for 40 minutes" in html


# Valid HTML


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


def _repeated_ids(html):
    parser = _Ids()
    parser.feed(html)
    return sorted({found for found in parser.ids if parser.ids.count(found) > 1})


def test_no_id_is_repeated_on_pages_with_several_submissions(app, client, fake_esputnik):
    fake_esputnik.then(("status", 400, '{"message":"bad channel"}'))
    full_sign_up(client)
    worker.drain(app)  # refused: it has both buttons
    sign_up(client, "news", email="b@example.com", consent="yes")
    sign_up(client, "phone", phone="+380671234567")
    sign_in(client)
    for page in ("/admin/", "/admin/submissions"):
        html = client.get(page).get_data(as_text=True)
        assert html.count('name="csrf_token"') >= 5, page
        assert _repeated_ids(html) == [], page
