"""Profiles: the hook contract, the conformance kit, profile rules, and each profile against its seed document."""
