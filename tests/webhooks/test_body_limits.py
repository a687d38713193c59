"""Bodies over MAX_CONTENT_LENGTH are 413 on every route that reads one, with or without a Content-Length."""

import http.client
import io
import os
import signal
import subprocess
import sys

import pytest

from signup import db
from signup.config import ROOT
from tests.conftest import FORMS_FILE, SECRET, form_token, free_port, wait_for

LIMIT = 64 * 1024
TOO_LARGE = "The request is larger than 65536 bytes: send only the form's fields."
TOKEN = "hook-secret-123"
# Every route that reads a body, with a body of its kind.
ROUTES = [
    ("/api/forms/news/submissions", "application/json", b'{"email": "' + b"a" * 70_000 + b'"}'),
    (f"/hooks/news?token={TOKEN}", "application/json", b'{"email": "' + b"a" * 70_000 + b'"}'),
    (f"/hooks/news?token={TOKEN}", "application/x-www-form-urlencoded", b"email=" + b"a" * 70_000),
    ("/f/news", "application/x-www-form-urlencoded", b"email=" + b"a" * 70_000),
]


def chunked(client, path, content_type, body, **kwargs):
    """Post `body` as a server does with Transfer-Encoding: chunked: a stream with no Content-Length."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        environ_overrides={"wsgi.input_terminated": True},
        **kwargs,
    )


@pytest.mark.parametrize(("path", "content_type", "body"), ROUTES)
def test_a_chunked_body_over_the_limit_is_413_not_a_cut_off_body(client, path, content_type, body):
    answer = chunked(client, path, content_type, body, headers={"Accept": "application/json"})
    assert answer.status_code == 413
    assert answer.get_json()["error"] == TOO_LARGE


def test_a_chunked_body_of_exactly_the_limit_is_read_whole(app, client):
    padding = LIMIT - len(b'{"email": "a@example.com", "first_name": ""}')
    body = b'{"email": "a@example.com", "first_name": "' + b" " * padding + b'"}'
    assert len(body) == LIMIT
    answer = chunked(client, f"/hooks/news?token={TOKEN}", "application/json", body)
    assert answer.status_code == 200 and answer.get_json()["status"] == "accepted"


def test_a_chunked_form_under_the_limit_is_read_as_a_form(app, client):
    body = f"form_token={form_token(client, 'news')}&website=&email=b@example.com&consent=1".encode()
    answer = chunked(client, "/f/news", "application/x-www-form-urlencoded", body)
    assert answer.status_code == 303


def test_the_admin_refuses_a_large_chunked_body_with_a_page(client):
    answer = chunked(client, "/admin/login", "application/x-www-form-urlencoded", b"x=" + b"a" * 70_000)
    assert answer.status_code == 413 and answer.mimetype == "text/html"


@pytest.fixture
def gunicorn(tmp_path, settings):
    """The service under gunicorn, as it runs in production, on a fresh SQLite file."""
    from signup import create_app

    database = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    with create_app({**settings, "DATABASE_URL": database}, environ={"SECRET_KEY": SECRET}).app_context():
        db.migrate()
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database,
        "FORMS_FILE": str(FORMS_FILE),
        "WEBHOOK_TOKEN": TOKEN,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "counters"),
    }
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "app:app", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: _answers(port), timeout=20), "gunicorn did not start"
        yield port
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)


def _answers(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _post_chunked(port, path, content_type, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    pieces = (body[i : i + 4096] for i in range(0, len(body), 4096))
    try:
        connection.request("POST", path, body=pieces, headers={"Content-Type": content_type}, encode_chunked=True)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_gunicorn_answers_a_chunked_body_over_the_limit_with_413(gunicorn):
    for path, content_type, body in ROUTES[:3]:
        status, text = _post_chunked(gunicorn, path, content_type, body)
        assert status == 413 and TOO_LARGE.encode() in text, (path, status, text[:200])
    small = b'{"email": "a@example.com"}'
    status, text = _post_chunked(gunicorn, f"/hooks/news?token={TOKEN}", "application/json", small)
    assert status == 200 and b'"accepted"' in text
