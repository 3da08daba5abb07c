"""Read the lexicon files of data/lexicons: one reader per file format, and the word lists of"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import UserError
from ..core.paths import default_paths
from .tokens import entry_term, terms

if TYPE_CHECKING:  # pandas is imported when a table is read: `python -m analysis stem` starts fast
    import pandas as pd

__all__ = [
    "RULE_SCOPES",
    "BoilerplateRule",
    "CleaningLexicons",
    "StemLexicons",
    "data_lines",
    "read_table",
    "load_rules",
    "load_cleaning_lexicons",
    "default_cleaning_lexicons",
    "load_stem_lexicons",
]

# cleaning and stemming.
#
# Every lexicon is a plain UTF-8 CSV or TXT file a researcher can edit; ``#`` starts a comment
# line. The readers here give each problem one message naming the file and what to do. The
# classification lexicons are compiled by :mod:`analysis.classify.places` from
# :func:`read_table`.

STOPWORDS_FILE = "stopwords_id.txt"
PROTECTED_FILE = "protected_terms.txt"
MWE_FILE = "multiword_expressions.txt"
VARIANTS_FILE = "token_variants.csv"
OVERRIDES_FILE = "stem_overrides.csv"
GAZETTEER_GLOB = "gazetteer_*.csv"

RULE_SCOPES = (
    "line",
    "prefix",
    "lead",
    "trailer",
    "suffix",
    "paragraph_header",
    "paragraph_dateline",
)

# --------------------------------------------------------------------------------------------
# Cleaning lexicons (ingest)


@dataclass(frozen=True)
class BoilerplateRule:
    """One row of ``boilerplate_rules.csv`` with its pattern compiled."""

    rule_id: str
    pattern: re.Pattern[str]
    scope: str
    description: str
    example: str


@dataclass(frozen=True)
class CleaningLexicons:
    """Everything the cleaner reads from ``data/lexicons``; picklable for worker processes."""

    rules: tuple[BoilerplateRule, ...]
    outlet_aliases: dict[str, str] = field(default_factory=dict)
    public_suffixes: frozenset[str] = frozenset()
    input_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def scoped(self, scope: str) -> tuple[BoilerplateRule, ...]:
        """The rules of ``scope``, in file order."""
        return self._by_scope.get(scope, ())

    @functools.cached_property
    def _by_scope(self) -> dict[str, tuple[BoilerplateRule, ...]]:
        # built once: strip_leading_noise asks for two scopes per paragraph
        by_scope: dict[str, list[BoilerplateRule]] = {}
        for rule in self.rules:
            by_scope.setdefault(rule.scope, []).append(rule)
        return {scope: tuple(rules) for scope, rules in by_scope.items()}

    def joined(self, scope: str) -> re.Pattern[str] | None:
        """One pattern that matches a text (by ``fullmatch``, ``match`` or ``search``) exactly
        when some rule of ``scope`` does: a single test before the rules are tried one by one in
        order (most paragraphs match none of them). None when the rules cannot be joined
        without changing what they match: a back-reference or a conditional group, a global
        inline flag, or patterns compiled with different flags."""
        return self._joined.get(scope)

    def rules_for(self, scope: str, text: str, test: str) -> tuple[BoilerplateRule, ...]:
        """The rules of ``scope`` to try on ``text`` in order: none when their joined pattern
        finds no match by ``test`` (``"fullmatch"``, ``"match"`` or ``"search"``), which is
        the usual case; all of them when it does, or when they cannot be joined."""
        joined = self._joined.get(scope)
        if joined is not None and getattr(joined, test)(text) is None:
            return ()
        return self._by_scope.get(scope, ())

    @functools.cached_property
    def _joined(self) -> dict[str, re.Pattern[str] | None]:
        return {scope: _join_rules(rules) for scope, rules in self._by_scope.items()}


# A group name in a pattern (dropped when rules are joined: names would clash, and a group's
# name changes nothing about what the pattern matches), and what joining must not touch:
# back-references by name or number, and conditionals (which refer to groups).
_GROUP_NAME = re.compile(r"(?<!\\)\(\?P<[^>]*>")
_REFERS_TO_GROUPS = re.compile(r"\(\?P=|\(\?\(|\\[1-9]|\\g<")


def _join_rules(rules: Sequence[BoilerplateRule]) -> re.Pattern[str] | None:
    flags = {rule.pattern.flags for rule in rules}
    sources = [rule.pattern.pattern for rule in rules]
    if len(flags) != 1 or any(_REFERS_TO_GROUPS.search(source) for source in sources):
        return None
    try:
        joined = re.compile(
            "|".join(f"(?:{_GROUP_NAME.sub('(?:', source)})" for source in sources), flags.pop()
        )
    except re.error:  # e.g. a global flag such as "(?i)" that is not at the start
        return None
    # a last guard: every rule's own example is still matched
    if any(r.pattern.fullmatch(r.example) and not joined.fullmatch(r.example) for r in rules):
        return None
    return joined


def data_lines(path: Path) -> list[str]:
    """Lines of a lexicon file without `#` comment lines and blank lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"lexicon file {path} not found; check the lexicon_dir argument "
            "(it should point at the project's data/lexicons folder)"
        ) from None
    except OSError as exc:
        raise UserError(f"lexicon file {path} cannot be read ({exc})") from None
    return [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def _read_csv_rows(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(data_lines(path)))
    header = set(rows[0]) if rows else set()
    missing = [c for c in required if c not in header]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; see the comment at the top"
        )
    return rows


def load_rules(
    path: str | Path,
    scopes: Sequence[str] = RULE_SCOPES,
    *,
    flags: int = 0,
    shape: Callable[[str, str], str] | None = None,
) -> tuple[BoilerplateRule, ...]:
    """Read and compile a rule file such as ``boilerplate_rules.csv``; a bad row raises
    UserError naming it.

    Args:
        path: the CSV (``rule_id``, ``pattern``, ``scope``, optional ``description``/``example``).
        scopes: the scopes this kind of rule file allows.
        flags: ``re`` flags for every pattern.
        shape: ``shape(scope, pattern)`` gives the source to compile (default: the pattern).
    """
    path = Path(path)
    rules = []
    seen: set[str] = set()
    for n, row in enumerate(_read_csv_rows(path, ("rule_id", "pattern", "scope")), start=1):
        rule_id = (row.get("rule_id") or "").strip()
        scope = (row.get("scope") or "").strip()
        if not rule_id or rule_id in seen:
            raise UserError(f"{path}: rule {n} has an empty or repeated rule_id {rule_id!r}")
        seen.add(rule_id)
        if scope not in scopes:
            raise UserError(
                f"{path}: rule {rule_id} has scope {scope!r}; use one of {', '.join(scopes)}"
            )
        source = row.get("pattern") or ""
        try:
            pattern = re.compile(shape(scope, source) if shape else source, flags)
        except re.error as exc:
            raise UserError(f"{path}: rule {rule_id} pattern does not compile ({exc})") from None
        rules.append(
            BoilerplateRule(
                rule_id, pattern, scope, row.get("description") or "", row.get("example") or ""
            )
        )
    return tuple(rules)


def load_cleaning_lexicons(lexicon_dir: str | Path) -> CleaningLexicons:
    """Load the cleaning lexicons from ``lexicon_dir`` (boilerplate rules, outlet aliases,
    public suffixes, input column names).

    Raises:
        UserError: when a file is missing or malformed, naming the file.
    """
    lexicon_dir = Path(lexicon_dir)
    if not lexicon_dir.is_dir():
        raise UserError(
            f"lexicon directory {lexicon_dir} not found; pass lexicon_dir pointing at data/lexicons"
        )
    aliases = {
        row["alias"].strip().casefold(): row["outlet"].strip().lower()
        for row in _read_csv_rows(lexicon_dir / "outlet_aliases.csv", ("alias", "outlet"))
        if row["alias"].strip() and row["outlet"].strip()
    }
    suffixes = frozenset(
        line.strip().lower().lstrip(".") for line in data_lines(lexicon_dir / "public_suffixes.txt")
    )
    columns: dict[str, list[str]] = {}
    for row in _read_csv_rows(lexicon_dir / "input_columns.csv", ("field", "alias")):
        columns.setdefault(row["field"].strip(), []).append(row["alias"].strip().casefold())
    return CleaningLexicons(
        rules=load_rules(lexicon_dir / "boilerplate_rules.csv"),
        outlet_aliases=aliases,
        public_suffixes=suffixes,
        input_columns={k: tuple(v) for k, v in columns.items()},
    )


@functools.lru_cache(maxsize=4)
def _cached_lexicons(lexicon_dir: str) -> CleaningLexicons:
    return load_cleaning_lexicons(lexicon_dir)


def default_cleaning_lexicons() -> CleaningLexicons:
    """Cleaning lexicons of the project this package belongs to, else of ``./data/lexicons``."""
    candidates = [default_paths().lexicons, Path("data/lexicons")]
    for candidate in candidates:
        if (candidate / "boilerplate_rules.csv").is_file():
            return _cached_lexicons(str(candidate.resolve()))
    raise UserError(
        "data/lexicons not found; pass lexicons=load_cleaning_lexicons(<dir>) explicitly"
    )


# --------------------------------------------------------------------------------------------
# Stem lexicons (preprocess)


@dataclass(frozen=True)
class StemLexicons:
    """The word lists that drive tokens and stems (the preprocess stage), loaded from ``data/lexicons``.

    Attributes:
        stopwords: tokens removed after multiword joining.
        protected: single tokens never stemmed (reviewed list + single-word gazetteer names).
        multiword: token sequences joined with ``_`` (lexicon + multi-word gazetteer names).
        variants: token → replacement token sequence, applied before joining.
        overrides: token → reviewed stem, used instead of Sastrawi.
        sources: the files read, for provenance in metrics.
    """

    stopwords: frozenset[str] = frozenset()
    protected: frozenset[str] = frozenset()
    multiword: frozenset[tuple[str, ...]] = frozenset()
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()


def _entries(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, entry) for each non-blank line of a TXT lexicon, ``#`` comments removed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc}); save the lexicon as UTF-8") from exc
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            yield number, entry


def _csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a CSV lexicon; ``#`` lines are comments."""
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc}); save the lexicon as UTF-8") from exc
    kept = [
        (n, line)
        for n, line in enumerate(raw_lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not kept:
        return
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in kept)))
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must contain "
            f"{', '.join(required)} (found: {', '.join(reader.fieldnames or [])})"
        )
    for (number, _), row in zip(kept[1:], reader):
        yield number, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _require(path: Path) -> Path:
    if not path.is_file():
        raise UserError(
            f"lexicon file {path} not found; point lexicon_dir at the project's data/lexicons "
            f"(or restore the file from git)"
        )
    return path


def load_stem_lexicons(lexicon_dir: str | Path) -> StemLexicons:
    """Read the preprocessing lexicons from a directory.

    Required: ``stopwords_id.txt``, ``protected_terms.txt``, ``multiword_expressions.txt``.
    Optional: ``token_variants.csv`` (variant,canonical), ``stem_overrides.csv`` (token,stem) and
    any ``gazetteer_*.csv`` with a ``name`` column: multi-word names become multiword
    expressions, single-word names become protected terms.

    Entries are normalised with the same tokeniser as the text, so a lexicon line always
    matches what the text produces.

    Args:
        lexicon_dir: directory holding the files.

    Returns:
        The loaded :class:`StemLexicons`.

    Raises:
        UserError: when the directory or a required file is missing or a CSV lacks a column.

    One piece: the files are read one after another into sets the later ones refine
    (gazetteer names become multiword terms, protected words and stem overrides).
    """
    lexicon_dir = Path(lexicon_dir)
    if not lexicon_dir.is_dir():
        raise UserError(
            f"lexicon directory {lexicon_dir} not found; pass the path of data/lexicons"
        )
    sources: list[str] = []

    stopwords: set[str] = set()
    path = _require(lexicon_dir / STOPWORDS_FILE)
    sources.append(path.name)
    for _, entry in _entries(path):
        stopwords.add(entry_term(entry))

    protected: set[str] = set()
    path = _require(lexicon_dir / PROTECTED_FILE)
    sources.append(path.name)
    for _, entry in _entries(path):
        protected.add(entry_term(entry))

    multiword: set[tuple[str, ...]] = set()
    path = _require(lexicon_dir / MWE_FILE)
    sources.append(path.name)
    for _, entry in _entries(path):
        words = tuple(terms(entry))
        if len(words) >= 2:
            multiword.add(words)

    # A multi-word place name counts as its canonical place: "dki jakarta", "provinsi dki
    # jakarta" and "jakarta" are one term for c-TF-IDF and log-odds, "kota bekasi" is "bekasi".
    place_stems: dict[str, set[str]] = {}
    for path in sorted(lexicon_dir.glob(GAZETTEER_GLOB)):
        sources.append(path.name)
        for _, row in _csv_rows(path, ["name"]):
            words = tuple(terms(row["name"]))
            if len(words) >= 2:
                multiword.add(words)
                canonical = terms(row.get("canonical") or "")
                if canonical:
                    place_stems.setdefault("_".join(words), set()).add("_".join(canonical))
            elif len(words) == 1:
                protected.add(words[0])

    variants: dict[str, tuple[str, ...]] = {}
    path = lexicon_dir / VARIANTS_FILE
    if path.is_file():
        sources.append(path.name)
        for number, row in _csv_rows(path, ["variant", "canonical"]):
            variant, canonical = terms(row["variant"]), tuple(terms(row["canonical"]))
            if len(variant) != 1 or not canonical:
                raise UserError(
                    f"{path}:{number}: a variant must be one token and canonical "
                    f"at least one word (got {row['variant']!r} -> {row['canonical']!r})"
                )
            variants[variant[0]] = canonical

    overrides: dict[str, str] = {}
    path = lexicon_dir / OVERRIDES_FILE
    if path.is_file():
        sources.append(path.name)
        for number, row in _csv_rows(path, ["token", "stem"]):
            token, stem = entry_term(row["token"]), entry_term(row["stem"])
            if not token or not stem:
                raise UserError(f"{path}:{number}: token and stem must both be filled in")
            overrides[token] = stem
    for token, stems in sorted(place_stems.items()):
        # Reviewed overrides win; a name two places share keeps its own form.
        if len(stems) == 1 and token not in overrides and next(iter(stems)) != token:
            overrides[token] = next(iter(stems))

    return StemLexicons(
        stopwords=frozenset(stopwords),
        protected=frozenset(protected),
        multiword=frozenset(multiword),
        variants=variants,
        overrides=overrides,
        sources=tuple(sources),
    )


# --------------------------------------------------------------------------------------------
# Tables (classification lexicons)


def read_table(path: Path, required: Sequence[str]) -> pd.DataFrame:
    """A CSV lexicon as a table of strings (``#`` lines are comments, empty cells are "").

    Raises:
        UserError: the file is missing or unreadable, or lacks a required column.
    """
    import pandas as pd

    if not path.is_file():
        raise UserError(
            f"{path}: lexicon file not found; restore it from git or point "
            f"--lexicons / lexicon_dir at the folder holding it"
        )
    try:
        frame = pd.read_csv(
            path, comment="#", dtype=str, keep_default_na=False, skipinitialspace=False
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a readable CSV ({exc})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"expected at least {', '.join(required)}"
        )
    return frame
