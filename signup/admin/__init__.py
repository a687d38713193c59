"""The admin view: forms and their embed lines, submissions and attempts, actions, consent exports."""

from ..variants import report
from . import views
from .access import bp

__all__ = ["bp", "report", "views"]
