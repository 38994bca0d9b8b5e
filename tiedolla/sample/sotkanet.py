"""Sotkanet benchmark downloads (sotkanet.md): regions, indicator metadata and three indicators' rows.

Written once for the layout's years, whatever its months. 2019 country and Ostrobothnia totals are exactly
the region's published figures; other years follow the sample's own waits (waits.py WAIT_SHARES), the
country with a damped trend, the municipalities around the region. Each indicator arrives in another
shape: CSV, the REST API's JSON, CSV with a dotted header. A later download of 2676 revises the last two
years (2019's published figures stay as they are). Ostrobothnia appears under its old id 891 until 2021
and its new id 971 from 2022, as Sotkanet renumbered the welfare areas.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from tiedolla.sample import summary as k
from tiedolla.sample.clients import REGION_RESIDENTS, residents
from tiedolla.sample.context import SampleContext
from tiedolla.sample.layout import Layout, rng_for
from tiedolla.sample.summary import SampleSummary
from tiedolla.sample.waits import shares_for

SOURCE = "sotkanet"
COUNTRY, AREA_OLD, AREA_NEW = 658, 891, 971
RENUMBERED_FROM = 2022                  # first year Ostrobothnia's rows carry the new id
COUNTRY_RESIDENTS = 5_550_000
AREA_TITLE = {"fi": "Pohjanmaan hyvinvointialue", "sv": "Österbottens välfärdsområde",
              "en": "Ostrobothnia welfare area"}
GENDERS = ("total", "male", "female")
FIRST_YEAR = 2000                       # noise is drawn per year from here, so a year's values never
NOISE_YEARS = 60                        # depend on which other years the layout has
COUNTRY_DAMPING = 0.6                   # the country moves like the region, less steeply
MUNICIPAL_SPREAD, YEARLY_SPREAD, GENDER_SPREAD = 0.08, 0.04, 0.04     # log-scale standard deviations
AREA_GAP = 0.4                          # points between THL's figure and the sample's own waits
REVISION_YEARS = 2


@dataclass(frozen=True)
class Indicator:
    id: int
    title: dict[str, str]
    group: str                          # waits.py group the share is computed from
    first_band: int                     # the share of waits in waits.BANDS[first_band:]
    published_2019: tuple[float, float]  # (whole country, Ostrobothnia), %
    per_resident: float                 # realised non-urgent assessed visits a year, for absolute values


INDICATORS = (
    Indicator(3176, {
        "fi": "Perusterveydenhuollon avosairaanhoidon lääkärin kiireettömän käynnin odotusaika yli 3 kk "
              "hoidon tarpeen arvioinnista, % toteutuneista käynneistä",
        "sv": "Väntetid till icke-brådskande läkarbesök inom primärvårdens öppna sjukvård över 3 mån från "
              "bedömningen av vårdbehovet, % av genomförda besök",
        "en": "Waiting time for a non-urgent doctor visit in primary outpatient care over 3 months from the "
              "assessment of care need, % of completed visits"}, "primary_doctor", 5, (2.5, 6.4), 0.55),
    Indicator(2676, {
        "fi": "Perusterveydenhuollon avosairaanhoidon lääkärin kiireettömän käynnin odotusaika yli 7 vrk "
              "hoidon tarpeen arvioinnista, % toteutuneista käynneistä",
        "sv": "Väntetid till icke-brådskande läkarbesök inom primärvårdens öppna sjukvård över 7 dygn från "
              "bedömningen av vårdbehovet, % av genomförda besök",
        "en": "Waiting time for a non-urgent doctor visit in primary outpatient care over 7 days from the "
              "assessment of care need, % of completed visits"}, "primary_doctor", 2, (55.4, 47.1), 0.55),
    # 9021 is a PLACEHOLDER id, not confirmed from Sotkanet (sotkanet.md): match the indicator by its title.
    Indicator(9021, {
        "fi": "Hammaslääkärin kiireettömän käynnin odotusaika yli 21 vrk hoidon tarpeen arvioinnista, "
              "% toteutuneista käynneistä",
        "sv": "Väntetid till icke-brådskande tandläkarbesök över 21 dygn från bedömningen av vårdbehovet, "
              "% av genomförda besök",
        "en": "Waiting time for a non-urgent dentist visit over 21 days from the assessment of care need, "
              "% of completed visits"}, "oral_dentist", 4, (56.1, 54.8), 0.30),
)
# How each indicator is delivered: (indicator id, extension, dotted CSV header); the revision is a CSV.
SHAPES = ((3176, "csv", False), (2676, "json", False), (9021, "csv", True))
REVISED = 2676
CSV_HEADER = {False: "indicator;region;year;gender;primary value;absolute value",
              True: "indicator;region;year;gender;primary.value;absolute.value"}


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    category: str
    title: dict[str, str]


def regions(layout: Layout) -> list[Region]:
    """Sotkanet's region list: the country, Ostrobothnia under both ids, the layout's municipalities."""
    return [Region(COUNTRY, "SSS", "MAA", {"fi": "Koko maa", "sv": "Hela landet", "en": "Whole country"}),
            Region(AREA_NEW, "17", "HYVINVOINTIALUE", AREA_TITLE),
            Region(AREA_OLD, "13", "HYVINVOINTIALUE", AREA_TITLE)] + [
        Region(municipality_id(row["code"]), row["code"], "KUNTA",
               {"fi": row["name_fi"], "sv": row["name_sv"], "en": row["name_fi"]})
        for row in layout.municipalities]


def municipality_id(code: str) -> int:
    """Sotkanet's internal id of a municipality here: not its code (the ingest must join the regions)."""
    return 1000 + int(code)


def area_id(years: np.ndarray) -> np.ndarray:
    return np.where(years >= RENUMBERED_FROM, AREA_NEW, AREA_OLD)


def own_share(indicator: Indicator, year: int) -> float:
    """The year's share (%) over the indicator's limit in the sample's own waits, months weighted equally."""
    months = [f"{year}-{month:02d}" for month in range(1, 13)]
    return 100 * float(np.mean([shares_for(indicator.group, m)[indicator.first_band:].sum() for m in months]))


@dataclass
class Series:
    """One indicator's rows as columns, in region-year-gender order."""
    region: np.ndarray
    year: np.ndarray
    gender: np.ndarray                  # index into GENDERS
    value: np.ndarray                   # %, one decimal
    visits: np.ndarray                  # the denominator, at the real region's size whatever the scale
    municipal: np.ndarray               # a municipality's row (absValue may be left out of the JSON)

    def rows(self, keep: np.ndarray) -> "Series":
        return Series(*(getattr(self, name)[keep] for name in self.__dataclass_fields__))

    @property
    def absolute(self) -> np.ndarray:
        """Sotkanet's absolute value: the visits over the limit."""
        return np.round(self.value / 100 * self.visits).astype(np.int64)


def indicator_series(indicator: Indicator, layout: Layout, seed: int) -> Series:
    """Rows for every year, region (country, Ostrobothnia, municipalities) and gender."""
    years = np.array(layout.years)
    at = years - FIRST_YEAR

    def noise(*key: str | int) -> np.random.Generator:
        return rng_for(seed, SOURCE, indicator.id, *key)

    own = np.array([own_share(indicator, int(year)) for year in years])
    country_2019, area_2019 = indicator.published_2019
    area = np.maximum(own + AREA_GAP * noise("area").standard_normal(NOISE_YEARS)[at], 0.0)
    country = country_2019 * (own / area_2019) ** COUNTRY_DAMPING \
        * np.exp(0.02 * noise("country").standard_normal(NOISE_YEARS)[at])
    # The published figures hold for 2019 exactly (sotkanet.md).
    area, country = np.where(years == 2019, area_2019, area), np.where(years == 2019, country_2019, country)
    totals = {COUNTRY: (country, COUNTRY_RESIDENTS), "area": (area, REGION_RESIDENTS)}
    for code in layout.codes:
        rng = noise("municipality", code)
        shift = MUNICIPAL_SPREAD * rng.standard_normal() \
            + YEARLY_SPREAD * rng.standard_normal(NOISE_YEARS)[at]
        totals[municipality_id(code)] = (area * np.exp(shift), residents(code, 1.0))
    columns: dict[str, list[np.ndarray]] = {name: [] for name in Series.__dataclass_fields__}
    for key, (total, population) in totals.items():
        # Men and women on either side of the total.
        split = np.exp(GENDER_SPREAD * noise("gender", key).standard_normal(NOISE_YEARS)[at])
        values = np.column_stack([total, total * split, total / split])      # years × genders
        region = area_id(years) if key == "area" else np.full(len(years), key)
        columns["region"].append(np.repeat(region, len(GENDERS)))
        columns["year"].append(np.repeat(years, len(GENDERS)))
        columns["gender"].append(np.tile(np.arange(len(GENDERS)), len(years)))
        columns["value"].append(values.ravel())
        visits = population * indicator.per_resident * np.array([1.0, 0.5, 0.5])
        columns["visits"].append(np.tile(visits, len(years)))
        columns["municipal"].append(np.full(len(years) * len(GENDERS), key not in (COUNTRY, "area")))
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    joined["value"] = np.round(np.clip(joined["value"], 0, 100), 1)
    return Series(**joined)


def revised(series: Series, indicator: Indicator, years: tuple[int, ...], seed: int) -> Series:
    """THL's later download: the last years only, every value moved by 0.1–0.8 points (never the 2019
    published totals of the country and Ostrobothnia)."""
    later = series.rows(np.isin(series.year, years[-REVISION_YEARS:]))
    rng = rng_for(seed, SOURCE, indicator.id, "revision", *years[-REVISION_YEARS:])
    delta = np.round(rng.uniform(0.1, 0.8, len(later.value)) * rng.choice((-1, 1), len(later.value)), 1)
    published = (later.year == 2019) & (later.gender == 0) & ~later.municipal
    later.value = np.where(published, later.value, np.round(np.clip(later.value + delta, 0, 100), 1))
    return later


def write_sotkanet(landing: Path, context: SampleContext, summary: SampleSummary,
                   log: Callable[[str], None]) -> None:
    """Regions, indicator metadata, a download per indicator and a later revision into `landing/sotkanet/`."""
    layout, seed = context.layout, context.seed
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    years = layout.years
    downloaded, revised_on = f"{years[-1] + 1}-03-14", f"{years[-1] + 1}-09-12"
    listed = [{"id": r.id, "code": r.code, "category": r.category, "title": r.title} for r in regions(layout)]
    _write_json(folder / "sotkanet_regions.json", listed, summary, 0, [])
    metadata = [{"id": i.id, "title": i.title, "primaryValueType": {"code": "percent"}, "decimals": 1}
                for i in INDICATORS]
    _write_json(folder / "sotkanet_indicators.json", metadata, summary, 0, [])
    old_ids = [k.OLD_REGION_ID] if years[0] < RENUMBERED_FROM else []
    for indicator_id, extension, dotted in SHAPES:
        indicator = next(i for i in INDICATORS if i.id == indicator_id)
        series = indicator_series(indicator, layout, seed)
        name = f"sotkanet_{indicator_id}_{downloaded}.{extension}"
        if extension == "json":
            kinds = [k.JSON_ROWS] + ([k.MISSING_ABS_VALUE] if series.municipal.any() else [])
            _write_json(folder / name, _json_rows(indicator_id, series), summary, len(series.value),
                        kinds + old_ids)
        else:
            _write_csv(folder / name, indicator_id, series, dotted, summary,
                       ([k.DOTTED_HEADER] if dotted else []) + old_ids)
        if indicator_id == REVISED:
            later = revised(series, indicator, years, seed)
            old = [k.OLD_REGION_ID] if later.year.min() < RENUMBERED_FROM else []
            _write_csv(folder / f"sotkanet_{indicator_id}_{revised_on}.csv", indicator_id, later, False,
                       summary, [k.LATER_DOWNLOAD] + old)
    log(f"{SOURCE}: {len(summary.files[SOURCE])} files for {years[0]}–{years[-1]}, "
        f"{summary.rows[SOURCE]:,} data rows")


def _json_rows(indicator_id: int, series: Series) -> list[dict]:
    """The REST API's objects; municipalities' male and female rows come without `absValue`."""
    keep_abs = ~series.municipal | (series.gender == 0)
    return [{"indicator": indicator_id, "region": int(region), "year": int(year), "gender": GENDERS[gender],
             "value": float(value), **({"absValue": int(absolute)} if keep else {})}
            for region, year, gender, value, absolute, keep in zip(series.region, series.year, series.gender,
                                                                   series.value, series.absolute, keep_abs)]


def _write_json(path: Path, rows: list[dict], summary: SampleSummary, lines: int, kinds: list[str]) -> None:
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary.wrote(SOURCE, path.name, lines, kinds)


def _write_csv(path: Path, indicator_id: int, series: Series, dotted: bool, summary: SampleSummary,
               kinds: list[str]) -> None:
    lines = [CSV_HEADER[dotted]] + [
        f"{indicator_id};{region};{year};{GENDERS[gender]};{value:.1f};{absolute}"
        for region, year, gender, value, absolute in zip(series.region, series.year, series.gender,
                                                          series.value, series.absolute)]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    summary.wrote(SOURCE, path.name, len(series.value), kinds)
