"""Webhook subscriptions, signing, delivery and target checks."""
