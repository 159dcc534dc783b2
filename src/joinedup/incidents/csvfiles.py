"""Reading partners' CSV files as they really arrive: gzipped or not, UTF-8 (with or without a
byte-order mark) or Windows-1252 as spreadsheets on Windows save them, rows numbered by the line
they start on."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from joinedup.common.errors import JoinedUpError

# Lines a single field may span before the file is judged broken (an unclosed quote).
MAX_FIELD = 1_000_000


class FileFormatError(JoinedUpError):
    """The file as a whole cannot be imported (unreadable, empty, wrong header)."""


@dataclass(frozen=True, slots=True)
class TextFile:
    """A file's text and how it was decoded."""

    text: str
    encoding: str

    @property
    def notice(self) -> str:
        """What to tell the person importing about the encoding ("" when UTF-8)."""
        if self.encoding == "utf-8":
            return ""
        return "the file is not UTF-8; it was read as Windows-1252 (cp1252)"


def read_text(path: Path) -> TextFile:
    """The whole text of ``path`` (``.gz`` decompressed): UTF-8, else Windows-1252."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileFormatError(f"{path.name}: cannot be read ({exc.__class__.__name__})") from exc
    try:
        return TextFile(raw.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return TextFile(raw.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        raise FileFormatError(f"{path.name}: not UTF-8 or Windows-1252 text") from None


def numbered_rows(text: str) -> tuple[list[str] | None, Iterator[tuple[int, list[str] | str]]]:
    """The header and then each non-blank row with the line it starts on; a row the CSV reader
    cannot read comes as the reason (a string) instead of its fields."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FileFormatError(f"the header row cannot be read ({exc})") from None
    return header, _rows(reader, lambda: reader.line_num)


def _rows(
    reader: Iterator[list[str]], line_num: Callable[[], int]
) -> Iterator[tuple[int, list[str] | str]]:
    line = line_num() + 1
    while True:
        fields: list[str] | str
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            fields = f"not a readable CSV row ({exc})"
        if fields and fields != [""]:
            yield line, fields
        line = line_num() + 1
