"""The fake eSputnik of the test suite, run as its own process for the benchmark."""

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_esputnik import FakeEsputnik


def outage(fake, args, stop):
    """Answer 503 to everything for a while, starting a set time after the first call."""
    while not fake.subscribe_calls() and not stop.wait(0.05):
        pass
    stop.wait(args.outage_after)
    fake.always(("status", 503))
    fake.outage[0] = time.time()
    stop.wait(args.outage_seconds)
    fake.always(("ok",))
    fake.outage[1] = time.time()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--rate-limit", type=int, default=200)
    parser.add_argument("--outage-after", type=float, default=0.0, help="seconds after the first call")
    parser.add_argument("--outage-seconds", type=float, default=0.0, help="answer 503 for this long")
    args = parser.parse_args()
    fake = FakeEsputnik(api_key="bench-key", rate_limit=args.rate_limit, latency=args.latency)
    fake.start()
    print(fake.url, flush=True)
    stop = threading.Event()
    if args.outage_seconds:
        threading.Thread(target=outage, args=(fake, args, stop), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    fake.stop()


if __name__ == "__main__":
    main()
