"""What every source writer gets: the layout, scale, seed and the shared synthetic residents."""
from __future__ import annotations

from dataclasses import dataclass

from tiedolla.sample.clients import Clients
from tiedolla.sample.layout import Layout


@dataclass(frozen=True)
class SampleContext:
    layout: Layout
    scale: float
    seed: int
    clients: Clients      # the same residents behind every source, so ids and ages agree across sources
