"""The forms catalogue: `forms.toml` read, checked and turned into FormSpec objects."""

import os
import tomllib
from dataclasses import dataclass, field

from flask import abort, current_app
from flask_babel import gettext as _

from ..ops import logs
from . import accounts as accounts_table
from . import captcha, collecting, variants, webhook_settings
from .captcha import CaptchaSpec
from .form_checks import (
    FORM_ID,
    TableReader,
    Text,
    check_fields,
    check_finish,
    check_form_type,
    check_labels,
    check_language,
    check_origin,
    check_phone_region,
    check_redirect,
)
from .theme import Theme
from .theme import read as read_theme

TEXT_KEYS = ("title", "description", "submit", "thanks", "consent")
KNOWN_KEYS = {
    "account",
    "form_type",
    "groups",
    "fields",
    "required",
    "allowed_origins",
    "redirect_url",
    "custom_fields",
    "labels",
    "language",
    "phone_region",
    "captcha",
    "theme",
    "finish",
    "variants",
    *TEXT_KEYS,
    *webhook_settings.KEYS,
    *collecting.KEYS,
}


class CatalogueError(Exception):
    """Raised with one line per mistake in the forms file, each naming the form and the key."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class FormSpec:
    """One form of the catalogue, as checked at start."""

    id: str
    form_type: str
    fields: tuple
    required: frozenset
    groups: tuple = ()
    allowed_origins: tuple = ()
    redirect_url: str | None = None
    consent: Text | None = None
    custom_fields: dict = field(default_factory=dict)
    custom_types: dict = field(default_factory=dict)
    hidden: dict = field(default_factory=dict)
    choose_groups: tuple = ()
    labels: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)
    language: str = "en"
    language_given: bool = False  # whether the forms file names it, rather than `en` by default
    phone_region: str | None = None
    captcha: CaptchaSpec | None = None
    webhook_tokens: tuple = field(default=(), repr=False)
    webhook_fields: dict = field(default_factory=dict)
    wpforms_secret: str | None = field(default=None, repr=False)
    theme: Theme = field(default_factory=Theme)
    finish: str = "page"
    variant: str = "a"
    weight: float = 1
    variants: dict = field(default_factory=dict)
    account: str | None = None  # the name of an [accounts.<name>] table; None sends with ESPUTNIK_API_KEY

    @property
    def event_names(self):
        """The two events eSputnik fires for this form: new contact, known contact."""
        return (f"subscribeFromApi-{self.form_type}", f"subscribeUpdateFromApi-{self.form_type}")

    def text(self, key, language):
        """Return one of the form's own texts in `language`, or None when not configured."""
        value = self.texts.get(key)
        return value.get(language, self.language) if value else None

    def label(self, name, language):
        """Return the configured label of a field, or None to use the built-in one."""
        value = self.labels.get(name)
        return value.get(language, self.language) if value else None


def build_form(form_id, table, problems, accounts=None):
    """Check one form's table and return its FormSpec (problems are appended, not raised)."""
    reader = TableReader(form_id, table, problems)
    if not FORM_ID.match(form_id):
        problems.append(f"forms.{form_id}: the form id may use only a-z, 0-9 and -")
    for key in sorted(set(table) - KNOWN_KEYS):
        reader.fail(key, "unknown key")
    custom, types = collecting.check_custom_fields(reader)
    fields, required = check_fields(reader, custom)
    origins = tuple(o for o in (check_origin(reader, o) for o in reader.strings("allowed_origins")) if o)
    texts = {key: reader.text(key) for key in TEXT_KEYS if key in table}
    collecting.check_consent(reader, texts.get("consent"))
    redirect_url = check_redirect(reader, table.get("redirect_url"), origins)
    groups = reader.strings("groups")
    chosen = collecting.check_choose_groups(reader, groups)
    spec = FormSpec(
        id=form_id,
        form_type=check_form_type(reader, table.get("form_type")),
        fields=fields,
        required=required,
        groups=groups,
        choose_groups=chosen,
        hidden=collecting.check_hidden(reader, custom),
        allowed_origins=origins,
        redirect_url=redirect_url,
        consent=texts.get("consent"),
        custom_fields=custom,
        custom_types=types,
        labels=check_labels(reader, (*fields, *chosen)),
        texts={k: v for k, v in texts.items() if v},
        language=check_language(reader),
        language_given="language" in table,
        phone_region=check_phone_region(reader),
        captcha=captcha.read_spec(table["captcha"], reader.fail) if "captcha" in table else None,
        **webhook_settings.check(reader, fields),
        theme=read_theme(table.get("theme"), reader.fail),
        finish=check_finish(reader, redirect_url),
        account=accounts_table.check_form(reader, accounts or {}),
    )
    return variants.attach(spec, table, problems, TEXT_KEYS)


def parse(text, source="forms.toml"):
    """Return {form id: FormSpec} from TOML text, or raise CatalogueError."""
    return read(text, source)[0]


def read(text, source="forms.toml"):
    """Return ({form id: FormSpec}, {account name: Account}) from TOML text, or raise CatalogueError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError([f"{source}: not valid TOML: {exc}"]) from None
    unknown = sorted(set(data) - {"forms", "accounts"})
    problems = [f"{source}: unknown top-level key {key!r} (forms go under [forms.<id>])" for key in unknown]
    accounts = accounts_table.read(data.get("accounts", {}), problems)
    tables = data.get("forms", {})
    if not tables:
        problems.append(f"{source}: no forms defined (add a [forms.<id>] table)")
    forms = {}
    for form_id, table in tables.items():
        if not isinstance(table, dict):
            problems.append(f"forms.{form_id}: expected a table")
            continue
        forms[form_id] = build_form(form_id, table, problems, accounts)
    if problems:
        raise CatalogueError(problems)
    return forms, accounts


def load(path):
    """Read and check the forms file at `path`."""
    return load_with_accounts(path)[0]


def load_with_accounts(path):
    """Read and check the forms file at `path`, returning its forms and its accounts."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise CatalogueError([f"FORMS_FILE: cannot read {path}: {exc.strerror}"]) from None
    return read(text, source=str(path))


def init_app(app, environ=None):
    """Load the forms file named by FORMS_FILE into `app` (forms given in config win, for tests).

    Outside a dry run, every account a form sends to must have its key set in `environ`.
    """
    environ = os.environ if environ is None else environ
    forms, accounts = app.config.get("FORMS"), app.config.get("ACCOUNTS", {})
    if forms is None:
        forms, accounts = load_with_accounts(app.config["FORMS_FILE"])
    if not app.config["DRY_RUN"]:
        unset = accounts_table.unset_keys(forms, accounts, environ)
        if unset:
            raise CatalogueError(unset)
    for account in accounts.values():
        logs.remember_secret(accounts_table.key(account, environ))
    app.extensions["signup.forms"] = forms
    app.extensions["signup.accounts"] = accounts
    app.extensions["signup.environ"] = environ


def find(form_id):
    """Return the current app's form with this id, or None."""
    return current_app.extensions["signup.forms"].get(form_id)


def found(form):
    """Return `form`, or end the request with 404 when there is no such form."""
    if form is None:
        abort(404, description=_("There is no such form."))
    return form


def all_forms():
    """Return the current app's forms in file order."""
    return list(current_app.extensions["signup.forms"].values())
