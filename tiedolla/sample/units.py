"""Health stations and dental clinics per municipality (illustrative names, in the majority language).

Names carry ä/ö/å so a file's encoding matters, and some carry a comma so quoting matters in ','-files.
"""
from __future__ import annotations

HEALTH, DENTAL = "health", "dental"

UNITS: dict[str, tuple[tuple[str, str], ...]] = {
    "152": (("Isokyrön terveysasema", HEALTH), ("Isokyrön hammashoitola", DENTAL)),
    "231": (("Kaskisten lääkärivastaanotto", HEALTH), ("Kaskisten hammashoitola", DENTAL)),
    "280": (("Korsnäs hälsostation", HEALTH), ("Korsnäs tandvård", DENTAL)),
    "287": (("Kristinestads hälsocentral", HEALTH), ("Lappfjärds hälsostation", HEALTH),
            ("Kristinestads tandvård", DENTAL)),
    "288": (("Kronoby hälsocentral", HEALTH), ("Terjärv hälsostation", HEALTH),
            ("Kronoby tandvård", DENTAL)),
    "399": (("Laihian terveysasema", HEALTH), ("Laihian hammashoitola, Jokikylä", DENTAL)),
    "440": (("Larsmo hälsostation", HEALTH), ("Larsmo tandvård", DENTAL)),
    "475": (("Malax hälsocentral", HEALTH), ("Petalax hälsostation", HEALTH), ("Malax tandvård", DENTAL)),
    "499": (("Smedsby hälsostation", HEALTH), ("Kvevlax hälsostation", HEALTH),
            ("Korsholms tandvård, Smedsby", DENTAL)),
    "545": (("Närpes hälsocentral", HEALTH), ("Närpes tandvård", DENTAL)),
    "598": (("Jakobstads hälsocentral, Malmska", HEALTH), ("Skutnäs hälsostation", HEALTH),
            ("Jakobstads tandvård", DENTAL)),
    "599": (("Pedersöre hälsocentral, Bennäs", HEALTH), ("Kållby hälsostation", HEALTH),
            ("Pedersöre tandvård", DENTAL)),
    "893": (("Nykarleby hälsocentral", HEALTH), ("Jeppo hälsostation", HEALTH),
            ("Nykarleby tandvård", DENTAL)),
    "905": (("Vaasan pääterveysasema", HEALTH), ("Ristinummen terveysasema", HEALTH),
            ("Variskan terveysasema", HEALTH), ("Vaasan hammashoitola, Keskusta", DENTAL)),
    "946": (("Vörå hälsocentral", HEALTH), ("Oravais hälsostation", HEALTH),
            ("Vörå tandvård", DENTAL)),
}


def unit_names() -> tuple[str, ...]:
    """Every unit name once, in a fixed order (the dictionary the visit rows index into)."""
    return tuple(name for code in sorted(UNITS) for name, _ in UNITS[code])
