"""Export and import of a municipality."""
