"""The fake eSputnik of the test suite, run as its own process for the benchmark."""

import argparse
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_esputnik import FakeEsputnik


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--rate-limit", type=int, default=200)
    args = parser.parse_args()
    fake = FakeEsputnik(api_key="bench-key", rate_limit=args.rate_limit, latency=args.latency)
    fake.start()
    print(fake.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    fake.stop()


if __name__ == "__main__":
    main()
