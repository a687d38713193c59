"""A hostile body costs the visitors' routes work in proportion to its size, with a form token or without.

Counted as for the webhooks (tests/webhooks/test_parse_cost.py): every function call made while the
body is handled, 8 times the entries making at most about 8 times the calls.
"""

from urllib.parse import urlencode

import pytest

from tests.conftest import form_token
from tests.webhooks.test_parse_cost import grows_linearly

FORM = "application/x-www-form-urlencoded"


def bracket_list(n):
    return "&".join(["a[]="] * n)


def distinct_keys(n):
    return "&".join(f"k{i}=" for i in range(n))


def long_address(n):
    # Dotted like this, an address costs the address check more than any other long value tried.
    return urlencode({"email": "a." * n + "@example.com", "consent": "on"})


@pytest.mark.parametrize("shape", [bracket_list, distinct_keys, long_address])
@pytest.mark.parametrize("path", ["/api/forms/news/submissions", "/f/news"])
@pytest.mark.parametrize("with_token", [True, False], ids=["form token", "no token"])
def test_a_hostile_body_costs_calls_in_proportion_to_its_size(client, shape, path, with_token):
    token = f"&form_token={form_token(client, 'news')}" if with_token else ""
    statuses = []

    def send(body):
        # The token stays good: none of these bodies makes a sign-up, which is what would spend it.
        statuses.append(client.post(path, data=body + token, content_type=FORM).status_code)

    send(shape(10))  # the first request's one-off work is not the body's
    linear, counts = grows_linearly(send, shape)
    assert linear, counts
    assert set(statuses) <= {413, 422}, statuses
