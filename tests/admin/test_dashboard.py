"""The admin for marketers: the chart of sign-ups per day, the submissions table in plain words, its three languages."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from signup import db
from signup.admin import chart, language
from signup.db import Submission, utcnow
from tests.conftest import sign_up

AUTH = ("admin", "admin-pass")
TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("peak", "top"),
    [(0, 1), (1, 1), (2, 2), (3, 5), (5, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 200), (999, 1000)],
)
def test_the_scale_tops_at_a_round_number(peak, top):
    assert chart.scale_top(peak) == top


def test_days_group_states_into_delivered_waiting_and_not_delivered():
    counts = {
        (TODAY, "delivered"): 3,
        (TODAY, "dry_run"): 1,
        (TODAY, "pending"): 2,
        (TODAY, "refused"): 1,
        (TODAY, "dead"): 1,
        (TODAY, "duplicate"): 7,  # the same person again: not a sign-up of its own
        (TODAY - timedelta(days=29), "limited"): 4,
        (TODAY - timedelta(days=30), "delivered"): 9,  # a day before the window
    }
    series = chart.days(counts, TODAY)
    assert len(series) == 30 and series[0].day == TODAY - timedelta(days=29) and series[-1].day == TODAY
    assert series[-1] == chart.Day(TODAY, delivered=4, waiting=2, refused=2)
    assert series[0] == chart.Day(series[0].day, refused=4)
    assert chart.totals(series) == {"delivered": 4, "waiting": 2, "refused": 6}


def test_bars_stack_delivered_then_waiting_then_refused_to_scale():
    series = [chart.Day(TODAY, delivered=2, waiting=1, refused=1), chart.Day(TODAY + timedelta(days=1))]
    drawn = chart.bars(series, top=4, width=100, height=40)
    assert [(b.kind, b.x, b.y, b.width, b.height) for b in drawn] == [
        ("delivered", 1.0, 20.0, 48.0, 20.0),
        ("waiting", 1.0, 10.0, 48.0, 10.0),
        ("refused", 1.0, 0.0, 48.0, 10.0),
    ]


@pytest.mark.parametrize(
    ("asked", "remembered", "accept", "chosen"),
    [
        ("uk", "ru", "en", "uk"),
        (None, "ru", "uk", "ru"),
        ("xx", "ru", "uk", "ru"),
        (None, None, "ru-RU,ru;q=0.9", "ru"),
        (None, "de", "de-DE", "en"),
        (None, None, "", "en"),
    ],
)
def test_the_language_is_the_one_asked_then_remembered_then_the_browser_s(app, asked, remembered, accept, chosen):
    with app.test_request_context(headers={"Accept-Language": accept}):
        from flask import request

        assert language.choose(asked, remembered, request.accept_languages) == chosen


def _sign_ups(client, app):
    for address in ("a@example.com", "b@example.com", "c@example.com"):
        sign_up(client, "news", email=address, first_name="Ada", consent="yes")
    with app.app_context(), db.session() as session, session.begin():
        ids = session.scalars(select(Submission.id).order_by(Submission.id)).all()
        session.execute(update(Submission).where(Submission.id == ids[0]).values(state="delivered"))
        old = utcnow() - timedelta(days=3)
        session.execute(update(Submission).where(Submission.id == ids[1]).values(state="refused", created_at=old))


def test_each_form_has_its_chart_with_a_legend_and_the_numbers_as_a_table(app, client):
    _sign_ups(client, app)
    html = client.get("/admin/", auth=AUTH).get_data(as_text=True)
    section = html[html.index('id="form-news"') : html.index('id="form-phone"')]
    svg = section[section.index("<svg") : section.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "Delivered: 1. Waiting: 1. Not delivered: 1." in svg
    assert sorted(re.findall(r'<rect class="(\w+)" x=', svg)) == ["delivered", "refused", "waiting"]
    assert "http" not in svg.replace("http://www.w3.org", "")  # nothing loaded from elsewhere
    assert re.findall(r"<li><span class=\"swatch (\w+)\"[^>]*></span>([^<]+)</li>", section) == [
        ("delivered", "Delivered: 1"),
        ("waiting", "Waiting: 1"),
        ("refused", "Not delivered: 1"),
    ]
    rows = re.findall(r"<tr><th scope=\"row\">[^<]+</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", section)
    assert len(rows) == 30 and rows[0] == ("1", "1", "0") and rows[3] == ("0", "0", "1")
    assert "3 sign-ups in all" in section


def test_submissions_are_a_table_in_plain_words(app, client):
    _sign_ups(client, app)
    html = client.get("/admin/submissions", auth=AUTH).get_data(as_text=True)
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html[html.index('class="submissions"') :])[:8]
    assert headers == ["When (UTC)", "Form", "Address", "Name", "Source", "State", "Attempts", "Details"]
    assert html.count('<tr id="s-') == 3
    assert ">Form page<" in html and ">Delivered<" in html and ">Waiting<" in html and ">Refused by eSputnik<" in html
    assert ">A***<" in html  # the name, masked like the address
    for raw in ("dry_run:", "· api ·", "sign-up(s)", ">pending<", ">form<"):
        assert raw not in html, raw


def test_the_marketer_s_language_is_kept_in_a_cookie(client):
    answer = client.get("/admin/?lang=uk", auth=AUTH)
    assert 'lang="uk"' in answer.get_data(as_text=True)[:80] and "Підписки за днями" in answer.get_data(as_text=True)
    (cookie,) = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith(language.COOKIE)]
    assert cookie.startswith(f"{language.COOKIE}=uk") and "HttpOnly" in cookie and "Path=/admin" in cookie
    again = client.get("/admin/submissions", auth=AUTH, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert 'lang="uk"' in again[:80] and "Пошук" not in again and "Заявок немає." in again


def test_without_a_choice_the_browser_s_language_then_english(client):
    russian = client.get("/admin/", auth=AUTH, headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    assert 'lang="ru"' in russian[:80] and "Подписки по дням" in russian
    assert "Sign-ups per day" in client.get("/admin/", auth=AUTH).get_data(as_text=True)


def test_plural_forms_follow_the_language(app, client):
    for address in ("a@example.com", "b@example.com"):
        sign_up(client, "news", email=address, consent="yes")
    assert "2 sign-ups" in client.get("/admin/?lang=en", auth=AUTH).get_data(as_text=True)
    assert "2 підписки" in client.get("/admin/?lang=uk", auth=AUTH).get_data(as_text=True)
    assert "2 подписки" in client.get("/admin/?lang=ru", auth=AUTH).get_data(as_text=True)


def test_the_sign_in_page_speaks_the_chosen_language(client):
    page = client.get("/admin/login?lang=ru").get_data(as_text=True)
    assert "Войти" in page and "Имя пользователя" in page
    # The choice made on the page before outweighs the browser's language.
    wrong = {"username": "admin", "password": "x"}
    refused = client.post("/admin/login", data=wrong, headers={"Accept-Language": "uk"})
    assert refused.status_code == 400 and "попробуйте ещё раз" in refused.get_data(as_text=True)
