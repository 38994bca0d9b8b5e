"""Bytes → UTF-8 text DuckDB can read: UTF-8 (with or without BOM) as is, Windows-1252 transcoded."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.problems import FileProblem

BOM = b"\xef\xbb\xbf"
# UTF-8 of À…ÿ (ä, ö, å, é, ü…). In Windows-1252 these bytes read "Ã" + a sign, which no real text holds.
UTF8_LATIN_LETTER = re.compile(rb"\xc3[\x80-\xbf]")


@dataclass
class DecodedFile:
    sha256: str
    size: int
    encoding: str          # utf-8 | utf-8-sig | windows-1252 | iso-8859-1
    text_path: Path        # a UTF-8 file DuckDB can read (the landed file itself when it already is)
    header_line: str
    physical_lines: int    # lines up to the last non-empty one (trailing empty lines hold no record)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_file(path: Path, scratch_dir: Path, data: bytes | None = None, converted: bool = False,
                sha256: str | None = None) -> DecodedFile:
    """Detect the encoding; transcode legacy single-byte files to a UTF-8 copy in `scratch_dir`.

    `converted`: `data` is not the file's own bytes (e.g. JSON turned into CSV), so always write a copy.
    `sha256`: the digest of `data` when the caller has it already (hashing 165 MB costs a few hundred ms)."""
    data = path.read_bytes() if data is None else data
    sha = sha256 or hashlib.sha256(data).hexdigest()
    if not data:
        raise FileProblem("empty_file", "the file is empty (0 bytes); a delivery with no rows still needs "
                          "its header line. Deliver the file again.")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise FileProblem("cannot_decode", f"the file contains NUL bytes (first at byte {offset}): it is "
                          "not a text CSV in UTF-8 or Windows-1252 (UTF-16 or a binary file such as XLSX?). "
                          "Export it again as CSV.")
    body = data[len(BOM):] if data.startswith(BOM) else data
    try:
        text, encoding = body.decode("utf-8"), ("utf-8-sig" if body is not data else "utf-8")
    except UnicodeDecodeError:
        mixed = UTF8_LATIN_LETTER.search(body)
        if mixed:
            raise FileProblem("cannot_decode", f"the file mixes UTF-8 (a letter such as 'ä' as two bytes, first at "
                              f"byte {mixed.start()}) with single-byte Windows-1252 characters: some text would be "
                              "wrong whichever way it is read. Export it again in one encoding.")
        try:
            text, encoding = body.decode("windows-1252"), "windows-1252"
        except UnicodeDecodeError:
            # Bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252 but valid ISO-8859-1.
            text, encoding = body.decode("iso-8859-1"), "iso-8859-1"
    # Old Mac `\r` line ends, or a file mixing `\n` and `\r\n`, become plain `\n` lines: one line each.
    normalised = "\r" in text
    if normalised:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text_path = path
    if converted or normalised or encoding not in ("utf-8", "utf-8-sig"):
        scratch_dir.mkdir(parents=True, exist_ok=True)
        text_path = scratch_dir / f"{sha[:16]}.utf8.csv"
        text_path.write_text(text, encoding="utf-8", newline="")
    first_break = text.find("\n")
    header = text if first_break < 0 else text[:first_break]
    return DecodedFile(sha, len(data), encoding, text_path, header, _lines_up_to_last_text(text))


def _lines_up_to_last_text(text: str) -> int:
    """Lines of `text` without its trailing empty ones: `a\nb\n` and `a\nb\n\n` both hold two."""
    end = len(text)
    while end and text[end - 1] == "\n":   # no rstrip(): it would copy the whole text
        end -= 1
    return text.count("\n", 0, end) + 1 if end else 0
