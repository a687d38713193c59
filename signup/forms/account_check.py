"""Each form against the eSputnik account: custom field ids and types, and segment names that must exist."""

import difflib
from dataclasses import dataclass
from datetime import datetime

from ..db import utcnow
from ..delivery import esputnik_account
from ..validation import CHECKED
from .collecting import TEXT

# The eSputnik field types each of our types may be written into.
ACCEPTS = {
    "text": {"TEXTFIELD", "TEXTAREA"},
    "number": {"NUMBER", "DECIMAL"},
    "date": {"DATE"},
    "select": {"COMBOBOX"},
    "checkbox": {"CHECKBOXLIST"},
}


def _field_problems(key, field_id, kind, found):
    info = found.get(field_id)
    if info is None:
        return [f"{key}: field id {field_id} does not exist in the eSputnik account"]
    if info.type not in ACCEPTS[kind.kind]:
        wanted = " or ".join(sorted(ACCEPTS[kind.kind]))
        found_type = info.type or "untyped"
        return [f"{key}: field {field_id} ({info.name}) is {found_type} in eSputnik; {kind.kind} needs {wanted}"]
    sent = kind.options if kind.kind == "select" else (CHECKED,) if kind.kind == "checkbox" else ()
    missing = [value for value in sent if info.values and value not in info.values]
    if missing:
        return [f"{key}: field {field_id} ({info.name}) does not allow {', '.join(map(repr, missing))}"]
    return []


def _group_problem(key, name, segments):
    near = difflib.get_close_matches(name, sorted(segments), n=1, cutoff=0.75)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"{key}: no segment {name!r} in eSputnik, which would create it at the first sign-up{hint}"


def mismatches(form, fields, segments):
    """Return what in `form` does not match the account's custom fields ({id: FieldInfo}) and segment names."""
    problems = []
    for name, field_id in form.custom_fields.items():
        problems += _field_problems(f"custom_fields.{name}", field_id, form.custom_types.get(name, TEXT), fields)
    for name, field_id in form.hidden.items():
        problems += _field_problems(f"hidden.{name}", field_id, TEXT, fields)
    for key, names in (("groups", form.groups), ("choose_groups", form.choose_groups)):
        problems += [_group_problem(key, name, segments) for name in names if name not in segments]
    return problems


@dataclass(frozen=True)
class Report:
    """The account check of every form at one moment: problems per form id, or why it could not run."""

    problems: dict
    error: str | None
    checked_at: datetime


def run(forms, config):
    """Ask eSputnik about the account once and return the Report for `forms`."""
    try:
        fields, segments = esputnik_account.custom_fields(config), esputnik_account.segment_names(config)
    except esputnik_account.AccountError as exc:
        return Report({}, str(exc), utcnow())
    return Report({form.id: mismatches(form, fields, segments) for form in forms}, None, utcnow())
