"""What the agents' server interceptors share: a handler wrapped so that a step of theirs runs first
in every call (agent_auth checks the token, server hands out the item slots)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

# Awaited with the call's request and context before the handler; it runs in the call's own task,
# so context variables it sets are the handler's, and an abort ends the call there.
FirstStep = Callable[[Any, grpc.aio.ServicerContext], Awaitable[None]]


class FirstStepInterceptor(grpc.aio.ServerInterceptor):
    """Runs `first_step(details)` before the handler of each call that has one (single requests
    only: the contract has no client-streaming RPC)."""

    def first_step(self, details: grpc.HandlerCallDetails) -> FirstStep | None:
        raise NotImplementedError

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_streaming:
            return handler
        first = self.first_step(handler_call_details)
        return handler if first is None else run_first(handler, first)


def run_first(handler: grpc.RpcMethodHandler, first: FirstStep) -> grpc.RpcMethodHandler:
    """`handler` (a single request; a single or a streamed response) with `first` awaited before it."""
    if handler.response_streaming:
        stream = handler.unary_stream

        async def unary_stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            await first(request, context)
            result = stream(request, context)
            if inspect.isasyncgen(result):
                async for response in result:
                    yield response
            else:  # a handler that writes through context.write()
                await result

        return grpc.unary_stream_rpc_method_handler(
            unary_stream, handler.request_deserializer, handler.response_serializer
        )
    unary = handler.unary_unary

    async def unary_unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await first(request, context)
        return await unary(request, context)

    return grpc.unary_unary_rpc_method_handler(
        unary_unary, handler.request_deserializer, handler.response_serializer
    )
