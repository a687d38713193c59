"""Liveness, readiness and metrics."""

from signup import db
from tests.conftest import sign_up


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_reports_database_and_delivery(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {
        "status": "ok",
        "database": "ok",
        "delivery": "running",
        "reason": None,
        "accounts": {"default": {"delivery": "running", "reason": None}},
    }


def test_readyz_is_503_when_the_database_is_unreachable(app, client):
    app.extensions["signup.engine"].dispose()
    app.extensions["signup.engine"] = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["database"] == "unreachable"


def test_metrics_count_accepted_submissions(client):
    sign_up(client, "news", email="a@example.com", consent="yes")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'signup_submissions_total{form="news",outcome="accepted",source="form"} 1.0' in text
