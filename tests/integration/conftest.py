"""Fixtures for the integration tests that several modules share."""

from tests.fakes.s3 import moto_endpoint

__all__ = ["moto_endpoint"]
