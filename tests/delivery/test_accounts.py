"""Several eSputnik accounts: each sign-up goes to the account its form named when it came in."""

import json

import pytest
from sqlalchemy import select

from signup import create_app, db
from signup.db import Submission
from signup.delivery import outbox, worker
from tests.conftest import SECRET, empty_database
from tests.ops.test_metrics import value

pytestmark = pytest.mark.both_databases

ACCOUNTS = """
[accounts.shop]
key_env = "SHOP_ESPUTNIK_KEY"
api_url = "{shop_url}"
"""
FORM = """
[forms.{id}]
form_type = "{id}"
fields = ["email"]
{extra}
"""


def start(settings, tmp_path, shop, news_account, name="forms.toml"):
    """Start the app with a forms file where `news` sends to `news_account` (None: the default account)."""
    extra = f'account = "{news_account}"' if news_account else ""
    forms = ACCOUNTS.format(shop_url=shop.url) + FORM.format(id="news", extra=extra) + FORM.format(id="plain", extra="")
    path = tmp_path / name
    path.write_text(forms, encoding="utf-8")
    environ = {"SECRET_KEY": SECRET, "SHOP_ESPUTNIK_KEY": "shop-key"}
    return create_app({**settings, "FORMS_FILE": str(path)}, environ=environ)


def hook(app, form_id, email):
    answer = app.test_client().post(f"/hooks/{form_id}?token=hook-secret-123", json={"email": email})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def value_of(text):
    return lambda name, **labels: value(text, name, **labels)


def emails(server):
    return sorted(json.loads(body)["contact"]["channels"][0]["value"] for body in server.accepted_bodies())


def test_each_sign_up_reaches_its_own_account_once_even_after_the_forms_file_moves_it(
    settings, tmp_path, backend, fake_esputnik, shop
):
    first = start(settings, tmp_path, shop, "shop")
    empty_database(first, backend)
    for n in range(3):
        hook(first, "news", f"shop{n}@example.com")
        hook(first, "plain", f"plain{n}@example.com")
    # The form now sends to the default account: what is stored already keeps its account.
    second = start(settings, tmp_path, shop, None, name="edited.toml")
    hook(second, "news", "moved@example.com")
    with second.app_context():
        worker.drain(second)
        with db.session() as session:
            stored = dict(session.execute(select(Submission.contact_key, Submission.account)).all())
    assert emails(shop) == ["shop0@example.com", "shop1@example.com", "shop2@example.com"]
    assert emails(fake_esputnik) == ["moved@example.com", *(f"plain{n}@example.com" for n in range(3))]
    assert len(shop.subscribe_calls()) == 3 and len(fake_esputnik.subscribe_calls()) == 4
    assert stored["shop0@example.com"] == "shop" and stored["moved@example.com"] is None
    first.extensions["signup.engine"].dispose()
    second.extensions["signup.engine"].dispose()


def test_a_sign_up_whose_account_left_the_forms_file_waits_unsent(settings, tmp_path, backend, fake_esputnik, shop):
    first = start(settings, tmp_path, shop, "shop")
    empty_database(first, backend)
    hook(first, "news", "kept@example.com")
    path = tmp_path / "without.toml"
    path.write_text(FORM.format(id="news", extra=""), encoding="utf-8")
    second = create_app({**settings, "FORMS_FILE": str(path)}, environ={"SECRET_KEY": SECRET})
    with second.app_context():
        worker.drain(second)
        with db.session() as session:
            (row,) = session.scalars(select(Submission)).all()
    assert (row.state, row.attempts, row.account) == ("pending", 0, "shop")
    assert fake_esputnik.subscribe_calls() == [] and shop.subscribe_calls() == []
    first.extensions["signup.engine"].dispose()
    second.extensions["signup.engine"].dispose()


def test_a_wrong_key_holds_only_its_own_accounts_sign_ups_then_they_go_once(
    settings, tmp_path, backend, fake_esputnik, shop
):
    shop.api_key = "revoked-key"  # the shop's key no longer works; the default account's does
    app = start({**settings, "DELIVERY_PROBE_SECONDS": 30, "DELIVERY_MAX_CONCURRENCY": 2}, tmp_path, shop, "shop")
    empty_database(app, backend)
    for n in range(4):
        hook(app, "news", f"shop{n}@example.com")
        hook(app, "plain", f"plain{n}@example.com")
    with app.app_context():
        worker.drain(app, timeout=2.0)
        assert outbox.paused_reasons() == {
            "shop": "eSputnik refused the API key (401); check SHOP_ESPUTNIK_KEY and its rights"
        }
        with db.session() as session:
            held = session.execute(
                select(Submission.state, Submission.attempts).where(Submission.account == "shop")
            ).all()
    assert emails(fake_esputnik) == [f"plain{n}@example.com" for n in range(4)]
    assert [tuple(row) for row in held] == [("pending", 0)] * 4
    scraped = value_of(app.test_client().get("/metrics").get_data(as_text=True))
    assert scraped("signup_delivery_paused", account="shop") == 1
    assert scraped("signup_delivery_paused", account="default") == 0
    assert scraped("signup_submissions_undelivered", form="news", state="pending", account="shop") == 4
    assert scraped("signup_esputnik_answers", status="200", outcome="delivered", account="default") == 4
    assert emails(shop) == [] and len(shop.subscribe_calls()) <= 2  # the calls already in flight, not the backlog
    shop.api_key = "shop-key"
    app.config["DELIVERY_PROBE_SECONDS"] = 0.2
    with app.app_context():
        worker.drain(app)  # one probe per interval; once it goes through, the rest follow
        assert outbox.paused_reasons() == {}
    assert emails(shop) == [f"shop{n}@example.com" for n in range(4)]
    assert emails(fake_esputnik) == [f"plain{n}@example.com" for n in range(4)]
    app.extensions["signup.engine"].dispose()
