"""Logs as the process writes them: JSON lines with request ids, no address, no phone number, no secret."""

import json

from signup import create_app, db
from signup.delivery import worker
from tests.conftest import SECRET, sign_up

EMAIL = "ada.lovelace@example.com"
PHONE = "+380501234567"
SECRETS = ("test-key", "hook-secret-123", "admin-pass", SECRET)


def lines(capfd):
    """Return what the process wrote to its standard error since the last call, one dict per line."""
    err = capfd.readouterr().err
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def assert_clean(records):
    text = json.dumps(records, ensure_ascii=False)
    for value in (EMAIL, PHONE, "380501234567", "Lovelace", *SECRETS):
        assert value not in text, value


def full_sign_up(client):
    return sign_up(client, "full", email=EMAIL, phone=PHONE, first_name="Ada", last_name="Lovelace")


def test_one_json_line_per_request_with_its_request_id(client, capfd):
    lines(capfd)
    answer = full_sign_up(client)
    get, post = [line for line in lines(capfd) if line.get("event") == "request"]
    assert (get["method"], get["path"], get["status"]) == ("GET", "/f/full", 200)
    assert (post["method"], post["path"], post["status"], post["form"]) == ("POST", "/f/full", 303, "full")
    assert post["request_id"] == answer.headers["X-Request-ID"] != get["request_id"]
    assert len(post["submission"]) == 32 and post["client"] == "127.0.0.0"
    assert post["level"] == "INFO" and post["time"].endswith("Z") and isinstance(post["duration_ms"], float)


def test_a_proxy_s_request_id_is_kept_and_a_strange_one_replaced(client, capfd):
    lines(capfd)
    client.get("/healthz", headers={"X-Request-ID": "0123456789"})
    client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    first, second = lines(capfd)
    assert first["request_id"] == "0123456789"  # digits, yet not masked as a phone number
    assert len(second["request_id"]) == 16 and "<" not in second["request_id"]


def test_a_delivery_attempt_is_a_line_with_its_own_id_and_a_masked_reason(app, client, fake_esputnik, capfd):
    fake_esputnik.then(("status", 400, json.dumps({"message": f"contact {EMAIL} / {PHONE} is blacklisted"})))
    full_sign_up(client)
    submission = [line for line in lines(capfd) if line.get("path") == "/f/full"][-1]["submission"]
    worker.drain(app)
    records = lines(capfd)
    (attempt,) = [line for line in records if line.get("event") == "delivery_attempt"]
    assert attempt["submission"] == submission and attempt["form"] == "full" and attempt["attempt"] == 1
    assert (attempt["outcome"], attempt["status"], attempt["level"]) == ("refused", 400, "WARNING")
    assert attempt["detail"] == "contact a***@example.com / +38***67 is blacklisted"
    assert len(attempt["request_id"]) == 16
    assert_clean(records)


def test_no_address_and_no_secret_in_any_line(app, client, fake_esputnik, capfd):
    lines(capfd)
    full_sign_up(client)
    client.post("/hooks/full?token=hook-secret-123", json={"email": EMAIL, "phone": PHONE})
    client.get(f"/hooks/full?token=hook-secret-123&email={EMAIL}")
    client.post("/hooks/full", headers={"Authorization": "Bearer hook-secret-123"}, json={"email": EMAIL})
    client.get("/admin/", auth=("admin", "wrong-password"))
    client.get(f"/admin/submissions?q={EMAIL}&reveal=1", auth=("admin", "admin-pass"))
    worker.drain(app)
    records = lines(capfd)
    assert len(records) > 8
    assert_clean(records)


def test_an_unexpected_error_is_logged_with_its_traceback_masked(app, capfd):
    def boom():
        raise RuntimeError(f"could not reach eSputnik with key {app.config['ESPUTNIK_API_KEY']} for {EMAIL}")

    app.add_url_rule("/boom", view_func=boom)
    lines(capfd)
    assert app.test_client().get("/boom").status_code == 500
    records = lines(capfd)
    (error,) = [line for line in records if line["level"] == "ERROR"]
    assert "RuntimeError: could not reach eSputnik with key [secret] for a***@example.com" in error["error"]
    assert error["request_id"] == next(line for line in records if line.get("event") == "request")["request_id"]
    assert_clean(records)


def test_the_text_format_is_masked_the_same_way(settings, capfd):
    app = create_app(settings, environ={"SECRET_KEY": SECRET, "LOG_FORMAT": "text"})
    try:
        with app.app_context():
            db.migrate()
        capfd.readouterr()
        app.test_client().get(f"/hooks/news?token=hook-secret-123&email={EMAIL}")
        err = capfd.readouterr().err
        assert "signup.requests: GET /hooks/news 200" in err and "request_id=" in err
        assert EMAIL not in err and "hook-secret-123" not in err
    finally:
        create_app(settings, environ={"SECRET_KEY": SECRET})  # back to JSON for the tests after this one
