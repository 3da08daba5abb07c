"""Format tests for the ingest lexicons: every file parses, every rule's example is matched."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from analysis.core.errors import UserError
from analysis.text.lexicons import RULE_SCOPES, load_rules
from analysis.text.lexicons import load_cleaning_lexicons as load_lexicons

LEXICONS = Path(__file__).resolve().parents[2] / "data" / "lexicons"


def _rows(path):
    lines = [
        ln
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    return list(csv.reader(lines))


def test_boilerplate_rules_format(lexicon_dir):
    rows = _rows(lexicon_dir / "boilerplate_rules.csv")
    assert rows[0] == ["rule_id", "pattern", "scope", "description", "example"]
    ids = [r[0] for r in rows[1:]]
    assert len(ids) == len(set(ids)) >= 20
    for row in rows[1:]:
        assert len(row) == 5, row
        rule_id, pattern, scope, description, example = row
        assert re.fullmatch(r"[a-z][a-z0-9_]*", rule_id), rule_id
        assert scope in RULE_SCOPES, rule_id
        assert description.strip() and example.strip(), rule_id
        re.compile(pattern)


@pytest.mark.parametrize("rule", load_lexicons(LEXICONS).rules, ids=lambda r: r.rule_id)
def test_every_rule_matches_its_example(rule):
    """The example column documents the rule, so it must be something the rule removes."""
    example = rule.example
    if rule.scope in ("line", "trailer"):
        assert rule.pattern.fullmatch(example)
    elif rule.scope in ("prefix", "lead", "paragraph_header", "paragraph_dateline"):
        m = rule.pattern.match(example)
        assert m and 0 < m.end() < len(example), "a prefix rule must leave the sentence"
    else:  # suffix
        m = rule.pattern.search(example)
        assert m and m.start() > 0 and m.end() == len(example)


def test_rule_captures_metadata_groups(lexicon_dir):
    rules = {r.rule_id: r for r in load_rules(lexicon_dir / "boilerplate_rules.csv")}
    m = rules["header_date_line"].pattern.fullmatch("date 2025-08-11 Bisnis Indonesia Premium")
    assert m.group("date") == "2025-08-11" and m.group("outlet") == "Bisnis Indonesia Premium"
    m = rules["dateline_place_domain"].pattern.match("JAKARTA, KOMPAS.com - Pemerintah kota")
    assert m.group("outlet") == "KOMPAS.com"
    m = rules["byline_label"].pattern.fullmatch("Editor : Feni Freycinetia Fitriani")
    assert m.group("name") == "Feni Freycinetia Fitriani"


def test_outlet_aliases_format(lexicon_dir):
    rows = _rows(lexicon_dir / "outlet_aliases.csv")
    assert rows[0] == ["alias", "outlet"]
    aliases = [r[0].casefold() for r in rows[1:]]
    assert len(aliases) == len(set(aliases))
    for alias, outlet in rows[1:]:
        assert alias.strip() == alias and alias
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", outlet), outlet


def test_public_suffixes_format(lexicon_dir):
    rows = [r[0] for r in _rows(lexicon_dir / "public_suffixes.txt")]
    assert "co.id" in rows
    for suffix in rows:
        assert re.fullmatch(r"[a-z]+(\.[a-z]+)+", suffix), suffix


def test_input_columns_format(lexicon_dir):
    rows = _rows(lexicon_dir / "input_columns.csv")
    assert rows[0] == ["field", "alias"]
    fields = {r[0] for r in rows[1:]}
    assert fields == {"id", "title", "text", "date", "url", "outlet"}
    aliases = [r[1].casefold() for r in rows[1:]]
    assert len(aliases) == len(set(aliases)), "an alias may map to one field only"


def test_bad_rule_file_raises_user_error(tmp_path):
    path = tmp_path / "boilerplate_rules.csv"
    path.write_text(
        "rule_id,pattern,scope,description,example\nx,(unclosed,line,d,e\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="rule x pattern does not compile"):
        load_rules(path)
    path.write_text(
        "rule_id,pattern,scope,description,example\nx,a,everywhere,d,a\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="scope 'everywhere'"):
        load_rules(path)


def _rule_file(tmp_path, patterns, scope="line"):
    path = tmp_path / "rules.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["rule_id", "pattern", "scope", "description", "example"])
        for k, pattern in enumerate(patterns):
            writer.writerow([f"r{k}", pattern, scope, "test", "x"])
    return path


def test_joined_line_rules_match_exactly_where_one_rule_does(lexicon_dir):
    """The cleaner tests a paragraph against the joined line rules first and skips the rules
    when it fails: on the rules' examples, on every paragraph of the bundled articles and on
    near misses of the examples, the joined pattern matches exactly when some rule does."""
    from analysis.text.clean import segment_paragraphs
    from analysis.text.normalize import normalize_text

    lex = load_lexicons(lexicon_dir)
    texts = []
    for rule in lex.rules:
        texts += [rule.example, rule.example + ".", "x " + rule.example, rule.example[:-1]]
    for path in sorted((Path(__file__).resolve().parents[2] / "data" / "raw").glob("*.txt")):
        texts += segment_paragraphs(normalize_text(path.read_text(encoding="utf-8")))
    for scope in ("line", "trailer"):
        joined = lex.joined(scope)
        assert joined is not None, scope
        rules = lex.scoped(scope)
        matched = [any(r.pattern.fullmatch(t) for r in rules) for t in texts]
        assert [joined.fullmatch(t) is not None for t in texts] == matched
        assert 10 < sum(matched) < len(texts) - 10  # both answers are tested
    for scope, method in (
        ("paragraph_dateline", "search"),
        ("suffix", "search"),
        ("prefix", "match"),
    ):
        rules = lex.scoped(scope)
        found = [any(getattr(r.pattern, method)(t) for r in rules) for t in texts]
        joined = lex.joined(scope)
        assert joined is not None, scope
        assert [getattr(joined, method)(t) is not None for t in texts] == found, scope
        assert 3 < sum(found) < len(texts) - 3, scope  # both answers are tested


def test_rules_that_cannot_be_joined_are_tried_one_by_one(tmp_path):
    from analysis.text.lexicons import CleaningLexicons

    def joined(patterns):
        return CleaningLexicons(load_rules(_rule_file(tmp_path, patterns))).joined("line")

    assert joined([r"(?P<w>\w+) (?P=w)"]) is None  # a back-reference by name
    assert joined([r"(\w+) \1", "x"]) is None  # by number
    assert joined([r"x", r"(?i)y"]) is None  # a global flag not at the start once joined
    both = joined([r"(?P<date>\d{4}) x", r"(?P<date>\d{2}) y"])  # the same group name twice
    assert both is not None and both.fullmatch("2025 x") and both.fullmatch("25 y")
    assert not both.fullmatch("2025 y")


def test_rules_for_a_text_are_none_or_all_in_order(tmp_path):
    from analysis.text.lexicons import CleaningLexicons

    def lexicons(patterns):
        return CleaningLexicons(load_rules(_rule_file(tmp_path, patterns)))

    joinable = lexicons([r"(?P<date>\d{4}) x", r"kata \w+"])
    rules = joinable.scoped("line")
    assert len(rules) == 2
    assert joinable.rules_for("line", "2025 x", "fullmatch") == rules
    assert joinable.rules_for("line", "kata dia", "fullmatch") == rules
    assert joinable.rules_for("line", "kata dia lagi", "fullmatch") == ()
    assert joinable.rules_for("line", "lalu kata dia lagi", "search") == rules
    assert joinable.rules_for("line", "lalu kata", "match") == ()
    assert joinable.rules_for("nothing", "2025 x", "search") == ()  # a scope without rules
    unjoinable = lexicons([r"(\w+) \1", "x"])  # a back-reference: every rule is tried
    assert unjoinable.rules_for("line", "y", "fullmatch") == unjoinable.scoped("line")
