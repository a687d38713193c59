"""Which variant of a form a page shows: the one asked for, else one drawn by weight."""

import random

from flask import request

VARIANT_PARAM = "variant"


def options(form):
    """Return the form's variants, the form itself (variant a) first."""
    return [form, *form.variants.values()]


def choose(form, roll):
    """Return the variant a roll in [0, 1) draws, each variant as likely as its weight."""
    weighted = [option for option in options(form) if option.weight > 0]
    point = roll * sum(option.weight for option in weighted)
    for option in weighted:
        point -= option.weight
        if point < 0:
            return option
    return weighted[-1]


def resolve(form, name, roll=None):
    """Return the variant of `form` named `name`; an unknown or missing name draws with `roll`, else a."""
    if form is None or not form.variants or name == "a":
        return form
    if name in form.variants:
        return form.variants[name]
    return choose(form, roll) if roll is not None else form


def for_request(form, draw=False):
    """Return the variant this request names in ?variant=, or (with `draw`) one drawn by weight."""
    return resolve(form, request.args.get(VARIANT_PARAM), random.random() if draw else None)


def query(form):
    """Return the URL parameters that keep a page of this variant on it: {} for variant a."""
    return {VARIANT_PARAM: form.variant} if form.variant != "a" else {}
