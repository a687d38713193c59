"""How a form's fields are presented: label, input type, autocomplete hint and texts."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from . import consent_link

BUILT_IN_LABELS = {
    "email": lazy_gettext("Email"),
    "phone": lazy_gettext("Phone number"),
    "first_name": lazy_gettext("First name"),
    "last_name": lazy_gettext("Last name"),
    "town": lazy_gettext("Town or city"),
    "region": lazy_gettext("Region"),
    "address": lazy_gettext("Address"),
    "postcode": lazy_gettext("Postcode"),
}
INPUT_TYPES = {"email": "email", "phone": "tel"}
AUTOCOMPLETE = {
    "email": "email",
    "phone": "tel",
    "first_name": "given-name",
    "last_name": "family-name",
    "town": "address-level2",
    "region": "address-level1",
    "address": "street-address",
    "postcode": "postal-code",
}
INPUT_MODES = {"email": "email", "phone": "tel"}


def label(form, name, language):
    """Return the label shown for a field in `language`."""
    configured = form.label(name, language)
    if configured:
        return configured
    if name in BUILT_IN_LABELS:
        return str(BUILT_IN_LABELS[name])
    return name.replace("_", " ").capitalize()


# The input a typed custom field is shown with; a select and a checkbox are their own elements.
TYPED_INPUTS = {"number": "number", "date": "date", "select": "select", "checkbox": "checkbox"}


def _describe_one(form, name, language):
    kind = form.custom_types.get(name)
    item = {
        "name": name,
        "label": label(form, name, language),
        "type": TYPED_INPUTS.get(kind.kind, "text") if kind else INPUT_TYPES.get(name, "text"),
        "autocomplete": AUTOCOMPLETE.get(name, "off"),
        "required": name in form.required,
    }
    if kind and kind.kind == "select":
        item["options"] = list(kind.options)
    return item


def describe(form, language):
    """Return the form's fields in order, each as a dict a template or a client can render."""
    return [_describe_one(form, name, language) for name in form.fields]


def group_choices(form, language):
    """Return the groups a visitor may tick, each with its label in `language`."""
    return [{"name": name, "label": form.label(name, language) or name} for name in form.choose_groups]


def texts(form, language):
    """Return the form's visible texts in `language`, built-in ones where none is configured."""
    asks_email = "email" in form.fields
    return {
        "title": form.text("title", language) or _("Subscribe"),
        "description": form.text("description", language),
        "submit": form.text("submit", language) or _("Subscribe"),
        "consent": form.consent.get(language, form.language) if form.consent else None,
        "consent_html": consent_link.render(form.consent.get(language, form.language)) if form.consent else None,
        "thanks": form.text("thanks", language)
        or (_("Thank you! Please check your inbox to confirm.") if asks_email else _("Thank you for signing up!")),
    }


def script_messages():
    """Return the messages shown when a sign-up fails as a whole rather than field by field."""
    return {
        "expired": _("This form was open for too long. Please check it and send it again."),
        "failed": _("Your sign-up could not be sent. Please check your connection and try again."),
    }
