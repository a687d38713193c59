"""The words the admin view uses for submission states, sources and attempt outcomes, and how states group."""

from flask_babel import lazy_gettext

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
