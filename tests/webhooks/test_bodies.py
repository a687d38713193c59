"""Reading request bodies: JSON, form fields and query strings into dicts, and a clear refusal for the rest."""

import pytest
from flask import request

from signup.webhooks import bodies


def read(app, method="POST", query=False, **kwargs):
    with app.test_request_context("/hooks/news", method=method, **kwargs):
        return bodies.read_object(request, query=query)


def test_json_form_and_query_all_become_dicts(app):
    assert read(app, json={"email": "a@example.com"}) == {"email": "a@example.com"}
    assert read(app, data={"email": "a@example.com", "tag": ["x", "y"]}) == {
        "email": "a@example.com",
        "tag": ["x", "y"],
    }
    assert read(app, method="GET", query=True, query_string={"email": "a@example.com"}) == {"email": "a@example.com"}
    assert read(app, data=b"", content_type="application/json") == {}
    assert read(app, data=b'{"email": "a@example.com"}', content_type="text/plain") == {"email": "a@example.com"}


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        (b"{not json", "application/json", "The body is not valid JSON."),
        (b"\xff\xfe", "application/json", "The body is not valid UTF-8 text."),
        (b"[" * 5000 + b"]" * 5000, "application/json", "The JSON is nested too deeply."),
        (b"<xml/>", "application/xml", "Send the data as JSON or as a form (application/x-www-form-urlencoded)."),
        (b"[1, 2]", "application/json", "Send a JSON object whose keys are the form's field names."),
    ],
)
def test_what_cannot_be_read_is_refused_with_what_to_send(app, raw, content_type, message):
    with pytest.raises(bodies.BodyError) as refused:
        read(app, data=raw, content_type=content_type)
    assert str(refused.value) == message


def test_a_multipart_part_whose_name_cannot_be_read_is_left_out(client):
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="broken\\"\r\n\r\n{{}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nada@example.com\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    answer = client.post(
        "/hooks/news?token=hook-secret-123", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
