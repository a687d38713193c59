"""A/B variants of a form: their definitions, who gets which, counted views, and the comparison."""
