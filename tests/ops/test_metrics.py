"""Metrics: each family, the optional token, and one total across several gunicorn processes."""

import glob
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from signup import create_app, db
from signup.config import ROOT
from signup.db import Submission, utcnow
from signup.delivery import outbox, worker
from tests.conftest import FORMS_FILE, SECRET, free_port, sign_up, wait_for


def scrape(client, **kwargs):
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def samples(text):
    """Return {(name, frozenset(labels)): value} for every sample of an exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text, name, **labels):
    return samples(text).get((name, frozenset(labels.items())))


def submissions(text, form, source, outcome):
    return value(text, "signup_submissions_total", form=form, source=source, outcome=outcome)


def test_submissions_by_form_source_and_outcome(client):
    sign_up(client, "news", email="a@example.com", consent="yes")
    sign_up(client, "news", email="not an address", consent="yes")
    client.post("/api/forms/phone/submissions", json={"phone": "nope"})  # no token: asked to send again
    client.post("/hooks/news?token=hook-secret-123", json={"email": "b@example.com"})
    client.post("/hooks/news?token=wrong", json={"email": "c@example.com"})
    client.post("/f/no-such-form", data={"email": "d@example.com"})
    text = scrape(client)
    assert submissions(text, "news", "form", "accepted") == 1
    assert submissions(text, "news", "form", "invalid") == 1
    assert submissions(text, "phone", "api", "expired") == 1
    assert submissions(text, "news", "webhook", "accepted") == 1
    assert submissions(text, "news", "webhook", "unauthorised") == 1
    assert 'form="no-such-form"' not in text


def test_bot_checks_by_rule(client):
    sign_up(client, "news", email="a@example.com", consent="yes", website="http://spam.example")
    client.post("/f/news", data={"form_token": "forged", "email": "b@example.com", "consent": "yes"})
    text = scrape(client)
    assert value(text, "signup_bot_checks_total", form="news", rule="honeypot") == 1
    assert value(text, "signup_bot_checks_total", form="news", rule="token_forged") == 1
    assert submissions(text, "news", "form", "bot") == 2
    assert submissions(text, "news", "form", "accepted") is None


@pytest.mark.both_databases
def test_backlog_size_and_age_of_the_oldest_from_the_database(app, client):
    assert value(scrape(client), "signup_backlog_size") == 0
    sign_up(client, "news", email="a@example.com", consent="yes")
    sign_up(client, "news", email="b@example.com", consent="yes")
    with app.app_context(), db.session() as session, session.begin():
        session.execute(
            update(Submission)
            .where(Submission.contact_key == "a@example.com")
            .values(queued_at=utcnow() - timedelta(seconds=300))
        )
    text = scrape(client)
    assert value(text, "signup_backlog_size") == 2
    assert 300 <= value(text, "signup_backlog_oldest_seconds") < 330
    assert value(text, "signup_submissions_undelivered", form="news", state="pending", account="default") == 2
    assert value(text, "signup_database_up") == 1


@pytest.mark.both_databases
def test_paused_delivery_is_a_gauge(app, client):
    assert value(scrape(client), "signup_delivery_paused", account="default") == 0
    with app.app_context():
        outbox.pause("eSputnik refused the API key (401)")
    assert value(scrape(client), "signup_delivery_paused", account="default") == 1


@pytest.mark.both_databases
def test_esputnik_answers_by_status_and_delivery_latency(app, client, fake_esputnik):
    fake_esputnik.then(("status", 500), ("drop",))
    sign_up(client, "news", email="a@example.com", consent="yes")
    for _ in range(3):
        worker.drain(app)
    text = scrape(client)
    assert value(text, "signup_esputnik_answers", status="500", outcome="retry", account="default") == 1
    assert value(text, "signup_esputnik_answers", status="none", outcome="unknown", account="default") == 1
    assert value(text, "signup_esputnik_answers", status="200", outcome="delivered", account="default") == 1
    assert value(text, "signup_delivery_latency_seconds_gcount") == 1
    assert value(text, "signup_delivery_latency_seconds_bucket", le="60.0") == 1
    assert 0 <= value(text, "signup_delivery_latency_seconds_gsum") < 60


@pytest.mark.both_databases
def test_latency_buckets_sort_slow_deliveries(app, client, fake_esputnik):
    sign_up(client, "news", email="a@example.com", consent="yes")
    worker.drain(app)
    with app.app_context(), db.session() as session, session.begin():
        row = session.scalars(select(Submission)).one()
        row.created_at = row.delivered_at - timedelta(seconds=100)
    text = scrape(client)
    assert value(text, "signup_delivery_latency_seconds_bucket", le="60.0") == 0
    assert value(text, "signup_delivery_latency_seconds_bucket", le="300.0") == 1
    assert 99 <= value(text, "signup_delivery_latency_seconds_gsum") <= 101


def test_an_unreachable_database_is_a_gauge_not_an_error(app, client):
    app.extensions["signup.engine"].dispose()
    app.config["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    db.init_app(app)
    text = scrape(client)
    assert value(text, "signup_database_up") == 0 and "signup_backlog_size" not in text


def test_metrics_token_protects_the_endpoint(app, client):
    app.config["METRICS_TOKEN"] = "metrics-token-456"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    text = scrape(client, headers={"Authorization": "Bearer metrics-token-456"})
    assert "signup_backlog_size" in text and "metrics-token-456" not in text


PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "100.64.0.7", "fd00::5", "::ffff:10.0.0.8"],
)
def test_without_a_token_loopback_and_private_networks_may_scrape(client, address):
    assert "signup_backlog_size" in scrape(client, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("address", [PUBLIC, "2a00:1450:4001:82a::200e", "::ffff:93.184.215.14", "not an address"])
def test_without_a_token_the_internet_is_refused_with_the_variable_to_set(client, address):
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 403
    text = answer.get_data(as_text=True)
    assert "METRICS_TOKEN" in text and "TRUSTED_PROXY_HOPS" in text and "signup_" not in text


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_without_a_token_a_proxy_that_is_not_trusted_does_not_make_its_clients_local(client, header):
    # The peer is a proxy on the private network; the client behind it is unknown, so not local.
    answer = client.get("/metrics", headers={header: PUBLIC}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert answer.status_code == 403


def test_behind_trusted_proxies_the_forwarded_client_decides(settings):
    app = create_app({**settings, "TRUSTED_PROXY_HOPS": 1}, environ={"SECRET_KEY": SECRET})
    with app.app_context():
        db.migrate()
    client = app.test_client()
    through_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get("/metrics", headers={"X-Forwarded-For": PUBLIC}, environ_base=through_proxy).status_code == 403
    assert scrape(client, headers={"X-Forwarded-For": "10.0.0.9"}, environ_base=through_proxy)
    app.extensions["signup.engine"].dispose()


def test_in_development_metrics_are_open_without_a_token(app, client):
    app.config["DEV"] = True
    assert "signup_backlog_size" in scrape(client, environ_base={"REMOTE_ADDR": PUBLIC})


def test_with_a_token_it_is_needed_from_anywhere_and_enough_from_anywhere(app, client):
    app.config["METRICS_TOKEN"] = "metrics-token-456"
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 401
    bearer = {"Authorization": "Bearer metrics-token-456"}
    assert "signup_backlog_size" in scrape(client, headers=bearer, environ_base={"REMOTE_ADDR": PUBLIC})


def test_one_total_across_gunicorn_processes(tmp_path, settings):
    """Two gunicorn workers each count their own requests; every scrape shows the sum."""
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    with create_app({**settings, "DATABASE_URL": database}, environ={"SECRET_KEY": SECRET}).app_context():
        db.migrate()
    port, counters = free_port(), tmp_path / "counters"
    env = {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database,
        "FORMS_FILE": str(FORMS_FILE),
        "WEBHOOK_TOKEN": "hook-secret-123",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(counters),
    }
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        # Sync workers take one request at a time, so concurrent requests reach both processes.
        [gunicorn, "app:app", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--worker-class", "sync"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _up(base), timeout=20), "gunicorn did not start"
        sent = 0

        def post(n):
            # A distinct address each time: repeats of one address would collapse into one sign-up.
            body = {"email": f"visitor{n}@example.com"}
            return requests.post(f"{base}/hooks/news?token=hook-secret-123", json=body, timeout=5)

        with ThreadPoolExecutor(8) as pool:
            # Until both processes have counted something, so the sum is really a sum.
            while len(glob.glob(str(counters / "counter_*.db"))) < 2 and sent < 400:
                assert all(r.status_code == 200 for r in pool.map(post, range(sent, sent + 16)))
                sent += 16
        assert len(glob.glob(str(counters / "counter_*.db"))) == 2
        totals = set()
        for _ in range(10):
            text = requests.get(f"{base}/metrics", timeout=5).text
            totals.add(value(text, "signup_submissions_total", form="news", source="webhook", outcome="accepted"))
        assert totals == {sent}
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=20)


def _up(base):
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        time.sleep(0.1)
        return False
