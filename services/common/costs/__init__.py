"""Costs in one home: every piece of code that prices, describes or books an agent call's cost.

- `money`: integer micro-dollars, the offline engines' CPU price, a wall + CPU stopwatch (what every
  agent needs, so it is what `services.common.costs` itself exports).
- `pricing`: what Replicate charges per model.
- `contract`: the cost event and budget alert, their ids, subjects and stream (gateway <-> ledger).
- `book`: the ONE writer of `generation_costs` (the ledger's table), with the budget crossings.

The gateway keeps only what is bound to its own transaction and WebSocket (gateway/cost_outbox.py: the
outbox row, the relay of its outbox, alerts onto its progress hub); the ledger service
(services/ledger) is the consumer around `book`.
"""

from services.common.costs.money import (
    MICROS_PER_USD,
    Stopwatch,
    local_cost,
    usd_to_micros,
)

__all__ = ["MICROS_PER_USD", "Stopwatch", "local_cost", "usd_to_micros"]
