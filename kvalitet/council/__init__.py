"""The yearly report to the municipal council: its structure, figures, charts and renditions."""
