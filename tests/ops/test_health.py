"""Liveness, readiness and metrics."""

import pytest

from signup import db
from signup.delivery import outbox, worker
from tests.conftest import sign_up, two_accounts
from tests.delivery.test_accounts import hook

SHOP_REFUSED = "eSputnik refused the API key (401); check SHOP_ESPUTNIK_KEY and its rights"


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


def test_readyz_leaves_the_accounts_to_those_who_may_read_the_metrics(client, settings, tmp_path, backend, shop):
    app = two_accounts(settings, tmp_path, backend, shop, SHOP_ESPUTNIK_KEY="shop-key")
    public = app.test_client().get("/readyz", environ_base={"REMOTE_ADDR": "93.184.215.14"}).get_json()
    assert public == {"status": "ok", "database": "ok", "delivery": "running", "reason": None}
    private = app.test_client().get("/readyz", environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_json()
    assert set(private["accounts"]) == {"default", "shop"}


@pytest.mark.both_databases
def test_readyz_names_each_account_and_its_own_pause_without_a_key(settings, tmp_path, backend, fake_esputnik, shop):
    shop.api_key = "revoked"
    app = two_accounts(settings, tmp_path, backend, shop, SHOP_ESPUTNIK_KEY="shop-key")
    hook(app, "news", "a@example.com")
    hook(app, "plain", "b@example.com")
    with app.app_context():
        worker.drain(app, timeout=2.0)
    answer = app.test_client().get("/readyz")
    # The keys of old describe the default account, which still delivers.
    assert answer.status_code == 200 and answer.get_json() == {
        "status": "ok",
        "database": "ok",
        "delivery": "running",
        "reason": None,
        "accounts": {
            "default": {"delivery": "running", "reason": None},
            "shop": {"delivery": "paused", "reason": SHOP_REFUSED},
        },
    }
    assert "shop-key" not in answer.get_data(as_text=True) and "test-key" not in answer.get_data(as_text=True)
    with app.app_context():
        outbox.pause("eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights")
    body = app.test_client().get("/readyz").get_json()
    assert (body["delivery"], body["reason"]) == ("paused", body["accounts"]["default"]["reason"])
    assert "ESPUTNIK_API_KEY" in body["reason"] and body["accounts"]["shop"]["delivery"] == "paused"
    app.extensions["signup.engine"].dispose()


def test_readyz_in_a_dry_run_says_so_for_each_account(settings, tmp_path, backend, shop):
    app = two_accounts({**settings, "DRY_RUN": True}, tmp_path, backend, shop)
    body = app.test_client().get("/readyz").get_json()
    assert body["delivery"] == "dry-run"
    assert body["accounts"] == {name: {"delivery": "dry-run", "reason": None} for name in ("default", "shop")}
    app.extensions["signup.engine"].dispose()


def test_readyz_is_503_when_the_database_is_unreachable(app, client):
    app.extensions["signup.engine"].dispose()
    app.extensions["signup.engine"] = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["database"] == "unreachable"


def test_metrics_count_accepted_submissions(client):
    sign_up(client, "news", email="a@example.com", consent="yes")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'signup_submissions_total{form="news",outcome="accepted",source="form"} 1.0' in text
