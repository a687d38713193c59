"""Reading request bodies (JSON, form-encoded, query strings) into plain dicts, refusing the rest clearly."""

import json

from flask_babel import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyError(Exception):
    """A body that cannot be read, with the message to send back."""


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
    return data


def _form(multidict):
    return {key: values[0] if len(values) == 1 else values for key, values in multidict.lists()}


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
