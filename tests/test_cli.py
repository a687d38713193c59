"""Command-line entry points."""

import logging
import socket
import threading

import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from signup import create_app, db
from signup.cli import PathOnlyLog
from signup.db import Submission
from tests.conftest import FORMS_FILE, SECRET, sign_up


def test_migrate_is_safe_to_run_again(runner):
    assert runner.invoke(args=["migrate"]).output == "database is up to date\n"
    assert runner.invoke(args=["migrate"]).exit_code == 0


def test_forms_check_prints_each_form_s_event_names(runner):
    output = runner.invoke(args=["forms", "check"]).output
    assert "subscribeFromApi-sms offers" in output and "subscribeUpdateFromApi-newsletter" in output


def test_the_worker_refuses_to_start_without_a_key_unless_dry_run(settings):
    app = create_app({**settings, "ESPUTNIK_API_KEY": "", "DRY_RUN": False}, environ={"SECRET_KEY": SECRET})
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 2
    assert "ESPUTNIK_API_KEY: not set" in result.output and "none is lost" in result.output


def test_the_dev_server_logs_paths_without_query_strings(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PathOnlyLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks/news?token=dev-log-secret-1"
        assert requests.post(url, json={"email": "a@example.com"}, timeout=5).status_code == 401
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as raw:
            raw.sendall(b"GET /hooks/news?token=dev-log-secret-2&name=Ada Lovelace HTTP/1.0\r\n\r\n")
            assert raw.recv(100).split(b" ")[1] == b"400"
    finally:
        server.shutdown()
        thread.join(5)
    assert "POST /hooks/news HTTP/1.1" in caplog.text
    assert "dev-log-secret" not in caplog.text


def test_forms_check_prints_each_form_s_embed_lines(runner):
    output = runner.invoke(args=["forms", "check", "--base-url", "https://forms.example.com/"]).output
    assert '<iframe src="https://forms.example.com/f/news" title="news"' in output
    assert '<script src="https://forms.example.com/embed.js" data-form="phone" async></script>' in output
    assert "webhook: https://forms.example.com/hooks/full?token=<WEBHOOK_TOKEN>" in output
    assert output.endswith("5 form(s), no problem found in " + str(FORMS_FILE) + "\n")
    assert "hook-secret-123" not in output


def test_deliveries_discard_by_state(app, client, runner):
    sign_up(client, "phone", phone="+380501234567")
    sign_up(client, "phone", phone="+380671234567")
    assert runner.invoke(args=["deliveries", "discard"]).exit_code == 2
    assert runner.invoke(args=["deliveries", "discard", "--state", "pending"]).output == "2 submission(s) discarded\n"
    with app.app_context(), db.session() as session:
        assert set(session.scalars(select(Submission.state))) == {"discarded"}


def test_forms_check_without_an_address_prints_a_placeholder_and_says_what_to_set(runner):
    result = runner.invoke(args=["forms", "check"])
    assert result.exit_code == 0
    assert '<script src="<PUBLIC_URL>/embed.js" data-form="news" async></script>' in result.stdout
    assert "webhook: <PUBLIC_URL>/hooks/full?token=<WEBHOOK_TOKEN>" in result.stdout
    assert "forms.example.com/f/" not in result.stdout
    assert "PUBLIC_URL is not set" in result.stderr and "--base-url" in result.stderr
