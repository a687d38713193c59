"""The admin in a marketer's words: eSputnik's troubles told plainly, its own words kept aside; no developer labels."""

import re
import socket

import pytest
from flask_babel import force_locale

from signup.admin import words
from signup.delivery import outbox

AUTH = ("admin", "admin-pass")
EXAMPLES = {
    "unreachable": ("retry", None),
    "no_answer": ("unknown", None),
    "key_refused": ("paused", 401),
    "wrong_address": ("paused", 404),
    "throttled": ("throttled", 429),
    "server_error": ("retry", 500),
    "error": ("refused", 400),
}


def delivery_box(html):
    return html[html.index('id="delivery-heading"') : html.index("</section>")]


def technical(html):
    """Return the text of the technical lines, where eSputnik's own English words belong."""
    return re.findall(r'<small class="technical">[^<]*<span lang="en">([^<]*)</span></small>', html)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("outcome", "status", "kind"),
    [
        ("retry", None, "unreachable"),
        ("unknown", None, "no_answer"),
        ("paused", 401, "key_refused"),
        ("paused", 403, "key_refused"),
        ("paused", 404, "wrong_address"),
        ("throttled", 429, "throttled"),
        ("retry", 500, "server_error"),
        ("retry", 503, "server_error"),
        ("refused", 400, "error"),
        ("retry", 302, "error"),
    ],
)
def test_each_trouble_is_told_from_the_outcome_and_the_status(outcome, status, kind):
    assert words.trouble_kind(outcome, status) == kind


def test_every_trouble_is_in_plain_words_in_each_language(app):
    with app.test_request_context():
        for language in ("uk", "ru"):
            with force_locale(language):
                told = {kind: words.trouble(*example) for kind, example in EXAMPLES.items()}
            assert len(set(told.values())) == len(EXAMPLES), told
            for text in told.values():
                assert re.search(r"[а-яіїєґ]", text) and not re.search(r"\b(connection|key|status|API_URL)\b", text)


@pytest.mark.parametrize(
    ("language", "plain"),
    [
        ("uk", "Не підключено: не вдається з’єднатися з eSputnik."),
        ("ru", "Не подключено: не удаётся связаться с eSputnik."),
        ("en", "Not connected: cannot reach eSputnik."),
    ],
)
def test_an_unreachable_esputnik_is_told_plainly_its_detail_kept_aside(app, client, language, plain):
    app.config["ESPUTNIK_API_URL"] = f"http://127.0.0.1:{closed_port()}"
    box = delivery_box(client.get(f"/admin/?lang={language}", auth=AUTH).get_data(as_text=True))
    assert plain in box
    assert technical(box) == ["connection refused or host unreachable"]
    assert box.count("connection refused") == 1  # only on the technical line


def test_an_error_on_esputnik_s_side_is_told_plainly(client, fake_esputnik):
    fake_esputnik.then(("status", 503, "Service Unavailable"))
    box = delivery_box(client.get("/admin/?lang=uk", auth=AUTH).get_data(as_text=True))
    assert "Не підключено: у eSputnik збій на його боці; зазвичай це минає." in box
    assert technical(box) == ["eSputnik answered 503: Service Unavailable"]


def test_a_connected_key_is_told_with_the_account_s_name(client):
    box = delivery_box(client.get("/admin/?lang=ru", auth=AUTH).get_data(as_text=True))
    assert "Подключено: eSputnik принимает ключ аккаунта «Test shop»." in box
    assert "key accepted" not in box and technical(box) == []


def test_a_pause_is_told_plainly_in_the_banner_and_the_box(app, client):
    with app.app_context():
        outbox.pause("eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights")
    html = client.get("/admin/?lang=uk", auth=AUTH).get_data(as_text=True)
    banner = html[html.index('<p class="banner danger"') : html.index("</p>", html.index('<p class="banner danger"'))]
    assert "Доставку призупинено: eSputnik не приймає ключ API." in banner
    assert technical(banner) == ["eSputnik refused the API key (401); check ESPUTNIK_API_KEY and its rights"]
    assert '<span class="paused">Призупинено: eSputnik не приймає ключ API</span>' in delivery_box(html)
    assert "refused the API key" not in html.replace(banner, "")


@pytest.mark.parametrize(
    ("language", "label"),
    [("uk", "Тип форми в eSputnik"), ("ru", "Тип формы в eSputnik"), ("en", "Form type in eSputnik")],
)
def test_the_form_type_is_labelled_in_words_and_its_value_kept(client, language, label):
    html = client.get(f"/admin/?lang={language}", auth=AUTH).get_data(as_text=True)
    card = html[html.index('id="form-news"') :]
    assert f'<th scope="row">{label}</th><td><code class="value">newsletter</code></td>' in card
    assert '<th scope="row">formType</th>' not in html
    assert '<code class="event">subscribeFromApi-newsletter</code>' in card
    test_page = client.get(f"/admin/forms/news/test?lang={language}", auth=AUTH).get_data(as_text=True)
    assert "formType" not in test_page and "worker" not in test_page and "воркер" not in test_page
    assert "newsletter" in test_page
