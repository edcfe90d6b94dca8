"""Importing units from the national registers (NSR for schools, NBR for kindergartens)."""


def register_cli(units_app) -> None:
    """Add the register commands to `kvalitet units`."""
