"""Optional captchas, verified against a local stand-in for the captcha service."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from signup import db
from signup.db import Submission
from signup.forms import catalogue
from tests.conftest import form_token

FORMS = """
[forms.closed]
form_type = "closed"
fields = ["email"]
allowed_origins = ["https://shop.example.com"]
[forms.closed.captcha]
provider = "turnstile"
site_key = "0x4AAAAsite"
secret_env = "TEST_CAPTCHA_SECRET"

[forms.open]
form_type = "open"
fields = ["email"]
[forms.open.captcha]
provider = "hcaptcha"
site_key = "site-key"
secret_env = "TEST_CAPTCHA_SECRET"
on_error = "open"

[forms.plain]
form_type = "plain"
fields = ["email"]
"""


class Verifier(BaseHTTPRequestHandler):
    seen: ClassVar[list] = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        Verifier.seen.append(form)
        answer = form["response"][0]
        if answer == "hang":
            time.sleep(1.5)
            return
        status = 503 if answer == "down" else 200
        body = json.dumps({"success": answer == "pass" and form["secret"] == ["captcha-secret"]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def verifier():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Verifier)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/siteverify"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(settings, verifier, monkeypatch):
    monkeypatch.setenv("TEST_CAPTCHA_SECRET", "captcha-secret")
    settings.update(FORMS=catalogue.parse(FORMS), CAPTCHA_VERIFY_URL=verifier, CAPTCHA_TIMEOUT=0.5)
    return settings


def count(app):
    with app.app_context(), db.session() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def send(client, form_id, field, answer):
    data = {"form_token": form_token(client, form_id), "email": "ada@example.com", field: answer}
    return client.post(f"/f/{form_id}", data=data)


def test_the_widget_is_rendered_and_allowed_by_the_page_policy(app, client):
    page = client.get("/f/closed")
    html = page.get_data(as_text=True)
    assert 'class="cf-turnstile" data-sitekey="0x4AAAAsite"' in html
    assert '<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>' in html
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' https://challenges.cloudflare.com" in policy
    assert "frame-src https://challenges.cloudflare.com" in policy
    assert "captcha-secret" not in html


def test_forms_without_captcha_load_nothing_from_elsewhere(app, client):
    page = client.get("/f/plain")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-src 'none'" in policy and "unsafe-inline" not in policy
    html = page.get_data(as_text=True)
    assert "https://" not in html.split("<form")[1]  # no widget, no third-party script


def test_a_passed_captcha_is_verified_with_the_secret_and_the_client_address(app, client):
    Verifier.seen.clear()
    assert send(client, "closed", "cf-turnstile-response", "pass").status_code == 303
    assert count(app) == 1
    (seen,) = Verifier.seen
    assert seen["secret"] == ["captcha-secret"] and seen["remoteip"] == ["127.0.0.1"]


def test_a_failed_or_missing_captcha_asks_again(app, client):
    for answer in ("fail", ""):
        page = send(client, "closed", "cf-turnstile-response", answer)
        assert page.status_code == 422
        assert "Please complete the anti-spam check." in page.get_data(as_text=True)
    assert count(app) == 0


@pytest.mark.parametrize("answer", ["down", "hang"])
def test_a_service_outage_fails_closed_or_open_as_configured(app, client, answer):
    closed = send(client, "closed", "cf-turnstile-response", answer)
    assert closed.status_code == 422 and "not answering" in closed.get_data(as_text=True)
    assert count(app) == 0
    assert send(client, "open", "h-captcha-response", answer).status_code == 303
    assert count(app) == 1


def test_the_json_api_needs_the_captcha_too(app, client):
    token = client.get("/api/forms/closed").get_json()["token"]
    answer = client.post("/api/forms/closed/submissions", json={"form_token": token, "email": "a@example.com"})
    assert answer.status_code == 422 and answer.get_json()["errors"]["captcha"]


def test_mistakes_in_the_captcha_table_name_the_form_and_key(monkeypatch):
    monkeypatch.delenv("MISSING_SECRET", raising=False)
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.parse(
            '[forms.a]\nform_type = "a"\nfields = ["email"]\n'
            '[forms.a.captcha]\nprovider = "recaptcha3"\nsecret_env = "MISSING_SECRET"\non_error = "maybe"\n'
        )
    assert info.value.problems == [
        "forms.a.captcha.provider: expected one of turnstile, hcaptcha, recaptcha",
        "forms.a.captcha.site_key: required: the service's public site key",
        "forms.a.captcha.secret_env: the environment variable MISSING_SECRET is not set",
        "forms.a.captcha.on_error: expected closed (refuse while the service is down) or open",
    ]
