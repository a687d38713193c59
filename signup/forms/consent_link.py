"""A consent text's one Markdown link, `[privacy policy](https://...)`, shown as a link and the rest escaped."""

import re

from markupsafe import Markup, escape

LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>\"']+)\)")
ANY_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")


def render(text):
    """Return the consent text as HTML: its first Markdown link as a link opening in a new tab, all else escaped."""
    if text is None:
        return None
    match = LINK.search(text)
    if match is None:
        return escape(text)
    link = Markup('<a href="{}" target="_blank" rel="noopener">{}</a>').format(match[2], match[1])
    return escape(text[: match.start()]) + link + escape(text[match.end() :])


def problem(text):
    """Return what is wrong with a consent text's links, or None: one http(s) link at most."""
    found = ANY_LINK.findall(text)
    if len(found) > 1:
        return "may hold one Markdown link at most"
    if found and not LINK.fullmatch(found[0]):
        return "its link must look like [text](https://...)"
    return None
