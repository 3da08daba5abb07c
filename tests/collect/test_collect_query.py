"""The Media Cloud-style Boolean relevance query: syntax, word-boundary matching, clear errors."""

from __future__ import annotations

import pytest

from analysis.collect.query import parse_query, words_of
from analysis.core.errors import UserError

TEXT = (
    "Pemerintah Kota Bekasi dan Pemprov DKI Jakarta menandatangani kerja sama pengelolaan "
    "sampah. Wali kota menyebut kerja-sama itu penting bagi warga BEKASI."
)
SISTER = "Jakarta dan Kuala Lumpur memperbarui perjanjian sister city; kerjasamanya diperluas."


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ('"kerja sama" AND (Bekasi OR Depok OR "sister city")', TEXT, True),
        ('"kerja sama" AND (Bekasi OR Depok OR "sister city")', SISTER, False),  # no "kerja sama"
        ('"sister city" OR "kota kembar"', SISTER, True),
        ("bekasi", TEXT, True),  # case-insensitive
        ("Beka", TEXT, False),  # whole words only
        ("Beka*", TEXT, True),  # prefix wildcard
        ("kerjasama*", SISTER, True),
        ("kerjasama", SISTER, False),  # "kerjasamanya" is another word
        ('"kerja sama"', "kerja-sama", True),  # punctuation separates words
        ('"kerja sama"', "kerjasama", False),
        ("Bekasi Jakarta", TEXT, True),  # side by side = AND
        ("Bekasi Depok", TEXT, False),
        ("Bekasi NOT Depok", TEXT, True),  # a NOT b = a AND NOT b
        ("Bekasi NOT sampah", TEXT, False),
        ("NOT Depok", TEXT, True),
        ("NOT NOT Bekasi", TEXT, True),
        ("Depok OR Bogor OR Bekasi AND sampah", TEXT, True),  # AND binds tighter than OR
        ("(Depok OR Bogor OR Bekasi) AND banjir", TEXT, False),
        ("Bekasi and Depok", TEXT, False),  # lower-case 'and' is a word to match
        ('"Kuala Lumpur" AND (perjanjian OR MoU) AND NOT Bekasi', SISTER, True),
    ],
)
def test_matching(query, text, expected):
    assert parse_query(query).matches(text) is expected


def test_canonical_form_shows_precedence():
    assert str(parse_query('a OR b c AND NOT "d e"')) == '(a OR (b AND c AND NOT "d e"))'


def test_words_of_is_casefolded_unicode_words():
    assert words_of("Kafé, KÖLN-Bonn 2025!") == ["kafé", "köln", "bonn", "2025"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "the query is empty"),
        ("   ", "the query is empty"),
        ('"kerja sama AND Bekasi', "the quote at character 1 is never closed"),
        ("(Bekasi OR Depok", "the '(' at character 1 is never closed"),
        ("Bekasi OR Depok)", "unexpected ')' with no '(' before it at character 16"),
        ("Bekasi AND", "'AND' needs a term after it at the end"),
        ("OR Bekasi", "OR needs a term before it at character 1"),
        ("Bekasi AND OR Depok", "OR needs a term before it at character 12"),
        ("NOT", "'NOT' needs a term after it"),
        ("()", "a term is missing before ')' at character 2"),
        ('Bekasi AND ""', "an empty phrase at character 12"),
        ("Bekasi AND ***", "the term '***' has no letters or digits"),
    ],
)
def test_malformed_queries_name_the_problem_and_where(query, message):
    with pytest.raises(UserError) as info:
        parse_query(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
