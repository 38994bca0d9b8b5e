"""Labels in one language, from the publication's column_catalog and category_labels (never from code)."""
from __future__ import annotations

from export.publication import PublishedMarts

LANGUAGES = ("fi", "sv", "en")
DECIMAL_COMMA = {"fi": True, "sv": True, "en": False}      # how numbers are written in each language


class Labels:
    def __init__(self, marts: PublishedMarts, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
        self.language = language
        columns = marts.frame(f"select mart, column_name, label_{language} as label, description "
                              "from column_catalog")
        self._columns = {(r.mart, r.column_name): r.label for r in columns.itertuples()}
        self._descriptions = {(r.mart, r.column_name): r.description for r in columns.itertuples()}
        categories = marts.frame(f"select category, code, label_{language} as label from category_labels")
        self._categories = {(r.category, r.code): r.label for r in categories.itertuples()}

    def column(self, mart: str, column: str) -> str:
        """The column's label in `mart`, else its label in any mart that has it (a joined column)."""
        found = self._columns.get((mart, column))
        if found is None:
            found = next((label for (m, c), label in sorted(self._columns.items()) if c == column and label), None)
        return found or column

    def description(self, mart: str, column: str) -> str:
        return self._descriptions.get((mart, column)) or ""

    def category(self, category: str, code) -> str:
        if code is None:
            return ""
        return self._categories.get((category, str(code))) or str(code)

    def has_category(self, category: str, code) -> bool:
        return (category, str(code)) in self._categories

    def categories(self, category: str) -> dict[str, str]:
        return {code: label for (cat, code), label in self._categories.items() if cat == category}

    def text(self, text_id: str, **values) -> str:
        template = self._categories.get(("export_text", text_id)) or ""
        return template.format(**values) if values else template
