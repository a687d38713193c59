"""CSV exports open as text in any spreadsheet locale: quoted cells, no formula start anywhere a cell could begin."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from signup.privacy import spreadsheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Values seen in the wild: a User-Agent and a page address built to become formulas where `;` splits cells.
HOSTILE = [
    "Mozilla/5.0 (Windows NT 10.0;=2+5+cmd|' /C calc'!A0;)",
    "https://p.example/a;=9+9",
    '=HYPERLINK("http://evil.example")',
    "a,@SUM(1+1)",
    "a;\t=1",
    'a;"=1',
    "x; -2+3",
    "line\n=1+1",
    "+380501234567",
]


def cells(text, delimiter):
    """Return every cell a reader splitting on `delimiter` finds, whatever the file's own separator."""
    return [value for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for value in row]


def starts_a_formula(value):
    # Spreadsheets that trim leading blanks (tab and CR among them) then see what follows.
    return value.lstrip(' "\t\r\n').startswith(("=", "+", "-", "@"))


def assert_no_formula(text):
    for delimiter in (",", ";", "\t"):
        for value in cells(text, delimiter):
            assert not starts_a_formula(value), (delimiter, value)


def test_hostile_values_open_as_text_with_either_separator():
    text = spreadsheet.to_csv(["user_agent", "page_url"], [[value, value] for value in HOSTILE])
    assert_no_formula(text)
    for delimiter in (",", ";"):
        assert not [value for value in cells(text, delimiter) if value.startswith(FORMULA_STARTS)], delimiter


def test_every_cell_is_quoted_so_a_semicolon_locale_does_not_split_it():
    text = spreadsheet.to_csv(["ua", "url"], [[HOSTILE[0], HOSTILE[1]]])
    header, line = text.splitlines()
    assert header == '"ua","url"'
    assert line == "\"Mozilla/5.0 (Windows NT 10.0;'=2+5+cmd|' /C calc'!A0;)\",\"https://p.example/a;'=9+9\""


def test_the_file_s_own_reader_gets_the_value_back_with_only_the_quote_marks_added():
    text = spreadsheet.to_csv(["v"], [[value] for value in HOSTILE] + [["plain text, 2026-01-31"], [None]])
    values = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    for value, original in zip(values, [*HOSTILE, "plain text, 2026-01-31", ""], strict=True):
        assert value.replace("'", "") == original.replace("'", "")
    assert values[-2:] == ["plain text, 2026-01-31", ""]


@given(st.lists(st.text(alphabet=";,\t\r\n \"=+-@'aZ1", max_size=30), min_size=1, max_size=4))
def test_no_value_of_separators_and_formula_characters_can_start_a_formula(row):
    assert_no_formula(spreadsheet.to_csv(["a", "b", "c", "d"][: len(row)], [row]))
