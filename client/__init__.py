"""A typed async client of Adreel's HTTP + WebSocket API, and the `adreel` command built on it."""
