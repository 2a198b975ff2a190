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
        "lotus_canonical": "«Цветок лотоса»: канонический вид (тема, лепестки и их блоки)",
        "swot_title": "SWOT-анализ", "force_field_title": "Силовое поле",
        "no_scores": "силы не оценены баллами: сумм и баланса нет",
        "theme": "Тема",
        # the sensitivity analysis and the raters' comparison (our wording in both languages)
        "p_holds": "P(утверждение верно)", "half_width": "полуширина шума h (баллы)",
        "model_uniform": "равномерный ±h", "model_integer": "целочисленный", "model_ordinal": "порядковый (SMAA-O)",
        "model_dirichlet": "веса Дирихле", "band_interval": "95-процентный интервал (где не виден, уже линии)",
        "reference_level": "модели без ширины: опорные уровни",
        "at_published": "опубликованные баллы (h = 0)",
        "robustness_title": "Насколько устойчиво каждое утверждение к шуму в баллах",
        "net_axis": "чистая сила (движущие − сопротивления)", "draws": "число испытаний",
        "net_title": "Чистая сила под шумом: {n} испытаний",
        "convergence_title": "Сходимость: текущая оценка P(утверждение верно) по мере роста числа испытаний",
        "p_driving_wins": "P(перевешивают движущие)", "p_restraining_wins": "P(перевешивают силы сопротивления)",
        "p_tie": "P(силы равны)", "published_net": "опубликованная чистая сила {net}", "zero_line": "0: силы равны",
        "tornado_title": "Чистая сила, когда один балл пробегает всю шкалу {scale} (остальные — как опубликованы)",
        "tornado_note": ("Чистая сила — простая сумма, поэтому каждая полоса длиной во всю шкалу ({width}); "
                         "полосы различаются запасом балла вверх и вниз."),
        "score_at_min": "балл на минимуме шкалы ({value})", "score_at_max": "балл на максимуме шкалы ({value})",
        "rank_title": "Приемлемость рангов (SMAA-2): вероятность каждого места внутри своей стороны",
        "rank": "место", "impossible_rank": "нет такого места",
        "drop_title": "Исключение одной силы: чистая сила без неё",
        "without": "без {id}", "driving_wins": "перевешивают движущие", "restraining_wins": "перевешивают силы сопротивления",
        "tie": "силы равны", "compare_title": "Баллы: опубликованные и экспертов", "published": "опубликовано",
        "score_axis": "балл", "side_driving": "движущая", "side_restraining": "сопротивления",
        # what each noise model assumes and cannot show (our wording)
        "assumes_uniform": ("каждый балл может ошибаться не более чем на ±h, любая ошибка в этих пределах "
                            "равновероятна и не зависит от других; значение за пределами шкалы прижимается к её краю, "
                            "поэтому балл на краю шкалы может сдвинуться только внутрь. Модель не показывает ошибок "
                            "больше h и согласованных ошибок экспертов."),
        "assumes_integer": ("эксперт заново ставит балл на целых делениях шкалы: балл округляется до деления "
                            "(половина — вверх), затем сдвигается на одно деление вниз, остаётся или сдвигается вверх "
                            "с вероятностями 1/4, 1/2, 1/4, независимо для каждой силы. Модель не показывает "
                            "расхождений больше одного деления и баллов между делениями."),
        "assumes_ordinal": ("доверяют только порядку всех сил обеих сторон на общей шкале (SMAA-O): значения "
                            "равномерны на шкале, упорядочиваются и раздаются в опубликованном порядке. Модель не может "
                            "изменить порядок: утверждение о порядке сил верно (или неверно) в каждом испытании, кроме "
                            "сил с равными опубликованными баллами (они идут в любом порядке); меняться могут только "
                            "суммы."),
        "assumes_dirichlet": ("баллы — относительные веса: высота каждого балла над низом шкалы умножается на "
                              "случайный вес (распределение Дирихле с параметрами 1, среднее 1), испытание сжимается "
                              "целиком, если выходит за верх шкалы. Модель не учитывает абсолютного уровня баллов, и "
                              "испытания далеко от опубликованных баллов так же вероятны, как близкие."),
        # the method's default claims (repro.methods.claims), our wording
        "claim_driving_outweighs": "движущие силы перевешивают силы сопротивления (сумма баллов)",
        "claim_restraining_outweighs": "силы сопротивления перевешивают движущие силы (сумма баллов)",
        "claim_strongest_driving": "{force} — сильнейшая движущая сила",
        "claim_weakest_driving": "{force} — слабейшая движущая сила",
        "claim_strongest_restraining": "{force} — сильнейшая сила сопротивления",
        "claim_weakest_restraining": "{force} — слабейшая сила сопротивления",
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
        "lotus_canonical": "Lotus flower: canonical view (theme, petals and their blocks)",
        "swot_title": "SWOT analysis", "force_field_title": "Force field",
        "no_scores": "the forces carry no scores: no totals, no balance",
        "theme": "Theme",
        # the sensitivity analysis and the raters' comparison
        "p_holds": "P(claim holds)", "half_width": "noise half-width h (score points)",
        "model_uniform": "uniform ±h", "model_integer": "integer re-scoring", "model_ordinal": "ordinal (SMAA-O)",
        "model_dirichlet": "Dirichlet weights", "band_interval": "95 % interval (where unseen, narrower than the line)",
        "reference_level": "models without a width: reference levels",
        "at_published": "the published scores (h = 0)",
        "robustness_title": "How robust is each claim to noise in the scores?",
        "net_axis": "net force (driving − restraining)", "draws": "draws",
        "net_title": "Net force under noise: {n} draws",
        "convergence_title": "Convergence: the running estimate of P(claim holds) as the draws grow",
        "p_driving_wins": "P(driving side wins)", "p_restraining_wins": "P(restraining side wins)",
        "p_tie": "P(tie)", "published_net": "published net {net}", "zero_line": "0: the sides balance",
        "tornado_title": "Net force as one score runs over the whole scale {scale} (the others as published)",
        "tornado_note": ("The net force is a plain sum, so every bar is as long as the scale is wide ({width}); "
                         "the bars differ in how much room each score has up and down."),
        "score_at_min": "score at the scale's minimum ({value})", "score_at_max": "score at the scale's maximum ({value})",
        "rank_title": "Rank acceptability (SMAA-2): probability of each place within its side",
        "rank": "place", "impossible_rank": "no such place",
        "drop_title": "Drop one force at a time: the net force without it",
        "without": "without {id}", "driving_wins": "driving side wins", "restraining_wins": "restraining side wins",
        "tie": "the sides balance", "compare_title": "Scores: the published ones and the raters'", "published": "published",
        "score_axis": "score", "side_driving": "driving", "side_restraining": "restraining",
        "assumes_uniform": ("each score is off by up to ±h, every error within that equally likely and independent "
                            "of the others; a draw beyond the scale is clipped to its end, so a score at a bound can "
                            "only move inward. It cannot show errors larger than h, nor raters who err together."),
        "assumes_integer": ("a rater re-scores on the scale's whole-unit points: the score rounded to a point (a half "
                            "up), then one step down, none or one up with probabilities 1/4, 1/2, 1/4, independently "
                            "per force. It cannot show disagreements of more than one step, nor scores between points."),
        "assumes_ordinal": ("only the order of all forces, both sides together on the shared scale, is trusted "
                            "(SMAA-O): the values are uniform on the scale, sorted and handed out in the published "
                            "order. It cannot move an order: a claim about the order of forces holds (or fails) in every "
                            "draw, forces tied in the published scores excepted (they come in either order); only sums "
                            "can change."),
        "assumes_dirichlet": ("the scores are relative importances: each score's height above the scale's bottom is "
                              "multiplied by a random weight (Dirichlet with parameters 1, mean 1), the draw scaled down "
                              "as a whole where it would pass the top. It ignores the scores' absolute level, and draws "
                              "far from the published scores are as likely as near ones."),
        "claim_driving_outweighs": "the driving side outweighs the restraining side (sum of scores)",
        "claim_restraining_outweighs": "the restraining side outweighs the driving side (sum of scores)",
        "claim_strongest_driving": "{force} is the strongest driving force",
        "claim_weakest_driving": "{force} is the weakest driving force",
        "claim_strongest_restraining": "{force} is the strongest restraining force",
        "claim_weakest_restraining": "{force} is the weakest restraining force",
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
