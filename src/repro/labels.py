"""Words on the figures and in the report, in Russian (as published) and English (ours).

Where the article prints a heading (Table 1's quadrant names, Table 2's column names), the Russian
label is that heading verbatim.
"""

from __future__ import annotations

import pandas as pd

LANGS = ("ru", "en")

LABELS = {
    "ru": {
        "S": "Сильные стороны (S)", "W": "Слабые стороны (W)", "O": "Возможности (O)", "T": "Угрозы (T)",
        "helpful": "полезные", "harmful": "вредные", "internal": "внутренние", "external": "внешние",
        "driving": "Движущие силы", "restraining": "Силы сопротивления", "changes": "Предлагаемые изменения",
        "score": "Баллы", "present_state": "текущее состояние",
        "driving_total": "Сумма движущих сил", "restraining_total": "Сумма сил сопротивления",
        "net": "Чистая сила (движущие − сопротивления)",
        "verdict_driving": "по правилу сумм перевешивают движущие силы",
        "verdict_restraining": "по правилу сумм перевешивают силы сопротивления",
        "verdict_tie": "по правилу сумм силы равны",
        "becomes": "→", "proposals": "предложений", "of": "из",
        "lotus_published": "«Цветок лотоса»: опубликованная раскладка",
        "lotus_canonical": "«Цветок лотоса»: канонический вид 9×9",
        "swot_title": "SWOT-анализ", "force_field_title": "Силовое поле",
        "no_scores": "силы не оценены баллами: сумм и баланса нет",
    },
    "en": {
        "S": "Strengths (S)", "W": "Weaknesses (W)", "O": "Opportunities (O)", "T": "Threats (T)",
        "helpful": "helpful", "harmful": "harmful", "internal": "internal", "external": "external",
        "driving": "Driving forces", "restraining": "Restraining forces", "changes": "Proposed changes",
        "score": "Score", "present_state": "present state",
        "driving_total": "Driving total", "restraining_total": "Restraining total",
        "net": "Net force (driving − restraining)",
        "verdict_driving": "by the sum rule the driving side wins",
        "verdict_restraining": "by the sum rule the restraining side wins",
        "verdict_tie": "by the sum rule the sides balance",
        "becomes": "→", "proposals": "proposals", "of": "of",
        "lotus_published": "Lotus flower: published layout",
        "lotus_canonical": "Lotus flower: canonical 9×9 view",
        "swot_title": "SWOT analysis", "force_field_title": "Force field",
        "no_scores": "the forces carry no scores: no totals, no balance",
    },
}

#: Marks text that is this package's translation.
TRANSLATION_NOTE = "English translations are ours, not the authors'."


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def label(key: str, lang: str) -> str:
    return LABELS[check_lang(lang)][key]


def item_text(table: pd.DataFrame, lang: str) -> pd.Series:
    """The text of each row in ``lang``: the original for 'ru'; for 'en' our translation where there
    is one, else the original (an English-only analysis keeps its English ``text``)."""
    if check_lang(lang) == "en" and "text_en" in table:
        return table["text_en"].where(table["text_en"].astype(str) != "", table["text"])
    return table["text"]
