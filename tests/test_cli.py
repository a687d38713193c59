"""Command-line entry points."""

import logging
import socket
import threading

import requests
from werkzeug.serving import make_server

from signup import create_app
from signup.cli import PathOnlyLog
from tests.conftest import SECRET


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
