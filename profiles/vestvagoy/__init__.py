"""Vestvågøy (1860): development plan for sector Utdanning/Oppvekst.

Its content is data in `data/`; see `kvalitet.content` for the format.
"""

from pathlib import Path

from kvalitet.plugins import DataProfile

plugin = DataProfile(Path(__file__).parent / "data")
