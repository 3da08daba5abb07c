"""Unicode repair and normalisation of decoded article text (the first step of cleaning)."""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["CharTable", "normalize_text"]


class CharTable:
    """``str.translate(table)``, done by replacing only the characters of the table a text has.

    CPython translates a text with any non-ASCII character one character at a time through the
    table (a dictionary lookup each); most texts hold one to three of the table's characters
    (a no-break space, curly quotes), so one regular-expression scan for them and one
    ``str.replace`` per character found is several times faster. The result is the same string:
    no replacement contains a character the table changes, so the order of the replacements
    does not matter (checked when the table is built).

    Args:
        table: a ``str.translate`` table (ordinal -> string, ordinal or None).
    """

    def __init__(self, table: dict[int, str | int | None]) -> None:
        changes: dict[str, str] = {}
        for key, value in table.items():
            new = "" if value is None else chr(value) if isinstance(value, int) else value
            if new != chr(key):
                changes[chr(key)] = new
        if any(ch in changes for new in changes.values() for ch in new):
            raise ValueError("a replacement contains a character the table changes")
        self._changes = changes
        self._present = re.compile("[" + "".join(map(re.escape, sorted(changes))) + "]")

    def __call__(self, text: str) -> str:
        for ch in set(self._present.findall(text)):
            text = text.replace(ch, self._changes[ch])
        return text


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # C0 and C1 control characters carry no text; tabs become spaces, line ends are kept.
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        table[code] = None
    table[ord("\t")] = " "
    table[ord("\n")] = "\n"
    table[0x85] = "\n"  # NEL
    for code in (0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B)):
        table[code] = " "
    # Zero-width and bidirectional marks, soft hyphen, BOM: invisible, but they split words.
    for code in (
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0x2061,
        0x2062,
        0x2063,
        0x2064,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ):
        table[code] = None
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    for code in (0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0xFF07):
        table[code] = "'"
    for code in (0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x2036, 0xFF02):
        table[code] = '"'
    return table


_TRANSLATION = _build_translation()
_TRANSLATE = CharTable(_TRANSLATION)
# UTF-8 bytes read as cp1252/latin-1 leave a lead character followed by a continuation-byte
# character ("â€œ", "Ã©", "Â "): only then is ftfy's (slower) repair worth running.
_MOJIBAKE_SIGNATURE = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2\u00c4\u00c6\u00cb\u00f0][\u0080-\u00bf\u0152\u0153\u0160\u0161"
    "\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)
_C1_CONTROL = re.compile("[\u0080-\u009f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HTML_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,30});")
# Greek alpha typed for Latin "a" inside a Latin word (seen in scraped Indonesian news).
_GREEK_ALPHA_IN_WORD = re.compile(r"(?<=[A-Za-z])\u03b1|\u03b1(?=[A-Za-z])")
_SPACES = re.compile(r"[ \f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Repair encoding damage and normalise Unicode and whitespace, keeping line structure.

    Mojibake is repaired with ``ftfy.fix_encoding``; HTML character references are decoded;
    the text is NFC-normalised; NBSP and other Unicode spaces become a space; curly single and
    double quotes become ``'`` and ``"``; zero-width, bidirectional and control characters and
    lone surrogates are removed; ``\\r\\n`` and ``\\r`` become ``\\n``; runs of spaces collapse
    to one; lines are stripped; more than one blank line collapses to one.

    Args:
        text: decoded text.

    Returns:
        The normalised text (lines kept; at most one blank line in a row; no outer whitespace).
    """
    if not text.isascii() and _SURROGATE.search(text):
        # Lone UTF-16 surrogates (from JSON "\ud800" escapes) are not characters and cannot
        # be written as UTF-8; they carry no text.
        text = _SURROGATE.sub("", text)
    if _MOJIBAKE_SIGNATURE.search(text):
        import ftfy

        text = ftfy.fix_encoding(text)
    if _C1_CONTROL.search(text):
        # Windows-1252 punctuation decoded as Latin-1 lands in the C1 range: map it back.
        from ftfy.fixes import fix_c1_controls

        text = fix_c1_controls(text)
    if "&" in text:
        text = _HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRANSLATE(text)
    if "\u03b1" in text:
        text = _GREEK_ALPHA_IN_WORD.sub("a", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
