"""Tromsø (5501): «Du og jeg og vi to – VI VIL!», quality development plan 2021–2025.

Its content is data in `data/`; see `kvalitet.content` for the format.
"""

from pathlib import Path

from kvalitet.plugins import DataProfile

plugin = DataProfile(Path(__file__).parent / "data")
