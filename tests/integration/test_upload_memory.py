"""A small file of many pixels must not blow the gateway's memory up (its Kubernetes limit is 512 Mi).

A 7000x7000 PNG compresses to ~160 kB and is under the 50 MP limit; decoded whole with Pillow it
added ~550 MB to the gateway, four at once 2.47 GB, held for minutes. The gateway runs as its own
process (`python -m gateway`) and its resident memory is sampled every 10 ms while photos upload.
Goals: at most +150 MB for one such upload, +300 MB for four at once, back down within a minute.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
from PIL import Image

from tests.gateway_support import gateway_database, login, spawned_gateway

__all__ = ["gateway_database"]

MB = 1_000_000


def big_png() -> bytes:
    im = Image.new("RGB", (7000, 7000), (200, 40, 90))
    im.paste((30, 30, 30), (1000, 1000, 6000, 6000))  # a product on a backdrop, still ~160 kB
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), "white").save(out, "PNG")
    return out.getvalue()


@contextmanager
def peak_rss(pid: int) -> Iterator[list[int]]:
    """Samples the process's RSS every 10 ms; yields a list whose one item is the peak so far."""
    proc, peak, stop = psutil.Process(pid), [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


async def upload(c: httpx.AsyncClient, token: str, data: bytes) -> None:
    h = {"Authorization": f"Bearer {token}"}
    sid = (await c.post("/api/sessions/create", headers=h)).json()["session_id"]
    r = await c.post(
        f"/api/sessions/{sid}/images", headers=h, files=[("files", ("p.png", data, "image/png"))]
    )
    assert r.status_code == 201, r.text


async def test_a_huge_photo_costs_the_gateway_little_memory(gateway_database: str, tmp_path: Path) -> None:
    photo = big_png()
    assert len(photo) < 300_000
    async with (
        spawned_gateway(gateway_database, tmp_path) as (base, pid),
        httpx.AsyncClient(base_url=base, timeout=120) as c,
    ):
        token = await login(c)
        await upload(c, token, small_png())  # the decoder loaded, the pools warm
        rss = psutil.Process(pid).memory_info().rss
        with peak_rss(pid) as peak:
            await upload(c, token, photo)
        one = peak[0] - rss
        with peak_rss(pid) as peak:
            await asyncio.gather(*(upload(c, token, photo) for _ in range(4)))
        four = peak[0] - rss
        settled, deadline = psutil.Process(pid).memory_info().rss, time.monotonic() + 60
        while settled - rss > 60 * MB and time.monotonic() < deadline:
            await asyncio.sleep(1)
            settled = psutil.Process(pid).memory_info().rss
    print(
        f"\nupload RSS: base {rss / MB:.0f} MB, one 7000x7000 PNG +{one / MB:.0f} MB, "
        f"four at once +{four / MB:.0f} MB, after +{(settled - rss) / MB:.0f} MB"
    )
    assert one <= 150 * MB, one / MB
    assert four <= 300 * MB, four / MB
    assert settled - rss <= 60 * MB, (settled - rss) / MB
