"""Adreel for programs, plugged into the gateway in one place: personal API keys, the batch routes
and their runner, and the MCP server over streamable HTTP at /mcp (adreel_mcp), which takes API
keys only."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from adreel_mcp.http import PATH as MCP_PATH
from adreel_mcp.http import McpHttp, McpRoute
from gateway import api_keys
from gateway.api.routes import api_keys as api_key_routes
from gateway.api.routes import batches
from gateway.batch_runner import BatchRunner, reseal_batch_secrets
from gateway.core.config import Settings


@dataclass
class ProgramParts:
    runner: BatchRunner
    mcp: McpHttp

    async def stop(self) -> None:
        await self.mcp.stop()
        await self.runner.stop()


def install_program_routes(app: FastAPI) -> None:
    app.include_router(api_key_routes.router)
    app.include_router(batches.router)
    app.add_route(MCP_PATH, McpRoute(), methods=["GET", "POST", "DELETE"], include_in_schema=False)


async def start_programs(app: FastAPI, settings: Settings) -> ProgramParts:
    """In the lifespan, once the database and the orchestrator are up (and after interrupted
    sessions were marked failed, so the batches resume them)."""
    await reseal_batch_secrets(app.state.sessionmaker, settings.webhook_keyring)
    runner = BatchRunner(settings, app.state.sessionmaker, app)
    app.state.batch_runner = runner
    runner.start()

    async def verify(token: str) -> bool:
        # A live API key: an MCP client's config holds a key, never a 24 h session token.
        return await api_keys.user_id_for(app.state.sessionmaker, token) is not None

    mcp = McpHttp(app, verify)
    await mcp.start()
    app.state.mcp_http = mcp
    return ProgramParts(runner, mcp)
