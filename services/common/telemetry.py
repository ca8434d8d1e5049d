"""OpenTelemetry for every Adreel process (agents and gateway).

- one SDK tracer provider per process, `service.name` = the service (OTEL_SERVICE_NAME overrides);
- W3C trace context across gRPC: the instrumentation's aio client and server interceptors put and
  read `traceparent` in the call metadata (health checks and reflection are not traced);
- `span()` for the work worth seeing inside a call (an FFmpeg run, a provider call);
- `current_ids()` for log lines (services.common.logs).

Spans are always made, so log lines carry trace ids and context crosses every hop, but nothing
leaves the process unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then spans and metrics go over OTLP
(gRPC) to that collector. No console exporter, no spam.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from opentelemetry import metrics, trace

# Imported eagerly (~60 ms) so that deploy/images.py, which pins what a service imports, puts the
# exporter in every image; both read OTEL_EXPORTER_OTLP_* themselves.
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.grpc import aio_client_interceptors, aio_server_interceptor, filters
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span
from opentelemetry.util.types import AttributeValue

# Long-lived or chatty RPCs that would only bury the traces of real work.
UNTRACED_SERVICES = (
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
)
_traced = filters.negate(filters.any_of(*(filters.service_name(s) for s in UNTRACED_SERVICES)))
_tracer = trace.get_tracer("adreel")


def otlp_endpoint() -> str | None:
    return os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None


def make_resource(service: str) -> Resource:
    return Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME") or service, "service.namespace": "adreel"}
    )


def make_tracer_provider(service: str, endpoint: str | None) -> TracerProvider:
    provider = TracerProvider(resource=make_resource(service))
    if endpoint:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def make_meter_provider(service: str, endpoint: str | None) -> MeterProvider | None:
    """An OTLP-exporting meter provider, or None (the API's no-op meters) without an endpoint."""
    if not endpoint:
        return None
    reader = PeriodicExportingMetricReader(OTLPMetricExporter())
    return MeterProvider(resource=make_resource(service), metric_readers=[reader])


def setup_telemetry(service: str) -> TracerProvider:
    """Install this process's providers once; later calls return the provider already installed
    (a test process hosts the gateway and several agents, and tests add their own exporters)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    endpoint = otlp_endpoint()
    provider = make_tracer_provider(service, endpoint)
    trace.set_tracer_provider(provider)
    if (meters := make_meter_provider(service, endpoint)) is not None:
        metrics.set_meter_provider(meters)
    return provider


def server_interceptors() -> list[grpc.aio.ServerInterceptor]:
    """A server span per RPC, child of the caller's span when its metadata carries one."""
    return [aio_server_interceptor(filter_=_traced)]


def client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    """A client span per call, its context injected into the call's metadata (W3C traceparent)."""
    return list(aio_client_interceptors(filter_=_traced))


@contextmanager
def span(name: str, **attributes: AttributeValue) -> Iterator[Span]:
    """A child span of the current one; an exception marks it as an error and goes on."""
    with _tracer.start_as_current_span(name, attributes=attributes) as current:
        yield current


def current_ids() -> dict[str, Any]:
    """The current trace and span ids as hex (what a collector and a log search show), or ""."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return {"trace_id": "", "span_id": ""}
    return {"trace_id": format(ctx.trace_id, "032x"), "span_id": format(ctx.span_id, "016x")}
