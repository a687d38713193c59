"""Variants from the forms file: `[forms.<id>.variants.<name>]` overriding texts, theme and form_type."""

import dataclasses
import re

from .collecting import check_consent
from .form_checks import TableReader, check_form_type
from .theme import read as read_theme

NAME = re.compile(r"^[a-z0-9-]{1,32}$")
OWN_KEYS = ("theme", "form_type", "weight")
MAX_WEIGHT = 1000


def attach(spec, table, problems, text_keys):
    """Return `spec` with the variants of its table checked and built (problems are appended)."""
    raw = table.get("variants")
    if raw is None:
        return spec
    prefix = f"forms.{spec.id}.variants"
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{prefix}: expected one table per variant, [forms.{spec.id}.variants.<name>]")
        return spec
    built = {}
    for name, variant in raw.items():
        if name == "a":
            problems.append(f"{prefix}.a: the form itself is variant a; give other variants other names")
        elif not NAME.match(name):
            problems.append(f"{prefix}.{name}: a variant name may use only a-z, 0-9 and - (at most 32)")
        elif not isinstance(variant, dict):
            problems.append(f"{prefix}.{name}: expected a table")
        else:
            reader = TableReader(f"{spec.id}.variants.{name}", variant, problems)
            built[name] = _variant(spec, name, reader, table.get("theme"), text_keys)
    return dataclasses.replace(spec, variants=built)


def _variant(spec, name, reader, form_theme, text_keys):
    table = reader.table
    allowed = (*text_keys, *OWN_KEYS)
    for key in sorted(set(table) - set(allowed)):
        reader.fail(key, f"unknown key (a variant may set {', '.join(allowed)})")
    given = {key: reader.text(key) for key in text_keys if key in table}
    texts = {**spec.texts, **{key: value for key, value in given.items() if value}}
    # A variant's consent is shown as the form's own is, so its link is held to the same rule.
    check_consent(reader, given.get("consent"))
    theme = spec.theme
    if "theme" in table:
        own = table["theme"]
        # A variant's theme changes only the keys it names; the rest stay the form's own.
        merged = {**form_theme, **own} if isinstance(form_theme, dict) and isinstance(own, dict) else own
        theme = read_theme(merged, reader.fail)
    form_type = check_form_type(reader, table["form_type"]) if "form_type" in table else spec.form_type
    return dataclasses.replace(
        spec,
        variant=name,
        weight=_weight(reader, table.get("weight", 1)),
        texts=texts,
        consent=texts.get("consent"),
        theme=theme,
        form_type=form_type,
    )


def _weight(reader, value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_WEIGHT:
        reader.fail("weight", f"expected a number from 0 to {MAX_WEIGHT} (the form itself weighs 1)")
        return 1
    return value
