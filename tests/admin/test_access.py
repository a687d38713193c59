"""Where the admin view sends a browser next: only inside /admin/, and never a 5xx, whatever `next` says."""

import re
from urllib.parse import parse_qs, quote, quote_from_bytes, urlencode, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signup.admin.access import safe_next
from tests.admin.test_views import AUTH, HTML, csrf, full_sign_up, rows, sign_in

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
ACTIONS = settings(PROPERTY, max_examples=60)
UNSAFE = [
    "/admin/\r\nSet-Cookie:x=y",
    "/admin/\x00",
    "/admin/\u2028x",
    "/admin/../evil",
    "/admin/%2e%2e/evil",
    "/admin/.%2E/%2e%2E/evil",
    "/admin/\\evil.example",
    "/admin/\t/../../evil",
    "//evil.example/admin/",
    "/\\evil.example/admin/",
    "https://evil.example/admin/",
    "https:/admin/",
    " /admin/",
    "/admin/" + "a" * 5000,
]
INSIDE = ["/admin/", "/admin/submissions?form=news&q=a%40b.example", "/admin/%0D%0ASet-Cookie:x=y", "/admin/?next=//x"]
PIECES = ["/", "\\", ".", "..", "%2e", "%2E", "admin", "evil.example", "//", ":", "?", "#", "@", "%0d%0a", "\r\n", "\t"]
PIECES += ["\x00", "\x7f", "https:", "%", "%2f", "%5c", "\u2028", "\u200b", " ", "\ufffd", "é"]
nexts = st.one_of(
    st.sampled_from(UNSAFE + INSIDE),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40).map(lambda tail: "/admin/" + tail),
    st.lists(st.sampled_from(PIECES), max_size=12).map(lambda parts: "/admin/" + "".join(parts)),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
)
# What a client can put on the wire: any text or any bytes, percent-escaped (gunicorn refuses raw non-ASCII).
escaped_bytes = st.binary(max_size=60).map(lambda raw: quote_from_bytes(b"/admin/" + raw, safe=""))
wire_nexts = nexts.map(lambda value: quote(value, safe="")) | escaped_bytes


def lands_inside_admin(location):
    """Tell whether a browser following `location` from /admin/login stays on this site, inside /admin/."""
    # Read as a WHATWG browser reads it: tabs and newlines dropped, \\ as /, %2e as a dot.
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00 ").replace("\\", "/")
    cleaned = re.sub("%2e", ".", cleaned, flags=re.IGNORECASE)
    target = urlsplit(urljoin("http://localhost/admin/login", cleaned))
    return target.scheme == "http" and target.netloc == "localhost" and target.path.startswith("/admin/")


def assert_redirect_inside_admin(answer, status):
    assert answer.status_code == status, answer.status_code
    assert lands_inside_admin(answer.headers["Location"]), answer.headers["Location"]


@pytest.fixture
def signed_in(client):
    sign_in(client)
    return client


@pytest.fixture
def refused_row(app, client, fake_esputnik):
    from signup.delivery import worker

    fake_esputnik.then(("status", 400, '{"message":"bad channel"}'))
    full_sign_up(client)
    worker.drain(app)
    return rows(app)[0].id


def test_safe_next_keeps_admin_paths_and_refuses_the_rest(app):
    with app.test_request_context():
        for kept in INSIDE:
            assert safe_next(kept) == kept
        for refused in [*UNSAFE, None, "", "/admin", "/adminx/", "/f/news", 42]:
            assert safe_next(refused) == "/admin/", refused


@pytest.mark.both_databases
def test_a_line_break_in_next_is_answered_with_the_admin_home_not_a_500(app, signed_in, refused_row):
    answer = signed_in.get("/admin/login?next=/admin/%0D%0ASet-Cookie:x=y")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    assert "x=y" not in answer.headers.get("Set-Cookie", "")
    token = csrf(signed_in, "/admin/submissions")
    data = {"csrf_token": token, "next": "/admin/\r\nSet-Cookie:x=y"}
    answer = signed_in.post(f"/admin/submissions/{refused_row}/retry", data=data)
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin/"
    assert rows(app)[0].state == "pending"
    answer = signed_in.post(f"/admin/submissions/{refused_row}/discard", data=data)
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin/"
    assert rows(app)[0].state == "discarded"


def form_body(token, wire_next, **fields):
    return {
        "data": urlencode({"csrf_token": token, **fields}) + "&next=" + wire_next,
        "content_type": "application/x-www-form-urlencoded",
    }


@pytest.mark.both_databases
@PROPERTY
@given(value=wire_nexts)
def test_login_when_signed_in_redirects_only_inside_admin(signed_in, value):
    assert_redirect_inside_admin(signed_in.get(f"/admin/login?next={value}"), 302)


@pytest.mark.both_databases
@ACTIONS
@given(value=wire_nexts)
def test_login_when_signed_out_shows_the_page_then_redirects_only_inside_admin(app, value):
    client = app.test_client()
    assert client.get(f"/admin/login?next={value}").status_code == 200
    body = form_body(csrf(client, "/admin/login"), value, username=AUTH[0], password=AUTH[1])
    assert_redirect_inside_admin(client.post("/admin/login", **body), 303)


@pytest.mark.both_databases
@ACTIONS
@given(value=wire_nexts, action=st.sampled_from(["retry", "discard"]))
def test_retry_and_discard_redirect_only_inside_admin(signed_in, refused_row, value, action):
    body = form_body(csrf(signed_in, "/admin/submissions"), value)
    assert_redirect_inside_admin(signed_in.post(f"/admin/submissions/{refused_row}/{action}", **body), 303)


@pytest.mark.both_databases
@ACTIONS
@given(query=st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | escaped_bytes)
def test_a_signed_out_browser_comes_back_to_the_page_it_asked_for(app, query):
    client = app.test_client()
    asked = client.get(f"/admin/submissions?{query}", headers=HTML)
    assert asked.status_code == 302
    (wanted,) = parse_qs(urlsplit(asked.headers["Location"]).query)["next"]
    form = {"csrf_token": csrf(client, "/admin/login"), "username": AUTH[0], "password": AUTH[1], "next": wanted}
    answer = client.post("/admin/login", data=form)
    assert_redirect_inside_admin(answer, 303)
    assert answer.headers["Location"] == wanted
    assert client.get(wanted).status_code < 500
