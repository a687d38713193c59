"""The admin view: behind its password, listing every form's event names and counts."""

from tests.conftest import sign_up

AUTH = ("admin", "admin-pass")


def test_without_credentials_the_admin_asks_for_them(client):
    answer = client.get("/admin/")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/admin/", auth=("admin", "wrong")).status_code == 401
    assert client.get("/admin/", auth=("root", "admin-pass")).status_code == 401


def test_lists_every_form_with_its_exact_event_names_and_groups(client):
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    for form_id, form_type in (("news", "newsletter"), ("phone", "sms offers"), ("full", "full form")):
        assert f"<code>{form_id}</code>" in html
        assert f'<code class="event">subscribeFromApi-{form_type}</code>' in html
        assert f'<code class="event">subscribeUpdateFromApi-{form_type}</code>' in html
    assert "Subscribers, Leads" in html


def test_counts_and_recent_submissions_with_their_payload(app, client):
    sign_up(client, "news", email="ada@example.com", consent="yes")
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    assert "pending: 1" in html
    assert "&#34;formType&#34;: &#34;newsletter&#34;" in html


def test_admin_is_never_framed(client):
    answer = client.get("/admin/", auth=AUTH)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_without_a_password_admin_is_off_outside_development(app, client):
    app.config["ADMIN_PASSWORD"] = ""
    assert client.get("/admin/").status_code == 404
    app.config["DEV"] = True
    answer = client.get("/admin/")
    assert answer.status_code == 200 and "no password" in answer.get_data(as_text=True)
