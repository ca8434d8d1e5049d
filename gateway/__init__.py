"""The Adreel gateway: the HTTP + WebSocket API, the orchestrator that drives the agents over gRPC,
and the session state in PostgreSQL."""
