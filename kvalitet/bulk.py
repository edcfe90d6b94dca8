"""Bulk export and import of a municipality's data."""


def register_cli(app) -> None:
    """Add `kvalitet export` and `kvalitet import`."""
