"""What the service runs on: its settings (`settings`), logging (`log`), caches (`caches`) and
the embedded PostgreSQL server for development and tests (`embedded`)."""
