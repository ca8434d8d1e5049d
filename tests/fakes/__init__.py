"""Local stand-ins for outside services (Replicate's HTTP API), for contract tests that run offline."""
