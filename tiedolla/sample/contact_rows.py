"""Synthetic customer-service centre contacts as numeric columns, one month at a time.

The phone still dominates in 2019–2020; callback arrives in September 2019, and chat, Omaolo and the
e-service grow to about 40 % of contacts by the end of 2024 (methods.md `share_digital`).
"""
from __future__ import annotations

import numpy as np

from tiedolla.sample.clients import residents
from tiedolla.sample.layout import Layout, rng_for

CHANNELS = ("puhelin", "takaisinsoitto", "chat", "omaolo", "sahkoinen_asiointi")
UNKNOWN_CHANNEL = len(CHANNELS)          # index of 'tekstiviesti' in the dictionary: not a known channel
DICTIONARY = CHANNELS + ("tekstiviesti",)
PHONE, CALLBACK, CHAT, OMAOLO, E_SERVICE = range(len(CHANNELS))
STAFFED = (PHONE, CALLBACK)              # reached only in opening hours; the digital ones around the clock

# Channel shares (phone, callback, chat, omaolo, e-service), linear between anchor months, flat outside.
MIX: dict[str, tuple[float, ...]] = {
    "2019-01": (0.90, 0.00, 0.04, 0.03, 0.03),
    "2019-08": (0.90, 0.00, 0.04, 0.03, 0.03),
    "2019-09": (0.87, 0.03, 0.04, 0.03, 0.03),     # callback introduced
    "2020-06": (0.84, 0.06, 0.04, 0.03, 0.03),
    "2021-06": (0.77, 0.08, 0.06, 0.05, 0.04),
    "2022-06": (0.70, 0.09, 0.08, 0.06, 0.07),
    "2023-06": (0.60, 0.11, 0.10, 0.08, 0.11),
    "2024-06": (0.52, 0.11, 0.12, 0.11, 0.14),
    "2024-12": (0.49, 0.11, 0.13, 0.12, 0.15),
}
# Phone: share answered and median queue (s) of answered calls; callbacks take the load off the queue.
PHONE_SERVICE: dict[str, tuple[float, float]] = {
    "2019-01": (0.82, 240.0), "2020-03": (0.80, 300.0), "2020-06": (0.82, 260.0),
    "2022-01": (0.86, 200.0), "2024-12": (0.91, 150.0),
}
ANSWERED = np.array([np.nan, 0.95, 0.98, 1.0, 0.995])     # phone from PHONE_SERVICE
QUEUE_MEDIAN = np.array([np.nan, 1500.0, 40.0, 0.0, 0.0])  # callback: minutes until called back; chat: s
QUEUE_SIGMA = np.array([0.9, 0.8, 1.0, 0.0, 0.0])
ABANDONED_MEDIAN = 120.0        # unanswered calls hang up after about two minutes
MAX_QUEUE = 3 * 3600
E_SERVICE_QUEUED_SHARE = 0.1    # e-service: a few seconds of "waiting for a free handler" now and then
# Share of contacts without kotikunta: anonymous calls and chats, rarely the authenticated digital ones.
NO_HOME = np.array([0.09, 0.03, 0.12, 0.01, 0.005])

PER_RESIDENT = 0.163            # contacts per resident per month in 2019, before season
GROWTH = 0.02                   # yearly growth of contacts
SEASON = np.array([1.10, 1.05, 1.05, 1.00, 0.98, 0.92, 0.85, 0.97, 1.04, 1.06, 1.04, 0.94])
SEASON = SEASON / SEASON.mean()
PANDEMIC = {"2020-03": 1.30, "2020-04": 1.20, "2020-05": 1.08}    # corona advice lines
# Relative load by hour of day and weekday (Monday first); staffed channels are closed at weekends.
STAFFED_HOURS = np.zeros(24)
STAFFED_HOURS[8:16] = (1.0, 1.3, 1.2, 1.0, 0.8, 0.9, 0.8, 0.6)
DIGITAL_HOURS = np.array([0.1, 0.05, 0.03, 0.03, 0.05, 0.1, 0.3, 0.7, 1.0, 1.1, 1.1, 1.0,
                          0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.9, 0.8, 0.5, 0.25])
STAFFED_DAYS = np.array([1.3, 1.1, 1.0, 1.0, 0.85, 0.0, 0.0])
DIGITAL_DAYS = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.55, 0.6])

Rows = dict[str, np.ndarray]


def interpolate(anchors: dict[str, tuple[float, ...]], month: str) -> np.ndarray:
    """The anchors' values linearly interpolated to `month` ('YYYY-MM'), held flat outside them."""
    at = np.array([np.datetime64(m, "M").astype(int) for m in sorted(anchors)], dtype=float)
    values = np.array([anchors[m] for m in sorted(anchors)], dtype=float)
    x = float(np.datetime64(month, "M").astype(int))
    return np.array([np.interp(x, at, values[:, j]) for j in range(values.shape[1])])


def channel_shares(month: str) -> np.ndarray:
    shares = interpolate(MIX, month)
    return shares / shares.sum()


def expected_contacts(layout: Layout, month: str, scale: float) -> tuple[float, np.ndarray]:
    """Mean contacts of the month and the weights of the layout's municipalities among them.

    Kronoby's residents used Soite's services until 2022, so they call from 2023 only.
    """
    weights = np.array([residents(code, scale) if layout.expected(code, month) else 0.0
                        for code in layout.codes])
    year, number = int(month[:4]), int(month[5:7])
    mean = weights.sum() * PER_RESIDENT * SEASON[number - 1] * (1 + GROWTH) ** (year - 2019)
    return mean * PANDEMIC.get(month, 1.0), weights / weights.sum() if weights.sum() else weights


def generate_month(layout: Layout, month: str, scale: float, seed: int) -> Rows:
    """Every contact of the month, sorted by start time; `home` indexes layout.codes, −1 = no kotikunta."""
    rng = rng_for(seed, "contacts", month)
    mean, weights = expected_contacts(layout, month, scale)
    n = int(rng.poisson(mean))
    channel = rng.choice(len(CHANNELS), size=n, p=channel_shares(month)).astype(np.int8)
    start = _start_times(month, channel, rng)
    answered_phone, phone_median = interpolate(PHONE_SERVICE, month)
    answered_share = np.where(channel == PHONE, answered_phone, ANSWERED[channel])
    answered = (rng.random(n) < answered_share).astype(np.int8)
    median = np.where(channel == PHONE, np.where(answered == 1, phone_median, ABANDONED_MEDIAN),
                      QUEUE_MEDIAN[channel])
    queue = np.minimum(np.floor(median * np.exp(QUEUE_SIGMA[channel] * rng.standard_normal(n))), MAX_QUEUE)
    small = (channel == E_SERVICE) & (rng.random(n) < E_SERVICE_QUEUED_SHARE)
    queue = np.where(small, rng.integers(1, 60, size=n), queue).astype(np.int64)
    home = rng.choice(len(weights), size=n, p=weights) if n else np.zeros(0, dtype=np.int64)
    home = np.where(rng.random(n) < NO_HOME[channel], -1, home).astype(np.int16)
    order = np.argsort(start, kind="stable")
    return {"id": contact_ids(month, 0, n), "channel": channel[order], "start": start[order],
            "queue": queue[order], "answered": answered[order], "home": home[order]}


def contact_ids(month: str, first: int, count: int) -> np.ndarray:
    """The telephony system's ids: year and month, then a running number (unique within the month)."""
    return int(month.replace("-", "")) * 10_000_000 + first + 1 + np.arange(count, dtype=np.int64)


def _start_times(month: str, channel: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Start times by opening hours: phone and callback on weekday office hours, digital any time."""
    first = np.datetime64(month, "M")
    days = int(((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int))
    hour = np.arange(days * 24)
    weekday = (first.astype("datetime64[D]").astype(int) + hour // 24 + 3) % 7     # 1970-01-01 was a Thursday
    staffed = STAFFED_DAYS[weekday] * STAFFED_HOURS[hour % 24]
    digital = DIGITAL_DAYS[weekday] * DIGITAL_HOURS[hour % 24]
    is_staffed = np.isin(channel, STAFFED)
    picked = np.empty(len(channel), dtype=np.int64)
    picked[is_staffed] = rng.choice(len(hour), size=int(is_staffed.sum()), p=staffed / staffed.sum())
    picked[~is_staffed] = rng.choice(len(hour), size=int((~is_staffed).sum()), p=digital / digital.sum())
    seconds = picked * 3600 + rng.integers(3600, size=len(channel))
    return first.astype("datetime64[s]") + seconds
