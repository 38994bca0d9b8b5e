"""What each source's extract looks like: columns, Swedish aliases, types and keys (avohilmo.md, registries.md).

The specs are data so that the reader, the row rules and the GX suites all work from one description.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str                 # canonical Finnish name
    sv: str                   # Swedish alias
    kind: str                 # text | code | int | date | timestamp | decimal
    required: bool = True
    pattern: str | None = None            # regex a `code` must match
    allowed: tuple[str, ...] | None = None  # closed list a `code` must be in
    minimum: float | None = None
    maximum: float | None = None
    identifying: bool = False            # never quoted in reports or logs


@dataclass(frozen=True)
class SourceSpec:
    name: str
    file_pattern: str         # regex on the file name; groups: municipality?, period, version?
    period_grain: str         # month | year
    columns: tuple[Column, ...]
    dedupe_key: tuple[str, ...]
    event_date: str | None = None   # must fall in the file's month
    municipality_column: str | None = None  # when the municipality comes from a column, not the name
    aliases: dict[str, str] = field(default_factory=dict)

    def header_map(self) -> dict[str, str]:
        """Lower-cased Finnish and Swedish header names → canonical name."""
        mapping = {}
        for column in self.columns:
            mapping[column.name.lower()] = column.name
            mapping[column.sv.lower()] = column.name
        mapping.update({alias.lower(): name for alias, name in self.aliases.items()})
        return mapping

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


AVOHILMO = SourceSpec(
    name="avohilmo",
    file_pattern=r"avohilmo_(?P<municipality>\d{3})_(?P<period>\d{4}-\d{2})(?:_v(?P<version>\d+))?\.csv",
    period_grain="month",
    columns=(
        Column("kaynti_id", "besok_id", "text", identifying=True),
        Column("asiakas_tunniste", "klient_id", "text", identifying=True),
        Column("kotikunta", "hemkommun", "code", required=False, pattern=r"\d{3}"),
        Column("ika", "alder", "int", minimum=0, maximum=120),
        Column("yksikko", "enhet", "text"),
        Column("palvelumuoto", "serviceform", "code", pattern=r"T\d{2}"),
        Column("ammatti", "yrke", "code", pattern=r"\d{4}"),
        Column("yhteystapa", "kontaktsatt", "code", pattern=r"R\d{2}"),
        Column("kiireellisyys", "bradskande", "code", allowed=("1", "2")),
        Column("yhteydenotto_pvm", "kontakt_datum", "date", required=False),
        Column("hoidon_tarve_pvm", "vardbehov_datum", "date", required=False),
        Column("kaynti_pvm", "besok_datum", "date"),
    ),
    dedupe_key=("kaynti_id",),
    event_date="kaynti_pvm",
    # "ålder" is how a Swedish system may spell the age column.
    aliases={"ålder": "ika", "brådskande": "kiireellisyys", "kontaktsätt": "yhteystapa",
             "vårdbehov_datum": "hoidon_tarve_pvm", "besök_id": "kaynti_id", "besök_datum": "kaynti_pvm"},
)

POPULATION = SourceSpec(
    name="population",
    file_pattern=r"vaesto_(?P<period>\d{4})(?:_v(?P<version>\d+))?\.csv",
    period_grain="year",
    columns=(
        Column("kunta", "kommun", "code", pattern=r"\d{3}"),
        Column("ikaryhma", "åldersgrupp", "code", allowed=("0-6", "7-17", "18-64", "65-74", "75+")),
        Column("sukupuoli", "kön", "code", allowed=("1", "2")),
        Column("vaesto", "befolkning", "int", minimum=0),
    ),
    dedupe_key=("kunta", "ikaryhma", "sukupuoli"),
    municipality_column="kunta",
    aliases={"aldersgrupp": "ikaryhma", "kon": "sukupuoli"},
)

CONTACTS = SourceSpec(
    name="contacts",
    file_pattern=r"contacts_(?P<period>\d{4}-\d{2})(?:_v(?P<version>\d+))?\.csv",
    period_grain="month",
    columns=(
        Column("yhteys_id", "kontakt_id", "text", identifying=True),
        Column("kanava", "kanal", "code",
               allowed=("puhelin", "takaisinsoitto", "chat", "omaolo", "sahkoinen_asiointi")),
        Column("alkoi", "började", "timestamp"),
        Column("jonotus_s", "kötid_s", "int", minimum=0),
        Column("vastattu", "besvarad", "code", allowed=("0", "1")),
        Column("kotikunta", "hemkommun", "code", required=False, pattern=r"\d{3}"),
    ),
    dedupe_key=("yhteys_id",),
    event_date="alkoi",
    aliases={"borjade": "alkoi", "kotid_s": "jonotus_s"},
)

SOTKANET = SourceSpec(
    name="sotkanet",
    # The "period" of a Sotkanet file is its download date; the years are in the rows.
    file_pattern=r"sotkanet_(?P<indicator>\d+)_(?P<period>\d{4}-\d{2}-\d{2})\.(?:csv|json)",
    period_grain="download",
    columns=(
        Column("indicator", "indicator", "code", pattern=r"\d+"),
        Column("region", "region", "code", pattern=r"\d+"),
        Column("year", "year", "int", minimum=1990, maximum=2100),
        Column("gender", "gender", "code", allowed=("total", "male", "female")),
        Column("primary_value", "primary value", "decimal"),
        Column("absolute_value", "absolute value", "decimal", required=False),
    ),
    dedupe_key=("indicator", "region", "year", "gender"),
    # Sotkanet's CSV after a spreadsheet or R ("primary.value") and the REST API's JSON names.
    aliases={"primary.value": "primary_value", "absolute.value": "absolute_value", "value": "primary_value",
             "absvalue": "absolute_value"},
)

def _monthly(source: str) -> str:
    return source + r"_(?P<municipality>\d{3})_(?P<period>\d{4}-\d{2})(?:_v(?P<version>\d+))?\.csv"


RAI = SourceSpec(
    name="rai",
    file_pattern=_monthly("rai"),
    period_grain="month",
    columns=(
        Column("asiakas_tunniste", "klient_id", "text", identifying=True),
        Column("arviointi_pvm", "bedomning_datum", "date"),
        Column("instrumentti", "instrument", "code", allowed=("HC", "LTCF", "CHA")),
        Column("maple", "maple", "int", minimum=1, maximum=5),
        Column("cps", "cps", "int", minimum=0, maximum=6),
        Column("adlh", "adlh", "int", minimum=0, maximum=6),
        Column("iadl", "iadl", "int", required=False, minimum=0, maximum=48),
        Column("drs", "drs", "int", required=False, minimum=0, maximum=14),
        Column("chess", "chess", "int", required=False, minimum=0, maximum=5),
    ),
    dedupe_key=("asiakas_tunniste", "arviointi_pvm", "instrumentti"),
    event_date="arviointi_pvm",
    aliases={"bedömning_datum": "arviointi_pvm"},
)

INTERVENTION_CODES = ("KOTIKUNTOUTUS", "ETAKUNTOUTUS", "ELINTAPAOHJAUS", "IPC", "LAPSET_PUHEEKSI", "VOIMAPERHEET",
                      "AUDIT_MINI", "MAKSUTON_EHKAISY", "JALKAUTUVA_TIIMI")

INTERVENTIONS = SourceSpec(
    name="interventions",
    file_pattern=_monthly("interventions"),
    period_grain="month",
    columns=(
        Column("asiakas_tunniste", "klient_id", "text", identifying=True),
        Column("interventio", "intervention", "code", allowed=INTERVENTION_CODES),
        Column("yksikko", "enhet", "text"),
        Column("aloitus_pvm", "start_datum", "date"),
        Column("lopetus_pvm", "slut_datum", "date", required=False),
        Column("tila", "status", "code",
               allowed=("kesken", "pågående", "valmis", "slutförd", "keskeytynyt", "avbruten")),
    ),
    dedupe_key=("asiakas_tunniste", "interventio", "aloitus_pvm"),
    event_date="aloitus_pvm",
)

OUTCOMES = SourceSpec(
    name="outcomes",
    file_pattern=_monthly("outcomes"),
    period_grain="month",
    columns=(
        Column("asiakas_tunniste", "klient_id", "text", identifying=True),
        Column("mittari", "matare", "code"),   # checked against measures.csv, with the value's range
        Column("mittaus_pvm", "matning_datum", "date"),
        Column("arvo", "varde", "decimal"),
    ),
    dedupe_key=("asiakas_tunniste", "mittari", "mittaus_pvm"),
    event_date="mittaus_pvm",
    aliases={"mätare": "mittari", "mätning_datum": "mittaus_pvm", "värde": "arvo"},
)

SOURCES: dict[str, SourceSpec] = {spec.name: spec for spec in (AVOHILMO, POPULATION, CONTACTS, SOTKANET, RAI,
                                                              INTERVENTIONS, OUTCOMES)}
