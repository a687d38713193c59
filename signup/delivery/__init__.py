"""Delivery: the outbox of stored sign-ups, the worker that sends them at a shared pace, and the eSputnik client."""
