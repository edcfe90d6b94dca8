"""Units from the NSR/NBR registers."""
