"""Each form against the eSputnik account: the client reads both answer shapes, mismatches are named, CLI exits 1."""

import pytest

from signup.delivery import esputnik, esputnik_account
from signup.delivery.esputnik_account import FieldInfo
from signup.forms import account_check, catalogue

FORMS = """
[forms.shop]
form_type = "shop"
fields = ["email", "size", "born", "vip", "note"]
groups = ["Subscribers"]
choose_groups = ["News"]
[forms.shop.custom_fields]
size = { id = 115, type = "select", options = ["S", "M"] }
born = { id = 116, type = "date" }
vip = { id = 118, type = "checkbox" }
note = 119
[forms.shop.hidden]
utm_source = 111
"""
SHOP = catalogue.parse(FORMS)["shop"]
ACCOUNT = {
    115: FieldInfo("Size", "COMBOBOX", ("S", "M", "L")),
    116: FieldInfo("Birthday", "DATE"),
    118: FieldInfo("VIP", "CHECKBOXLIST", ("true",)),
    119: FieldInfo("Note", "TEXTAREA"),
    111: FieldInfo("UTM source", "TEXTFIELD"),
}
SEGMENTS = {"Subscribers", "News"}


def test_a_form_that_matches_has_no_problem():
    assert account_check.mismatches(SHOP, ACCOUNT, SEGMENTS) == []


@pytest.mark.parametrize(
    ("account", "segments", "problem"),
    [
        ({**ACCOUNT, 116: None}, SEGMENTS, "custom_fields.born: field id 116 does not exist in the eSputnik account"),
        (
            {**ACCOUNT, 116: FieldInfo("Birthday", "TEXTFIELD")},
            SEGMENTS,
            "custom_fields.born: field 116 (Birthday) is TEXTFIELD in eSputnik; date needs DATE",
        ),
        (
            {**ACCOUNT, 115: FieldInfo("Size", "COMBOBOX", ("S", "L"))},
            SEGMENTS,
            "custom_fields.size: field 115 (Size) does not allow 'M'",
        ),
        (
            {**ACCOUNT, 118: FieldInfo("VIP", "CHECKBOXLIST", ("yes",))},
            SEGMENTS,
            "custom_fields.vip: field 118 (VIP) does not allow 'true'",
        ),
        (
            {**ACCOUNT, 111: FieldInfo("UTM", "NUMBER")},
            SEGMENTS,
            "hidden.utm_source: field 111 (UTM) is NUMBER in eSputnik; text needs TEXTAREA or TEXTFIELD",
        ),
        (
            ACCOUNT,
            {"Subscriber", "News"},
            "groups: no segment 'Subscribers' in eSputnik, which would create it at the first sign-up; "
            "did you mean 'Subscriber'?",
        ),
        (ACCOUNT, {"Subscribers"}, "choose_groups: no segment 'News' in eSputnik, which would create it"),
    ],
)
def test_each_mismatch_is_named(app, account, segments, problem):
    account = {k: v for k, v in account.items() if v is not None}
    (found,) = account_check.mismatches(SHOP, account, segments)
    with app.app_context():
        assert account_check.describe(found).startswith(problem)


def test_a_checkbox_is_checked_against_the_value_it_sends(app):
    form = catalogue.parse(FORMS.replace('type = "checkbox" }', 'type = "checkbox", value = "Так" }'))["shop"]
    assert account_check.mismatches(form, {**ACCOUNT, 118: FieldInfo("VIP", "CHECKBOXLIST", ("Так",))}, SEGMENTS) == []
    (found,) = account_check.mismatches(form, ACCOUNT, SEGMENTS)
    with app.app_context():
        assert account_check.describe(found) == "custom_fields.vip: field 118 (VIP) does not allow 'Так'"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "custom_fields.born: поля 116 немає в обліковому записі eSputnik"),
        ("ru", "custom_fields.born: поля 116 нет в аккаунте eSputnik"),
    ],
)
def test_a_mismatch_is_put_in_words_in_the_readers_language(app, language, words):
    (found,) = account_check.mismatches(SHOP, {k: v for k, v in ACCOUNT.items() if k != 116}, SEGMENTS)
    with app.test_request_context(f"/?lang={language}"):
        assert account_check.describe(found) == words


@pytest.mark.parametrize("count", [1, 3])
def test_the_client_reads_one_field_as_an_object_and_many_as_a_list(app, fake_esputnik, count):
    fake_esputnik.fields = [
        {"id": 115, "name": "Size", "type": "combobox", "values": ["S", "M"], "group": "Shop"},
        {"id": 116, "name": "Birthday", "type": "date", "group": "Personal"},
        {"id": 117, "name": "Age", "type": "NUMBER"},
    ][:count]
    found = esputnik_account.custom_fields(app.config)
    assert found[115] == FieldInfo("Size", "COMBOBOX", ("S", "M"))
    assert len(found) == count
    if count == 3:
        assert found[116] == FieldInfo("Birthday", "DATE") and found[117].type == "NUMBER"
    (call,) = fake_esputnik.calls
    assert (call.method, call.path) == ("GET", "/api/v1/addressbooks")


def test_the_client_reads_fields_from_every_address_book(app, fake_esputnik):
    fake_esputnik.fields = [
        {"id": 115, "name": "Size", "type": "COMBOBOX", "values": ["S"], "book": "Shop"},
        {"id": 116, "name": "Birthday", "type": "DATE", "book": "Events"},
        {"id": 117, "name": "Age", "type": "NUMBER", "book": "Events", "group": "Personal"},
    ]
    books = esputnik.get(app.config, esputnik_account.ADDRESSBOOKS_PATH).json()["addressBook"]
    assert [book["addressBookId"] for book in books] == ["7200", "7201"]
    found = esputnik_account.custom_fields(app.config)
    assert sorted(found) == [115, 116, 117] and found[116] == FieldInfo("Birthday", "DATE")


@pytest.mark.parametrize("count", [1, 3])
def test_the_client_reads_one_segment_as_an_object_and_ids_as_strings(app, fake_esputnik, count):
    names = ["News", "Sales", "VIP"][:count]
    fake_esputnik.segments, fake_esputnik.quirky_segments = names, True
    answer = esputnik.get(app.config, esputnik_account.GROUPS_PATH, {"startindex": 1, "maxrows": 500}).json()
    rows = [answer] if count == 1 else answer
    assert isinstance(answer, dict) == (count == 1) and all(isinstance(row["id"], str) for row in rows)
    assert esputnik_account.segment_names(app.config) == set(names)


def test_a_last_page_of_one_segment_ends_the_reading(app, fake_esputnik):
    fake_esputnik.segments, fake_esputnik.quirky_segments = [f"Segment {n}" for n in range(501)], True
    assert len(esputnik_account.segment_names(app.config)) == 501
    assert len(fake_esputnik.calls) == 2


def test_segments_are_read_page_by_page(app, fake_esputnik):
    fake_esputnik.segments = [f"Segment {n}" for n in range(1203)]
    names = esputnik_account.segment_names(app.config)
    assert len(names) == 1203 and "Segment 1202" in names
    assert [call.path for call in fake_esputnik.calls] == [
        "/api/v1/groups?startindex=1&maxrows=500",
        "/api/v1/groups?startindex=501&maxrows=500",
        "/api/v1/groups?startindex=1001&maxrows=500",
    ]


def test_a_refused_key_or_a_silent_server_is_an_account_error(app, fake_esputnik):
    fake_esputnik.then(("status", 401, b'{"message":"Unauthorized"}'))
    with pytest.raises(esputnik_account.AccountError, match="refused the API key"):
        esputnik_account.custom_fields(app.config)
    fake_esputnik.then(("hang", 2.0))
    with pytest.raises(esputnik_account.AccountError, match="read timeout"):
        esputnik_account.segment_names(app.config)


def shop_account(fake):
    fake.fields = [
        {"id": 115, "name": "Size", "type": "COMBOBOX", "values": ["S", "M"]},
        {"id": 116, "name": "Birthday", "type": "date"},
        {"id": 118, "name": "VIP", "type": "CHECKBOXLIST", "values": ["true"]},
        {"id": 119, "name": "Note", "type": "TEXTFIELD"},
        {"id": 111, "name": "UTM source", "type": "TEXTFIELD"},
    ]
    fake.segments = ["Subscribers", "News"]


@pytest.fixture
def shop_only(settings):
    settings["FORMS"] = catalogue.parse(FORMS)


def test_forms_check_remote_passes_when_every_form_matches(shop_only, runner, fake_esputnik):
    shop_account(fake_esputnik)
    result = runner.invoke(args=["forms", "check", "--remote"])
    assert result.exit_code == 0, result.output
    assert "shop: matches the eSputnik account" in result.output


def test_forms_check_remote_prints_each_mismatch_and_exits_non_zero(shop_only, runner, fake_esputnik):
    shop_account(fake_esputnik)
    fake_esputnik.segments = ["Subscriber", "News"]
    fake_esputnik.fields = fake_esputnik.fields[1:]
    result = runner.invoke(args=["forms", "check", "--remote"])
    assert result.exit_code == 1
    assert "shop: 2 mismatch(es)" in result.output
    assert "custom_fields.size: field id 115 does not exist" in result.output
    assert "did you mean 'Subscriber'?" in result.output


def test_forms_check_remote_says_when_the_account_cannot_be_asked(shop_only, runner, fake_esputnik):
    fake_esputnik.always(("status", 401, b"{}"))
    result = runner.invoke(args=["forms", "check", "--remote"])
    assert result.exit_code == 1
    assert "account default not checked: eSputnik refused the API key (401)" in result.output
    assert "test-key" not in result.output
