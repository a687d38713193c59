"""What a marketer pastes: the iframe line, the script line, and the webhook address for each form plugin."""

from dataclasses import dataclass

from markupsafe import escape

TOKEN_PLACEHOLDER = "<WEBHOOK_TOKEN>"  # noqa: S105 (shown instead of the secret, never the secret itself)
# (plugin, what to pick in its settings), from what each plugin can send and authenticate with.
PLUGINS = (
    ("Elementor Pro (Webhook action)", "paste the URL; Elementor posts form-encoded"),
    ("Contact Form 7 + CF7 to Webhook", "paste the URL; JSON by POST"),
    ("WPForms Webhooks", "method POST (GET works too), format JSON"),
    ("Gravity Forms Webhooks", "method POST, format JSON, all fields"),
    ("Fluent Forms Pro (WebHook feed)", "method POST, format JSON"),
    ("Ninja Forms Webhooks", "paste the URL; its GET is accepted"),
    ("Formidable API", "method POST, format JSON; or the token as the Basic password"),
    ("MetForm Pro (REST API)", "method POST"),
    ("JetFormBuilder (Call Webhook)", "paste the URL"),
)


@dataclass(frozen=True)
class Snippets:
    """The lines to paste for one form."""

    iframe: str
    script: str
    webhook: str
    plugins: tuple


def base_url(config, request_root):
    """Return the public address of this service: PUBLIC_URL, else the address this request came to."""
    return (config.get("PUBLIC_URL") or request_root or "").rstrip("/")


def for_form(form, base, title=None):
    """Return the iframe line, script line and webhook addresses of `form` on the site at `base`."""
    label = escape(title or form.id)
    iframe = (
        f'<iframe src="{base}/f/{form.id}" title="{label}" loading="lazy" '
        'style="border:0;width:100%;max-width:30rem;height:26rem"></iframe>'
    )
    script = f'<script src="{base}/embed.js" data-form="{form.id}" async></script>'
    webhook = f"{base}/hooks/{form.id}?token={TOKEN_PLACEHOLDER}"
    return Snippets(iframe, script, webhook, tuple((name, webhook, hint) for name, hint in PLUGINS))
