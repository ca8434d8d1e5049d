"""Adreel agent services; shared code lives in services.common."""
