"""Compression: Brotli or gzip for text answers when asked, plain otherwise, never tiny answers or admin pages."""

import gzip
import re
from importlib.metadata import version

import brotli
import pytest

from signup.config import ROOT

AUTH = ("admin", "admin-pass")
DECODERS = {"br": brotli.decompress, "gzip": gzip.decompress}
TEXT_ANSWERS = (
    "/f/news?lang=uk",
    "/embed.js",
    "/assets/form.css",
    "/assets/form.js",
    "/static/form.js",
    "/api/openapi.json",
)


def _without_token(body):
    return re.sub(rb'name="form_token" value="[^"]+"', b"", body)


@pytest.mark.parametrize("path", TEXT_ANSWERS)
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_text_answers_come_compressed_when_asked(client, path, encoding):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = DECODERS[encoding](packed.get_data())
    assert len(packed.get_data()) < len(body) / 2
    # A form page holds a fresh form token each time; everything around it is the same.
    assert _without_token(body) == _without_token(plain.get_data())


def test_brotli_is_preferred_when_both_are_accepted(client):
    answer = client.get("/f/news", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert answer.headers["Content-Encoding"] == "br"


@pytest.mark.parametrize("path", TEXT_ANSWERS)
def test_plain_when_not_asked_so_the_weight_budget_counts_real_bytes(client, path):
    answer = client.get(path)
    assert "Content-Encoding" not in answer.headers
    assert client.get(path, headers={"Accept-Encoding": "identity"}).headers.get("Content-Encoding") is None


def test_tiny_answers_are_never_compressed(client):
    for path in ("/healthz", "/api/forms/nope"):
        answer = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert len(answer.get_data()) < 500 and "Content-Encoding" not in answer.headers, path
    refused = client.post("/api/forms/news/submissions", json={}, headers={"Accept-Encoding": "br, gzip"})
    assert refused.status_code == 422 and "Content-Encoding" not in refused.headers


def test_admin_pages_are_never_compressed(client):
    """They hold a session-bound CSRF token beside the search text the request carries (BREACH)."""
    for path in ("/admin/", "/admin/submissions?q=ada%40example.com", "/admin/login"):
        answer = client.get(path, auth=AUTH, headers={"Accept-Encoding": "br, gzip"})
        assert answer.status_code == 200 and len(answer.get_data()) > 500, path
        assert "Content-Encoding" not in answer.headers, path


def test_the_brotli_coder_is_pinned_at_the_version_installed():
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"brotli=={version('brotli')}" in pinned
