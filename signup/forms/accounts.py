"""eSputnik accounts from the forms file: `[accounts.<name>]` tables, and which forms send to which."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

NAME = re.compile(r"^[a-z0-9-]{1,40}$")  # the pause flag of an account is named after it
DEFAULT = "default"  # the name operators see for the account of ESPUTNIK_API_KEY
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
KEYS = {"key_env", "api_url"}


@dataclass(frozen=True)
class Account:
    """One eSputnik account: the variable holding its key, and its API URL (None: ESPUTNIK_API_URL)."""

    name: str
    key_env: str
    api_url: str | None = None


def _api_url(prefix, value, problems):
    if value is None:
        return None
    url = value.strip().rstrip("/") if isinstance(value, str) else ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"{prefix}.api_url: expected an http(s) URL such as https://esputnik.com")
        return None
    if parts.path.endswith(("/api/v1", "/api")):
        problems.append(f"{prefix}.api_url: give the base URL up to the host, without /api/v1")
    return url


def _account(name, table, problems):
    prefix = f"accounts.{name}"
    if name == DEFAULT:
        problems.append(f"{prefix}: the name default is taken by the account of ESPUTNIK_API_KEY")
    if not NAME.match(name):
        problems.append(f"{prefix}: the account name may use only a-z, 0-9 and - (at most 40)")
    if not isinstance(table, dict):
        problems.append(f"{prefix}: expected a table with key_env (and optionally api_url)")
        return None
    for key in sorted(set(table) - KEYS):
        problems.append(f"{prefix}.{key}: unknown key (use key_env, api_url)")
    key_env = table.get("key_env")
    if not isinstance(key_env, str) or not ENV_NAME.match(key_env):
        problems.append(f"{prefix}.key_env: required, the name of the variable holding the API key, like SHOP_KEY")
        return None
    return Account(name, key_env, _api_url(prefix, table.get("api_url"), problems))


def read(tables, problems):
    """Return {name: Account} from the `accounts` tables (problems are appended, not raised)."""
    if not isinstance(tables, dict):
        problems.append("accounts: expected one table per account, [accounts.<name>]")
        return {}
    built = {name: _account(name, table, problems) for name, table in tables.items()}
    return {name: account for name, account in built.items() if account}


def check_form(reader, accounts):
    """Return the account a form's table names (None: the default account), failing on an unknown one."""
    name = reader.table.get("account")
    if name is None:
        return None
    if not isinstance(name, str) or name not in accounts:
        known = ", ".join(sorted(accounts)) or "none defined"
        reader.fail("account", f"no account {name!r} (add an [accounts.{name}] table; accounts: {known})")
        return None
    return name


def unset_keys(forms, accounts, env):
    """Return one line per form whose account's key variable is empty in `env`."""
    return [
        f"forms.{form.id}.account: account {form.account!r} needs its key, but {accounts[form.account].key_env} "
        "is not set (set it, or DRY_RUN=1 to store without sending)"
        for form in forms.values()
        if form.account in accounts and not env.get(accounts[form.account].key_env, "").strip()
    ]


def own_words(text, account):
    """Return `text` naming `account`'s key variable and URL setting where it names the default account's."""
    text = text.replace("ESPUTNIK_API_KEY", account.key_env)
    return text.replace("ESPUTNIK_API_URL", f"api_url of [accounts.{account.name}]")


def key(account, env):
    """Return this account's API key as `env` holds it now ("" when unset)."""
    return env.get(account.key_env, "").strip()
