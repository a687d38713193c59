"""Cleaning what a form collects beyond the contact: typed custom fields, hidden values and chosen groups."""

import re
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext as _

from . import validation
from .privacy import consent

URL_VALUES = ("page_url", "referrer")


def _many(raw, name):
    """Return every value given for `name`, from a multi-valued form or a JSON list or text."""
    if hasattr(raw, "getlist"):
        return raw.getlist(name)
    value = raw.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _names(form, text):
    """Split a plugin's several ticked boxes sent as one text (by lines or commas), unless it is one name."""
    if text.strip() in form.choose_groups:
        return [text]
    return re.split(r"[\n,]", text)


def chosen_groups(form, raw):
    """Return (the listed groups the visitor ticked, in the form's order, or None) and an error, if any."""
    given = _many(raw, "groups")
    if not form.choose_groups or not given:
        return None, None
    texts = [validation.as_text(v) for v in given]
    if any(t is None for t in texts):
        return None, _("Choose among the listed groups.")
    wanted = {name.strip() for t in texts for name in _names(form, t) if name.strip()}
    if wanted - set(form.choose_groups):
        return None, _("Choose among the listed groups.")
    return [name for name in form.choose_groups if name in wanted] or None, None


def _url_value(name, raw):
    """Return the host page's address or its referrer, when plausible and short enough for a text field."""
    if name == "page_url":
        url = consent.page_url(raw) if has_request_context() else consent.clean_url(raw.get("page_url"))
    else:
        # Only where the visitor came from: the rest of that address may be personal (a search, a token).
        url = consent.clean_url(raw.get(name))
        url = consent.without_query(url) if url else None
    return url if url and len(url) <= validation.CUSTOM_MAX_LENGTH else None


def hidden_value(name, raw):
    """Return (value or None, message or None) of one hidden value, checked as any custom text."""
    if name in URL_VALUES:
        return _url_value(name, raw), None
    text = validation.as_text(raw.get(name, ""))
    if text is None:
        return None, _("Send this field as text.")
    text = text.strip()
    if validation.has_control_characters(text) or "\x00" in text:
        return None, _("Remove the invisible control characters from this field.")
    if len(text) > validation.CUSTOM_MAX_LENGTH:
        return None, validation.at_most(validation.CUSTOM_MAX_LENGTH)
    return text or None, None


def add_extras(form, raw, values, errors):
    """Add the form's hidden values and the visitor's chosen groups to `values`, problems to `errors`."""
    for name in form.hidden:
        value, problem = hidden_value(name, raw)
        if problem:
            errors[name] = [problem]
        elif value:
            values[name] = value
    groups, problem = chosen_groups(form, raw)
    if problem:
        errors["groups"] = [problem]
    elif groups:
        values["groups"] = groups


@dataclass(frozen=True)
class OnPage:
    """What the form page renders of the extras: hidden values to carry, groups ticked before."""

    hidden: dict
    groups: tuple


def on_page(form, data):
    """Return the hidden values a form page carries to its POST (good ones only) and the groups kept ticked."""
    hidden = {}
    for name in form.hidden:
        if name == "page_url":
            continue  # the page renders it already, for the consent record too
        value, problem = hidden_value(name, data)
        if value and not problem:
            hidden[name] = value
    ticked = {validation.as_text(v) for v in _many(data, "groups")}
    return OnPage(hidden, tuple(name for name in form.choose_groups if name in ticked))


def clean(form, raw, *, require_consent=True):
    """Return (values, errors) for everything a sign-up sends: the form's fields, what it collects beyond them, consent.

    `values` holds what goes to eSputnik, cleaned; `errors` maps an input's name to its messages.
    """
    values, errors = validation.clean_fields(form, raw)
    add_extras(form, raw, values, errors)
    if form.consent and require_consent and not validation.is_checked(raw.get("consent")):
        errors["consent"] = [_("Please tick the box to agree.")]
    return values, errors
