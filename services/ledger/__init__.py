"""The cost ledger: a durable NATS JetStream consumer of `<prefix>.cost.<session_id>` that books each
cost event into generation_costs exactly once (services.common.costs.book, the table's one writer: upsert by
event_id) and publishes budget alerts.
It serves grpc.health.v1 only: SERVING while it is connected to both NATS and PostgreSQL."""
