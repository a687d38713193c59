"""The words the admin view uses for states, sources, outcomes, accounts and eSputnik's troubles; how states group."""

import re

from flask_babel import lazy_gettext

from ..forms.accounts import DEFAULT
from ..states import Outcome, State

STATES = {
    State.PENDING: lazy_gettext("Waiting"),
    State.DELIVERED: lazy_gettext("Delivered"),
    State.DRY_RUN: lazy_gettext("Not sent (dry run)"),
    State.REFUSED: lazy_gettext("Refused by eSputnik"),
    State.DEAD: lazy_gettext("Given up"),
    State.DISCARDED: lazy_gettext("Discarded"),
    State.DUPLICATE: lazy_gettext("Duplicate, sent once"),
    State.LIMITED: lazy_gettext("Over the daily limit"),
}
SOURCES = {
    "form": lazy_gettext("Form page"),
    "api": lazy_gettext("JSON API"),
    "webhook": lazy_gettext("Webhook"),
    "admin": lazy_gettext("Test from the admin"),
}
OUTCOMES = {
    Outcome.DELIVERED: lazy_gettext("delivered"),
    Outcome.REFUSED: lazy_gettext("refused"),
    Outcome.RETRY: lazy_gettext("will retry"),
    Outcome.DRY_RUN: lazy_gettext("dry run"),
    Outcome.PAUSED: lazy_gettext("paused"),
    Outcome.THROTTLED: lazy_gettext("slowed down"),
    Outcome.UNKNOWN: lazy_gettext("answer lost, will retry"),
}
# What the chart draws: the states a marketer tells apart at a glance. A duplicate is not a new sign-up.
KINDS = ("delivered", "waiting", "refused")
KIND_OF_STATE = {
    State.DELIVERED: "delivered",
    State.DRY_RUN: "delivered",
    State.PENDING: "waiting",
    State.REFUSED: "refused",
    State.DEAD: "refused",
    State.DISCARDED: "refused",
    State.LIMITED: "refused",
}
# What went wrong with a call to eSputnik, told from its outcome and HTTP status, for someone who is no developer.
TROUBLES = {
    "unreachable": lazy_gettext("cannot reach eSputnik"),
    "no_answer": lazy_gettext("eSputnik did not answer in time"),
    "key_refused": lazy_gettext("eSputnik does not accept the API key"),
    "wrong_address": lazy_gettext("the eSputnik address in the settings is wrong"),
    "throttled": lazy_gettext("eSputnik asked to slow down; check again in a minute"),
    "server_error": lazy_gettext("eSputnik has a fault on its side; it usually passes"),
    "error": lazy_gettext("eSputnik answered with an error"),
}
# A pause reason is eSputnik's detail of the answer that paused delivery, which names its HTTP status.
PAUSE_STATUS = re.compile(r"\b(40[1345])\b")
KIND_NAMES = {
    "delivered": lazy_gettext("Delivered"),
    "waiting": lazy_gettext("Waiting"),
    "refused": lazy_gettext("Not delivered"),
}


def state(name):
    """Return the words for a submission state, or the state itself when it is new."""
    return str(STATES.get(name, name))


def source(name):
    """Return the words for where a submission came from."""
    return str(SOURCES.get(name, name))


def outcome(name):
    """Return the words for how one delivery attempt ended."""
    return str(OUTCOMES.get(name, name))


def account(name):
    """Return the name of an eSputnik account as shown: the default one (ESPUTNIK_API_KEY's) in words."""
    return str(lazy_gettext("default")) if name in (None, DEFAULT) else name


def trouble_kind(outcome, status):
    """Return which of TROUBLES a failed call to eSputnik met, from its outcome and HTTP status (None: no answer)."""
    if status is None:
        # Nothing sent (no connection) is told apart from a call that got no answer.
        return "unreachable" if outcome == Outcome.RETRY else "no_answer"
    if status in (401, 403):
        return "key_refused"
    if status in (404, 405):
        return "wrong_address"
    if status == 429:
        return "throttled"
    return "server_error" if status >= 500 else "error"


def trouble(outcome, status):
    """Return in plain words what went wrong with a call to eSputnik."""
    return str(TROUBLES[trouble_kind(outcome, status)])


def pause(reason):
    """Return in plain words why delivery is paused, or the stored reason itself when it names no known status."""
    found = PAUSE_STATUS.search(reason or "")
    return trouble(Outcome.PAUSED, int(found.group(1))) if found else reason
