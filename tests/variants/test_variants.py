"""Variants: the forms file, the draw, previews, views counted per day, sign-ups per variant, the verdict."""

import json
import re

import pytest
from sqlalchemy import select

from signup import db
from signup.db import Submission, VariantViews
from signup.forms import catalogue
from signup.variants import choice, statistics
from tests.conftest import FORMS_FILE, TOKEN_RE

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
AUTH = ("admin", "admin-pass")
TESTED = """
[forms.offer]
form_type = "offer"
fields = ["email"]
allowed_origins = ["https://shop.example.com"]
title = "Our newsletter"
theme = { accent = "#1f7a4d" }

[forms.offer.variants.b]
title = { en = "10 % off your first order", uk = "Знижка 10 %" }
submit = "Get the code"
form_type = "offer short"
theme = { accent = "#ffcc00" }
weight = 3
"""


def parse(extra):
    base = '[forms.x]\nform_type = "x"\nfields = ["email"]\n'
    return catalogue.parse(base + extra)


@pytest.fixture
def settings(settings):
    settings["FORMS"] = {**catalogue.load(FORMS_FILE), **catalogue.parse(TESTED)}
    return settings


# The forms file


def test_a_variant_overrides_texts_theme_and_form_type_and_keeps_the_rest():
    form = catalogue.parse(TESTED)["offer"]
    b = form.variants["b"]
    assert (form.variant, form.weight, b.variant, b.weight) == ("a", 1, "b", 3)
    assert b.text("title", "uk") == "Знижка 10 %" and b.text("submit", "en") == "Get the code"
    assert b.form_type == "offer short" and form.form_type == "offer"
    assert b.theme.accent == "#ffcc00" and b.fields == form.fields and b.allowed_origins == form.allowed_origins
    assert b.event_names == ("subscribeFromApi-offer short", "subscribeUpdateFromApi-offer short")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("variants = 1", "forms.x.variants: expected one table per variant, [forms.x.variants.<name>]"),
        (
            "[forms.x.variants.a]\ntitle = 'A'",
            "forms.x.variants.a: the form itself is variant a; give other variants other names",
        ),
        (
            "[forms.x.variants.B]\ntitle = 'B'",
            "forms.x.variants.B: a variant name may use only a-z, 0-9 and - (at most 32)",
        ),
        (
            "[forms.x.variants.b]\nweight = -1",
            "forms.x.variants.b.weight: expected a number from 0 to 1000 (the form itself weighs 1)",
        ),
        (
            "[forms.x.variants.b]\nweight = true",
            "forms.x.variants.b.weight: expected a number from 0 to 1000 (the form itself weighs 1)",
        ),
        (
            "[forms.x.variants.b]\nform_type = 'a!'",
            "forms.x.variants.b.form_type: eSputnik forbids the characters ! in formType",
        ),
        (
            "[forms.x.variants.b]\ntheme = { accent = 'red' }",
            'forms.x.variants.b.theme.accent: expected a colour like "#0b5cad"',
        ),
        (
            "[forms.x.variants.b]\nfields = ['phone']",
            "forms.x.variants.b.fields: unknown key (a variant may set title, description, submit, thanks, consent, "
            "theme, form_type, weight)",
        ),
    ],
)
def test_variant_mistakes_stop_the_start_with_one_line_each(extra, expected):
    with pytest.raises(catalogue.CatalogueError) as info:
        parse(extra)
    assert info.value.problems == [expected]


# The draw


@pytest.mark.parametrize(
    ("roll", "expected"),
    [(0.0, "a"), (0.2499, "a"), (0.25, "b"), (0.9999, "b")],
)
def test_the_draw_follows_the_weights(roll, expected):
    form = catalogue.parse(TESTED)["offer"]  # a weighs 1, b weighs 3
    assert choice.choose(form, roll).variant == expected


@pytest.mark.parametrize(
    ("name", "roll", "expected"),
    [("b", None, "b"), ("a", 0.9, "a"), (None, None, "a"), ("gone", None, "a"), ("gone", 0.9, "b"), (None, 0.1, "a")],
)
def test_a_named_variant_wins_and_an_unknown_one_is_drawn_again(name, roll, expected):
    form = catalogue.parse(TESTED)["offer"]
    assert choice.resolve(form, name, roll).variant == expected


def test_a_weight_of_zero_is_never_drawn_but_can_be_previewed():
    form = parse("[forms.x.variants.paused]\nweight = 0\ntitle = 'Paused'")["x"]
    assert {choice.choose(form, roll / 10).variant for roll in range(10)} == {"a"}
    assert choice.resolve(form, "paused").variant == "paused"


# Pages and sign-ups


def test_preview_shows_the_variant_and_keeps_it_through_the_sign_up(client):
    page = client.get("/f/offer?variant=b&lang=uk")
    html = page.get_data(as_text=True)
    assert "<h1>Знижка 10 %</h1>" in html and 'data-variant="b"' in html
    assert 'action="/f/offer?variant=b"' in html and 'data-api="/api/forms/offer/submissions?variant=b"' in html
    assert catalogue.parse(TESTED)["offer"].variants["b"].theme.style_hash in page.headers["Content-Security-Policy"]
    token = TOKEN_RE.search(html).group(1)
    answer = client.post("/f/offer?variant=b", data={"form_token": token, "email": "b@example.com", "lang": "uk"})
    assert answer.headers["Location"] == "/f/offer/thanks?lang=uk&variant=b&to=b***@example.com"
    with client.application.app_context(), db.session() as session:
        stored = session.scalars(select(Submission).where(Submission.contact_key == "b@example.com")).one()
    assert stored.variant == "b" and json.loads(stored.payload)["formType"] == "offer short"


def test_forms_without_variants_keep_their_markup(client):
    html = client.get("/f/news").get_data(as_text=True)
    assert 'action="/f/news"' in html and 'data-variant="a"' in html and "?variant=" not in html


def test_webhook_sign_ups_belong_to_no_variant(client):
    answer = client.post("/hooks/offer?token=hook-secret-123", json={"email": "hook@example.com"})
    assert answer.status_code == 200
    with client.application.app_context(), db.session() as session:
        stored = session.scalars(select(Submission).where(Submission.contact_key == "hook@example.com")).one()
    assert stored.variant is None


def test_a_view_is_one_counter_row_per_form_variant_and_day(client):
    for _ in range(3):
        assert client.post("/api/forms/offer/views?variant=b", headers={"User-Agent": BROWSER}).status_code == 204
    prefetch = {"User-Agent": BROWSER, "Sec-Purpose": "prefetch"}
    assert client.post("/api/forms/offer/views?variant=b", headers=prefetch).status_code == 204
    assert client.post("/api/forms/offer/views?variant=b", headers={"User-Agent": "Googlebot/2.1"}).status_code == 204
    assert client.post("/api/forms/offer/views?variant=zz", headers={"User-Agent": BROWSER}).status_code == 404
    assert client.post("/api/forms/nope/views", headers={"User-Agent": BROWSER}).status_code == 404
    with client.application.app_context(), db.session() as session:
        rows = session.scalars(select(VariantViews)).all()
    assert [(row.form_id, row.variant, row.views) for row in rows] == [("offer", "b", 3)]


# The comparison


@pytest.mark.parametrize(
    ("counts", "z", "significant", "more"),
    [
        # a 30/1000, b 70/1000: pooled p = 0.05, SE = sqrt(0.05 * 0.95 * 2/1000) = 0.009747, z = 0.04 / SE = 4.104
        ((1000, 30, 1000, 70), 4.104, True, None),
        ((1000, 70, 1000, 30), -4.104, True, None),
        # a 5/100, b 8/100: z = 0.860; for 80 % power each needs ceil(0.97620**2 / 0.03**2) = 1059 views
        ((100, 5, 100, 8), 0.860, False, 2 * (1059 - 100)),
        ((500, 20, 500, 20), 0.0, False, None),
    ],
)
def test_the_two_proportion_test(counts, z, significant, more):
    comparison = statistics.compare(*counts)
    assert round(comparison.z, 3) == z
    assert (comparison.significant, comparison.more_views) == (significant, more)


def test_no_views_no_comparison():
    assert statistics.compare(0, 0, 10, 1) is None and statistics.compare(10, 1, 0, 0) is None


def _cells(html, variant):
    row = re.search(rf'<tr><th scope="row">{variant}</th>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


@pytest.mark.both_databases
def test_two_thousand_views_and_a_hundred_sign_ups_give_the_hand_computed_verdict(client):
    for variant in ("a", "b"):
        for _ in range(1000):
            client.post(f"/api/forms/offer/views?variant={variant}", headers={"User-Agent": BROWSER})
    for number in range(100):
        variant = "a" if number < 30 else "b"
        token = TOKEN_RE.search(client.get(f"/f/offer?variant={variant}").get_data(as_text=True)).group(1)
        data = {"form_token": token, "email": f"visitor{number}@example.com"}
        assert client.post(f"/f/offer?variant={variant}", data=data).status_code == 303
    html = client.get("/admin/variants?days=7", auth=AUTH).get_data(as_text=True)
    assert _cells(html, "a")[:3] == ["1000", "30", "3.00 %"]
    b = _cells(html, "b")
    assert b[:3] == ["1000", "70", "7.00 %"]
    # Difference 4 points; 95 % interval 0.04 ± 1.96 * sqrt(0.03 * 0.97 / 1000 + 0.07 * 0.93 / 1000) = ± 1.90
    assert b[3] == "+4.00 (+2.10 … +5.90)"
    assert b[4] == "b converts better, 95 % sure"
    uk = client.get("/admin/variants?days=7&lang=uk", auth=AUTH).get_data(as_text=True)
    assert "Перегляди" in uk and "b конвертує краще, впевненість 95 %" in uk


def test_the_admin_page_says_how_many_more_views_are_needed(client):
    for variant, views in (("a", 100), ("b", 100)):
        for _ in range(views):
            client.post(f"/api/forms/offer/views?variant={variant}", headers={"User-Agent": BROWSER})
    for number, variant in enumerate("aaaaabbbbbbbb"):
        token = TOKEN_RE.search(client.get(f"/f/offer?variant={variant}").get_data(as_text=True)).group(1)
        client.post(f"/f/offer?variant={variant}", data={"form_token": token, "email": f"few{number}@example.com"})
    html = client.get("/admin/variants", auth=AUTH).get_data(as_text=True)
    assert _cells(html, "b")[4] == "not enough data yet, about 1,918 more views needed"
    uk = client.get("/admin/variants?lang=uk", auth=AUTH).get_data(as_text=True)
    assert "1\xa0918" in _cells(uk, "b")[4]  # the number written as the marketer's language writes it
    assert client.get("/admin/variants").status_code in (302, 401)
