"""The admin's read-only page of variants: views, sign-ups, conversion and a verdict per variant."""

from flask import render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from ..admin.access import bp
from ..forms import catalogue
from ..i18n import current_language
from . import counting, statistics
from .choice import options

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def verdict(name, comparison):
    """Return the plain sentence on variant `name` against variant a."""
    if comparison is None:
        return _("not enough data yet: no views")
    if comparison.significant:
        if comparison.difference > 0:
            return _("%(name)s converts better, 95 %% sure", name=name)
        return _("%(name)s converts worse, 95 %% sure", name=name)
    if comparison.more_views:
        return _("not enough data yet, about %(num)s more views needed", num=format_decimal(comparison.more_views))
    return _("no clear difference from a")


def rows(form, days):
    """Return one row per variant of `form` (a first) over the last `days` days."""
    totals = counting.totals(form.id, days)
    base_views, base_signups = totals.get("a", (0, 0))
    result = []
    for option in options(form):
        views, signups = totals.get(option.variant, (0, 0))
        row = {"name": option.variant, "views": views, "signups": signups, "rate": statistics.rate(views, signups)}
        if option.variant != "a":
            row["comparison"] = statistics.compare(base_views, base_signups, views, signups)
            row["verdict"] = verdict(option.variant, row["comparison"])
        result.append(row)
    return result


@bp.get("/variants")
def variants():
    asked = request.args.get("days", "")
    days = int(asked) if asked.isdigit() and int(asked) in PERIODS else DEFAULT_PERIOD
    tested = [form for form in catalogue.all_forms() if form.variants]
    tables = [(form, rows(form, days)) for form in tested]
    return render_template(
        "variants/report.html", tables=tables, days=days, periods=PERIODS, language=current_language()
    )
