"""Fault tests: private servers the tests may crash (the shared ones are never restarted)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis

from tests.e2e.conftest import make_sim  # noqa: F401  (the real app, as the e2e tests start it)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivateRedis:
    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """Crash it (SIGKILL: no goodbye to the clients)."""
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            if client.ping():
                break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        raise AssertionError("the private redis-server did not start")
    client.close()
    yield PrivateRedis(url, process)
    if process.poll() is None:
        process.kill()
        process.wait(10)
