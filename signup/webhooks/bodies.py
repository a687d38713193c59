"""Reading request bodies (JSON, form-encoded, query strings) into plain dicts, refusing the rest clearly."""

import json

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Keys and list entries of one body together. A sign-up holds dozens; the largest plugin payload
# (a Gravity Forms entry object with every field) a few hundred. Past this, nothing is read further.
MAX_VALUES = 1000


class BodyError(Exception):
    """A body that cannot be read, with the message to send back and, where it matters, the status."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def too_many():
    """Return the error for a body past MAX_VALUES, saying what to send instead."""
    message = _(
        "The body holds more than %(limit)d fields and list entries: send only the sign-up's fields.",
        limit=MAX_VALUES,
    )
    return BodyError(message, status=413)


def count_values(data, limit=MAX_VALUES):
    """Return how many keys and list entries `data` holds, in one pass that stops once past `limit`."""
    count, stack = 0, [data]
    while stack and count <= limit:
        node = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        count += len(children)
        if count <= limit:
            stack.extend(child for child in children if isinstance(child, (dict, list)))
    return count


def _json(request):
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyError(_("The body is not valid UTF-8 text.")) from None
    except ValueError:
        raise BodyError(_("The body is not valid JSON.")) from None
    except RecursionError:
        raise BodyError(_("The JSON is nested too deeply.")) from None
    if count_values(data) > MAX_VALUES:
        raise too_many()
    return data


def _form(multidict):
    lists = list(multidict.lists())
    if sum(len(values) for _key, values in lists) > MAX_VALUES:
        raise too_many()
    # A multipart part whose name cannot be read comes with no key: it names no field, so it is left out.
    return {key: values[0] if len(values) == 1 else values for key, values in lists if key is not None}


def read(request, *, query=False):
    """Return the request's data: a JSON value, or a dict of form (or, with query, query-string) fields."""
    if query and request.method in ("GET", "HEAD"):
        return _form(request.args)
    mimetype = request.mimetype
    if mimetype in FORM_TYPES:
        return _form(request.form)
    if mimetype == "application/json" or mimetype.endswith("+json") or mimetype in ("text/plain", ""):
        return _json(request)
    raise BodyError(_("Send the data as JSON or as a form (application/x-www-form-urlencoded)."))


def read_object(request, *, query=False):
    """Return the request's data as a dict; a JSON array or scalar is refused."""
    data = read(request, query=query)
    if not isinstance(data, dict):
        raise BodyError(_("Send a JSON object whose keys are the form's field names."))
    return data


def refuse_cut_off_body():
    """Refuse with 413 a body sent without a length (chunked) that runs past MAX_CONTENT_LENGTH.

    Werkzeug stops reading such a stream at the limit and hands on what it read, cut off, which
    would then be refused as unreadable instead of too large.
    """
    if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return
    if request.max_content_length is None:
        return
    request.get_data(cache=True)  # up to the limit; every later read of the body gets these bytes
    if request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
