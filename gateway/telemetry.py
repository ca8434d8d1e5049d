"""The gateway's OpenTelemetry: server spans for the HTTP API, a span per stage, and the
orchestrator's metrics (stage duration, stages in flight, cost, agent errors), each recorded by a
one-line call.

Export follows services.common.telemetry: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else
nothing leaves the process (the metric instruments are the API's no-ops until a provider exists).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from opentelemetry import metrics
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from adreel.v1 import common_pb2
from services.common.telemetry import setup_telemetry, span

log = logging.getLogger(__name__)

_meter = metrics.get_meter("adreel.gateway")
STAGE_DURATION = _meter.create_histogram(
    "adreel.stage.duration", unit="s", description="Wall time of a session stage, by stage and outcome"
)
# The gateway's HorizontalPodAutoscaler scales on this beside CPU (deploy/k8s/base/gateway.yaml):
# exported over OTLP, it reaches Prometheus as `adreel_stages_in_flight` (per pod, summed over stages).
STAGES_IN_FLIGHT = _meter.create_up_down_counter(
    "adreel.stages.in_flight", unit="{stage}", description="Stages this process is running now, by stage"
)
COST = _meter.create_counter(
    "adreel.cost", unit="{usd_micros}", description="Money spent on agent calls, by agent and model"
)
AGENT_ERRORS = _meter.create_counter(
    "adreel.agent.errors", unit="{error}", description="Failed agent calls and items, by agent and code"
)

# Probes and the progress sockets would bury the requests that start work.
_UNTRACED_URLS = "/health$,/ws/"


def instrument(app: FastAPI) -> None:
    """Name this process `gateway` (unless a provider is already installed) and trace its routes."""
    setup_telemetry("gateway")
    FastAPIInstrumentor.instrument_app(app, excluded_urls=_UNTRACED_URLS, exclude_spans=["receive", "send"])


@asynccontextmanager
async def stage(name: str) -> AsyncIterator[None]:
    """A `stage <name>` span, counted in flight while it runs, and one duration sample with its
    outcome (ok, failed, timeout, cancelled)."""
    started, outcome = time.monotonic(), "failed"
    with span(f"stage {name}", stage=name):
        STAGES_IN_FLIGHT.add(1, {"stage": name})
        try:
            yield
            outcome = "ok"
        except TimeoutError:
            outcome = "timeout"
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            STAGES_IN_FLIGHT.add(-1, {"stage": name})
            seconds = time.monotonic() - started
            STAGE_DURATION.record(seconds, {"stage": name, "outcome": outcome})
            log.info(
                "stage finished", extra={"stage": name, "outcome": outcome, "duration_s": round(seconds, 3)}
            )


def count_cost(agent: str, cost: common_pb2.Cost) -> None:
    """Money an agent call cost (integer micro-dollars, as stored), once per recorded cost row."""
    COST.add(cost.usd_micros, {"agent": agent, "model": cost.model or "unknown", "provider": cost.provider})


def count_agent_error(agent: str, code: str) -> None:
    """A failed agent call (its gRPC status) or a failed item (its ItemFailure code)."""
    AGENT_ERRORS.add(1, {"agent": agent, "code": code})
