"""Visitors: the form pages, the JSON API, and the checks and limits every visitor submission passes."""
