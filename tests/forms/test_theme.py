"""Themes: checked at start, turned into CSS custom properties, readable whatever the accent."""

import pytest

from signup.forms import theme


def read(table):
    problems = []
    result = theme.read(table, lambda key, message: problems.append(f"{key}: {message}"))
    return result, problems


def test_contrast_follows_wcag():
    assert theme.contrast("#000", "#fff") == pytest.approx(21)
    assert theme.contrast("#777777", "#777777") == pytest.approx(1)
    assert theme.contrast("#0b5cad", "#ffffff") == pytest.approx(6.6, abs=0.1)


@pytest.mark.parametrize("accent", ["#ffcc00", "#0b5cad", "#777777", "#1f7a4d", "#f0b429", "#000000", "#ffffff"])
def test_button_text_on_any_accent_meets_aa(accent):
    assert theme.contrast(theme.text_on(accent), accent) >= 4.5


def test_a_full_theme_becomes_one_rule_of_custom_properties():
    looks, problems = read(
        {"accent": "#FC0", "font": "Inter, 'Segoe UI', sans-serif", "radius": "0", "width": "32rem", "scheme": "dark"}
    )
    assert problems == []
    assert looks.scheme == "dark"
    assert looks.css == (
        ":root{--font:Inter, 'Segoe UI', sans-serif;--radius:0;--width:32rem;--accent:#ffcc00;--on-accent:#000000}"
    )
    assert looks.style_hash.startswith("'sha256-") and looks.style_hash.endswith("='")


def test_no_theme_keeps_the_stylesheet_alone():
    looks, problems = read(None)
    assert (looks.css, looks.style_hash, looks.scheme, problems) == ("", None, "light", [])


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"accent": "red"}, 'theme.accent: expected a colour like "#0b5cad"'),
        ({"accent": "#12345"}, 'theme.accent: expected a colour like "#0b5cad"'),
        ({"font": "Arial; color: red"}, "theme.font: expected font names separated by commas"),
        ({"font": "x}</style><script>"}, "theme.font: expected font names separated by commas"),
        ({"font": "url(https://fonts.example/x.woff2)"}, "theme.font: expected font names separated by commas"),
        ({"font": "'Inter\", Arial"}, "theme.font: expected font names separated by commas"),
        ({"radius": "6"}, 'theme.radius: expected a length like "6px" or "0.5rem"'),
        ({"width": "-1px"}, 'theme.width: expected a length like "28rem", "480px" or "100%"'),
        ({"width": "calc(100% - 1px)"}, 'theme.width: expected a length like "28rem", "480px" or "100%"'),
        ({"scheme": "sepia"}, "theme.scheme: expected one of light, dark, auto"),
        ({"radius": 6}, "theme.radius: expected a text value"),
        ({"colour": "#fff"}, "theme.colour: unknown key (use accent, font, radius, width, scheme)"),
    ],
)
def test_each_mistake_is_named(table, expected):
    _looks, problems = read(table)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_a_theme_that_is_not_a_table_is_named():
    _looks, problems = read("dark")
    assert problems == ["theme: expected a table with accent, font, radius, width, scheme"]
