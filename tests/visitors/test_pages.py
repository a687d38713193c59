"""The visitor's form: rendered without JavaScript, validated, stored, answered with 303 or 422."""

import json
import re
import time

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission
from signup.visitors import tokens
from tests.conftest import form_token, sign_up


def stored(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Submission)).all()


def test_form_page_has_labelled_inputs_a_token_and_a_trap(client):
    page = client.get("/f/news")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ("email", "first_name", "last_name"):
        assert f'<label for="f-{name}">' in html and f'name="{name}"' in html
    assert 'name="consent"' in html and "I agree to receive the newsletter." in html
    assert 'name="form_token"' in html
    assert 'class="trap" aria-hidden="true"' in html and 'tabindex="-1"' in html
    assert "<script>" not in html and html.count("<script") == html.count("<script src=")


def test_form_page_may_be_framed_only_by_allowed_origins(client):
    policy = client.get("/f/news").headers["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example.com http://localhost:8000" in policy
    assert client.get("/f/news").headers["Cache-Control"] == "no-store"


def test_unknown_form_is_404(client):
    assert client.get("/f/nope").status_code == 404
    assert client.post("/f/nope", data={"email": "a@example.com"}).status_code == 404


@pytest.mark.both_databases
def test_valid_sign_up_is_stored_then_redirected_to_thanks(app, client):
    answer = sign_up(client, "news", email="Ada@Example.com", first_name="Ada", consent="yes")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/f/news/thanks?lang=en&to=A***@example.com"
    (row,) = stored(app)
    assert (row.form_id, row.source, row.state, row.attempts) == ("news", "form", "pending", 0)
    assert json.loads(row.payload) == {
        "contact": {
            "channels": [{"type": "email", "value": "Ada@example.com"}],
            "firstName": "Ada",
            "languageCode": "en",
        },
        "groups": ["Subscribers"],
        "formType": "newsletter",
    }
    thanks = client.get(answer.headers["Location"])
    assert thanks.status_code == 200 and "check your inbox" in thanks.get_data(as_text=True)


def test_redirect_url_is_used_when_configured(client):
    answer = sign_up(client, "away", email="a@example.com")
    assert (answer.status_code, answer.headers["Location"]) == (303, "https://shop.example.com/thanks")


def test_invalid_input_rerenders_with_422_values_kept_and_errors_beside_fields(app, client):
    answer = sign_up(client, "news", email="not-an-email", first_name="Ada<b>")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'value="not-an-email"' in html and 'value="Ada&lt;b&gt;"' in html
    assert 'id="e-email"' in html and 'aria-describedby="e-email"' in html and 'aria-invalid="true"' in html
    assert "Enter a valid email address" in html and "Please tick the box to agree." in html
    assert 'id="error-summary"' in html and 'href="#f-email"' in html
    assert stored(app) == []


def test_honeypot_gets_the_same_answer_and_nothing_is_stored(app, client):
    answer = sign_up(client, "news", email="a@example.com", consent="yes", website="http://spam.example")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/f/news/thanks?lang=en&to=a***@example.com")
    assert stored(app) == []


def test_forged_or_foreign_token_is_trapped(app, client):
    other = form_token(client, "phone")
    for token in ("forged.token", other):
        answer = client.post("/f/news", data={"form_token": token, "email": "a@example.com", "consent": "yes"})
        assert answer.status_code == 303
    assert stored(app) == []


def test_missing_or_expired_token_asks_the_person_to_send_again(app, client):
    with app.test_request_context():
        old = tokens.issue("news", now=time.time() - 8 * 24 * 3600)
    for data in ({}, {"form_token": old}):
        answer = client.post("/f/news", data={**data, "email": "a@example.com", "consent": "yes"})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422
        assert "open for too long" in html and 'value="a@example.com"' in html
    assert stored(app) == []


def test_a_submission_faster_than_a_person_is_trapped(app, client, settings):
    app.config["FORM_MIN_FILL_SECONDS"] = 2
    answer = client.post("/f/news", data={"form_token": form_token(client, "news"), "email": "a@x.com", "consent": "1"})
    assert answer.status_code == 303
    assert stored(app) == []


def test_language_from_query_then_accept_language_then_form_default(app, client):
    assert 'lang="uk"' in client.get("/f/news?lang=uk").get_data(as_text=True)
    assert 'lang="ru"' in client.get("/f/news", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/f/news", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'lang="uk"' in client.get("/f/full").get_data(as_text=True)


def test_language_the_visitor_saw_is_sent_to_eSputnik(app, client):
    token = form_token(client, "news", lang="uk")
    client.post("/f/news", data={"form_token": token, "lang": "uk", "email": "a@example.com", "consent": "yes"})
    (row,) = stored(app)
    assert json.loads(row.payload)["contact"]["languageCode"] == "uk"


def test_phone_only_form(app, client):
    assert sign_up(client, "phone", phone="050 123 4567").status_code == 303
    (row,) = stored(app)
    assert json.loads(row.payload)["contact"]["channels"] == [{"type": "sms", "value": "+380501234567"}]


def test_hostile_bodies_never_give_5xx(client):
    bodies = [
        {"email": ["a", "b"]},
        {"email": "a" * 100000},
        {"form_token": "x" * 5000, "email": "a@example.com"},
    ]
    for data in bodies:
        assert client.post("/f/news", data=data).status_code < 500
    for raw in (b"\xff\xfe\x00", b"email=%FF%FE&first_name=%00", b"email[]=a&&&=="):
        assert client.post("/f/news", data=raw, content_type="application/x-www-form-urlencoded").status_code < 500
    assert client.post("/f/news", data="x" * 200_000, content_type="text/plain").status_code == 413


def test_html_error_pages_may_load_their_own_stylesheet_script_and_icon(client):
    for path in ("/f/nope", "/no-such-page", "/f/nope/thanks"):
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 404 and answer.mimetype == "text/html"
        policy = dict(d.strip().split(" ", 1) for d in answer.headers["Content-Security-Policy"].split(";"))
        assert policy["style-src"] == "'self'" and policy["script-src"] == "'self'" and "'self'" in policy["img-src"]
        assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
        assert 'rel="stylesheet" href="/assets/form.css?v=' in answer.get_data(as_text=True)
    assert (
        client.get("/api/forms/nope").headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


def test_a_favicon_is_linked_and_answered_at_its_usual_address(client):
    html = client.get("/f/news").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]{12})" type="image/svg\+xml">', html)
    with client.get(link.group(1)) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert "immutable" in icon.headers["Cache-Control"] and b"<svg" in icon.data and b"http" not in icon.data[40:]
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
        assert icon.headers["Cache-Control"] == "public, max-age=2592000" and "Set-Cookie" not in icon.headers


def test_the_thank_you_page_has_a_heading(client):
    html = client.get("/f/news/thanks?lang=uk").get_data(as_text=True)
    assert "<h1>Дякуємо</h1>" in html and 'role="status"' in html


def test_the_thank_you_page_names_the_masked_address_its_inbox_and_the_way_back(client):
    page = "https://shop.example.com/blog/post"
    answer = sign_up(client, "news", email="Ada.L@GMail.com", consent="yes", page_url=page)
    location = answer.headers["Location"]
    assert "to=A***@gmail.com" in location and "Ada.L" not in location
    html = client.get(location).get_data(as_text=True)
    assert "The email goes to A***@gmail.com." in html
    assert (
        '<a class="open-inbox" href="https://mail.google.com/mail/u/0/#inbox" target="_blank" rel="noopener">' in html
    )
    assert f'<a class="back" href="{page}" target="_top">Back to the site</a>' in html


@pytest.mark.parametrize(
    "query",
    [
        "to=ada@gmail.com",  # a whole address is never shown
        "to=<b>x</b>***@gmail.com",
        "to=a***@gmail.com&back=https://evil.example/phish",  # only the form's own sites
        "to=a***@gmail.com&back=javascript:alert(1)",
    ],
)
def test_the_thank_you_page_shows_only_a_masked_address_and_a_page_of_the_forms_sites(client, query):
    html = client.get(f"/f/news/thanks?lang=en&{query}").get_data(as_text=True)
    assert "ada@gmail.com" not in html and "<b>x</b>" not in html
    assert "evil.example" not in html and "javascript:" not in html


def test_the_thank_you_is_in_the_visitors_language(client):
    html = client.get("/f/news/thanks?lang=uk&to=a***@ukr.net").get_data(as_text=True)
    assert "Лист надійде на a***@ukr.net." in html and "Відкрити ukr.net" in html
    html = client.get("/f/news/thanks?lang=ru&to=a***@i.ua").get_data(as_text=True)
    assert "Письмо придёт на a***@i.ua." in html and "Открыть I.UA" in html


def test_the_thank_you_heading_says_to_check_the_inbox_when_an_address_was_given(client):
    assert "<h1>Check your inbox</h1>" in client.get("/f/news/thanks?to=a***@example.com").get_data(as_text=True)
    assert "<h1>Перевірте пошту</h1>" in client.get("/f/news/thanks?lang=uk&to=a***@example.com").get_data(as_text=True)
    assert "<h1>Check your inbox</h1>" not in client.get("/f/news/thanks").get_data(as_text=True)


def test_a_form_that_asks_no_email_names_no_address_nor_inbox(client):
    answer = sign_up(client, "phone", phone="+380501234567", email="ada@gmail.com")
    assert answer.status_code == 303 and "to=" not in answer.headers["Location"]
    html = client.get("/f/phone/thanks?lang=en&to=a***@gmail.com").get_data(as_text=True)
    assert "a***@gmail.com" not in html and "open-inbox" not in html and "Check your inbox" not in html


def test_without_a_page_to_go_back_to_the_thank_you_offers_the_forms_site(client):
    html = client.get("/f/phone/thanks?lang=uk").get_data(as_text=True)
    assert '<a class="site" href="https://shop.example.com/" target="_top">Перейти на shop.example.com</a>' in html
    html = client.get("/f/news/thanks?lang=en&back=https://shop.example.com/blog").get_data(as_text=True)
    assert 'class="back" href="https://shop.example.com/blog"' in html and 'class="site"' not in html
