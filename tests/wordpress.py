"""What WordPress puts on the wire: PHP's http_build_query, wp_json_encode, the User-Agent, WPForms' signature."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

WORDPRESS_AGENT = "WordPress/6.8.1; https://shop.example.com"
FORM = "application/x-www-form-urlencoded"


def _pairs(value, prefix):
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        if value is None:
            return []  # PHP drops null members
        if isinstance(value, bool):
            value = int(value)  # and writes booleans as 1 / 0
        return [(prefix, str(value))]
    pairs = []
    for key, child in items:
        pairs += _pairs(child, f"{prefix}[{key}]" if prefix else str(key))
    return pairs


def http_build_query(data):
    """Encode nested data as PHP's http_build_query does: a[b][0]=x, spaces as +, RFC 1738 escapes."""
    return urlencode(_pairs(data, ""))


def wp_json_encode(data):
    """Encode as PHP's json_encode with default flags: compact, `/` and non-ASCII escaped."""
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/")


def wpforms_signature(secret, payload, stamp=None):
    """Return the X-WPForms-Webhook-Signature value WPForms sends for a payload string."""
    stamp = int(time.time()) if stamp is None else stamp
    digest = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v={digest}"
