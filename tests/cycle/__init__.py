"""The yearly cycle of each shipped profile, end to end through the API."""
