"""Webhooks: subscriptions, signed deliveries from the outbox, and the worker that sends them."""
