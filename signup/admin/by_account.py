"""The admin view of several eSputnik accounts: each one's connection, its forms under it, the account filter."""

import time
from dataclasses import dataclass

from flask import current_app

from ..delivery import esputnik, outbox
from ..delivery.account_status import AccountStatus

CONNECTION_TTL = 60.0
CONNECTION_TIMEOUT = 5.0
TIMEOUTS = ("ESPUTNIK_CONNECT_TIMEOUT", "ESPUTNIK_READ_TIMEOUT")


@dataclass(frozen=True)
class Connection:
    """What eSputnik answered about one account's key: ok, failed or no_key (then nothing is asked)."""

    account: AccountStatus
    state: str
    detail: str  # eSputnik's own technical words, for an operator
    outcome: str | None = None  # with `status`, how a call failed, for the page to say it in plain words
    status: int | None = None
    name: str | None = None  # the eSputnik account's name, when it told it


def connection(found, recheck=False):
    """Return the Connection of one account, asking eSputnik at most once a minute per account."""
    if not found.key_set:
        return Connection(found, "no_key", found.key_env)
    cache = current_app.extensions.setdefault("signup.connection", {})
    kept = cache.get(found.name)
    if not recheck and kept and time.monotonic() - kept[0] < CONNECTION_TTL:
        return Connection(found, *kept[1])
    config = outbox.account_config(current_app.config, found.account)
    # The admin page waits for this call, so it gets a shorter leash than deliveries do.
    limits = {key: min(config[key], CONNECTION_TIMEOUT) for key in TIMEOUTS}
    answer, name = esputnik.account_info({**config, **limits})
    state = "ok" if answer.status == 200 else "failed"
    # Kept as facts, not words: each marketer reads them in their own language.
    facts = (state, found.own_words(answer.detail), answer.outcome, answer.status, name)
    cache[found.name] = (time.monotonic(), facts)
    return Connection(found, *facts)


def connections(accounts, recheck=False):
    """Return the Connection of each account in `accounts` (AccountStatus, as account_status.in_use gives)."""
    return [connection(found, recheck) for found in accounts]


def grouped(accounts, forms):
    """Return [(AccountStatus, [entries of its forms])] for accounts with forms; `forms` holds (form, ...) tuples."""
    by_account = {}
    for entry in forms:
        by_account.setdefault(entry[0].account, []).append(entry)
    return [(found, by_account[found.account]) for found in accounts if found.account in by_account]


def names(accounts, chosen=None):
    """Return the names the submissions may be filtered by: the accounts in use, and `chosen` when it is not one."""
    found = [status.name for status in accounts]
    return found if not chosen or chosen in found else [*found, chosen]


def several(accounts):
    """Tell whether more than one account is in use, so that the admin names accounts at all."""
    return len(accounts) > 1
