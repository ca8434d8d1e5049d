"""Fixtures for the integration tests that several modules share."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.compositor.config import Settings
from services.compositor.server import build
from tests.agents import running_agent
from tests.fakes.s3 import moto_endpoint
from tests.gateway_support import fixture_client, fixture_settings, gateway_database

# The gateway fixtures `client`, `settings` (every agent down, the module's GATEWAY_OVERRIDES) and
# `gateway_database`, for every module here (one that defines `settings` or `client` uses its own).
__all__ = ["fixture_client", "fixture_settings", "gateway_database", "moto_endpoint"]


@pytest.fixture
async def compositor(storage_dir: Path) -> AsyncIterator[pb_grpc.CompositorServiceStub]:
    """The compositor agent on its offline engine, on loopback; a stub to it.

    x264's ultrafast preset keeps the suite quick; every property asserted holds at any preset."""
    agent, settings = build(Settings(storage_dir=storage_dir, engine="local", x264_preset="ultrafast"))
    async with running_agent(agent, settings) as (_, channel):
        yield pb_grpc.CompositorServiceStub(channel)
