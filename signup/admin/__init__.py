"""The admin view: forms and their embed lines, submissions and attempts, actions, consent exports."""

from ..variants import report
from . import account, fired, language, views
from .access import bp

__all__ = ["account", "bp", "fired", "language", "report", "views"]
