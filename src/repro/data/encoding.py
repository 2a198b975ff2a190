"""Which encoding a CSV file's bytes are in, decided on evidence, or why it cannot be told.

A spreadsheet saves text as UTF-8 (Excel's "CSV UTF-8" adds a byte-order mark), as UTF-16 with a
byte-order mark (Excel's "Unicode text"), or in the code page of the computer's language: Windows-1251
(Russian Windows), Windows-1252 (Western European Windows) or, from older tools, KOI8-R. The three
code pages decode any byte, so "it decodes" proves nothing; they are told apart as follows.

1. A byte-order mark decides (UTF-8 or UTF-16).
2. Bytes that are valid UTF-8 are UTF-8: Cyrillic or accented text in a code page practically never
   forms valid UTF-8 sequences. Bytes that are *almost* all valid UTF-8 are a UTF-8 file with damaged
   bytes, refused where the damage is.
3. Otherwise each code page's reading is judged as text (:func:`implausible_words`): a reading
   that makes a word mix Latin and Cyrillic letters ("Cafй"), change case inside a word
   ("дОВЕРИЕ"), spell a long Latin word mostly in accented letters ("Äîâåðèå"), put a sign inside a
   word ("d‚favorable"), or hold box-drawing signs is not text anyone typed, and rules its code page
   out; so does a reading with fewer than :data:`MIN_LETTERS` letters outside ASCII (too little to
   tell). If the readings left differ, charset-normalizer (a maintained detector, limited here to
   these candidates) weighs how well their letters match a language's letter frequencies; a clear
   winner decides, anything closer is refused.

Every refusal says how to save the file as UTF-8, so that nothing has to be guessed. The rules were
measured on 60,000 random tables of one to four items of real Russian, French and German words,
saved in each accepted encoding and in Mac Cyrillic, Mac Roman, DOS (CP866, CP850), ISO-8859-5,
UTF-16 without a byte-order mark and UTF-32: none was misread; about 1.5 % of the Windows-1251 and
KOI8-R tables, and 40 % of the Windows-1252 ones (a few accented letters are little evidence), were
refused. tests/test_encodings.py keeps this as property tests.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

#: The code pages a spreadsheet may save in, tried in this order, with the names users know them by.
CODE_PAGES = {"cp1251": "Windows-1251 (Cyrillic)", "cp1252": "Windows-1252 (Western European)",
              "koi8_r": "KOI8-R (Cyrillic)"}

#: How to save a sheet as UTF-8 in the two spreadsheets students use (said with every refusal).
SAVE_AS_UTF8 = ("Save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'; in "
                "LibreOffice Calc, File > Save As > 'Text CSV (.csv)' with 'Edit filter settings' ticked, "
                "then Character set 'Unicode (UTF-8)'.")

#: How much better (in charset-normalizer's coherence, 0 to 1) the best reading's letters must match a
#: language than the next reading's to be taken, where the word rules leave two readings. Measured on
#: random tables of Russian words (1 to 30 words) read as Windows-1251 and as KOI8-R: below about 70
#: letters the wrong reading sometimes scored higher, by up to 0.18; 0.25 refuses those.
COHERENCE_MARGIN = 0.25

_VALID_UTF8 = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")
_LETTERS = re.compile(r"[^\W\d_]+")
#: A non-ASCII character between two letters; a word holds only letters, marks and these joins (an
#: apostrophe as in l’été, hyphens, the Catalan middle dot, a soft hyphen).
_SIGN_IN_WORD = re.compile(r"([^\W\d_])([^\x00-\x7f])(?=[^\W\d_])")
_JOINS_WORDS = "\u2019\u02bc\u2010\u2011\u00b7\u00ad"
#: Signs no text puts right before a letter or right after one (‚, the German single low quote, is
#: taken as a sign: DOS's é read as Windows-1251), and English opening quotes followed
#: by a space or by a small Cyrillic letter, and ’ starting a Cyrillic word (where a Mac's Cyrillic
#: capitals С, У, Т read as Windows-1251 give them; ’ is an apostrophe only between letters);
#: guillemets and „ are left alone, as French and Russian typography use them so.
_SIGN_BEFORE_LETTER = re.compile("[…†‡€‰•–—™›»”‚¤¦§¶¬¯±µ¢£¥©®¹²³¼½¾×÷ƒˆ˜´¸¨][^\\W\\d_]"
                                 "|[^\\W\\d_][—–†‡•€‰¤¦¶¬¯¢¥‹‘‚„]"
                                 "|[‘“‹](?:\\s|[а-яё])"
                                 "|(?<![^\\W\\d_])’[а-яёА-ЯЁ]")
#: What no Russian word holds: ь or ъ first or after a vowel; and a word of three small letters or
#: more needs a vowel (abbreviations are written in capitals). The readings of KOI8-R and
#: Windows-1251 text in the wrong one of the two break these rules at once.
_VOWELS = re.compile("[аеёиіоуыэюя]")
_NOT_RUSSIAN = re.compile("^[ьъ]|[аеёиоуыэюя][ьъ]")
#: The share of a reading's Cyrillic letters that must be among the commonest of the language: about
#: 0.6 in Russian text, at most 0.4 in Russian text read in another Cyrillic code page.
COMMON_LETTERS = 0.35
#: Cyrillic letters of Serbian and Macedonian only.
_SOUTH_SLAVIC_ONLY = re.compile("[ЂЃЉЊЌЋЏђѓљњќћџЅѕЈј]")
#: The fewest letters outside ASCII a code page's reading must hold to be taken: fewer are too little
#: evidence to tell the encodings apart (measured: readings of two to five letters were misread).
MIN_LETTERS = 8

#: Signs a code page's reading gives that no table's text holds (KOI8-R's box drawing, control codes).
_NOT_TEXT = re.compile(r"[\u2500-\u25ff\u0080-\u009f\u2320\u2321\u2219\u221a\u2248]")


@dataclass(frozen=True)
class Decoded:
    """The text of a file and how it was read.

    ``damaged`` is set for a UTF-8 file with bytes that are not UTF-8: its text then holds each such
    byte as a lone surrogate (``errors="surrogateescape"``) so that the caller can say in which row
    and column it stands.
    """

    text: str
    encoding: str
    note: str | None = None
    damaged: bool = False


class Undecided(Exception):
    """The bytes cannot be read with certainty; the message says why and what to do."""


def decode(data: bytes) -> Decoded:
    """The text of ``data``, or :class:`Undecided` with the reason."""
    if data.startswith(codecs.BOM_UTF8):
        return _utf8(data[len(codecs.BOM_UTF8):],
                     "starts with a UTF-8 byte-order mark (as Excel's 'CSV UTF-8' saves it); read as UTF-8.")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise Undecided("is UTF-32 text, which a spreadsheet does not save. " + SAVE_AS_UTF8)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Undecided(f"starts like UTF-16 text but byte {exc.start} is not UTF-16; the file is damaged. "
                            + SAVE_AS_UTF8) from None
        return Decoded(text, "UTF-16", "read as UTF-16 (Excel's 'Unicode text').")
    if b"\x00" in data:
        # UTF-16 puts the NUL of each ASCII character at the same side of it: odd bytes, or even ones.
        odd = data[1::2].count(0)
        even = data[0::2].count(0)
        hint = (" It looks like UTF-16 without the byte-order mark that tells its byte order."
                if max(odd, even) >= 9 * min(odd, even) and max(odd, even) * 10 >= len(data) // 2 else "")
        raise Undecided("holds NUL bytes, so it is not a CSV text file." + hint + " " + SAVE_AS_UTF8)
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    high = len(_HIGH.findall(data))
    in_utf8_sequences = sum(len(m) for m in _VALID_UTF8.findall(data))
    # Text in a code page gives a valid UTF-8 sequence only by chance (a capital letter before a
    # guillemet); a UTF-8 file with a damaged byte has nearly all its non-ASCII bytes in sequences.
    if in_utf8_sequences >= 4 and in_utf8_sequences * 10 >= high * 9:
        return _utf8(data)
    return _code_page(data)


def _utf8(data: bytes, note: str | None = None) -> Decoded:
    try:
        return Decoded(data.decode("utf-8"), "UTF-8", note)
    except UnicodeDecodeError:
        return Decoded(data.decode("utf-8", errors="surrogateescape"), "UTF-8", note, damaged=True)


def implausible_words(text: str) -> list[str]:
    """The words of ``text`` that no one types, as a wrong code page makes them:

    - letters of two scripts in one word ("Cafй");
    - a change of case inside a word where a letter is not ASCII ("дОВЕРИЕ", "MŠdchen");
    - a Cyrillic word no Russian word is like: ь or ъ first or after a vowel, or three small
      letters or more without a vowel ("жьвщь");
    - a Latin word of four letters or more that is mostly accented letters ("Äîâåðèå");
    - a sign that is not a letter inside a word ("d‚favorable", "Stra§e"), or before a letter where
      no text puts it ("€нформация", "‘истема": a Mac's Cyrillic capitals read as Windows-1251);
    - „ without the “ that closes it;
    - Cyrillic letters of which fewer than :data:`COMMON_LETTERS` are among the ten commonest of
      Russian or Ukrainian (о, е, а, и, н ...; charset-normalizer's frequency tables): another
      Cyrillic code page's bytes read so put rare letters where common ones were ("ащьжущьу");
    - every Cyrillic letter a capital: KOI8-R and Windows-1251 swap the cases of Cyrillic letters, so
      a text in small letters read in the wrong one is all capitals (a text typed all in capitals
      cannot be told, and is refused);
    - letters of Serbian and Macedonian only (Ђ, Џ, Ќ ...), which Russian capitals become in other
      code pages (a Serbian or Macedonian text must be saved as UTF-8 to be read);
    - signs that are not text (box drawing, control codes).
    """
    found = _NOT_TEXT.findall(text) + _SOUTH_SLAVIC_ONLY.findall(text)
    found += [m.group() for m in _SIGN_IN_WORD.finditer(text)
              if not unicodedata.category(m.group(2)).startswith(("L", "M")) and m.group(2) not in _JOINS_WORDS]
    found += [m.group() for m in _SIGN_BEFORE_LETTER.finditer(text)]
    if text.count("„") > text.count("“"):  # „ opens a quotation that “ closes (Russian, German)
        found.append("„")
    cyrillic = [ch for ch in text if _script(ch) == "cyrillic" and ch.isalpha()]
    if len(cyrillic) > 1 and all(ch.isupper() for ch in cyrillic):
        found.append("".join(cyrillic[:8]))  # see the docstring: all in capitals
    if cyrillic and sum(ch.lower() in _frequent_cyrillic() for ch in cyrillic) < COMMON_LETTERS * len(cyrillic):
        found.append("".join(cyrillic[:8]))  # see the docstring: rare letters
    for word in _LETTERS.findall(text):
        if word.isascii():
            continue
        scripts = {_script(ch) for ch in word}
        if len(scripts) > 1 or "other" in scripts:
            found.append(word)
        elif scripts == {"cyrillic"} and (not (word.islower() or word.isupper() or word.istitle())
                                          or _NOT_RUSSIAN.search(word.lower()) or word.islower() and len(word) >= 3
                                          and not _VOWELS.search(word)):
            found.append(word)
        elif scripts == {"latin"} and (_odd_case(word) or len(word) >= 4 and 2 * sum(not ch.isascii() for ch in word) > len(word)):
            found.append(word)
    return found


@cache
def _frequent_cyrillic() -> frozenset[str]:
    """The ten commonest letters of Russian and of Ukrainian, from charset-normalizer's tables
    (imported only when a file is not UTF-8)."""
    from charset_normalizer.constant import FREQUENCIES

    return frozenset(FREQUENCIES["Russian"][:10]) | frozenset(FREQUENCIES["Ukrainian"][:10])


def _odd_case(word: str) -> bool:
    """Whether a non-ASCII letter breaks the case of ``word``: a capital inside a word that is not in
    capitals, or a small letter in a word of capitals (ASCII camel case such as "eBay" is left alone)."""
    if word.islower() or word.isupper() or word.istitle():
        return False
    return any(not ch.isascii() and (ch.isupper() and i > 0 or ch.islower() and (word[:i] + word[i + 1:]).isupper())
               for i, ch in enumerate(word))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    return "other"


def _coherence(data: bytes, encoding: str) -> float:
    """charset-normalizer's coherence of ``data`` read in ``encoding`` (0 to 1: how well the letters
    match some language's letter frequencies), or -1 where it finds the reading a mess."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=[encoding], preemptive_behaviour=False).best()
    return -1.0 if best is None else float(best.coherence)


def _code_page(data: bytes) -> Decoded:
    readings: dict[str, str] = {}
    ruled_out: dict[str, str] = {}
    for encoding in CODE_PAGES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            ruled_out[encoding] = f"byte 0x{data[exc.start]:02x} has no character"
            continue
        odd = implausible_words(text)
        if odd:
            ruled_out[encoding] = f"it would read {odd[0]!r}"
        else:
            readings[encoding] = text
    letters = {e: sum(not ch.isascii() for ch in "".join(_LETTERS.findall(t))) for e, t in readings.items()}
    # Signs alone (no letter outside ASCII: quotes, dashes, №) are read alike by the code pages that
    # have them, so no choice is made; a few letters are too little evidence to choose on.
    for encoding in [e for e, n in letters.items() if 0 < n < MIN_LETTERS]:
        n = letters[encoding]
        ruled_out[encoding] = f"it would hold only {n} letter{'s' if n > 1 else ''} outside ASCII, too few to tell"
        del readings[encoding]
    if len(set(readings.values())) > 1 or len(readings) == 1 and not letters[next(iter(readings))]:
        # Signs alone decide nothing unless two code pages agree on them (“ ” in Windows-1251 and -1252).
        for encoding in [e for e in readings if not letters[e]]:
            ruled_out[encoding] = "it would hold no letter outside ASCII, only signs that tell nothing"
            del readings[encoding]
    if not readings:
        shown = "; ".join(f"as {CODE_PAGES[e]} {why}" for e, why in ruled_out.items())
        # Whether some reading was text, only too short to be sure of, or none was: the message says which.
        few = [CODE_PAGES[e] for e, n in letters.items() if 0 < n < MIN_LETTERS]
        verdict = (f"it reads as text only as {' or '.join(few)}, with too few letters outside ASCII to be sure"
                   if few else "no encoding a spreadsheet saves in reads it as text")
        raise Undecided(f"is not UTF-8, and {verdict} ({shown}). " + SAVE_AS_UTF8)
    if len(set(readings.values())) == 1:
        encoding = next(iter(readings))
        why = None if len(readings) == 1 else f"as {' or '.join(CODE_PAGES[e] for e in readings)} alike"
        return Decoded(readings[encoding], CODE_PAGES[encoding], _code_page_note(encoding, why))
    scores = sorted(((_coherence(data, e), e) for e in readings), reverse=True)
    (best, encoding), (second, other) = scores[0], scores[1]
    if best - second < COHERENCE_MARGIN:
        sample = next((w for w in _LETTERS.findall(readings[encoding]) if not w.isascii()), "")
        alt = next((w for w in _LETTERS.findall(readings[other]) if not w.isascii()), "")
        raise Undecided(f"is not UTF-8, and its encoding cannot be told for certain: it reads as "
                        f"{CODE_PAGES[encoding]} ({sample!r}) or as {CODE_PAGES[other]} ({alt!r}). "
                        + SAVE_AS_UTF8)
    return Decoded(readings[encoding], CODE_PAGES[encoding], _code_page_note(
        encoding, f"its letters match a language far better than read as {CODE_PAGES[other]}"))


def _code_page_note(encoding: str, why: str | None = None) -> str:
    why = why or "the only reading of its bytes that gives text"
    return (f"not UTF-8; read as {CODE_PAGES[encoding]}: {why}. "
            "Save it as 'CSV UTF-8' to spare this judgement.")
