"""The embedded Redis of SPEC §8: started once per instance folder, found by the others."""

from __future__ import annotations

import subprocess
import sys

import redis

from tracker.redis_embedded import ensure_embedded_redis, stop_embedded_redis


def test_first_process_starts_it_and_another_finds_it(tmp_path):
    folder = str(tmp_path)
    try:
        sock = ensure_embedded_redis(folder)
        redis.Redis(unix_socket_path=str(sock)).set("marker", "1")
        # A separate process (as the worker would be) finds the same server.
        code = (
            "import sys, redis; from tracker.redis_embedded import ensure_embedded_redis;"
            f"s = ensure_embedded_redis({folder!r});"
            "sys.exit(0 if redis.Redis(unix_socket_path=str(s)).get('marker') == b'1' else 1)"
        )
        assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
        assert sock.parent == tmp_path
    finally:
        stop_embedded_redis(folder)
    assert not (tmp_path / "redis.sock").exists() or not _answers(tmp_path / "redis.sock")


def _answers(sock) -> bool:
    try:
        return redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping()
    except redis.RedisError:
        return False
