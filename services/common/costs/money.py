"""Money and time: integer micro-dollars end to end, never float sums."""

from __future__ import annotations

import os
import time
from decimal import ROUND_HALF_UP, Decimal

from adreel.v1 import common_pb2

MICROS_PER_USD = 1_000_000

# Offline engines run on our own CPU; they are billed at what a cloud vCPU-hour costs, so budgets and
# cost tracking mean the same thing offline as online. Override with ADREEL_LOCAL_USD_PER_CPU_HOUR.
DEFAULT_LOCAL_USD_PER_CPU_HOUR = Decimal("0.05")


def usd_to_micros(usd: Decimal | str | int) -> int:
    return int((Decimal(usd) * MICROS_PER_USD).to_integral_value(ROUND_HALF_UP))


def local_usd_per_cpu_hour() -> Decimal:
    return Decimal(os.environ.get("ADREEL_LOCAL_USD_PER_CPU_HOUR", DEFAULT_LOCAL_USD_PER_CPU_HOUR))


def local_cost(model: str, cpu_seconds: float, wall_seconds: float) -> common_pb2.Cost:
    usd = local_usd_per_cpu_hour() * Decimal(str(cpu_seconds)) / 3600
    return common_pb2.Cost(
        usd_micros=usd_to_micros(usd), provider="local", model=model, seconds=round(wall_seconds, 3)
    )


class Stopwatch:
    """Wall and CPU seconds of a block, CPU including finished child processes (FFmpeg)."""

    def __enter__(self) -> Stopwatch:
        self._wall = time.perf_counter()
        self._cpu = _cpu_now()
        self.wall_s = self.cpu_s = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._wall
        self.cpu_s = max(0.0, _cpu_now() - self._cpu)


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
