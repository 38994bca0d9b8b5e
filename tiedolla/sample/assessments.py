"""Synthetic RAI assessments: older home-care and long-term-care clients assessed about every six months.

Each assessed client has a latent need that drifts (on average upwards, but with noise, so MAPLe rises for
some and falls for others between assessments); the scales are rounded, clipped functions of it. Intervals
of 120–240 days keep a followed client inside the 365-day window of the `rai_maple` segments.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiedolla.sample.clients import Clients
from tiedolla.sample.layout import Layout, rng_for

INSTRUMENTS = ("HC", "LTCF", "CHA")
INSTRUMENT_SHARES = (0.65, 0.20, 0.15)
INSTRUMENT_NEED = (0.0, 1.0, -0.5)          # long-term care clients need more, community clients less
ASSESSED_SHARE = {65: 0.035, 75: 0.16}      # of residents aged 65–74 / 75+ (in the sample's middle)
PREVALENT_SHARE = 0.5                       # already followed when the sample starts
STOP_CHANCE = 0.12                          # after each assessment (moves, dies, leaves home care)
INTERVAL = (182, 25, 120, 240)              # days between assessments: mean, sd, min, max
NEED_DRIFT = (0.12, 0.45)                   # change of the latent need between assessments: mean, sd
# (base, slope on the latent need, noise sd, maximum) of each scale, all from 0 except MAPLe (1–5).
SCALES = {"maple": (2.8, 1.0, 0.0, 5), "cps": (1.2, 1.2, 0.7, 6), "adlh": (1.5, 1.3, 0.7, 6),
          "iadl": (20.0, 9.0, 4.0, 48), "drs": (2.0, 1.2, 2.0, 14), "chess": (1.0, 0.8, 0.8, 5)}
OPTIONAL_EMPTY = {"iadl": 0.10, "drs": 0.15, "chess": 0.15}     # share left empty; IADL never in LTCF
MISSING = -1


@dataclass(frozen=True)
class Assessments:
    client: np.ndarray         # index into Clients
    home: np.ndarray           # index into Clients.codes
    day: np.ndarray            # datetime64[D]
    instrument: np.ndarray     # index into INSTRUMENTS
    scores: dict[str, np.ndarray]     # SCALES' names → int, MISSING when left empty


def generate_assessments(layout: Layout, clients: Clients, scale: float, seed: int) -> Assessments:
    """Every assessment of the layout's municipalities between its first and last day."""
    first = np.datetime64(layout.months[0], "D")
    last = (np.datetime64(layout.months[-1], "M") + 1).astype("datetime64[D]") - 1
    span = int((last - first).astype(int)) + 1
    middle = first + span // 2
    ages = clients.ages_on(middle)
    parts: list[Assessments] = []
    for code in layout.codes:
        rng = rng_for(seed, "rai", code)
        part = clients.of(code)
        age = ages[part]
        share = np.where(age >= 75, ASSESSED_SHARE[75], np.where(age >= 65, ASSESSED_SHARE[65], 0.0))
        chosen = part.start + np.flatnonzero(rng.random(len(age)) < share)
        parts.append(_follow(rng, chosen, clients.codes.index(code), first, span))
    return Assessments(
        client=np.concatenate([p.client for p in parts]), home=np.concatenate([p.home for p in parts]),
        day=np.concatenate([p.day for p in parts]), instrument=np.concatenate([p.instrument for p in parts]),
        scores={name: np.concatenate([p.scores[name] for p in parts]) for name in SCALES})


def _follow(rng: np.random.Generator, chosen: np.ndarray, home: int, first: np.datetime64,
            span: int) -> Assessments:
    """The assessments of one municipality's chosen clients: a (clients × rounds) grid, masked."""
    n = len(chosen)
    rounds = span // INTERVAL[2] + 2
    prevalent = rng.random(n) < PREVALENT_SHARE
    entry = np.where(prevalent, rng.integers(0, INTERVAL[0], size=n), rng.integers(0, span, size=n))
    mean, sd, low, high = INTERVAL
    gaps = np.clip(np.rint(rng.normal(mean, sd, size=(n, rounds))), low, high).astype(int)
    gaps[:, 0] = 0
    offset = entry[:, None] + np.cumsum(gaps, axis=1)
    count = rng.geometric(STOP_CHANCE, size=n)          # at least one
    valid = (np.arange(rounds)[None, :] < count[:, None]) & (offset < span)
    instrument = rng.choice(len(INSTRUMENTS), size=n, p=INSTRUMENT_SHARES)
    need = rng.normal(0, 1, size=n)[:, None] + np.array(INSTRUMENT_NEED)[instrument][:, None] \
        + np.cumsum(np.c_[np.zeros(n), rng.normal(*NEED_DRIFT, size=(n, rounds - 1))], axis=1)
    scores = {}
    for name, (base, slope, noise, top) in SCALES.items():
        value = np.rint(base + slope * need + rng.normal(0, noise, size=need.shape))
        value = np.clip(value, 1 if name == "maple" else 0, top).astype(int)
        if name in OPTIONAL_EMPTY:
            empty = rng.random(need.shape) < OPTIONAL_EMPTY[name]
            if name == "iadl":
                empty |= (instrument == INSTRUMENTS.index("LTCF"))[:, None]
            value = np.where(empty, MISSING, value)
        scores[name] = value[valid]
    return Assessments(client=np.broadcast_to(chosen[:, None], valid.shape)[valid],
                       home=np.full(int(valid.sum()), home),
                       day=(first + offset[valid]).astype("datetime64[D]"),
                       instrument=np.broadcast_to(instrument[:, None], valid.shape)[valid], scores=scores)
