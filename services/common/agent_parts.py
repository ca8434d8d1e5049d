"""Pieces every generating agent's server shares: its Agent for the bootstrap, its engine chosen by
name, and the ItemFailure an item's error becomes."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import grpc

from adreel.v1 import common_pb2
from services.common.errors import AgentError, status_name
from services.common.server import Agent


class Engine(Protocol):
    async def close(self) -> None: ...


def engine_agent(
    name: str,
    service: str,
    add_servicer: Callable[[Any, grpc.aio.Server], None],
    servicer: object,
    engine: Engine,
    *,
    warmup: Callable[[], Awaitable[None]],
    close: Callable[[], Awaitable[None]] | None = None,
) -> Agent:
    """The Agent that serves `servicer` (added by its generated `add_..._to_server`), warmed up by
    `warmup` and closing its engine on stop (`close`, when it holds more than the engine)."""
    return Agent(
        name=name,
        services=[service],
        register=lambda server: add_servicer(servicer, server),
        warmup=warmup,
        close=close or engine.close,
    )


def load_engine(settings: Any, package: str, **classes: str) -> Any:
    """The engine `settings.engine` names: class `classes[engine]` of module `<package>.<engine>`
    (e.g. services.image_gen.providers.local), imported only when chosen, built from the settings."""
    engine = settings.engine
    if engine not in classes:
        raise ValueError(f"unknown {package.split('.')[1]} engine {engine!r}")
    return getattr(importlib.import_module(f"{package}.{engine}"), classes[engine])(settings)


def item_failure(
    item_id: str,
    error: BaseException,
    *,
    log: logging.Logger,
    what: str,
    internal: str,
    cost: common_pb2.Cost | None = None,
) -> common_pb2.ItemFailure:
    """An item's error as the ItemFailure the caller sees: an AgentError says its own message; any
    other is logged (`what` failed) and reported as `internal`, retryable."""
    if isinstance(error, AgentError):
        message, retryable = error.message, error.retryable
    else:
        log.error(what, exc_info=error, extra={"item_id": item_id})
        message, retryable = internal, True
    return common_pb2.ItemFailure(
        item_id=item_id, code=status_name(error), message=message, cost=cost, retryable=retryable
    )
