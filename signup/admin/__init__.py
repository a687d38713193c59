"""The admin view: forms and their embed lines, submissions and attempts, actions, consent exports."""

from ..variants import report
from . import language, views
from .access import bp

__all__ = ["bp", "language", "report", "views"]
