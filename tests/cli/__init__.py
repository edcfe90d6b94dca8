"""The `kvalitet` command."""
