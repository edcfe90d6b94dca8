"""Domain services: the writes, each in the caller's transaction."""
