"""A form's webhook keys in the forms file: its own tokens, the plugin-key mapping, the WPForms secret."""

import os
import re

KEYS = ("webhook_tokens", "webhook_fields", "wpforms_secret")
FULL_NAME = "full_name"  # a mapping target: one box holding the whole name, split into first and last
GROUPS = "groups"  # a mapping target: the choose_groups ticked in the plugin's form
URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
MIN_TOKEN_LENGTH = 16
FROM_ENVIRONMENT = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def _secret(reader, key, value):
    """Return a secret given inline or as ${VARIABLE} (read from the environment), or None after a problem."""
    if not isinstance(value, str) or not value.strip():
        reader.fail(key, "expected a non-empty string")
        return None
    match = FROM_ENVIRONMENT.match(value.strip())
    if not match:
        return value.strip()
    found = os.environ.get(match.group(1), "").strip()
    if not found:
        reader.fail(key, f"the environment variable {match.group(1)} is not set")
        return None
    return found


def _tokens(reader, value):
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.fail("webhook_tokens", "expected a list of tokens")
        return ()
    tokens = []
    for raw in value:
        token = _secret(reader, "webhook_tokens", raw)
        if token is None:
            continue
        if len(token) < MIN_TOKEN_LENGTH or not URL_SAFE.match(token):
            # The message never repeats the token: the start-up error may end up in a shared log.
            reader.fail(
                "webhook_tokens",
                f"each token needs at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 . _ ~ - (it goes in URLs)",
            )
            continue
        tokens.append(token)
    return tuple(tokens)


def _fields(reader, value, fields):
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.fail("webhook_fields", "expected a table of plugin key = field name")
        return {}
    mapping = {}
    # A plugin's checkboxes may fill the groups a visitor picks, when the form lists some.
    targets = (*fields, FULL_NAME, *((GROUPS,) if reader.table.get("choose_groups") else ()))
    for key, target in value.items():
        if not key.strip():
            reader.fail("webhook_fields", "a plugin key is empty")
        elif not isinstance(target, str) or target not in targets:
            choices = ", ".join(targets)
            reader.fail(f"webhook_fields.{key}", f"{target!r} is not one of the form's fields ({choices})")
        else:
            mapping[key.strip()] = target
    return mapping


def check(reader, fields):
    """Return the form's webhook settings as FormSpec keyword arguments, problems sent to `reader`."""
    table = reader.table
    secret = table.get("wpforms_secret")
    return {
        "webhook_tokens": _tokens(reader, table.get("webhook_tokens")),
        "webhook_fields": _fields(reader, table.get("webhook_fields"), fields),
        "wpforms_secret": None if secret is None else _secret(reader, "wpforms_secret", secret),
    }
