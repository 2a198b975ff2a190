"""Words on the figures and in the report, from the message catalogues (:mod:`repro.i18n`).

``label(key, lang)`` is the figures' and tables' entry point: the message ``key`` in ``lang``. Where
the article prints a heading (Table 1's quadrant names, Table 2's column names), the Russian message
is that heading verbatim; every other message, in either language, is our wording.
"""

from __future__ import annotations

import pandas as pd

from repro.i18n import LANGS, check_lang, gettext

__all__ = ["LANGS", "check_lang", "label", "item_text"]


def label(key: str, lang: str, **fields) -> str:
    """The message ``key`` in ``lang`` (fields, if given, filled in)."""
    return gettext(lang, key, **fields)


def item_text(table: pd.DataFrame, lang: str) -> pd.Series:
    """The text of each row in ``lang``: the original for 'ru'; for 'en' our translation where there
    is one, else the original (an English-only analysis keeps its English ``text``)."""
    if check_lang(lang) == "en" and "text_en" in table:
        return table["text_en"].where(table["text_en"].astype(str) != "", table["text"])
    return table["text"]
