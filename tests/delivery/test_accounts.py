"""Several eSputnik accounts: each sign-up goes to the account its form named when it came in."""

import json
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from signup import create_app, db
from signup.db import Submission
from signup.delivery import outbox, worker
from tests.conftest import SECRET, empty_database, wait_for
from tests.delivery.manual_clock import ManualClock
from tests.delivery.test_worker import drain_until
from tests.delivery.test_worker_pace import busiest_second
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


def seed_both(app, count):
    for n in range(count):
        hook(app, "news", f"shop{n}@example.com")
        hook(app, "plain", f"plain{n}@example.com")


def rows_by_account(app):
    with app.app_context(), db.session() as session:
        rows = session.execute(select(Submission.account, Submission.state, Submission.attempts)).all()
    return Counter(tuple(row) for row in rows)


@pytest.fixture
def ticking(app_and_clock):
    """A worker on a clock the test moves, whose loop the test turns by hand."""
    app, clock = app_and_clock
    running = worker.Worker(app, clock=clock)
    running.recorder.start()
    yield running
    with app.app_context():
        running.close()


@pytest.fixture
def app_and_clock(request, settings, tmp_path, backend, shop):
    config = getattr(request, "param", {})
    app = start({**settings, **config}, tmp_path, shop, "shop")
    empty_database(app, backend)
    yield app, ManualClock()
    app.extensions["signup.engine"].dispose()


def settled(running):
    return wait_for(lambda: running.lanes.busy() == 0 and running.recorder.pending() == 0)


@pytest.mark.parametrize("app_and_clock", [{"DELIVERY_MAX_CONCURRENCY": 2}], indirect=True)
def test_accounts_take_turns_within_the_one_ceiling_and_hold_no_more_claims_than_they_may_start(
    app_and_clock, ticking, fake_esputnik, shop
):
    app, clock = app_and_clock
    seed_both(app, 6)
    answers = threading.Event()
    fake_esputnik.then(("held", answers))
    shop.then(("held", answers))
    clock.advance(1.0)
    with app.app_context():
        assert ticking.tick() == 2
        # One call each: neither account took both slots, though both have sign-ups waiting.
        assert wait_for(lambda: (len(fake_esputnik.subscribe_calls()), len(shop.subscribe_calls())) == (1, 1))
        with db.session() as session:
            leased = session.scalar(select(func.count()).where(Submission.lease_owner == ticking.owner))
        assert leased == ticking.lanes.queued() + ticking.lanes.busy()  # claims beyond an account's room went back
        answers.set()
        assert settled(ticking)
        clock.advance(1.0)
        assert ticking.tick() == 2
        assert settled(ticking)
    assert (len(fake_esputnik.subscribe_calls()), len(shop.subscribe_calls())) == (2, 2)


RATE = 10
THROTTLED = (b'{"message":"More than 200 requests per 1 second"}', {"Retry-After": "3"})


@pytest.mark.parametrize("app_and_clock", [{"DELIVERY_RATE": RATE}], indirect=True)
def test_a_429_holds_and_slows_only_its_own_account_while_the_other_goes_on_at_its_full_rate(
    app_and_clock, ticking, fake_esputnik, shop
):
    app, clock = app_and_clock
    seed_both(app, 20)
    shop.always(("status", 429, *THROTTLED))  # the shop's account is over its limit for 3 s
    seen = []  # (step, calls to the default account, calls to the shop's), a step being 0.1 s of the clock
    with app.app_context():
        for step in range(1, 151):
            clock.advance(0.1)
            if step == 30:
                shop.always(("ok",))
            ticking.tick()
            assert settled(ticking)
            seen.append((step, len(fake_esputnik.subscribe_calls()), len(shop.subscribe_calls())))
            if step == 20:
                paces = ticking.lanes.lane(None).pace.rate, ticking.lanes.lane("shop").pace.rate
            if rows_by_account(app) == {(None, "delivered", 1): 20, ("shop", "delivered", 1): 20}:
                break
    # The default account went on at its own full rate, a call every tenth of a second, and was done in 2 s.
    assert all(step - 1 <= plain <= step for step, plain, _shop in seen[:20])
    assert seen[19][1] == 20
    assert paces[0] == RATE and paces[1] < RATE * 0.7  # the shop's pace halved, and recovers by 5 % a second
    # The shop's account got one call, answered 429, and nothing more while its pace was held; then the rest.
    assert seen[19][2] == 1 and [c.answered for c in shop.subscribe_calls()].count(429) == 1
    assert rows_by_account(app) == {(None, "delivered", 1): 20, ("shop", "delivered", 1): 20}
    assert emails(shop) == sorted(f"shop{n}@example.com" for n in range(20)) and len(shop.subscribe_calls()) == 21
    assert emails(fake_esputnik) == sorted(f"plain{n}@example.com" for n in range(20))
    assert len(fake_esputnik.subscribe_calls()) == 20


def test_an_account_over_its_limit_leaves_the_other_one_untouched(settings, tmp_path, backend, fake_esputnik, shop):
    rate = 20
    fake_esputnik.rate_limit, shop.rate_limit = 2 * rate, rate // 4  # the shop's account is busy elsewhere too
    app = start({**settings, "DELIVERY_RATE": rate, "DELIVERY_MAX_CONCURRENCY": 8}, tmp_path, shop, "shop")
    empty_database(app, backend)
    seed_both(app, 30)
    done = {(None, "delivered", 1): 30, ("shop", "delivered", 1): 30}
    assert drain_until(app, lambda: rows_by_account(app) == done, timeout=60), rows_by_account(app)
    assert emails(shop) == sorted(f"shop{n}@example.com" for n in range(30))
    assert emails(fake_esputnik) == sorted(f"plain{n}@example.com" for n in range(30))
    assert len(set(shop.accepted_bodies())) == len(shop.accepted_bodies()) == 30
    # The default account never met a 429 and kept to its own pace; the shop's took its 429s without an attempt.
    plain = fake_esputnik.subscribe_calls()
    assert len(plain) == 30 and {c.answered for c in plain} == {200} and busiest_second(plain) <= rate + 1
    assert 429 in {c.answered for c in shop.subscribe_calls()}
    # The shop's fake takes at most 5 a second (6 s for 30); the default account, at its own 20/s, was done first.
    last = [max(c.at for c in server.subscribe_calls() if c.accepted) for server in (fake_esputnik, shop)]
    assert last[0] < last[1]
    app.extensions["signup.engine"].dispose()
