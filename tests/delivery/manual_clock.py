"""A clock that moves only when a test moves it, for the worker's pace, gate and loop."""

from datetime import timedelta

from signup.db import utcnow


class ManualClock:
    """Wall and monotonic time that stand still until `advance` is called."""

    def __init__(self):
        # A minute ahead of the system clock, so what a test stores just after making it is already due.
        self.start = utcnow() + timedelta(minutes=1)
        self.seconds = 1000.0

    def now(self):
        return self.start + timedelta(seconds=self.seconds - 1000.0)

    def monotonic(self):
        return self.seconds

    def advance(self, seconds):
        self.seconds += seconds
