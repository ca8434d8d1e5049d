"""Tracing without a collector: spans are made and sent nowhere until an OTLP endpoint is set."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import BatchSpanProcessor

from services.common.telemetry import make_tracer_provider


def test_nothing_is_exported_without_an_otlp_endpoint() -> None:
    quiet = make_tracer_provider("image_gen", None)
    assert quiet._active_span_processor._span_processors == ()  # spans made, sent nowhere
    assert quiet.resource.attributes["service.name"] == "image_gen"
    loud = make_tracer_provider("image_gen", "http://collector:4317")
    (processor,) = loud._active_span_processor._span_processors
    assert isinstance(processor, BatchSpanProcessor)
    assert type(processor.span_exporter).__module__.startswith("opentelemetry.exporter.otlp.proto.grpc")
    loud.shutdown()
