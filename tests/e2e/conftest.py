"""Fixtures of the API journeys: the four real agents on loopback and a gateway in front of them
(`stack`, from tests/gateway_support.py, where `Stack` and `start_stack` live too)."""

from __future__ import annotations

from tests.gateway_support import Stack, fixture_stack, gateway_database, start_stack

# Stack and start_stack stay importable from here for the journeys that still do.
__all__ = ["Stack", "fixture_stack", "gateway_database", "start_stack"]
