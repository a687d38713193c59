"""Where each eSputnik account in use stands: its forms, its URL, whether its key is set, its pause; never its key."""

import logging
from dataclasses import dataclass

from flask import current_app

from ..forms import accounts, catalogue
from ..forms.accounts import DEFAULT
from . import outbox

log = logging.getLogger(__name__)
DEFAULT_KEY_ENV = "ESPUTNIK_API_KEY"


@dataclass(frozen=True)
class AccountStatus:
    """One account as operators see it: the variable that holds its key, never the key itself."""

    account: str | None  # None: the default account, the one of ESPUTNIK_API_KEY
    key_env: str
    api_url: str
    key_set: bool
    forms: tuple = ()
    paused: str | None = None

    @property
    def name(self):
        """Return the name operators know the account by (`default` for ESPUTNIK_API_KEY's)."""
        return self.account or DEFAULT

    def own_words(self, text):
        """Return eSputnik's `text` naming this account's key variable and URL rather than the default ones."""
        if self.account is None:
            return text
        return accounts.own_words(text, current_app.extensions["signup.accounts"][self.account])

    def delivery(self, dry_run):
        """Return how its delivery stands: paused, dry-run or running."""
        return "paused" if self.paused else ("dry-run" if dry_run else "running")


def status(account, forms=(), paused=None):
    """Return the AccountStatus of `account` (None: the default one), its pause taken from `paused`."""
    settings = outbox.account_config(current_app.config, account)
    key_env = DEFAULT_KEY_ENV if account is None else current_app.extensions["signup.accounts"][account].key_env
    reason = (paused or {}).get(account)
    return AccountStatus(
        account, key_env, settings["ESPUTNIK_API_URL"], bool(settings["ESPUTNIK_API_KEY"]), tuple(forms), reason
    )


def in_use(paused=None):
    """Return the AccountStatus of every account a form sends to or that is paused: the default one first.

    `paused` is {account: reason} as outbox.paused_reasons() gives it (None or {}: none is paused).
    """
    paused = paused or {}
    used = {}
    for form in catalogue.all_forms():
        used.setdefault(form.account, []).append(form.id)
    # A paused account still holds sign-ups after its last form has moved to another one.
    known = current_app.extensions["signup.accounts"]
    for account in paused:
        if account is None or account in known:
            used.setdefault(account, [])
    order = sorted(used, key=lambda account: (account is not None, account or ""))
    return [status(account, used[account], paused) for account in order]


def start_problem():
    """Return why a worker may not start (an account a form sends to has no key, outside a dry run), or None."""
    if current_app.config["DRY_RUN"]:
        return None
    missing = [found for found in in_use() if found.forms and not found.key_set]
    lines = [
        f"{found.key_env}: not set, so the worker will not start: account {found.name} sends forms "
        f"{', '.join(found.forms)} (set it, or DRY_RUN=1 to store without sending); submissions wait, none is lost"
        for found in missing
    ]
    return "\n".join(lines) or None


def announce_dry_run():
    """Log, in a dry run, each account the worker would send to: its name and API URL, never its key."""
    if not current_app.config["DRY_RUN"]:
        return
    for found in in_use():
        log.info(
            "dry run: would send forms %s to account %s at %s; nothing is sent",
            ", ".join(found.forms) or "(none)",
            found.name,
            found.api_url,
            extra={"account": found.name, "api_url": found.api_url},
        )
