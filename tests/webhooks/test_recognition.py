"""Finding the contact in a payload: key names and labels in English, Ukrainian and Russian, and value shapes."""

import pytest

from signup.forms import catalogue
from signup.webhooks.plugins import Item
from signup.webhooks.recognition import extract, role_of

FORMS = catalogue.parse(
    """
[forms.all]
form_type = "all"
fields = ["email", "phone", "first_name", "last_name", "city"]
phone_region = "UA"
[forms.all.custom_fields]
city = 101
[forms.mapped]
form_type = "mapped"
fields = ["email", "first_name", "last_name", "city"]
[forms.mapped.custom_fields]
city = 102
[forms.mapped.webhook_fields]
personal = "email"
"Contact person" = "full_name"
Interests = "city"
"""
)
ALL, MAPPED = FORMS["all"], FORMS["mapped"]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("email", "email"),
        ("your-email", "email"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("emailAddress", "email"),
        ("billing_email", "email"),
        ("mf-email", "email"),
        ("No Label email_1", "email"),
        ("Електронна пошта", "email"),
        ("Ел. пошта", "email"),
        ("Электронная почта", "email"),
        ("Ваш e-mail", "email"),
        ("phone", "phone"),
        ("tel-731", "phone"),
        ("phoneNumber", "phone"),
        ("mf-telephone", "phone"),
        ("Mobile", "phone"),
        ("WhatsApp", "phone"),
        ("Телефон", "phone"),
        ("Номер телефону", "phone"),
        ("Мобильный телефон", "phone"),
        ("first_name", "first"),
        ("First Name", "first"),
        ("firstName", "first"),
        ("names[first_name]", "first"),
        ("fname", "first"),
        ("mf-listing-fname", "first"),
        ("Given name", "first"),
        ("last_name", "last"),
        ("Last name", "last"),
        ("surname", "last"),
        ("Family name", "last"),
        ("Прізвище", "last"),
        ("Фамилия", "last"),
        ("names[middle_name]", "middle"),
        ("По батькові", "middle"),
        ("Отчество", "middle"),
        ("name", "name"),
        ("your-name", "name"),
        ("Name (required)", "name"),
        ("Ім'я", "name"),
        ("Ім’я", "name"),
        ("Имя", "name"),
        ("Ваше ім'я", "name"),
        ("Ваше имя", "name"),
        ("Full name", "full"),
        ("fullName", "full"),
        ("Ім'я та прізвище", "full"),
        ("Имя и фамилия", "full"),
        ("ПІБ", "surname_first"),
        ("ФИО", "surname_first"),
        ("Ф.И.О.", "surname_first"),
        ("Прізвище, ім'я, по батькові", "surname_first"),
        ("company_name", None),
        ("Назва компанії", None),
        ("username", None),
        ("your-message", None),
        ("subject", None),
        ("telegram", None),
        ("newsletter_email_optin", None),
        ("Згода на обробку даних", None),
        ("acceptance-1", None),
        ("", None),
    ],
)
def test_what_a_key_or_label_asks_for(text, role):
    assert role_of(text) == role


def items(**values):
    return [Item(key, value) for key, value in values.items()]


def test_our_own_field_names_win_over_recognition():
    found = extract(ALL, [Item("your-email", "other@example.com"), Item("Email", "ada@example.com")])
    assert found["email"] == "ada@example.com"


def test_a_mapping_wins_and_can_split_a_full_name():
    found = extract(
        MAPPED,
        [
            Item("work_email", "work@example.com"),
            Item("personal", "me@example.com"),
            Item("f3", "Ada Lovelace", label="Contact person"),
            Item("Interests", ["Science", "Poetry"]),
        ],
    )
    assert found == {"email": "me@example.com", "first_name": "Ada", "last_name": "Lovelace", "city": "Science, Poetry"}


def test_unknown_keys_never_become_fields():
    found = extract(ALL, items(email="a@example.com", Місто="Київ", company="ACME", City_2="Lviv"))
    assert found == {"email": "a@example.com"}


def test_custom_fields_come_only_by_their_own_name():
    assert extract(ALL, items(email="a@example.com", City="Київ"))["city"] == "Київ"


def test_email_and_phone_are_found_by_value_when_keys_say_nothing():
    found = extract(ALL, items(a1="olena@example.com", b2="067 123 45 67", c3="01001", d4="203.0.113.7"))
    assert (found["email"], found["phone"]) == ("olena@example.com", "067 123 45 67")


def test_bare_digits_are_not_taken_for_a_phone_by_their_value_alone():
    assert "phone" not in extract(ALL, items(email="a@example.com", order="0501234567"))
    assert extract(ALL, items(email="a@example.com", tel="0501234567"))["phone"] == "0501234567"


def test_a_yes_no_box_named_after_email_does_not_hide_the_address():
    found = extract(ALL, items(email_updates="1", contact="ada@example.com"))
    assert found["email"] == "ada@example.com"


def test_the_plugin_s_own_data_is_never_taken_for_the_contact():
    meta = [Item("admin_email", "owner@shop.example.com", meta=True), Item("user_phone", "+380501234567", meta=True)]
    assert extract(ALL, meta) == {}


@pytest.mark.parametrize(
    ("given", "first", "last"),
    [
        ({"Name": "Ada Lovelace"}, "Ada", "Lovelace"),
        ({"your-name": "Тарас Шевченко"}, "Тарас", "Шевченко"),
        ({"Ім'я": "Олена"}, "Олена", None),
        ({"Ім'я": "Анна Марія", "Прізвище": "Коваль"}, "Анна Марія", "Коваль"),
        ({"Имя": "Иван", "Фамилия": "Петров"}, "Иван", "Петров"),
        ({"First name": "Mary Ann"}, "Mary Ann", None),
        ({"First name": "Mary", "Full name": "Mary Smith"}, "Mary", "Smith"),
        ({"ПІБ": "Шевченко Тарас Григорович"}, "Тарас", "Шевченко"),
        ({"ФИО": "Иванова Мария"}, "Мария", "Иванова"),
        ({"Full name": "Ludwig van Beethoven"}, "Ludwig", "van Beethoven"),
        ({"names[first_name]": "Марія", "names[middle_name]": "Іванівна", "names[last_name]": "Коваленко"},
         "Марія", "Коваленко"),
    ],
)  # fmt: skip
def test_first_and_last_names(given, first, last):
    found = extract(ALL, items(**given))
    assert (found.get("first_name"), found.get("last_name")) == (first, last)


def test_a_label_beats_a_meaningless_key():
    found = extract(ALL, [Item("field_3a", "Ірина", label="Ім'я"), Item("field_3b", "Ткач", label="Прізвище")])
    assert (found["first_name"], found["last_name"]) == ("Ірина", "Ткач")


def test_a_field_type_beats_the_label():
    found = extract(ALL, [Item("f1", "ada@example.com", label="Where to write", kind="email")])
    assert found["email"] == "ada@example.com"


def test_fields_a_form_does_not_have_are_left_out():
    (news,) = catalogue.parse('[forms.n]\nform_type="n"\nfields=["email"]').values()
    assert extract(news, items(email="a@example.com", name="Ada Lovelace", phone="+380501234567")) == {
        "email": "a@example.com"
    }
