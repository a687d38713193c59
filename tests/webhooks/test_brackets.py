"""PHP bracket keys rebuilt into nested data, and nested data walked back to bracket paths."""

import pytest

from signup.webhooks.brackets import MAX_DEPTH, nest, split_key, walk


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("email", ["email"]),
        ("1.3", ["1.3"]),
        ("fields[email][value]", ["fields", "email", "value"]),
        ("a[]", ["a", ""]),
        ("0[id]", ["0", "id"]),
        ("a[b", ["a[b"]),
        ("a[b]c", ["a[b]c"]),
        ("[a]", ["[a]"]),
        ("a" + "[x]" * (MAX_DEPTH + 5), ["a" + "[x]" * (MAX_DEPTH + 5)]),
    ],
)
def test_split_key(key, parts):
    assert split_key(key) == parts


def test_nest_rebuilds_what_http_build_query_flattened():
    flat = {
        "form[id]": "3f5c2a1",
        "fields[email][value]": "ada@example.com",
        "fields[email][raw_value][0]": "a",
        "fields[email][raw_value][1]": "b",
        "topics[]": ["news", "offers"],
        "1.3": "Ada",
    }
    assert nest(flat) == {
        "form": {"id": "3f5c2a1"},
        "fields": {"email": {"value": "ada@example.com", "raw_value": ["a", "b"]}},
        "topics": ["news", "offers"],
        "1.3": "Ada",
    }


def test_nest_keeps_sparse_or_top_level_numbers_as_dicts():
    assert nest({"0[id]": "7", "a[5]": "x"}) == {"0": {"id": "7"}, "a": {"5": "x"}}


def test_a_later_bracket_key_replaces_a_plain_value_as_php_does():
    assert nest({"a": "plain", "a[b]": "nested"}) == {"a": {"b": "nested"}}


def test_walk_gives_bracket_paths_and_keeps_lists_of_values_whole():
    data = {"names": {"first_name": "Ada"}, "topics": ["a", "b"], "rows": [{"x": "1"}]}
    assert list(walk(data)) == [("names[first_name]", "Ada"), ("topics", ["a", "b"]), ("rows[0][x]", "1")]


def test_walk_stops_at_the_depth_limit():
    deep = "leaf"
    for _ in range(MAX_DEPTH + 3):
        deep = {"k": deep}
    assert list(walk(deep)) == []


def test_keys_of_digits_from_other_scripts_are_plain_keys():
    assert nest({"²": "a", "a[²]": "b", "a[]": "c"}) == {"²": "a", "a": {"²": "b", "0": "c"}}
