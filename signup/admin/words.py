"""The words the admin view uses for submission states, sources and attempt outcomes, and how states group."""

from flask_babel import lazy_gettext

STATES = {
    "pending": lazy_gettext("Waiting"),
    "delivered": lazy_gettext("Delivered"),
    "dry_run": lazy_gettext("Not sent (dry run)"),
    "refused": lazy_gettext("Refused by eSputnik"),
    "dead": lazy_gettext("Given up"),
    "discarded": lazy_gettext("Discarded"),
    "duplicate": lazy_gettext("Duplicate, sent once"),
    "limited": lazy_gettext("Over the daily limit"),
}
SOURCES = {
    "form": lazy_gettext("Form page"),
    "api": lazy_gettext("JSON API"),
    "webhook": lazy_gettext("Webhook"),
    "admin": lazy_gettext("Test from the admin"),
}
OUTCOMES = {
    "delivered": lazy_gettext("delivered"),
    "refused": lazy_gettext("refused"),
    "retry": lazy_gettext("will retry"),
    "dry_run": lazy_gettext("dry run"),
    "paused": lazy_gettext("paused"),
    "throttled": lazy_gettext("slowed down"),
    "unknown": lazy_gettext("answer lost, will retry"),
}
# What the chart draws: the states a marketer tells apart at a glance. A duplicate is not a new sign-up.
KINDS = ("delivered", "waiting", "refused")
KIND_OF_STATE = {
    "delivered": "delivered",
    "dry_run": "delivered",
    "pending": "waiting",
    "refused": "refused",
    "dead": "refused",
    "discarded": "refused",
    "limited": "refused",
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
