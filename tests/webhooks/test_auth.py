"""Tokens compared in constant time, and WPForms' HMAC signature checked as WPForms makes it."""

import hashlib
import hmac

import pytest

from signup.webhooks.auth import SIGNATURE_TOLERANCE_SECONDS, php_json, signature_problem, token_matches

SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
NOW = 1_749_133_800
# What PHP 8 prints for json_encode(['name' => 'Олена', 'url' => 'https://shop.example.com/a', 'n' => ['x', 'y']]).
PHP_OUTPUT = '{"name":"\\u041e\\u043b\\u0435\\u043d\\u0430","url":"https:\\/\\/shop.example.com\\/a","n":["x","y"]}'


def sign(payload, stamp=NOW, secret=SECRET):
    return f"t={stamp},v=" + hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()


def test_php_json_matches_php_s_default_encoding():
    assert php_json({"name": "Олена", "url": "https://shop.example.com/a", "n": ["x", "y"]}) == PHP_OUTPUT


def test_a_valid_signature_over_any_of_the_payloads_holds():
    header = sign(PHP_OUTPUT.encode())
    assert signature_problem(SECRET, header, [b"name=x", PHP_OUTPUT.encode()], now=NOW + 5) is None


@pytest.mark.parametrize(
    ("header", "now", "words"),
    [
        (sign(b"{}", secret="another"), NOW, "does not match"),
        (sign(b"{}"), NOW + SIGNATURE_TOLERANCE_SECONDS + 1, "too old"),
        (sign(b"{}"), NOW - SIGNATURE_TOLERANCE_SECONDS - 1, "clocks"),
        ("v=abc", NOW, "t=<time>"),
        ("t=now,v=abc", NOW, "t=<time>"),
        ("t=1749133800", NOW, "t=<time>"),
        ("garbage", NOW, "t=<time>"),
        (f"t={NOW},v=ümlaut", NOW, "does not match"),
    ],
)
def test_a_wrong_signature_says_why(header, now, words):
    assert words in signature_problem(SECRET, header, [b"{}"], now=now)


def test_tokens_match_only_exactly():
    assert token_matches(["a", "token-1234567890123456"], ["token-1234567890123456"])
    assert not token_matches(["token-123456789012345"], ["token-1234567890123456"])
    assert not token_matches(["tökén"], ["token"])
    assert not token_matches([], ["token"]) and not token_matches(["token"], [])
