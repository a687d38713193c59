"""Sign-ups per day as stacked bars, laid out on the server for an inline SVG: no script, nothing fetched."""

from dataclasses import dataclass
from datetime import date, timedelta

from .words import KIND_OF_STATE, KINDS

DAYS = 30
WIDTH, HEIGHT = 600, 140
GAP = 2


@dataclass(frozen=True)
class Day:
    """One day's sign-ups of a form, by kind."""

    day: date
    delivered: int = 0
    waiting: int = 0
    refused: int = 0

    @property
    def total(self):
        return self.delivered + self.waiting + self.refused


def days(counts, today, length=DAYS):
    """Return `length` Days ending `today`, from {(day, state): count}; states the chart does not draw are left out."""
    by_day = {}
    for (day, state), count in counts.items():
        kind = KIND_OF_STATE.get(state)
        if kind:
            entry = by_day.setdefault(day, dict.fromkeys(KINDS, 0))
            entry[kind] += count
    first = today - timedelta(days=length - 1)
    return [Day(first + timedelta(days=i), **by_day.get(first + timedelta(days=i), {})) for i in range(length)]


def scale_top(peak):
    """Return a round number at or above `peak` for the top of the scale: 1, 2, 5, 10, 20, 50, ..."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= peak:
                return step * magnitude
        magnitude *= 10


@dataclass(frozen=True)
class Bar:
    """A rectangle of one kind in one day's column, in SVG units."""

    kind: str
    x: float
    y: float
    width: float
    height: float


def bars(series, top, width=WIDTH, height=HEIGHT):
    """Return the rectangles of a stacked bar per day, delivered at the bottom, then waiting, then refused."""
    column = width / len(series)
    drawn = []
    for index, day in enumerate(series):
        base = height
        for kind in KINDS:
            count = getattr(day, kind)
            if not count:
                continue
            tall = height * count / top
            base -= tall
            x = round(index * column + GAP / 2, 2)
            drawn.append(Bar(kind, x, round(base, 2), round(column - GAP, 2), round(tall, 2)))
    return drawn


def totals(series):
    """Return {kind: count} over the whole series."""
    return {kind: sum(getattr(day, kind) for day in series) for kind in KINDS}
