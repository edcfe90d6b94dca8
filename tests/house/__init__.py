"""The house's own gates: no import cycles, declared dependencies, style, types, the schema contract and its changes, the registries declared once."""
