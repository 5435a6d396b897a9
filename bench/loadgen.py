"""A small HTTP/1.1 keep-alive load generator, used when wrk is not installed.

Each of `connections` clients keeps one connection open and sends GET requests
one after another, rotating over the given paths, until the duration is over.
It measures the same things as bench/rotate.lua. Being Python, it takes CPU
that the server would otherwise have: on a small machine wrk gives higher and
truer figures.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors_status: int = 0
    errors_connect: int = 0
    errors_read: int = 0
    bytes: int = 0

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            if not lat:
                return 0.0
            return lat[min(len(lat) - 1, round(p / 100 * (len(lat) - 1)))] * 1000

        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else 0.0,
            "p90_ms": round(pct(90), 2),
            "p99_ms": round(pct(99), 2),
            "max_ms": round(lat[-1] * 1000, 2) if lat else 0.0,
            "errors_connect": self.errors_connect,
            "errors_read": self.errors_read,
            "errors_write": 0,
            "errors_status": self.errors_status,
            "errors_timeout": 0,
            "bytes": self.bytes,
        }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """Read one response; return (status, body bytes)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length = None
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    size = 0
    if chunked:
        for _chunk in range(1_000_000):  # bounded: no response has a million chunks
            size_line = await reader.readline()
            n = int(size_line.strip().split(b";")[0], 16)
            if n == 0:
                await reader.readline()
                break
            await reader.readexactly(n + 2)
            size += n
    elif length:
        await reader.readexactly(length)
        size = length
    return status, size


async def _client(host: str, port: int, paths: list[str], offset: int, deadline: float,
                  result: Result) -> None:  # fmt: skip
    i = offset
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            path = paths[i % len(paths)]
            i += 1
            began = time.monotonic()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            await writer.drain()
            status, size = await asyncio.wait_for(_read_response(reader), timeout=10)
            result.latencies.append(time.monotonic() - began)
            result.requests += 1
            result.bytes += size
            if status >= 400:
                result.errors_status += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError, TimeoutError):
            result.errors_read += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def _run(host: str, port: int, paths: list[str], connections: int, duration: float) -> dict:
    result = Result()
    began = time.monotonic()
    deadline = began + duration
    step = max(1, len(paths) // max(1, connections))
    await asyncio.gather(
        *(_client(host, port, paths, n * step, deadline, result) for n in range(connections))
    )
    result.seconds = time.monotonic() - began
    return result.summary()


def run(host: str, port: int, paths: list[str], *, connections: int, duration: float) -> dict:
    return asyncio.run(_run(host, port, paths, connections, duration))
