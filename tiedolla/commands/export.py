"""`tiedolla export`: the evaluators' workbooks, CSV, Parquet and charts from the latest publication."""
from __future__ import annotations

import sys

from export.build import export_publication
from export.labels import LANGUAGES
from export.publication import NoPublication
from tiedolla.home import Home


def export_command(args) -> int:
    home = Home.at(args.home)
    languages = LANGUAGES if args.lang == "all" else (args.lang,)
    try:
        result = export_publication(home, languages, args.out,
                                    progress=lambda message: print(message, file=sys.stderr))
    except NoPublication as error:
        print(str(error), file=sys.stderr)
        return 1
    workbooks = [p for p in result.files if p.suffix == ".xlsx"]
    print(f"exported publication {result.publication_id} to {result.folder}: {len(result.files)} files")
    for workbook in workbooks:
        print(f"  {workbook}")
    return 0
