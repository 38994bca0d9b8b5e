"""Synthetic outpatient visits (Avohilmo rows) as numeric columns, generated per service stream and year."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiedolla.reference import municipalities as reference_municipalities
from tiedolla.sample.clients import Clients, age_group_of, full_years, residents
from tiedolla.sample.layout import Layout, rng_for
from tiedolla.sample.units import DENTAL, UNITS, unit_names
from tiedolla.sample.waits import GROUPS, cumulative_table, group_of, stratified_waits

SERVICES = ("T11", "T60", "T22", "T40")
OCCUPATIONS = ("2211", "2212", "2221", "2222", "3221", "2264", "2261", "3251", "2634")
CONTACTS = ("R10", "R20", "R50", "R52", "R55", "R71")  # R71 is not in the seed: loads as 'other'
URGENCY = ("1", "2")


@dataclass(frozen=True)
class Stream:
    """One kind of visit: its volume, urgency, professionals, patients' ages and contact types."""
    service: str
    per_resident: float                  # visits per resident per year
    urgent_share: float
    assessed_share: float                # non-urgent visits with a needs assessment; the rest are follow-ups
    occupations: dict[str, float]        # occupation code → share of non-urgent visits
    urgent_occupations: dict[str, float]
    age_propensity: tuple[float, ...]    # relative visit rate per clients.AGE_GROUPS
    contacts: dict[str, float]           # before 2020-03
    remote_contacts: dict[str, float]    # from 2020-03: phone, message and video grew with the pandemic


STREAMS = (
    Stream("T11", 2.1, 0.25, 0.87,
           {"2211": .25, "2212": .17, "2221": .26, "2222": .10, "3221": .16, "2264": .06},
           {"2211": .35, "2212": .20, "2221": .30, "3221": .15}, (1.2, 0.6, 0.8, 1.4, 2.2),
           {"R10": .66, "R20": .04, "R50": .24, "R52": .05, "R55": .01},
           {"R10": .55, "R20": .03, "R50": .28, "R52": .10, "R55": .04}),
    Stream("T60", 0.85, 0.08, 0.88, {"2261": .58, "3251": .42}, {"2261": .9, "3251": .1},
           (0.6, 1.6, 0.9, 1.0, 0.8), {"R10": .96, "R50": .04}, {"R10": .94, "R50": .05, "R52": .01}),
    Stream("T22", 0.12, 0.01, 0.3, {"2222": .85, "2211": .15}, {"2211": 1.0}, (1.0, 0, 0, 0, 0),
           {"R10": .9, "R20": .05, "R50": .05}, {"R10": .85, "R20": .05, "R50": .10}),
    Stream("T40", 0.25, 0.08, 0.7, {"2221": .45, "2634": .25, "2212": .20, "3221": .10},
           {"2212": .5, "2221": .5}, (0, 0.6, 1.3, 0.6, 0.4),
           {"R10": .6, "R50": .3, "R55": .1}, {"R10": .45, "R50": .35, "R55": .2}),
)

SEASON = np.array([1.08, 1.08, 1.10, 1.00, 1.02, 0.85, 0.62, 0.95, 1.10, 1.10, 1.10, 0.90])
SEASON = SEASON / SEASON.mean()
PANDEMIC = {"2020-03": 0.85, "2020-04": 0.70, "2020-05": 0.80}   # spring 2020: visits put off
REMOTE_FROM = "2020-03"
NEIGHBOUR_SHARE = 0.025        # visits by residents of a neighbouring municipality (same sub-region)
UNKNOWN_HOME_SHARE = 0.01      # kotikunta left empty
UNKNOWN_CONTACT_SHARE = 0.0005
URGENT_ASSESSED_SHARE = 0.6    # urgent visits usually assessed the same day
CONTACT_DATE_SHARE = 0.75      # assessed visits whose first contact date is also recorded
QUARTERS = {"R10": (2, 3), "R20": (4, 6), "R50": (1, 1), "R52": (1, 1), "R55": (2, 2), "R71": (1, 2)}


@dataclass
class Visits:
    """Numeric columns sorted by (municipality, month, visit date); string columns index `dictionaries`."""
    layout: Layout
    columns: dict[str, np.ndarray]
    dictionaries: dict[str, np.ndarray]
    offsets: np.ndarray    # rows of (layout.codes[i], layout.months[j]): offsets[k]:offsets[k+1], k = i*M + j

    def slot_rows(self, code: str, month: str) -> dict[str, np.ndarray]:
        k = self.layout.codes.index(code) * len(self.layout.months) + self.layout.months.index(month)
        return {name: column[self.offsets[k]:self.offsets[k + 1]] for name, column in self.columns.items()}

    def slot_size(self, code: str, month: str) -> int:
        k = self.layout.codes.index(code) * len(self.layout.months) + self.layout.months.index(month)
        return int(self.offsets[k + 1] - self.offsets[k])


def generate_visits(layout: Layout, clients: Clients, scale: float, seed: int) -> Visits:
    """Every visit of the selected municipalities and months (including slots later left undelivered)."""
    parts = [_stream_year(stream, year, layout, clients, scale, rng_for(seed, "visits", stream.service, year))
             for stream in STREAMS for year in layout.years]
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    rng = rng_for(seed, "visits", "finish")
    _add_units(columns, layout, rng)
    _add_dates(columns, layout, rng)
    columns["ika"] = full_years(clients.birth[columns["client"]], columns["visit"]).astype(np.int16)
    home_unknown = rng.random(len(columns["home"])) < UNKNOWN_HOME_SHARE
    columns["home"] = np.where(home_unknown, -1, columns["home"]).astype(np.int16)
    tiebreak = rng.random(len(columns["visit"]))
    order = np.lexsort((tiebreak, columns["visit"], columns["month"], columns["muni"]))
    columns = {name: column[order] for name, column in columns.items()}
    first_of_muni = np.searchsorted(columns["muni"], columns["muni"], side="left")
    # Ids run in visit order within a municipality, as a patient system's counter would.
    columns["kaynti_id"] = 100_000_000 + np.arange(len(order), dtype=np.int64) - first_of_muni
    columns["bad_date"] = np.zeros(len(order), dtype=np.int8)
    keys = columns["muni"].astype(np.int64) * len(layout.months) + columns["month"]
    offsets = np.searchsorted(keys, np.arange(len(layout.codes) * len(layout.months) + 1), side="left")
    dictionaries = {"client": clients.ids, "home": np.array(clients.codes), "unit": np.array(unit_names()),
                    "service": np.array(SERVICES), "occupation": np.array(OCCUPATIONS),
                    "contact": np.array(CONTACTS), "urgency": np.array(URGENCY)}
    return Visits(layout, columns, dictionaries, offsets)


def _stream_year(stream: Stream, year: int, layout: Layout, clients: Clients, scale: float,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    months = [j for j, month in enumerate(layout.months) if int(month[:4]) == year]
    expected = np.array([[layout.expected(code, layout.months[j]) for j in months] for code in layout.codes])
    size = np.array([residents(code, scale) for code in layout.codes])
    factor = np.array([SEASON[int(layout.months[j][5:]) - 1] * PANDEMIC.get(layout.months[j], 1.0)
                       for j in months])
    counts = rng.poisson(size[:, None] * stream.per_resident / 12 * factor[None, :] * expected).ravel()
    muni = np.repeat(np.repeat(np.arange(len(layout.codes)), len(months)), counts).astype(np.int16)
    month = np.repeat(np.tile(np.array(months), len(layout.codes)), counts).astype(np.int16)
    n = len(muni)
    pool = _home_pool(muni, layout, clients, rng)
    client = _pick_clients(pool, stream, year, clients, rng)
    urgent = rng.random(n) < stream.urgent_share
    occupation = np.where(urgent, _choose(stream.urgent_occupations, OCCUPATIONS, n, rng),
                          _choose(stream.occupations, OCCUPATIONS, n, rng))
    remote = np.array([m >= REMOTE_FROM for m in layout.months])[month]
    contact = np.where(remote, _choose(stream.remote_contacts, CONTACTS, n, rng),
                       _choose(stream.contacts, CONTACTS, n, rng))
    contact = np.where(rng.random(n) < UNKNOWN_CONTACT_SHARE, CONTACTS.index("R71"), contact)
    assessed = rng.random(n) < np.where(urgent, URGENT_ASSESSED_SHARE, stream.assessed_share)
    low = np.array([QUARTERS[c][0] for c in CONTACTS])[contact]
    high = np.array([QUARTERS[c][1] for c in CONTACTS])[contact]
    return {"muni": muni, "month": month, "client": client.astype(np.int32), "home": pool.astype(np.int16),
            "service": np.full(n, SERVICES.index(stream.service), dtype=np.int8),
            "occupation": occupation.astype(np.int8), "contact": contact.astype(np.int8),
            "urgent": urgent, "assessed": assessed,
            "duration_q": rng.integers(low, high + 1).astype(np.int8)}


def _home_pool(muni: np.ndarray, layout: Layout, clients: Clients, rng: np.random.Generator) -> np.ndarray:
    """Index into clients.codes of each visitor's home: the municipality itself, or sometimes a neighbour."""
    rows = {row["code"]: row for row in reference_municipalities()}
    neighbours = [[clients.codes.index(other) for other in clients.codes
                   if other != code and rows[other]["subregion_fi"] == rows[code]["subregion_fi"]]
                  for code in layout.codes]
    width = max(1, max(len(n) for n in neighbours))
    table = np.array([n + [-1] * (width - len(n)) for n in neighbours]).reshape(len(layout.codes), width)
    count = np.array([len(n) for n in neighbours])
    own = np.array([clients.codes.index(code) for code in layout.codes])
    pool = own[muni]
    pick = np.floor(rng.random(len(muni)) * np.maximum(count[muni], 1)).astype(int)
    moves = (rng.random(len(muni)) < NEIGHBOUR_SHARE) & (count[muni] > 0)
    pool[moves] = table[muni[moves], pick[moves]]
    return pool


def _pick_clients(pool: np.ndarray, stream: Stream, year: int, clients: Clients,
                  rng: np.random.Generator) -> np.ndarray:
    """Draw each visit's client from its home pool, weighted by age; nobody visits before being born."""
    mid_year = np.datetime64(f"{year}-07-01")
    weight = np.array(stream.age_propensity)[age_group_of(clients.ages_on(mid_year))]
    weight[clients.birth > np.datetime64(f"{year}-01-01")] = 0.0
    cum = np.r_[0.0, np.cumsum(weight)]
    first, last = clients.start[pool], clients.start[pool + 1]
    low, high = cum[first], cum[last]
    u = rng.random(len(pool))
    client = np.searchsorted(cum, low + u * (high - low), side="right") - 1
    # A tiny pool may have nobody of the right age (e.g. no toddlers at scale 0.01): anyone of the pool.
    empty = high <= low
    client[empty] = first[empty] + np.floor(u[empty] * (last[empty] - first[empty])).astype(int)
    return np.clip(client, first, last - 1)


def _choose(shares: dict[str, float], codes: tuple[str, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    picked = rng.choice(len(keys), size=n, p=p / p.sum())
    return np.array([codes.index(k) for k in keys])[picked]


def _add_units(columns: dict[str, np.ndarray], layout: Layout, rng: np.random.Generator) -> None:
    """Oral health at the dental clinic, the rest at a health station; the first listed is the busiest."""
    names = unit_names()
    dental = columns["service"] == SERVICES.index("T60")
    unit = np.zeros(len(dental), dtype=np.int16)
    u = rng.random(len(dental))
    for m, code in enumerate(layout.codes):
        for is_dental in (False, True):
            rows = (columns["muni"] == m) & (dental == is_dental)
            units = [names.index(name) for name, kind in UNITS[code] if (kind == DENTAL) == is_dental]
            weight = 1.0 / np.arange(1, len(units) + 1)
            pick = np.searchsorted(np.cumsum(weight) / weight.sum(), u[rows], side="right")
            unit[rows] = np.array(units)[np.minimum(pick, len(units) - 1)]
    columns["unit"] = unit


def _add_dates(columns: dict[str, np.ndarray], layout: Layout, rng: np.random.Generator) -> None:
    """Visit day; needs assessment and first contact before it, waits by stratified quotas (waits.py)."""
    n = len(columns["month"])
    month_start = np.array(layout.months, dtype="datetime64[M]").astype("datetime64[D]")
    days_in = (np.array(layout.months, dtype="datetime64[M]") + 1).astype("datetime64[D]") - month_start
    offset = np.floor(rng.random(n) * days_in[columns["month"]].astype(int)).astype(np.int64)
    visit = month_start[columns["month"]] + offset
    # Booked (non-urgent) visits fall on weekdays, inside the same month.
    booked = ~columns["urgent"]
    forward = np.busday_offset(visit, 0, roll="forward")
    backward = np.busday_offset(visit, 0, roll="backward")
    same_month = forward.astype("datetime64[M]") == visit.astype("datetime64[M]")
    visit = np.where(booked, np.where(same_month, forward, backward), visit)

    group = np.array([[GROUPS.index(group_of(s, o)) for o in OCCUPATIONS] for s in SERVICES])
    row_group = group[columns["service"], columns["occupation"]].astype(np.int64)
    months = np.int64(len(layout.months))
    waited = booked & columns["assessed"]
    cell = ((columns["muni"].astype(np.int64) * months + columns["month"]) * len(GROUPS) + row_group)[waited]
    table = (row_group * months + columns["month"])[waited]
    days = np.zeros(n, dtype=np.int64)
    days[waited] = stratified_waits(cell, table, cumulative_table(layout.months), rng)
    days[~booked] = (rng.random(int((~booked).sum())) < 0.15).astype(np.int64)  # urgent: same or next day
    assessment = np.where(columns["assessed"], visit - days, np.datetime64("NaT"))
    gap = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 4, size=n))
    has_contact = columns["assessed"] & (rng.random(n) < CONTACT_DATE_SHARE)
    columns["visit"] = visit
    columns["assessment"] = assessment.astype("datetime64[D]")
    contact_date = np.where(has_contact, assessment - gap, np.datetime64("NaT"))
    columns["contact_date"] = contact_date.astype("datetime64[D]")
    del columns["assessed"]
