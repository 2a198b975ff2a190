"""What can be wrong with the text of one cell however the file was read: letters lost in saving,
text garbled by a wrong conversion, characters the reader cannot see, letters of two scripts in one
id; and how a message shows a cell's value so that nothing in it is hidden."""

from __future__ import annotations

import re
import string
import unicodedata

from repro.errors import code_of, is_invisible

#: How a sheet is saved so that its letters are kept (said with every refusal of lost letters).
SAVE_KEEPING_LETTERS = ("Save it again from the spreadsheet, so that the letters are kept: in Excel, File > Save As > "
                        "'CSV UTF-8 (Comma delimited) (*.csv)' (or keep the workbook as .xlsx); in LibreOffice "
                        "Calc, File > Save As > 'Text CSV (.csv)' with 'Edit filter settings' ticked and "
                        "Character set 'Unicode (UTF-8)'. The letters cannot be recovered from this file.")

# A run of question marks standing for a whole word ("?????? ???????"), or one before a letter ("Caf?s",
# "?слышащего": a question mark ends a sentence, so a letter never follows it directly).
_LOST = re.compile(r"(?<![^\s\"'«(,;:.!-])\?{2,}(?![^\s\"'»),;:.!-])|\?(?=[^\W\d_])")
_LETTER = re.compile(r"[^\W\d_]")


def shown(value: str) -> str:
    """A cell's value as a message quotes it: in quotes, "an empty cell" if empty. Invisible
    characters are written as codes (``'<U+FEFF>O1'``) by :func:`repro.errors.visible` when the
    message is printed; a line break as the two characters ``\\n``."""
    return "'" + value.replace("\n", "\\n") + "'" if value != "" else "an empty cell"


def lost_letters(value: str) -> str | None:
    """What shows that letters of ``value`` were lost in saving (question marks where letters
    stood, or U+FFFD, the sign a program puts for a letter it could not convert), or None."""
    if "\ufffd" in value:
        return f"{shown(value)} holds U+FFFD (\ufffd), the sign put where a letter could not be converted"
    match = _LOST.search(value)
    if match:
        return f"{shown(value)} has question marks where letters should be ('{match.group()}')"
    return None


#: What may stand around a word in a sentence ("её," «её»).
_PUNCTUATION = string.punctuation + "«»„“”‘’—–…"


def garbled(value: str) -> str | None:
    """The text ``value`` should have read if words of it are UTF-8 text read in a code page and saved
    like that ("РџСЂРёРјРµСЂ" for "Пример", "CafÃ©" for "Café"), or None.

    A word is taken for garbled only when its bytes in that code page are UTF-8 for a word with two
    letters outside ASCII, or one accented Latin letter: a real word's bytes practically never are.
    A word of Cyrillic letters alone is not taken for one garbled Latin letter: short Russian words
    are such bytes ("её" in KOI8-R is the UTF-8 of "ţ", "ЕЁ" in Windows-1251 that of "Ũ"), while a
    garbled Latin letter leaves a sign or Latin letters beside its Cyrillic pair ("Г©", "MГјller").
    """
    if value.isascii():
        return None
    for code_page in ("cp1251", "cp1252", "koi8_r", "latin-1"):
        words, changed = value.split(" "), False
        for i, word in enumerate(words):
            if word.isascii():
                continue
            try:
                meant = word.encode(code_page).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            letters = [ch for ch in meant if not ch.isascii() and ch.isalpha()]
            core = word.strip(_PUNCTUATION)
            one_latin = (len(letters) == 1 and script_of(letters[0]) == "Latin"
                         and not (core and all(script_of(ch) == "Cyrillic" for ch in core)))
            if meant != word and (len(letters) >= 2 or one_latin):
                words[i], changed = meant, True
        if changed:
            return " ".join(words)
    return None


def invisible_characters(value: str, allowed: str = "") -> list[tuple[int, str]]:
    """The (1-based position, character) of every invisible character in ``value`` but ``allowed``."""
    return [(i, ch) for i, ch in enumerate(value, start=1) if is_invisible(ch) and ch not in allowed]


def describe_invisible(found: list[tuple[int, str]]) -> str:
    """"an invisible character U+FEFF (byte-order mark) at position 1", for a message."""
    (position, ch), more = found[0], len(found) - 1
    return (f"an invisible character {code_of(ch)} at position {position}"
            + (f" (and {more} more)" if more else ""))


def script_of(ch: str) -> str | None:
    """``Latin`` or ``Cyrillic`` for a letter of those scripts, else None."""
    name = unicodedata.name(ch, "")
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script.title()
    return None


def mixed_scripts(value: str) -> str | None:
    """How ``value`` mixes scripts, naming the odd letter and its position, or None when its letters
    are of one script ("'Оpportunity': letter 1, 'О', is Cyrillic (U+041E) among Latin letters")."""
    letters = [(i, ch, script_of(ch)) for i, ch in enumerate(value, start=1) if _LETTER.match(ch)]
    scripts = [s for _, _, s in letters if s]
    if len(set(scripts)) < 2:
        return None
    majority = max(set(scripts), key=lambda s: (scripts.count(s), s == "Latin"))
    position, ch, script = next(x for x in letters if x[2] and x[2] != majority)
    return (f"{shown(value)} mixes scripts: letter {position}, '{ch}', is {script} (U+{ord(ch):04X}) "
            f"among {majority} letters")


#: Letters of the Cyrillic and Greek alphabets that look like Latin ones, and the Latin letter each
#: passes for: an id typed on a Russian keyboard layout looks right and matches nothing.
LOOKALIKES = dict(pair.split("=") for pair in (
    "А=A В=B Е=E К=K М=M Н=H О=O Р=P С=C Т=T У=Y Х=X Ѕ=S І=I Ј=J а=a е=e о=o р=p с=c у=y х=x і=i ј=j "
    "ѕ=s һ=h ԁ=d ԛ=q ԝ=w Α=A Β=B Ε=E Ζ=Z Η=H Ι=I Κ=K Μ=M Ν=N Ο=O Ρ=P Τ=T Υ=Y Χ=X ο=o").split())


def skeleton(value: str) -> str:
    """``value`` with every look-alike letter replaced by the Latin letter it looks like."""
    return "".join(LOOKALIKES.get(ch, ch) for ch in value)


def lookalike(value: str, known: list[str]) -> str | None:
    """When ``value`` is not among ``known`` but looks like one of them, say which letter differs
    ("it looks like O3, but its letter 1, 'О', is Cyrillic (U+041E) where O3 has Latin 'O' ...")."""
    if value in known:
        return None
    for candidate in known:
        if len(candidate) == len(value) and skeleton(candidate) == skeleton(value):
            position, (typed, meant) = next((i, pair) for i, pair in enumerate(zip(value, candidate), start=1)
                                            if pair[0] != pair[1])
            return (f"it looks like {candidate}, but its letter {position}, '{typed}', is "
                    f"{script_of(typed) or 'another sign'} (U+{ord(typed):04X}) where {candidate} has "
                    f"{script_of(meant) or ''} '{meant}' (U+{ord(meant):04X}); retype it with the keyboard "
                    f"set to {script_of(meant) or 'the other script'}".replace("  ", " "))
    return None


def text_problems(table, code_columns: set[str]) -> list:
    """What is wrong with the text of the cells of ``table`` (a :class:`~repro.data.table.RawTable`),
    whatever the file's type: letters lost in saving or garbled (one problem per table, naming the
    first cell and counting the others: the whole file was saved so), invisible characters, and
    letters of two scripts in a code (``code_columns``: ids, values from a list, links)."""
    source = table.source
    problems = []
    lost, wrong = [], []
    for cells, row in zip(table.rows, table.row_numbers):
        for column, cell in zip(table.header, cells):
            if not cell:
                continue
            where = dict(row=row, column=column)
            why = lost_letters(cell)
            if why:
                lost.append((why, where))
                continue
            meant = garbled(cell)
            if meant:
                wrong.append((cell, meant, where))
                continue
            allowed = "" if column in code_columns else "\u00a0\u202f\u00ad\u200c\u200d\u200e\u200f\n\t"
            hidden = invisible_characters(cell, allowed)
            if hidden:
                problems.append(source.problem(
                    f"{shown(cell)} holds {describe_invisible(hidden)}, which the spreadsheet does not show; "
                    "delete the cell's content and type it again.", **where))
            elif column in code_columns and (mixed := mixed_scripts(cell)):
                problems.append(source.problem(f"{mixed}; retype it in one script (ids are usually typed "
                                               "with Latin letters).", **where))
    if lost:
        why, where = lost[0]
        others = _others(len(lost) - 1)
        problems.insert(0, source.problem(f"{why}: the letters were lost when the file was saved in an "
                                          f"encoding that has no such letters.{others} {SAVE_KEEPING_LETTERS}",
                                          **where))
    if wrong:
        cell, meant, where = wrong[0]
        others = _others(len(wrong) - 1)
        problems.insert(0, source.problem(
            f"{shown(cell)} is garbled: it is the text {shown(meant)} converted to the wrong encoding before the file "
            f"was saved.{others} Open the original file with its right encoding (UTF-8), or retype the text, "
            "then save again.", **where))
    return problems


def _others(n: int) -> str:
    """" 3 more cells of this table are like it." ('' for none)."""
    if not n:
        return ""
    return f" {n} more cell{'s' if n > 1 else ''} of this table {'are' if n > 1 else 'is'} like it."
