"""A form's webhook keys in the forms file: tokens, field mapping, WPForms secret, each mistake named."""

import pytest

from signup.forms import catalogue

HEAD = """
[forms.shop]
form_type = "shop"
fields = ["email", "first_name", "city"]
"""
CUSTOM = """
[forms.shop.custom_fields]
city = 5
"""


def parse(extra):
    return catalogue.parse(HEAD + extra + CUSTOM)["shop"]


def problems(extra):
    with pytest.raises(catalogue.CatalogueError) as info:
        parse(extra)
    return info.value.problems


def test_the_keys_are_read():
    form = parse(
        """
webhook_tokens = ["shop-token-0123456789", "second-token_abcdefgh"]
wpforms_secret = "s3cr3t"
[forms.shop.webhook_fields]
"Ваш e-mail" = "email"
"Contact person" = "full_name"
"1.3" = "first_name"
"Місто" = "city"
"""
    )
    assert form.webhook_tokens == ("shop-token-0123456789", "second-token_abcdefgh")
    assert form.wpforms_secret == "s3cr3t"
    assert form.webhook_fields == {
        "Ваш e-mail": "email",
        "Contact person": "full_name",
        "1.3": "first_name",
        "Місто": "city",
    }


def test_secrets_stay_out_of_the_form_s_repr():
    form = parse('webhook_tokens = ["shop-token-0123456789"]\nwpforms_secret = "s3cr3t-value"')
    assert "shop-token-0123456789" not in repr(form) and "s3cr3t-value" not in repr(form)


def test_no_keys_means_no_tokens_mapping_or_secret():
    form = parse("")
    assert (form.webhook_tokens, form.webhook_fields, form.wpforms_secret) == ((), {}, None)


def test_secrets_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SHOP_HOOK_TOKEN", "from-the-environment-123")
    monkeypatch.setenv("SHOP_WPFORMS_SECRET", "env-secret")
    form = parse('webhook_tokens = ["${SHOP_HOOK_TOKEN}"]\nwpforms_secret = "${SHOP_WPFORMS_SECRET}"')
    assert (form.webhook_tokens, form.wpforms_secret) == (("from-the-environment-123",), "env-secret")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('webhook_tokens = "one-token-0123456789"', "forms.shop.webhook_tokens: expected a list of tokens"),
        ('webhook_tokens = ["short"]', "forms.shop.webhook_tokens: each token needs at least 16 characters"),
        ('webhook_tokens = ["has spaces in it 0123"]', "forms.shop.webhook_tokens: each token needs at least 16"),
        ("webhook_tokens = [42]", "forms.shop.webhook_tokens: expected a non-empty string"),
        ('webhook_tokens = ["${NOT_SET_ANYWHERE}"]', "the environment variable NOT_SET_ANYWHERE is not set"),
        ('wpforms_secret = ""', "forms.shop.wpforms_secret: expected a non-empty string"),
        ("wpforms_secret = 1", "forms.shop.wpforms_secret: expected a non-empty string"),
        ('webhook_fields = "email"', "forms.shop.webhook_fields: expected a table of plugin key = field name"),
        ('[forms.shop.webhook_fields]\nmail = "phone"', "forms.shop.webhook_fields.mail: 'phone' is not one of"),
        ("[forms.shop.webhook_fields]\nmail = 3", "forms.shop.webhook_fields.mail: 3 is not one of"),
        ("[forms.shop.webhook_fields]\n' ' = \"email\"", "forms.shop.webhook_fields: a plugin key is empty"),
    ],
)
def test_each_mistake_names_the_form_and_key(extra, expected):
    found = problems(extra)
    assert any(expected in line for line in found), found


def test_a_bad_token_is_never_repeated_in_the_message():
    (line,) = problems('webhook_tokens = ["tiny-secret"]')
    assert "tiny-secret" not in line
