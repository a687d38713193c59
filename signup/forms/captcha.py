"""Optional captchas per form (Cloudflare Turnstile, hCaptcha, reCAPTCHA), verified on the server."""

import logging
import os
from dataclasses import dataclass

from flask import current_app, request

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provider:
    """What the page loads and what the server asks, for one captcha service."""

    script: str
    widget_class: str
    field: str
    verify_url: str

    @property
    def origins(self):
        """Origins the page must be allowed to load the widget from."""
        return sorted({"/".join(url.split("/")[:3]) for url in (self.script,)})


PROVIDERS = {
    "turnstile": Provider(
        "https://challenges.cloudflare.com/turnstile/v0/api.js",
        "cf-turnstile",
        "cf-turnstile-response",
        "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    ),
    "hcaptcha": Provider(
        "https://js.hcaptcha.com/1/api.js",
        "h-captcha",
        "h-captcha-response",
        "https://api.hcaptcha.com/siteverify",
    ),
    "recaptcha": Provider(
        "https://www.google.com/recaptcha/api.js",
        "g-recaptcha",
        "g-recaptcha-response",
        "https://www.google.com/recaptcha/api/siteverify",
    ),
}
FAIL_MODES = ("closed", "open")


@dataclass(frozen=True)
class CaptchaSpec:
    """A form's captcha: the service, its public site key, where its secret is, and what to do when it is down."""

    provider: str
    site_key: str
    secret_env: str
    on_error: str = "closed"

    @property
    def service(self):
        return PROVIDERS[self.provider]


def verify(spec, data):
    """Return None when the visitor passed, "failed" when not, "unavailable" when the service could not tell."""
    answer = data.get(spec.service.field)
    if not isinstance(answer, str) or not answer or len(answer) > 4096:
        return "failed"
    url = current_app.config["CAPTCHA_VERIFY_URL"] or spec.service.verify_url
    payload = {"secret": os.environ.get(spec.secret_env, ""), "response": answer, "remoteip": request.remote_addr}
    import requests  # here: only forms with a captcha need the HTTP library, which weighs 6 MB in a web worker

    try:
        response = requests.post(url, data=payload, timeout=current_app.config["CAPTCHA_TIMEOUT"])
        if response.status_code >= 500:
            raise ValueError(response.status_code)
        result = response.json()
    except (requests.RequestException, ValueError):
        log.warning("captcha service %s did not answer usefully", spec.provider)
        return None if spec.on_error == "open" else "unavailable"
    return None if isinstance(result, dict) and result.get("success") is True else "failed"


def read_spec(table, fail):
    """Check a form's `captcha` table; report each problem through `fail(key, message)`."""
    if not isinstance(table, dict):
        fail("captcha", "expected a table with provider, site_key and secret_env")
        return None
    for key in sorted(set(table) - {"provider", "site_key", "secret_env", "on_error"}):
        fail(f"captcha.{key}", "unknown key")
    provider, site_key = table.get("provider"), table.get("site_key")
    secret_env, on_error = table.get("secret_env"), table.get("on_error", "closed")
    named = isinstance(secret_env, str) and secret_env.isidentifier()
    problems = [
        (provider not in PROVIDERS, "provider", f"expected one of {', '.join(PROVIDERS)}"),
        (not isinstance(site_key, str) or not site_key.strip(), "site_key", "required: the service's public site key"),
        (not named, "secret_env", "required: the name of the environment variable holding the secret"),
        (named and not os.environ.get(secret_env), "secret_env", f"the environment variable {secret_env} is not set"),
        (on_error not in FAIL_MODES, "on_error", "expected closed (refuse while the service is down) or open"),
    ]
    for wrong, key, message in problems:
        if wrong:
            fail(f"captcha.{key}", message)
    if any(wrong for wrong, _key, _message in problems):
        return None
    return CaptchaSpec(provider, site_key.strip(), secret_env, on_error)
