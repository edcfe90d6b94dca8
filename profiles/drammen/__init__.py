"""Drammen (3301): «Kvalitetsplan for helhetlig læringsløp».

Its content is data in `data/`; see `kvalitet.content` for the format.
"""

from pathlib import Path

from kvalitet.plugins import DataProfile

plugin = DataProfile(Path(__file__).parent / "data")
