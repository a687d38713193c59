"""A/B variants of a form: who gets which, counted views, and the comparison."""
