"""Completion webhooks: signed (Standard Webhooks) stage events, delivered durably with retries."""
