"""Generate a large benchmark corpus (100k, 1M articles ...) from the clickid articles, on the fly.

The output is a folder of ``part-NNNNN.jsonl.gz`` shards in clickid's own record format (``id``,
``source``, ``url``, ``date``, ``title``, ``text``, the text with paragraphs flattened to commas
as the clickid scraper left them), so the pipeline's ingest does exactly the work it does on the
real corpus. Write it OUTSIDE the repository (e.g. /tmp/synth_1m) and delete it after use; the
clickid texts must never be copied into the project.

Transformation (seeded; the same seed, source and N give the same bytes, whatever --jobs or the
shard size):

1. Source. Every clickid article is split into paragraphs (the ingest cleaner's rule for
   paragraphs a scraper flattened into commas: ``kalimat.,Kalimat``) and paragraphs into
   sentences (``. `` before a capital letter or digit). A paragraph is a *cue paragraph* when it
   contains a cooperation cue of data/lexicons/cooperation_cues.csv (kinds other than
   ``exclude``, terms without a ``requires`` condition). An article's *stratum* is whether it
   has a cue paragraph; its *group* is (outlet, month of its date, stratum), merged into
   (outlet, stratum), then (outlet), then the whole corpus while a group has fewer than
   ``MIN_GROUP`` articles.
2. Bases. Output article ``i`` is derived from one clickid article, its *base*: the articles are
   used in a seeded random order, once per cycle of 23,020 articles, so every cycle has
   clickid's exact outlet mix, length distribution and stratum mix.
3. Kept text (at most ``keep_fraction`` = 50 % of the base's words). Whole paragraphs are kept
   in this order of preference while they fit the word budget: the lead paragraph, the cue
   paragraphs (random order), the other paragraphs (random order). In the paragraphs that do
   not fit, cue sentences, then other sentences, are kept while the budget allows. Every
   sentence not kept is a *slot*.
4. Donors. Slots are filled, in reading order, with runs of 1-4 consecutive sentences of
   OTHER articles of the base's group (each run from a uniformly drawn position), taken only
   from non-lead paragraphs without a cue; a replaced lead sentence gets another group
   article's lead (of a lead paragraph without a cue). A slot takes donor sentences while the
   next one brings the words closer to the slot's words (the difference carries over to the
   next slot), so an output has its base's length. Donors carry no cooperation cue: the
   cooperation signal of an output is exactly the cue paragraphs and title kept from its
   base, which is how the share of cooperation articles stays close to clickid's.
5. Order. The lead paragraph stays first (its first sentence first); the other paragraphs are
   shuffled. Sentence order inside a paragraph is kept (the classifier reads a cue's sentence
   window inside its paragraph), so a mixed paragraph reads as kept sentences interleaved
   with short runs of another story of the same outlet and month.
6. Metadata. ``id`` = ``synth:<outlet key>:<i>``; ``source`` and ``title`` are the base's (a
   title therefore recurs once per cycle, 43 times in a million articles; no stage keys on it);
   ``date`` is a seeded uniform day of ``--year`` (default 2019, clickid's year) written in the
   base record's own date format (``10/09/2019``, ``10-Sep-19``, ``25 Okt 2019`` ...), so the
   outlet mix is clickid's while the dates spread over twelve months; ``url`` is the base's
   host with a new path (``/synth/YYYY/MM/DD/<i>/<base slug>``). Dates written inside the text
   (``Selasa (10/9/2019)``) are left as they are: the pipeline takes the record's date first.

Why near-duplicate detection does not fire: at most half of an output's words come from its
base and the output is as long as the base, so the Jaccard similarity of word 5-shingles with
the base is at most about 1/3 (shared shingles <= kept words; union >= the base's shingles),
and the same bound holds between two outputs of the same base; donor runs are drawn from
thousands of sentences per group, and paragraph shuffling and recombination break the shingles
across every boundary. Ingest's near-duplicate rule is Jaccard >= 0.8 (MinHash LSH candidates
from 0.65). Measured on 3,000 outputs from the full clickid source: Jaccard with the base median
0.27, max 0.35; two outputs of one base median 0.15, max 0.33; words per article out/base
median 1.00 (p1 0.90, p99 1.36); paragraphs per article the base's.

Memory is bounded: the source (about 0.3 GB of Python objects for clickid) is held once; articles
are produced and written one at a time into gzip shards (``--shard-size`` articles each,
deterministic gzip headers). A ``.synth_manifest.json`` (hidden, so ingest does not read it)
records the parameters, the source's SHA-256 and every shard's SHA-256.

Usage (from the project root):
    python benchmarks/synth_corpus.py --n 100000 --out /tmp/synth_100k [--seed 20250811] \
        [--jobs 2] [--shard-size 50000] [--source PATH] [--source-limit N] [--level 6]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CORPUS = Path("shared") / "corpora" / "clickid" / "articles.jsonl.gz"
DEFAULT_SOURCE = next(
    (p / _CORPUS for p in ROOT.parents if (p / _CORPUS).is_file()), ROOT.parent / _CORPUS
)
DEFAULT_CUES = ROOT / "data" / "lexicons" / "cooperation_cues.csv"
DEFAULT_SEED = 20250811
KEEP_FRACTION = 0.5
MIN_GROUP = 20  # smallest donor group (articles) before groups are merged
MAX_RUN = 4  # donor sentences are taken in runs of 1..MAX_RUN consecutive sentences
SHARD_SIZE = 50_000

# The ingest cleaner's rule for a paragraph break flattened to a comma (analysis.textclean:
# sentence-final punctuation or a closing quote/bracket, commas, then no space and a sentence
# start); copied here so the generator does not depend on the package's layout.
_FLATTENED_BREAK = re.compile(r"(?<=[.!?:\"')\]])[ ]*,(?:[ ]*,)*(?=[\"'(]?[A-Z0-9])")
# A sentence end inside a paragraph: . ! ? (optionally a closing quote), spaces, then a capital,
# a digit or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'(]?[A-Z0-9])")
_WORD = re.compile(r"\w+")

_MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
_MONTHS_ID_ABBR = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Mei",
    "Jun",
    "Jul",
    "Agu",
    "Sep",
    "Okt",
    "Nov",
    "Des",
]
_MONTHS_EN_ABBR = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
_MONTH_NUMBER = {
    name.casefold(): i + 1
    for names in (_MONTHS_ID, _MONTHS_ID_ABBR, _MONTHS_EN_ABBR)
    for i, name in enumerate(names)
}
_MONTH_NUMBER.update(
    {
        "agt": 8,
        "ags": 8,
        "augustus": 8,
        "october": 10,
        "september": 9,
        "august": 8,
        "july": 7,
        "june": 6,
        "march": 3,
        "february": 2,
        "january": 1,
        "december": 12,
        "november": 11,
        "may": 5,
        "april": 4,
    }
)


# --------------------------------------------------------------------------------------------
# Dates: parse the month of a source record, write a new date in the record's own format
# --------------------------------------------------------------------------------------------

_DATE_FORMATS = (
    # (name, regex); the name selects the writer below
    ("iso", re.compile(r"^(\d{4})-(\d{2})-(\d{2})")),  # 2019-09-13
    ("dmy_slash", re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")),  # 10/09/2019
    ("d_mon_yy", re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{2})$")),  # 10-Sep-19
    ("d_month_y", re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")),  # 25 Okt 2019, 31 Juli 2019
    (
        "month_d_y",
        re.compile(r"^([A-Za-z]+) (\d{1,2}), (\d{4})$"),
    ),  # Oktober 19, 2019 / Sep 30, 2019
)


def parse_month(value: str | None) -> tuple[str, str | None]:
    """(format name, ``YYYY-MM``) of a clickid date string; ("iso", None) when not understood."""
    value = (value or "").strip()
    for name, pattern in _DATE_FORMATS:
        m = pattern.match(value)
        if not m:
            continue
        if name == "iso":
            return name, f"{m[1]}-{m[2]}"
        if name == "dmy_slash":
            return name, f"{m[3]}-{int(m[2]):02d}"
        if name == "d_mon_yy":
            month = _MONTH_NUMBER.get(m[2].casefold())
            return name, f"20{m[3]}-{month:02d}" if month else None
        if name == "d_month_y":
            month = _MONTH_NUMBER.get(m[2].casefold())
            abbr = len(m[2]) <= 3
            return ("d_mon_y" if abbr else name), (f"{m[3]}-{month:02d}" if month else None)
        if name == "month_d_y":
            month = _MONTH_NUMBER.get(m[1].casefold())
            english = m[1].casefold() in {x.casefold() for x in _MONTHS_EN_ABBR} and m[
                1
            ].casefold() not in {x.casefold() for x in _MONTHS_ID_ABBR}
            style = "mon_d_y_en" if len(m[1]) <= 3 else "month_d_y"
            if len(m[1]) <= 3 and not english:  # e.g. "Sep" is both: wowkeren writes English
                style = "mon_d_y_en"
            return style, (f"{m[3]}-{month:02d}" if month else None)
    return "iso", None


def format_date(day: dt.date, style: str) -> str:
    """``day`` written as the source record wrote its date (see :func:`parse_month`)."""
    if style == "dmy_slash":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "d_mon_yy":
        return f"{day.day:02d}-{_MONTHS_EN_ABBR[day.month - 1]}-{day.year % 100:02d}"
    if style == "d_month_y":
        return f"{day.day:02d} {_MONTHS_ID[day.month - 1]} {day.year}"
    if style == "d_mon_y":
        return f"{day.day:02d} {_MONTHS_ID_ABBR[day.month - 1]} {day.year}"
    if style == "month_d_y":
        return f"{_MONTHS_ID[day.month - 1]} {day.day:02d}, {day.year}"
    if style == "mon_d_y_en":
        return f"{_MONTHS_EN_ABBR[day.month - 1]} {day.day}, {day.year}"
    return day.isoformat()


# --------------------------------------------------------------------------------------------
# Source
# --------------------------------------------------------------------------------------------


class CueMatcher:
    """Cooperation cues as word sequences (kinds other than exclude, terms without ``requires``).

    A sentence matches when one of its lower-cased ``\\w+`` word runs equals a one-word cue or
    a run of consecutive words equals a multi-word cue (what ``\\b``-matching the phrases would
    find, at a fraction of the cost of one large regular expression).
    """

    def __init__(self, path: Path):
        phrases: set[tuple[str, ...]] = set()
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(line for line in handle if not line.startswith("#")):
                if row["kind"] != "exclude" and not (row.get("requires") or "").strip():
                    words = tuple(_WORD.findall(row["term"].casefold()))
                    if words:
                        phrases.add(words)
        self.single = {p[0] for p in phrases if len(p) == 1}
        self.multi = {p for p in phrases if len(p) > 1}
        self.lengths = sorted({len(p) for p in self.multi})
        self.first = {p[0] for p in self.multi}

    def matches(self, words: list[str]) -> bool:
        for k, word in enumerate(words):
            if word in self.single:
                return True
            if word in self.first:
                for n in self.lengths:
                    if tuple(words[k : k + n]) in self.multi:
                        return True
        return False


@dataclass
class Source:
    """The segmented source corpus, shared read-only by every worker.

    sentences: every sentence of every article (one flat list).
    articles: per article, its paragraphs as lists of sentence indices.
    words: words per sentence (``\\w+`` runs), same index as ``sentences``.
    cue_para: per article, one flag per paragraph (cue paragraph or not).
    cue_sent: per sentence, whether it contains a cue.
    meta: per article, (source, title, url, date style, outlet key).
    group_pool / group_leads: group id -> donor sentence indices / lead sentence indices,
        and the article that owns each (to skip the base's own sentences).
    article_group: article -> group id.
    """

    sentences: list[str]
    articles: list[list[list[int]]]
    words: list[int]
    cue_para: list[list[bool]]
    cue_sent: list[bool]
    meta: list[tuple[str, str, str, str, str]]
    article_group: list[int]
    group_pool: list[tuple[list[int], list[int]]]
    group_leads: list[tuple[list[int], list[int]]]
    group_names: list[str]
    sha256: str


def split_paragraphs(text: str) -> list[str]:
    pieces = [p.strip() for p in _FLATTENED_BREAK.split(text)]
    return [p for p in pieces if p]


def split_sentences(paragraph: str) -> list[str]:
    pieces = [s.strip() for s in _SENTENCE_END.split(paragraph)]
    return [s for s in pieces if s]


def _outlet_key(source: str, url: str) -> str:
    name = (source or "").strip().casefold() or (url.split("/")[2] if "://" in url else "unknown")
    return re.sub(r"[^a-z0-9]+", "-", name.split(".")[0]).strip("-") or "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_source(path: Path, cues: Path = DEFAULT_CUES, limit: int | None = None) -> Source:
    """Read and segment the source articles (the first ``limit`` non-blank records, or all)."""
    cue = CueMatcher(cues)
    sentences: list[str] = []
    words: list[int] = []
    cue_sent: list[bool] = []
    articles: list[list[list[int]]] = []
    cue_para: list[list[bool]] = []
    meta: list[tuple[str, str, str, str, str]] = []
    keys: list[tuple[str, str | None, bool]] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            text = record.get("text") or ""
            paras = []
            flags = []
            for paragraph in split_paragraphs(text):
                ids = []
                has_cue = False
                for sentence in split_sentences(paragraph):
                    ids.append(len(sentences))
                    sentences.append(sentence)
                    tokens = _WORD.findall(sentence.casefold())
                    words.append(len(tokens))
                    flag = cue.matches(tokens)
                    cue_sent.append(flag)
                    has_cue |= flag
                paras.append(ids)
                flags.append(has_cue)
            if not paras:  # nothing to recombine (never in clickid): one empty sentence
                paras, flags = [[len(sentences)]], [False]
                sentences.append(text.strip())
                words.append(len(_WORD.findall(text)))
                cue_sent.append(False)
            style, month = parse_month(record.get("date"))
            source = record.get("source") or ""
            url = record.get("url") or ""
            articles.append(paras)
            cue_para.append(flags)
            meta.append((source, record.get("title") or "", url, style, _outlet_key(source, url)))
            keys.append((meta[-1][4], month, any(flags)))
            if limit is not None and len(articles) >= limit:
                break
    article_group, names = _groups(keys)
    pools: dict[int, tuple[list[int], list[int]]] = {}
    leads: dict[int, tuple[list[int], list[int]]] = {}
    for a, paras in enumerate(articles):
        g = article_group[a]
        pool = pools.setdefault(g, ([], []))
        lead = leads.setdefault(g, ([], []))
        if not cue_para[a][0]:  # donor leads carry no cooperation cue either
            lead[0].append(paras[0][0])
            lead[1].append(a)
        for p, ids in enumerate(paras):
            if p == 0 or cue_para[a][p]:
                continue
            pool[0].extend(ids)
            pool[1].extend([a] * len(ids))
    n_groups = len(names)
    return Source(
        sentences,
        articles,
        words,
        cue_para,
        cue_sent,
        meta,
        article_group,
        [pools.get(g, ([], [])) for g in range(n_groups)],
        [leads.get(g, ([], [])) for g in range(n_groups)],
        names,
        _sha256(path),
    )


def _groups(keys: list[tuple[str, str | None, bool]]) -> tuple[list[int], list[str]]:
    """Group id per article: (outlet, month, stratum), coarsened while a group is too small."""
    levels = [
        lambda k: (k[0], k[1], k[2]),
        lambda k: (k[0], None, k[2]),
        lambda k: (k[0], None, None),
        lambda k: (None, None, None),
    ]
    assigned: list[tuple | None] = [None] * len(keys)
    remaining = list(range(len(keys)))
    for depth, level in enumerate(levels):
        buckets: dict[tuple, list[int]] = {}
        for a in remaining:
            buckets.setdefault(level(keys[a]), []).append(a)
        remaining = []
        for key, members in buckets.items():
            if len(members) >= MIN_GROUP or depth == len(levels) - 1:
                for a in members:
                    assigned[a] = key
            else:
                remaining.extend(members)
    names = sorted({repr(k) for k in assigned})
    index = {name: i for i, name in enumerate(names)}
    return [index[repr(k)] for k in assigned], names


# --------------------------------------------------------------------------------------------
# One output article
# --------------------------------------------------------------------------------------------


def _cycle_order(n_source: int, seed: int, cycle: int) -> list[int]:
    order = list(range(n_source))
    random.Random(f"synth-order:{seed}:{cycle}").shuffle(order)
    return order


class Generator:
    """Builds output article ``i`` from the source; the result depends only on (seed, i)."""

    def __init__(
        self, source: Source, seed: int, year: int = 2019, keep_fraction: float = KEEP_FRACTION
    ):
        self.src = source
        self.seed = seed
        self.keep_fraction = keep_fraction
        self.first_day = dt.date(year, 1, 1)
        self.n_days = (dt.date(year + 1, 1, 1) - self.first_day).days
        self._orders: dict[int, list[int]] = {}

    def base_of(self, i: int) -> int:
        n = len(self.src.articles)
        cycle = i // n
        order = self._orders.get(cycle)
        if order is None:
            if len(self._orders) > 4:
                self._orders.clear()
            order = self._orders[cycle] = _cycle_order(n, self.seed, cycle)
        return order[i % n]

    def _donor_runs(
        self,
        rng: random.Random,
        pool: tuple[list[int], list[int]],
        base: int,
        fallback: tuple[list[int], list[int]],
    ):
        """Endless donor sentences: runs of 1-``MAX_RUN`` consecutive eligible sentences of one
        group article (never the base), each run from a uniformly drawn position of the pool."""
        sentences, owners = pool
        if not any(o != base for o in owners):
            sentences, owners = fallback
        while True:
            start = self._donor_index(rng, (sentences, owners), base)
            owner = owners[start]
            length = rng.randint(1, MAX_RUN)
            k = start
            while k < len(sentences) and owners[k] == owner and k - start < length:
                yield sentences[k]
                k += 1

    @staticmethod
    def _donor_index(rng: random.Random, pool: tuple[list[int], list[int]], base: int) -> int:
        sentences, owners = pool
        for _ in range(10_000):
            k = rng.randrange(len(sentences))
            if owners[k] != base:
                return k
        raise ValueError(f"no donor sentence from an article other than {base}")

    @staticmethod
    def _donor(
        rng: random.Random,
        pool: tuple[list[int], list[int]],
        base: int,
        fallback: tuple[list[int], list[int]],
    ) -> int:
        """A uniformly drawn sentence of ``pool`` that is not the base's own (else of ``fallback``)."""
        for sentences, owners in (pool, fallback):
            if not sentences:
                continue
            for _ in range(64):
                k = rng.randrange(len(sentences))
                if owners[k] != base:
                    return sentences[k]
        raise ValueError(
            f"no donor sentence from an article other than {base}: the source "
            "needs at least two articles"
        )

    def article(self, i: int) -> dict:
        """The JSON record of output article ``i``, plus what was kept (for tests)."""
        record, _ = self.article_with_trace(i)
        return record

    def article_with_trace(self, i: int) -> tuple[dict, dict]:
        src = self.src
        rng = random.Random(f"synth-article:{self.seed}:{i}")
        base = self.base_of(i)
        paras = src.articles[base]
        cues = src.cue_para[base]
        group = src.article_group[base]
        pool, leads = src.group_pool[group], src.group_leads[group]
        words = src.words
        total = sum(words[s] for ids in paras for s in ids)
        budget = int(self.keep_fraction * total)

        # 1. whole paragraphs kept while they fit: lead, cue paragraphs, others
        others = [p for p in range(1, len(paras)) if cues[p]]
        rest = [p for p in range(1, len(paras)) if not cues[p]]
        rng.shuffle(others)
        rng.shuffle(rest)
        kept_whole: set[int] = set()
        for p in [0, *others, *rest]:
            size = sum(words[s] for s in paras[p])
            if size <= budget:
                kept_whole.add(p)
                budget -= size
        # 2. mixed paragraphs: cue sentences first, then the others, while the budget allows
        kept_sentences: set[int] = set()
        for p in [0, *others, *rest]:
            if p in kept_whole:
                continue
            ids = list(paras[p])
            rng.shuffle(ids)
            ids.sort(key=lambda s: not src.cue_sent[s])  # stable: cue sentences first
            for s in ids:
                if words[s] <= budget:
                    kept_sentences.add(s)
                    budget -= words[s]
        # 3. paragraph order: the lead first, the others shuffled; sentences not kept become
        #    slots filled, in reading order, by runs of consecutive donor sentences
        order = list(range(1, len(paras)))
        rng.shuffle(order)
        fallback = self._global_pool()
        runs = self._donor_runs(rng, pool, base, fallback)
        pending: list[int] = []
        carry = [0.0]  # words still owed (+) or given in excess (-) by earlier slots

        def fill(target: int, got: list[int]) -> list[int]:
            """Donor sentences for one replaced sentence of ``target`` words: taken while the
            next one brings the running total closer to the target, with what earlier slots
            owed or gave in excess carried over, so an output has its base's length (and the
            kept words stay at most half of it)."""
            goal = target + carry[0]
            n = sum(words[d] for d in got)
            skipped = 0
            while True:
                if not pending:
                    pending.append(next(runs))
                size = words[pending[0]]
                if n + size / 2 > goal:
                    carry[0] = goal - n
                    return got
                if size > 2 * target + 10 and skipped < 20:
                    # a run-on "sentence" far longer than the slot (unsegmented source text)
                    pending.pop(0)
                    skipped += 1
                    continue
                got.append(pending.pop(0))
                n += size

        out_paras: list[list[str]] = []
        n_kept_words = 0
        for p in [0, *order]:
            chosen: list[int] = []
            for position, s in enumerate(paras[p]):
                if p in kept_whole or s in kept_sentences:
                    chosen.append(s)
                    n_kept_words += words[s]
                elif p == 0 and position == 0:  # another article's lead, then donors
                    chosen.extend(fill(words[s], [self._donor(rng, leads, base, fallback)]))
                else:
                    chosen.extend(fill(words[s], []))
            if not chosen:  # every slot of the paragraph gave its words away: one donor
                d = pending.pop(0) if pending else next(runs)
                chosen.append(d)
                carry[0] -= words[d]
            out_paras.append([src.sentences[s] for s in chosen])
        text = ",".join(" ".join(sentences) for sentences in out_paras)

        source, title, url, style, key = src.meta[base]
        day = self.first_day + dt.timedelta(days=rng.randrange(self.n_days))
        host = url.split("/")[2] if url.count("/") >= 2 and "://" in url else f"www.{key}.com"
        slug = url.rstrip("/").rsplit("/", 1)[-1] if "/" in url else "artikel"
        record = {
            "id": f"synth:{key}:{i}",
            "source": source,
            "url": f"https://{host}/synth/{day:%Y/%m/%d}/{i}/{slug}",
            "date": format_date(day, style),
            "title": title,
            "text": text,
        }
        trace = {"base": base, "group": group, "words_base": total, "words_kept": n_kept_words}
        return record, trace

    def _global_pool(self) -> tuple[list[int], list[int]]:
        pool = getattr(self, "_all", None)
        if pool is None:
            sentences, owners = [], []
            for s_ids, o_ids in self.src.group_pool:
                sentences.extend(s_ids)
                owners.extend(o_ids)
            pool = self._all = (sentences, owners)
        return pool


# --------------------------------------------------------------------------------------------
# Shards
# --------------------------------------------------------------------------------------------

_SOURCE: Source | None = None  # set in the parent before forking workers


def _write_shard(args: tuple[int, int, int, int, str, int, int, float]) -> dict:
    shard, start, stop, seed, out, level, year, keep = args
    gen = Generator(_SOURCE, seed, year=year, keep_fraction=keep)
    path = Path(out) / f"part-{shard:05d}.jsonl.gz"
    tmp = path.with_name("." + path.name + ".tmp")
    n_bytes = 0
    started = time.perf_counter()
    cpu = time.process_time()
    with tmp.open("wb") as raw:
        # mtime=0 and no file name: the gzip bytes depend only on the content
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0) as gz:
            buffer = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
            for i in range(start, stop):
                line = json.dumps(gen.article(i), ensure_ascii=False) + "\n"
                n_bytes += len(line.encode("utf-8"))
                buffer.write(line)
            buffer.flush()
            buffer.detach()
    os.replace(tmp, path)
    return {
        "file": path.name,
        "first": start,
        "n": stop - start,
        "bytes_uncompressed": n_bytes,
        "bytes": path.stat().st_size,
        "sha256": _sha256(path),
        "wall_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
    }


def generate(
    n: int,
    out: Path,
    *,
    source_path: Path = DEFAULT_SOURCE,
    seed: int = DEFAULT_SEED,
    jobs: int = 1,
    shard_size: int = SHARD_SIZE,
    level: int = 6,
    year: int = 2019,
    keep_fraction: float = KEEP_FRACTION,
    cues: Path = DEFAULT_CUES,
    source_limit: int | None = None,
) -> dict:
    """Write ``n`` articles as shards into ``out`` (created; must be empty); return the manifest."""
    global _SOURCE
    out = Path(out)
    inside = ROOT in out.resolve().parents or out.resolve() == ROOT
    if inside:
        raise SystemExit(
            f"{out} is inside the repository; write generated corpora elsewhere (/tmp)"
        )
    out.mkdir(parents=True, exist_ok=True)
    if any(p.name.startswith("part-") for p in out.iterdir()):
        raise SystemExit(f"{out} already holds shards; use an empty folder")
    started = time.perf_counter()
    _SOURCE = load_source(source_path, cues, limit=source_limit)
    load_s = time.perf_counter() - started
    tasks = [
        (k, start, min(n, start + shard_size), seed, str(out), level, year, keep_fraction)
        for k, start in enumerate(range(0, n, shard_size))
    ]
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            shards = pool.map(_write_shard, tasks, chunksize=1)
    else:
        shards = [_write_shard(t) for t in tasks]
    manifest = {
        "generator": "benchmarks/synth_corpus.py",
        "n_articles": n,
        "seed": seed,
        "year": year,
        "keep_fraction": keep_fraction,
        "shard_size": shard_size,
        "gzip_level": level,
        "source": {
            "path": str(source_path),
            "sha256": _SOURCE.sha256,
            "n_articles": len(_SOURCE.articles),
            "n_sentences": len(_SOURCE.sentences),
            "n_groups": len(_SOURCE.group_names),
            "limit": source_limit,
        },
        "shards": shards,
        "bytes": sum(s["bytes"] for s in shards),
        "bytes_uncompressed": sum(s["bytes_uncompressed"] for s in shards),
        "load_source_s": round(load_s, 2),
        "wall_s": round(time.perf_counter() - started, 2),
        "jobs": jobs,
    }
    (out / ".synth_manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="articles to generate")
    parser.add_argument("--out", type=Path, required=True, help="empty folder outside the repo")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument(
        "--source-limit",
        type=int,
        default=None,
        help="use only the first N source articles (tests)",
    )
    parser.add_argument("--cues", type=Path, default=DEFAULT_CUES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=1, help="processes (same bytes for any value)")
    parser.add_argument("--shard-size", type=int, default=SHARD_SIZE)
    parser.add_argument("--level", type=int, default=6, help="gzip level (1 fast .. 9 small)")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--keep-fraction", type=float, default=KEEP_FRACTION)
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"source corpus not found: {args.source}", file=sys.stderr)
        return 2
    if not 0 < args.keep_fraction < 0.8:
        parser.error("--keep-fraction must be in (0, 0.8): above it outputs could be near copies")
    load = os.getloadavg()[0]
    manifest = generate(
        args.n,
        args.out,
        source_path=args.source,
        seed=args.seed,
        jobs=args.jobs,
        shard_size=args.shard_size,
        level=args.level,
        year=args.year,
        keep_fraction=args.keep_fraction,
        cues=args.cues,
        source_limit=args.source_limit,
    )
    cpu = sum(s["cpu_s"] for s in manifest["shards"])
    print(
        f"{manifest['n_articles']:,} articles in {len(manifest['shards'])} shard(s) at {args.out}: "
        f"{manifest['bytes'] / 2**20:,.0f} MB on disk "
        f"({manifest['bytes_uncompressed'] / 2**20:,.0f} MB uncompressed); "
        f"wall {manifest['wall_s']:.1f} s (source {manifest['load_source_s']:.1f} s), "
        f"shard CPU {cpu:.1f} s, jobs {args.jobs}, load {load:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
