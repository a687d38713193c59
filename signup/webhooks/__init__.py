"""Webhooks: who may post, reading the body, recognising the plugin and the contact in what it sent."""

from .views import bp

__all__ = ["bp"]
