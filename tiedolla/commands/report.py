"""`tiedolla report`: the directors' indicator page of the latest publication, per language."""
from __future__ import annotations

import sys

from export.labels import LANGUAGES
from export.publication import NoPublication
from report.indicator_page import write_reports
from tiedolla.home import Home


def report_command(args) -> int:
    home = Home.at(args.home)
    languages = LANGUAGES if args.lang == "all" else (args.lang,)
    try:
        pages = write_reports(home, languages, args.area)
    except NoPublication as error:
        print(str(error), file=sys.stderr)
        return 1
    for page in pages:
        print(page)
    return 0
