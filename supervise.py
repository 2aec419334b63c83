"""`python supervise.py`: what `make run` starts beside the web app. Keeps `python
worker.py` running (started again when it exits) and, without REDIS_URL, the embedded
Redis (started again when it dies). In production a service manager does this
(systemd `Restart=always`, README.md)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess  # nosec B404 # starts our own worker.py, no shell
import sys
import time
from pathlib import Path

from tracker.config import load_config
from tracker.redis_embedded import ensure_embedded_redis, is_alive, socket_path

log = logging.getLogger("supervise")

ROOT = Path(__file__).resolve().parent
CHECK_SECONDS = 1.0
# Waits before starting a worker that exited again soon after it started.
BACKOFF_SECONDS = (1, 2, 5, 10, 30)
# A worker that ran this long had no trouble starting: the backoff starts over.
STEADY_SECONDS = 60
STOP_SECONDS = 30


class Supervisor:
    def __init__(self, worker_args: list[str]):
        config = load_config()
        self.instance = str(config["INSTANCE_PATH"])
        self.embedded_redis = not config["REDIS_URL"]
        self.worker_args = worker_args
        self.worker: subprocess.Popen | None = None
        self.started_at = 0.0
        self.failures = 0
        self.restart_at = 0.0
        self.stopping = False

    def request_stop(self, signum, frame) -> None:
        self.stopping = True

    def check_redis(self) -> None:
        if not self.embedded_redis or is_alive(socket_path(self.instance)):
            return
        if _running(Path(self.instance) / "redis.pid"):
            log.warning("the embedded Redis is running but not answering")
            return  # slow (loading its snapshot?), not dead: never start a second one
        log.warning("the embedded Redis is not running: starting it again")
        try:
            ensure_embedded_redis(self.instance)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            log.error("could not start the embedded Redis (%s); trying again", exc)

    def check_worker(self) -> None:
        if self.worker is not None:
            code = self.worker.poll()
            if code is None:
                return
            ran = time.monotonic() - self.started_at
            self.failures = 0 if ran > STEADY_SECONDS else self.failures + 1
            wait = BACKOFF_SECONDS[min(self.failures, len(BACKOFF_SECONDS) - 1)]
            log.warning(
                "the worker exited (code %s) after %.0f s: starting it in %d s", code, ran, wait
            )
            self.worker = None
            self.restart_at = time.monotonic() + wait
        if time.monotonic() >= self.restart_at:
            self.worker = subprocess.Popen(
                [sys.executable, "worker.py", *self.worker_args], cwd=ROOT
            )  # nosec B603
            self.started_at = time.monotonic()
            log.info("worker started (pid %d)", self.worker.pid)

    def stop_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            return
        self.worker.terminate()  # a warm shutdown: the job in hand finishes
        try:
            self.worker.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        try:
            while not self.stopping:
                self.check_redis()
                self.check_worker()
                time.sleep(CHECK_SECONDS)
        finally:
            self.stop_worker()
        return 0


def _running(pidfile: Path) -> bool:
    """Whether the process named in the pid file exists (the daemon's parent is init,
    which reaps it, so a dead one does not linger)."""
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("worker_args", nargs="*", help="Passed on to worker.py (after --).")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return Supervisor(args.worker_args).run()


if __name__ == "__main__":
    raise SystemExit(main())
