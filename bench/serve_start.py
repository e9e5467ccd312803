"""Benchmark of `handoff serve`'s start: seconds from the command to its first answer.

It makes a throwaway installation under var/bench/serve/ (SQLite, migrated once, production
settings), then starts `handoff serve` (gunicorn, 2 workers) --runs times, each time measuring
the wall time from starting the command to the first 200 from /healthz, and stopping it. The
first start has no collected static files (a fresh install or a new release); the later ones
start with nothing changed (a restart).

Run it from the repository root:

    uv run python bench/serve_start.py            # 5 starts
    uv run python bench/serve_start.py --runs 9

What it prints: the machine, then the first start and the median, minimum and maximum of the
restarts, in seconds. Nothing is asserted.
"""

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "var" / "bench" / "serve"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
    env.update(
        HANDOFF_VAR_DIR=str(HOME / "var"),
        HANDOFF_SECRET_KEY="bench-" + "k" * 60,
        HANDOFF_ALLOWED_HOSTS="127.0.0.1",
        HANDOFF_SITE_URL=f"http://127.0.0.1:{port}",
        HANDOFF_HTTPS="false",
    )
    return env


def handoff(*args, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "handoff.cli", *args],
        env=env,
        cwd=HOME,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def one_start(port: int) -> float:
    env = environment(port)
    started = time.monotonic()
    server = handoff("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", env=env)
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit("handoff serve stopped; run it by hand to see why")
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback
                    f"http://127.0.0.1:{port}/healthz", timeout=1
                ) as answer:
                    if answer.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts in all (default 5)")
    args = parser.parse_args()
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    port = free_port()
    migrate = handoff("migrate", env=environment(port))
    if migrate.wait() != 0:
        raise SystemExit("handoff migrate failed")
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load before: {os.getloadavg()[0]:.2f}")
    first = one_start(port)
    restarts = [one_start(port) for _ in range(args.runs - 1)]
    print(f"first start (no static files collected): {first:.2f} s")
    if restarts:
        median = statistics.median(restarts)
        print(
            f"restart, nothing changed ({len(restarts)}): median {median:.2f} s,"
            f" min {min(restarts):.2f} s, max {max(restarts):.2f} s"
        )
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
