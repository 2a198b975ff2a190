"""The message catalogues and the numbers' formats (repro.i18n): every catalogue complete, plurals by
each language's rules, Russian typography (decimal comma, true minus, narrow spaces in thousands),
English with a decimal point. Expected strings are written out by hand beside each case."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from repro import i18n
from repro.i18n import (MINUS, NARROW_NBSP, format_interval, format_number, format_percent, format_probability,
                        gettext, ngettext, tick_formatter)


def _entries(lang):
    """Every message of ``lang``'s catalogue but the header: {key: message}."""
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in i18n.read_catalogue(lang) if m.id}


def test_both_languages_have_a_catalogue_and_lang_is_checked():
    assert {"ru", "en"} <= set(i18n.LANGS)
    with pytest.raises(ValueError, match="lang must be one of"):
        gettext("de", "score")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_message_is_translated_in_every_catalogue(lang):
    """A catalogue lacking a message, or holding an empty, fuzzy or surplus one, fails here."""
    reference = _entries("en")
    entries = _entries(lang)
    assert sorted(set(reference) - set(entries)) == [], f"{lang} lacks these messages"
    assert sorted(set(entries) - set(reference)) == [], f"{lang} has messages English lacks"
    plural_count = i18n.read_catalogue(lang).num_plurals
    for key, message in entries.items():
        assert not message.fuzzy, (lang, key)
        assert message.pluralizable == reference[key].pluralizable, (lang, key)
        strings = list(message.string) if message.pluralizable else [message.string]
        if message.pluralizable:
            assert len(strings) == plural_count, (lang, key)
        assert all(s.strip() for s in strings), f"{lang}: {key} is not translated"
        # a translation uses only fields the code fills (those of the English message); it may leave one
        # out where its grammar says it otherwise (a bare number instead of "3 forces")
        english = reference[key].string
        english_fields = set().union(*(i18n.fields_of(e) for e in (english if message.pluralizable else [english])))
        for s in strings:
            assert i18n.fields_of(s) <= english_fields, (lang, key, s)


def test_a_message_no_catalogue_has_is_an_error_not_a_key_shown_to_a_reader():
    with pytest.raises(i18n.MissingMessage):
        gettext("ru", "no_such_message")
    with pytest.raises(i18n.MissingMessage):
        ngettext("ru", "score", 3)          # a message without plural forms


def test_messages_fill_their_fields():
    assert gettext("en", "without", id="D1") == "without D1"
    assert gettext("ru", "without", id="D1") == "без D1"


@pytest.mark.parametrize("n, expected", [
    (1, "1 испытание"), (2, "2 испытания"), (4, "4 испытания"), (5, "5 испытаний"), (11, "11 испытаний"),
    (12, "12 испытаний"), (14, "14 испытаний"), (21, "21 испытание"), (22, "22 испытания"), (25, "25 испытаний"),
    (101, "101 испытание"), (111, "111 испытаний"), (0, "0 испытаний"),
    (100_000, f"100{NARROW_NBSP}000 испытаний"), (100_001, f"100{NARROW_NBSP}001 испытание"),
])
def test_russian_plurals_are_one_few_many(n, expected):
    assert ngettext("ru", "n_draws", n) == expected


@pytest.mark.parametrize("n, expected", [(1, "1 draw"), (2, "2 draws"), (0, "0 draws"), (21, "21 draws"),
                                         (100_000, "100,000 draws")])
def test_english_plurals_are_one_other(n, expected):
    assert ngettext("en", "n_draws", n) == expected


@pytest.mark.parametrize("value, decimals, ru, en", [
    (3.2, None, "3,2", "3.2"),
    (11.3, None, "11,3", "11.3"),
    (0.6, None, "0,6", "0.6"),
    (-0.2, None, f"{MINUS}0,2", f"{MINUS}0.2"),
    (5, None, "5", "5"),
    (5.0, None, "5", "5"),
    (0.1 + 0.2, None, "0,3", "0.3"),               # 0.30000000000000004: at most six decimals
    (0.9826, 2, "0,98", "0.98"),
    (0.657, 3, "0,657", "0.657"),
    (2, 1, "2,0", "2.0"),
    (-0.0001, 2, "0,00", "0.00"),                   # rounds to zero: no minus on a zero
    (5000, None, "5000", "5,000"),                  # Russian leaves four digits whole
    (100000, None, f"100{NARROW_NBSP}000", "100,000"),
    (-12345.5, 1, f"{MINUS}12{NARROW_NBSP}345,5", f"{MINUS}12,345.5"),
    (float("nan"), None, "NaN", "NaN"),
])
def test_numbers_in_each_language(value, decimals, ru, en):
    assert format_number(value, "ru", decimals) == ru
    assert format_number(value, "en", decimals) == en


def test_numpy_scalars_and_signed_changes():
    import numpy as np
    assert format_number(np.float64(3.2), "ru") == "3,2"
    assert format_number(np.int64(-3), "ru") == f"{MINUS}3"
    assert format_number(0.5, "ru", signed=True) == "+0,5"
    assert format_number(-0.5, "en", signed=True) == f"{MINUS}0.5"


def test_probabilities_percentages_and_intervals():
    assert format_probability(0.65712, "ru") == "0,657"
    assert format_probability(0.65712, "en") == "0.657"
    assert format_percent(0.342, "ru") == "34,2\u00a0%"
    assert format_percent(0.342, "en") == "34.2%"
    assert format_interval(0.339, 0.345, "ru", 3) == "0,339–0,345"
    assert format_interval(0.339, 0.345, "en", 3) == "0.339–0.345"
    assert format_interval(0.339, 0.345, "ru", percent=True) == "33,9\u00a0%–34,5\u00a0%"
    # a dash beside a minus reads as a subtraction: words instead
    assert format_interval(-0.2, 0.3, "ru") == f"от {MINUS}0,2 до 0,3"
    assert format_interval(-0.2, 0.3, "en") == f"{MINUS}0.2 to 0.3"


def test_tick_formatter_writes_the_axis_in_the_language():
    figure, ax = plt.subplots()
    try:
        ax.set_xlim(-0.5, 1)
        ax.set_xticks([-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1])
        ax.xaxis.set_major_formatter(tick_formatter("ru"))
        figure.canvas.draw()
        shown = [t.get_text() for t in ax.get_xticklabels()]
        assert shown == [f"{MINUS}0,50", f"{MINUS}0,25", "0,00", "0,25", "0,50", "0,75", "1,00"]
        ax.xaxis.set_major_formatter(tick_formatter("en", decimals=1))
        figure.canvas.draw()
        assert [t.get_text() for t in ax.get_xticklabels()][:2] == [f"{MINUS}0.5", f"{MINUS}0.2"]
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1])
        ax.xaxis.set_major_formatter(tick_formatter("ru", percent=True))
        figure.canvas.draw()
        assert [t.get_text() for t in ax.get_xticklabels()] == ["0\u00a0%", "50\u00a0%", "100\u00a0%"]
    finally:
        plt.close(figure)
