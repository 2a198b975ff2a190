"""Words and numbers in the reader's language: message catalogues and locale-aware number formats.

Every word the package shows a reader comes from a gettext catalogue shipped inside the package,
``repro/locale/<lang>/LC_MESSAGES/repro.po``, read directly (no compile step) with Babel. A message's
id is a short key (``verdict_driving``); each catalogue, English included, gives its text, so a
catalogue is complete or a test fails. Plural forms follow the catalogue's own ``Plural-Forms``
header (CLDR's rules, as ``pybabel init`` writes them: Russian has one, few and many). Adding a
language is adding one catalogue (README, "Translating").

Numbers a reader sees are formatted by Babel for the language's locale: Russian gets a decimal comma,
a true minus sign (U+2212) and a narrow no-break space between thousands (from 10 000 on, as Russian
editors group: 5000 but 10 000); English gets a decimal point, the same minus sign and a comma
between thousands. Files that machines read (CSV, JSON) never go through here: they keep a decimal
point in every language.
"""

from __future__ import annotations

import io
import math
import numbers
import re
from decimal import Decimal, localcontext
from functools import lru_cache
from importlib import resources

from babel.numbers import format_decimal

#: The text domain: the catalogues' file name.
DOMAIN = "repro"
#: The true minus sign, for every language (a hyphen is not a minus).
MINUS = "\u2212"
#: Russian typography groups thousands with a narrow space that does not break.
NARROW_NBSP = "\u202f"
#: The most decimals :func:`format_number` shows when it chooses them itself.
MAX_DECIMALS = 6


def _locale_root():
    return resources.files("repro") / "locale"


def available_languages() -> tuple[str, ...]:
    """The languages that have a catalogue, sorted ('en', 'ru', ...)."""
    root = _locale_root()
    return tuple(sorted(entry.name for entry in root.iterdir()
                        if (entry / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()))


#: Every language the package speaks: one per catalogue.
LANGS = available_languages()


def check_lang(lang: str) -> str:
    """``lang`` if a catalogue speaks it, else ValueError naming the languages there are."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def catalogue_path(lang: str):
    """Where ``lang``'s catalogue is (a Traversable inside the package)."""
    return _locale_root() / check_lang(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def read_catalogue(lang: str):
    """``lang``'s catalogue as a :class:`babel.messages.catalog.Catalog` (read once per process)."""
    from babel.messages.pofile import read_po  # imported on first use: loading and validating data need none of it

    with catalogue_path(lang).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


@lru_cache(maxsize=None)
def translations(lang: str):
    """``lang``'s catalogue as gettext translations (:class:`babel.support.Translations`, compiled in
    memory: the .po is the only file)."""
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(lang))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class MissingMessage(KeyError):
    """A message id that ``lang``'s catalogue does not translate (a bug: the catalogue tests catch it)."""


def gettext(lang: str, msgid: str, **fields) -> str:
    """The message ``msgid`` in ``lang``, its ``{name}`` fields filled from ``fields`` (if any).

    Raises :class:`MissingMessage` rather than showing the key to a reader.
    """
    catalogue = translations(check_lang(lang))
    text = catalogue.gettext(msgid)
    if text == msgid and msgid not in read_catalogue(lang):
        raise MissingMessage(f"no message {msgid!r} in the {lang} catalogue")
    return text.format(**fields) if fields else text


def ngettext(lang: str, msgid: str, n: int, **fields) -> str:
    """The plural message ``msgid`` for the count ``n`` in ``lang`` (Russian: one, few or many form,
    by the catalogue's ``Plural-Forms``), its fields filled.

    ``n`` is a field too (``{n}``), written as a number in ``lang`` (``100 000``). In the catalogue
    the entry's ``msgid_plural`` repeats the key.
    """
    catalogue = translations(check_lang(lang))
    entry = read_catalogue(lang).get(msgid)
    if entry is None or not entry.pluralizable:
        raise MissingMessage(f"no plural message {msgid!r} in the {lang} catalogue")
    text = catalogue.ngettext(msgid, msgid, n)
    return text.format(**{"n": format_number(n, lang), **fields})


def _decimal(value) -> Decimal:
    """``value`` as the decimal a reader expects: a float's shortest repr (0.1 is 0.1, not 0.1000…0555)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def format_number(value, lang: str, decimals: int | None = None, *, signed: bool = False) -> str:
    """``value`` as a reader of ``lang`` writes it.

    Parameters
    ----------
    value
        A number (int, float, Decimal, numpy scalar). NaN and infinities are written as such.
    lang
        ``ru``: ``3,2``, ``−0,2``, ``100 000`` (a narrow no-break space, from 10 000 on);
        ``en``: ``3.2``, ``−0.2``, ``100,000``.
    decimals
        Fixed number of decimals (rounded half to even on the decimal the value prints as);
        None shows as many as the value needs (``3.2``, ``5``, ``0.02857``), at most
        :data:`MAX_DECIMALS`.
    signed
        Write a plus sign on positive numbers (``+0,5``), for changes.

    Examples
    --------
    >>> format_number(3.2, "ru"), format_number(-0.2, "en"), format_number(100000, "ru")
    ('3,2', '−0.2', '100\u202f000')
    """
    lang = check_lang(lang)
    exact = _decimal(value)
    if not exact.is_finite():
        return "NaN" if exact.is_nan() else (MINUS if exact < 0 else "") + "∞"
    with localcontext(prec=80):      # a quantum never runs out of digits, whatever the magnitude
        return _format_finite(exact, lang, decimals, signed)


def _format_finite(exact: Decimal, lang: str, decimals: int | None, signed: bool) -> str:
    if decimals is None:
        # as many decimals as the shortest repr has, at most MAX_DECIMALS, trailing zeros dropped
        shown = exact.quantize(Decimal(1).scaleb(-MAX_DECIMALS)).normalize()
        decimals = max(-shown.as_tuple().exponent, 0)
    quantised = exact.quantize(Decimal(1).scaleb(-decimals))
    negative = quantised < 0 and quantised != 0
    magnitude = abs(quantised)
    group = magnitude >= 10_000 or lang != "ru"   # Russian editors leave four digits whole: 5000
    pattern = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(magnitude, format=pattern, locale=lang, decimal_quantization=True)
    if lang == "ru":
        # CLDR's Russian group symbol is a no-break space; the narrow one is what typesetters use.
        text = text.replace("\xa0", NARROW_NBSP)
    sign = MINUS if negative else ("+" if signed and quantised > 0 else "")
    return sign + text


def format_probability(p, lang: str, decimals: int = 3) -> str:
    """A probability as a number between 0 and 1 (``0,657`` in Russian, ``0.657`` in English)."""
    return format_number(p, lang, decimals)


def format_percent(p, lang: str, decimals: int = 1) -> str:
    """A proportion ``p`` as a percentage: ``34,2 %`` (Russian, a no-break space), ``34.2%`` (English)."""
    text = format_number(Decimal(repr(float(p))) * 100, lang, decimals)
    return gettext(lang, "percent", value=text)


def format_interval(low, high, lang: str, decimals: int | None = None, *, percent: bool = False) -> str:
    """An interval ``low``-``high`` in ``lang``: ``0,655–0,659``; with a negative end, words instead of
    a dash (``от −0,2 до 0,3``, ``−0.2 to 0.3``), since a dash beside a minus reads as a subtraction.

    ``percent`` formats both ends as percentages (:func:`format_percent`).
    """
    def number(v):
        return format_percent(v, lang, 1 if decimals is None else decimals) if percent else format_number(v, lang, decimals)
    if float(low) < 0 or float(high) < 0:
        return gettext(lang, "interval_words", low=number(low), high=number(high))
    return gettext(lang, "interval_dash", low=number(low), high=number(high))


def format_scale(scale, lang: str) -> str:
    """A scale (``.minimum``, ``.maximum``) as a range in ``lang``: ``0–5``, ``от −3 до 3``."""
    return format_interval(scale.minimum, scale.maximum, lang)


def format_plus_minus(value, error, lang: str, decimals: int | None = None) -> str:
    """``value ± error`` in ``lang`` (``0,657 ± 0,002``)."""
    return f"{format_number(value, lang, decimals)} ± {format_number(error, lang, decimals)}"


def _decimals_needed(values, limit: int = MAX_DECIMALS) -> int:
    """The fewest decimals that write every one of ``values`` exactly (to 1e-9), at most ``limit``."""
    for decimals in range(limit + 1):
        if all(abs(v - round(v, decimals)) < 1e-9 * max(1.0, abs(v)) for v in values):
            return decimals
    return limit


@lru_cache(maxsize=None)
def _formatter_class():
    """matplotlib's Formatter subclass, made on first use (importing :mod:`repro.i18n` leaves
    matplotlib unimported, so that loading and validating data stay quick)."""
    from matplotlib import ticker

    class LocaleFormatter(ticker.Formatter):
        """Tick labels in ``lang`` (decimal comma and true minus in Russian), one number of decimals for
        all the ticks of an axis (``0,00 0,25 0,50``), as matplotlib's own formatter does."""

        def __init__(self, lang: str, decimals: int | None = None, percent: bool = False):
            self.lang, self.decimals, self.percent = check_lang(lang), decimals, percent
            self._shown = decimals

        def set_locs(self, locs):
            super().set_locs(locs)
            if self.decimals is None:
                view = [float(v) for v in locs if math.isfinite(v)]
                if self.axis is not None:
                    low, high = sorted(self.axis.get_view_interval())
                    view = [v for v in view if low - 1e-9 <= v <= high + 1e-9] or view
                self._shown = _decimals_needed([v * 100 if self.percent else v for v in view])

        def __call__(self, x, pos=None):
            decimals = self._shown if self._shown is not None else _decimals_needed([x * 100 if self.percent else x])
            if self.percent:
                return format_percent(x, self.lang, decimals)
            return format_number(x, self.lang, decimals)

    return LocaleFormatter


def tick_formatter(lang: str, decimals: int | None = None, *, percent: bool = False):
    """A matplotlib tick formatter that writes numbers in ``lang`` (``ax.xaxis.set_major_formatter``).

    ``decimals`` fixes the decimals; None picks, per axis, the fewest that write every tick exactly.
    ``percent`` writes proportions (0.25) as percentages (``25 %``).
    """
    return _formatter_class()(lang, decimals, percent)


_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def text_language(texts) -> str:
    """The language of ``texts`` as the package can tell it from their script: ``ru`` when they hold
    more Cyrillic letters than Latin ones, else ``en``. (Ids and numbers count for neither.)"""
    joined = " ".join(str(t) for t in texts)
    return "ru" if len(_CYRILLIC.findall(joined)) > len(_LATIN.findall(joined)) else "en"


def format_list(items, lang: str) -> str:
    """Items joined as a sentence of ``lang`` joins them (CLDR's list patterns): 'D2 and D3', 'D2, D3 и D4'."""
    from babel.lists import format_list as babel_list

    return babel_list([str(i) for i in items], locale=check_lang(lang))


_FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def fields_of(text: str) -> set[str]:
    """The ``{name}`` fields of a message (what a translation must keep)."""
    return {m.group(1) for m in _FIELD.finditer(text.replace("{{", "").replace("}}", ""))}
