"""kvalitet: GraphQL backend for municipal quality-development plans."""

__version__ = "0.1.0"
