"""What a marketer pastes: the iframe line, the script line, and the webhook address for each form plugin."""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext
from markupsafe import escape

TOKEN_PLACEHOLDER = "<WEBHOOK_TOKEN>"  # noqa: S105 (shown instead of the secret, never the secret itself)
# Shown instead of an address nobody vouched for: a Host header is whatever the client wrote.
ADDRESS_PLACEHOLDER = "<PUBLIC_URL>"
# (plugin, what to pick in its settings), from what each plugin can send and authenticate with.
PLUGINS = (
    ("Elementor Pro (Webhook action)", lazy_gettext("paste the URL; Elementor posts form-encoded")),
    ("Contact Form 7 + CF7 to Webhook", lazy_gettext("paste the URL; JSON by POST")),
    ("WPForms Webhooks", lazy_gettext("method POST (GET works too), format JSON")),
    ("Gravity Forms Webhooks", lazy_gettext("method POST, format JSON, all fields")),
    ("Fluent Forms Pro (WebHook feed)", lazy_gettext("method POST, format JSON")),
    ("Ninja Forms Webhooks", lazy_gettext("paste the URL; its GET is accepted")),
    ("Formidable API", lazy_gettext("method POST, format JSON; or the token as the Basic password")),
    ("MetForm Pro (REST API)", lazy_gettext("method POST")),
    ("JetFormBuilder (Call Webhook)", lazy_gettext("paste the URL")),
)


@dataclass(frozen=True)
class Snippets:
    """The lines to paste for one form."""

    iframe: str
    script: str
    webhook: str
    plugins: tuple


def _loopback(name):
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def loopback_root(scheme, host):
    """Return scheme://host[:port] rebuilt from a Host header that names this machine's loopback, else None."""
    try:
        parts = urlsplit(f"//{host}")
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name or not _loopback(name) or scheme not in ("http", "https"):
        return None
    shown = f"[{name}]" if ":" in name else name
    return f"{scheme}://{shown}" + (f":{port}" if port else "")


def base_url(config, scheme="http", host=""):
    """Return the address to put in the lines to paste: PUBLIC_URL; in development a loopback Host; else None."""
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/")
    return loopback_root(scheme, host) if config.get("DEV") else None


def for_form(form, base, title=None):
    """Return the iframe line, script line and webhook addresses of `form` on the site at `base` (or a placeholder)."""
    base = base or ADDRESS_PLACEHOLDER
    label = escape(title or form.id)
    iframe = (
        f'<iframe src="{base}/f/{form.id}" title="{label}" loading="lazy" '
        'style="border:0;width:100%;max-width:30rem;height:26rem"></iframe>'
    )
    script = f'<script src="{base}/embed.js" data-form="{form.id}" async></script>'
    webhook = f"{base}/hooks/{form.id}?token={TOKEN_PLACEHOLDER}"
    return Snippets(iframe, script, webhook, tuple((name, webhook, hint) for name, hint in PLUGINS))
