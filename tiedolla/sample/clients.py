"""The synthetic residents: municipality sizes, age structure, and one stable pseudonymised id per client."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiedolla.sample.layout import rng_for
from tiedolla.reference import municipalities as reference_municipalities

# Rounded Statistics Finland sizes; scaled together to the region's ~176 000 residents.
SIZES = {"905": 68_000, "499": 19_500, "598": 19_000, "545": 9_500, "599": 11_200, "287": 6_500,
         "399": 8_000, "288": 6_500, "893": 7_500, "946": 6_500, "475": 5_500, "152": 4_600,
         "440": 5_500, "280": 2_200, "231": 1_200}
REGION_RESIDENTS = 176_000

AGE_GROUPS = ("0-6", "7-17", "18-64", "65-74", "75+")
AGE_BOUNDS = ((0, 6), (7, 17), (18, 64), (65, 74), (75, 99))
# Shares (%) of the age groups; the region as a whole is about a quarter 65+.
AGE_PROFILES = {
    "urban": (6.8, 11.0, 60.2, 11.5, 10.5),
    "average": (7.2, 12.6, 54.0, 13.4, 12.8),
    "older": (5.8, 10.6, 49.6, 16.8, 17.2),
    "younger": (9.6, 16.4, 53.0, 11.0, 10.0),
}
PROFILE = {"905": "urban", "231": "older", "280": "older", "287": "older", "545": "older", "152": "older",
           "440": "younger", "599": "younger", "893": "younger", "288": "younger"}
FEMALE_SHARE = (0.49, 0.49, 0.48, 0.51, 0.58)
# Yearly change in residents: Vaasa and the young Jakobstad-area municipalities grow, the rest shrink slowly.
TREND = {"905": 0.003, "440": 0.006, "599": 0.005, "893": 0.001}
DEFAULT_TREND = -0.004
# Ages run from 75 to 99 in the oldest group, thinning out with age.
OLD_AGE_DECAY = 0.88


def residents(code: str, scale: float) -> float:
    """The municipality's residents at the sample's reference date, times `scale`."""
    return SIZES[code] * REGION_RESIDENTS / sum(SIZES.values()) * scale


def age_shares(code: str) -> np.ndarray:
    shares = np.array(AGE_PROFILES[PROFILE.get(code, "average")], dtype=float)
    return shares / shares.sum()


def age_group_of(ages: np.ndarray) -> np.ndarray:
    """Index into AGE_GROUPS for each age in full years."""
    return np.searchsorted(np.array([7, 18, 65, 75]), ages, side="right")


@dataclass(frozen=True)
class Clients:
    """All clients of the region (every municipality, so neighbours can visit), sorted by municipality."""
    codes: tuple[str, ...]          # home municipality codes, in the order of `start`
    start: np.ndarray               # start[k]:start[k+1] are the clients of codes[k]
    ids: np.ndarray                 # 16 hex characters each: a stable pseudonym, never a henkilötunnus
    birth: np.ndarray               # datetime64[D]

    def of(self, code: str) -> slice:
        k = self.codes.index(code)
        return slice(int(self.start[k]), int(self.start[k + 1]))

    def ages_on(self, day: np.datetime64) -> np.ndarray:
        return full_years(self.birth, np.full(len(self.birth), day, dtype="datetime64[D]"))


def full_years(birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Age in full years on `day` (vectorised; a birthday counts on the day itself)."""
    def parts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        year = d.astype("datetime64[Y]")
        month = d.astype("datetime64[M]")
        month_day = (month - year).astype(int) * 100 + (d - month).astype(int)
        return year.astype(int), month_day
    birth_year, birth_md = parts(birth)
    day_year, day_md = parts(day)
    return day_year - birth_year - (day_md < birth_md)


def make_clients(scale: float, seed: int, reference_day: np.datetime64) -> Clients:
    """Residents on `reference_day` (the middle of the sample): ages from the municipality's age profile."""
    codes = tuple(row["code"] for row in reference_municipalities())
    ids, births, counts = [], [], []
    for code in codes:
        # One stream per municipality: its clients stay the same whichever municipalities are selected.
        rng = rng_for(seed, "clients", code)
        n = max(1, round(residents(code, scale)))
        group = rng.choice(len(AGE_GROUPS), size=n, p=age_shares(code))
        ages = _ages_in_groups(group, rng)
        days_since_birthday = rng.integers(0, 365, size=n)
        births.append(reference_day - (np.floor(ages * 365.25).astype(int) + days_since_birthday))
        ids.append(_hex_ids(rng, n))
        counts.append(n)
    start = np.concatenate([[0], np.cumsum(counts)])
    return Clients(codes, start, np.concatenate(ids), np.concatenate(births).astype("datetime64[D]"))


def _ages_in_groups(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ages = np.empty(len(group), dtype=int)
    for k, (low, high) in enumerate(AGE_BOUNDS):
        members = group == k
        span = np.arange(low, high + 1)
        weight = OLD_AGE_DECAY ** (span - low) if k == len(AGE_BOUNDS) - 1 else np.ones(len(span))
        ages[members] = rng.choice(span, size=int(members.sum()), p=weight / weight.sum())
    return ages


def _hex_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random 64-bit values as 16-character hex strings, without a Python loop."""
    text = rng.bytes(8 * n).hex().encode("ascii")
    return np.frombuffer(text, dtype="S16").astype("U16")
