"""Where a visitor came from is kept without its query: a referrer or a Referer may hold a search or a token."""

import json
import re

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Consent, Submission
from tests.conftest import form_token

pytestmark = pytest.mark.both_databases

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"}


def stored(app, table):
    with app.app_context(), db.session() as session:
        return session.scalars(select(table)).all()


def fields_of(app):
    (row,) = stored(app, Submission)
    return {item["id"]: item["value"] for item in json.loads(row.payload)["contact"]["fields"]}


def test_the_json_api_sends_the_referrer_without_its_query_or_fragment(app, client):
    body = {
        "email": "api@example.com",
        "referrer": "https://user:secret@www.google.com/search?q=ada%40example.com#top",
        "form_token": form_token(client, "extras"),
    }
    assert client.post("/api/forms/extras/submissions", json=body, headers=BROWSER).status_code == 202
    assert fields_of(app)[114] == "https://www.google.com/search"


def test_the_form_page_carries_and_sends_the_referrer_without_its_query(app, client):
    referrer = "https://shop.example.com/reset?token=abc&email=ada%40example.com"
    html = client.get("/f/extras", query_string={"referrer": referrer}).get_data(as_text=True)
    assert '<input type="hidden" name="referrer" value="https://shop.example.com/reset">' in html
    assert "token=abc" not in html
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data.update(email="page@example.com", website="", referrer=referrer)
    assert client.post("/f/extras", data=data, headers=BROWSER).status_code == 303
    assert fields_of(app)[114] == "https://shop.example.com/reset"


def test_a_direct_iframes_referer_is_recorded_without_its_query(app, client):
    host_page = "https://shop.example.com/account?session=abc#orders"
    html = client.get("/f/news", headers={"Referer": host_page, **BROWSER}).get_data(as_text=True)
    assert '<input type="hidden" name="page_url" value="https://shop.example.com/account">' in html
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data.update(email="ada@example.com", consent="yes", website="")
    assert client.post("/f/news", data=data, headers=BROWSER).status_code == 303
    (record,) = stored(app, Consent)
    assert record.page_url == "https://shop.example.com/account"
