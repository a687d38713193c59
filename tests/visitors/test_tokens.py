"""Form tokens: each verdict of the check, from a token as a visitor's browser would send it."""

import time

import pytest

from signup.visitors import tokens


@pytest.fixture
def ctx(app):
    app.config.update(FORM_MIN_FILL_SECONDS=2, FORM_TOKEN_MAX_AGE=3600)
    with app.app_context():
        yield


def test_a_token_shown_long_enough_ago_is_ok_once_per_nonce(ctx):
    now = time.time()
    first, second = tokens.issue("news", now=now - 5), tokens.issue("news", now=now - 5)
    (verdict, nonce), (_, other) = tokens.check(first, "news", now=now), tokens.check(second, "news", now=now)
    assert verdict == "ok" and nonce and nonce != other


@pytest.mark.parametrize(
    ("make", "verdict"),
    [
        (lambda now: None, "missing"),
        (lambda now: "", "missing"),
        (lambda now: ["not", "text"], "missing"),
        (lambda now: "made-up.token", "forged"),
        (lambda now: tokens.issue("news", now=now - 5)[:-3] + "abc", "forged"),
        (lambda now: tokens.issue("away", now=now - 5), "wrong_form"),
        (lambda now: tokens.issue("news", now=now - 1), "too_fast"),
        (lambda now: tokens.issue("news", now=now - 3601), "expired"),
    ],
)
def test_every_verdict(ctx, make, verdict):
    now = time.time()
    assert tokens.check(make(now), "news", now=now)[0] == verdict


def test_a_token_signed_with_another_key_is_forged(app, ctx):
    token = tokens.issue("news", now=time.time() - 5)
    app.config["SECRET_KEY"] = "another-key-entirely"
    assert tokens.check(token, "news") == ("forged", None)
