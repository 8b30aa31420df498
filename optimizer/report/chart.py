"""A rendered chart as plain data (no matplotlib), so the page can be assembled without it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Chart:
    """One rendered chart: `name` is the file stem in plots/, `title` its heading in the page."""

    name: str
    title: str
    caption: str
    png: bytes
    key: str = ""  # the sector of a production chart
