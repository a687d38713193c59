"""A visitor's sign-up as a list of named steps, shared by the form page and the JSON API.

Each step returns what it found, or raises `Stopped` with what stopped it. How a stop is
answered is the caller's choice (the contract's section 5): the form page answers a trapped bot
as it answers a person, the JSON API refuses with a message saying what to do.
"""

from flask_babel import gettext as _

from .. import collected, intake
from ..forms import captcha, catalogue
from ..i18n import current_language
from ..ops import logs, metrics
from ..privacy import consent
from ..variants import choice
from . import screening


class Stopped(Exception):
    """A step ended the sign-up: `verdict` names the bot check that caught it, else `errors` say what to fix."""

    def __init__(self, verdict=None, errors=None):
        super().__init__(verdict or "invalid")
        self.verdict, self.errors = verdict, errors or {}


def find_form(form_id, draw=False):
    """Return the variant of the form a visitor's request is about (drawn by weight with `draw`), or None."""
    return choice.for_request(catalogue.find(form_id or ""), draw=draw)


def screen(form, data):
    """Run the bot checks; return the form token's nonce, to be spent with the sign-up."""
    verdict, nonce = screening.screen(form, data)
    if verdict:
        raise Stopped(verdict=verdict)
    return nonce


def captcha_errors(form, data):
    """Return {"captcha": [message]} when the form has a captcha the visitor did not pass."""
    problem = captcha.verify(form.captcha, data) if form.captcha else None
    if problem == "unavailable":
        return {"captcha": [_("The anti-spam check is not answering. Please try again in a minute.")]}
    if problem:
        return {"captcha": [_("Please complete the anti-spam check.")]}
    return {}


def clean(form, data):
    """Return the cleaned values; stop with every field's errors, the captcha's among them."""
    values, errors = collected.clean(form, data)
    errors.update(captcha_errors(form, data))
    if errors:
        raise Stopped(errors=errors)
    return values


def store(form, values, data, nonce, source):
    """Store the sign-up with its consent row, spending the token; return its id."""
    submission_id, _created = intake.accept(
        form, values, current_language(), source=source, token_nonce=nonce, consent=consent.shown(form, data)
    )
    if submission_id is None:
        # The only sign-up intake refuses without storing is a replayed form token.
        metrics.screened(form.id, screening.REUSED)
        raise Stopped(verdict=screening.REUSED)
    logs.name_submission(submission_id)
    metrics.accepted(form.id, source)
    return submission_id


def run(form, data, source):
    """Take one sign-up through every step and return its submission id, or raise `Stopped`."""
    nonce = screen(form, data)
    values = clean(form, data)
    return store(form, values, data, nonce, source)
