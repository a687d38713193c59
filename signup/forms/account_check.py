"""Each form against its own eSputnik account: custom field ids and types, and segment names that must exist."""

import difflib
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ..db import utcnow
from ..delivery import account_status, esputnik_account, outbox
from . import catalogue
from .accounts import DEFAULT
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
        return [{"says": "missing", "key": key, "id": field_id}]
    if info.type not in ACCEPTS[kind.kind]:
        wanted = sorted(ACCEPTS[kind.kind])
        return [dict(says="type", key=key, id=field_id, name=info.name, found=info.type, kind=kind.kind, wanted=wanted)]
    sent = kind.options if kind.kind == "select" else (kind.value,) if kind.kind == "checkbox" else ()
    missing = [value for value in sent if info.values and value not in info.values]
    if missing:
        return [{"says": "values", "key": key, "id": field_id, "name": info.name, "values": missing}]
    return []


def _group_problem(key, name, segments):
    near = difflib.get_close_matches(name, sorted(segments), n=1, cutoff=0.75)
    return {"says": "group", "key": key, "name": name, "near": near[0] if near else None}


def _either(names):
    return names[0] if len(names) == 1 else _("%(first)s or %(last)s", first=", ".join(names[:-1]), last=names[-1])


def describe(problem):
    """Return one mismatch in words, in the current language (a report kept as text is shown as it is)."""
    if isinstance(problem, str):
        return problem
    says, key = problem["says"], problem["key"]
    if says == "missing":
        return _("%(key)s: field id %(id)s does not exist in the eSputnik account", key=key, id=problem["id"])
    if says == "type":
        return _(
            "%(key)s: field %(id)s (%(name)s) is %(found)s in eSputnik; %(kind)s needs %(wanted)s",
            key=key,
            id=problem["id"],
            name=problem["name"],
            found=problem["found"] or _("untyped"),
            kind=problem["kind"],
            wanted=_either(problem["wanted"]),
        )
    if says == "values":
        values = ", ".join(map(repr, problem["values"]))
        return _(
            "%(key)s: field %(id)s (%(name)s) does not allow %(values)s",
            key=key,
            id=problem["id"],
            name=problem["name"],
            values=values,
        )
    if problem["near"]:
        return _(
            "%(key)s: no segment %(name)s in eSputnik, which would create it at the first sign-up; "
            "did you mean %(near)s?",
            key=key,
            name=repr(problem["name"]),
            near=repr(problem["near"]),
        )
    return _(
        "%(key)s: no segment %(name)s in eSputnik, which would create it at the first sign-up",
        key=key,
        name=repr(problem["name"]),
    )


def mismatches(form, fields, segments):
    """Return what in `form` does not match the account's custom fields ({id: FieldInfo}) and segment names.

    Each mismatch is a dict that `describe` puts in words, so a kept report reads in each reader's language.
    """
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
    """The account check of every form at one moment: problems per form id, and per account why it could not run."""

    problems: dict
    errors: dict  # account name (`default`: ESPUTNIK_API_KEY's) -> why it was not checked
    checked_at: datetime
    accounts: dict = field(default_factory=dict)  # form id -> the name of the account it was checked against

    def error_for(self, form_id):
        """Return why the account of `form_id` could not be checked, or None."""
        return self.errors.get(self.accounts.get(form_id, DEFAULT))


def check_account(forms, config):
    """Ask eSputnik about one account (`config` holds its key and URL); return (problems per form id, error)."""
    try:
        fields, segments = esputnik_account.custom_fields(config), esputnik_account.segment_names(config)
    except esputnik_account.AccountError as exc:
        return {}, str(exc)
    return {form.id: mismatches(form, fields, segments) for form in forms}, None


def run(accounts):
    """Check each account's forms against that account and return the Report.

    `accounts` is [(name, key_env, config or None when its key is unset, its forms)]: an account
    without its key is named in the report, and the others are checked all the same.
    """
    problems, errors, names = {}, {}, {}
    for name, key_env, config, forms in accounts:
        names.update((form.id, name) for form in forms)
        if config is None:
            errors[name] = f"{key_env} is not set"
            continue
        found, error = check_account(forms, config)
        problems.update(found)
        if error:
            errors[name] = error
    return Report(problems, errors, utcnow(), names)


def check_all(timeout=None):
    """Check every form of the current app against its own account's key and URL; return the Report.

    `timeout`, when given, caps eSputnik's connect and read timeouts (a page waits for the answer).
    """
    config, forms = current_app.config, {form.id: form for form in catalogue.all_forms()}
    accounts, statuses = [], {}
    for found in account_status.in_use():
        if not found.forms:
            continue
        statuses[found.name] = found
        settings = None
        if found.key_set:
            settings = dict(outbox.account_config(config, found.account))
            for key in ("ESPUTNIK_CONNECT_TIMEOUT", "ESPUTNIK_READ_TIMEOUT"):
                settings[key] = min(settings[key], timeout or settings[key])
        accounts.append((found.name, found.key_env, settings, [forms[form_id] for form_id in found.forms]))
    report = run(accounts)
    # eSputnik's words name the default settings; each account's own are the ones to fix.
    errors = {name: statuses[name].own_words(error) for name, error in report.errors.items()}
    return replace(report, errors=errors)
