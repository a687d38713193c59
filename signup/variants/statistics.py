"""Whether a variant converts differently from variant a: a two-proportion z-test with a 95 % interval."""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95 %
Z_POWER = 0.8416212335729143  # 80 % power, for the views still needed


@dataclass(frozen=True)
class Comparison:
    """A variant against variant a: the difference in conversion, its 95 % interval and the verdict."""

    difference: float
    low: float
    high: float
    z: float
    significant: bool
    more_views: int | None


def rate(views, signups):
    """Return the conversion of a variant, 0 to 1 (0 without views)."""
    return min(signups / views, 1.0) if views else 0.0


def views_needed(p1, p2):
    """Return the views each variant needs for a difference this large to show at 95 % with 80 % power."""
    mean = (p1 + p2) / 2
    spread = Z95 * math.sqrt(2 * mean * (1 - mean)) + Z_POWER * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(spread**2 / (p2 - p1) ** 2)


def compare(a_views, a_signups, b_views, b_signups):
    """Return the Comparison of b with a, or None while either has no views."""
    if not a_views or not b_views:
        return None
    p1, p2 = rate(a_views, a_signups), rate(b_views, b_signups)
    difference = p2 - p1
    spread = math.sqrt(p1 * (1 - p1) / a_views + p2 * (1 - p2) / b_views)
    pooled = rate(a_views + b_views, a_signups + b_signups)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / a_views + 1 / b_views))
    z = difference / standard_error if standard_error else 0.0
    significant = abs(z) >= Z95
    more = None
    if not significant and difference:
        each = views_needed(p1, p2)
        more = max(0, each - a_views) + max(0, each - b_views)
    return Comparison(difference, difference - Z95 * spread, difference + Z95 * spread, z, significant, more)
