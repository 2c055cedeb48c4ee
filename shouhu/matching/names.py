"""Names as the matching engine reads them: normal form, surname, pinyin syllables and blocking keys.

Pure module. Sources: DESIGN.md "Matching" (pypinyin misreads surnames without a surname table;
block on pinyin keys, not trigrams) and issue 4 (homophones 小/晓, surnames 曾 zeng 单 shan 区 ou
仇 qiu 解 xie, swapped or missing given-name characters, traditional/simplified, full-width, spaces,
Latin names); surname readings in ``data/surnames.tsv`` (cited there).

- ``normalise``: NFKC (full-width → half-width), spaces and middle dots removed, traditional →
  simplified (OpenCC t2s), Latin lower-cased: two spellings of one written name become equal.
- ``split``: surname and given name (compound surnames 欧阳 司马 诸葛 …).
- ``syllables``: toneless pinyin, the surname read from the surname table; a Latin name split into
  words, and a word written in pinyin ("Xiaoming") into its syllables, so that "WANG Xiaoming" and
  王小明 read alike.
- ``fold``: one syllable with the confusions of southern and south-western speech merged
  (zh/z, ch/c, sh/s, n/l, -ng/-n, f/h, ü/u): 王晓明 and 王小敏 fold alike.
- ``blocking_keys``: the short ASCII keys the store indexes. Two names that may be the same person
  share at least one key: same folded pinyin (homophones, dialect, trad/simp, full-width), the same
  syllables in another order (小明王, "Xiaoming Wang"), one syllable dropped or changed (王明 / 王小明,
  王小明 / 王小红), the given name alone (a different or misread surname).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import opencc  # type: ignore[import-untyped]  # (pure-Python OpenCC ships no types)
from pypinyin import Style, lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

# Bump when any function below changes the keys it returns: the store re-keys every record.
KEYS_VERSION = 1
MAX_KEY_LENGTH = 40
# A name of more syllables gets no one-syllable-dropped keys (long minority and foreign names
# would get many keys that each say little).
DELETION_MAX_SYLLABLES = 4
MIN_KEY_SYLLABLES = 2
# Names cached (about 1 kB each): a village's or a search's names stay, a city's million do not.
CACHE_SIZE = 1 << 16

DATA = Path(__file__).resolve().parent / "data"

# Characters that separate the parts of a name and carry no identity: the middle dots of
# transliterated minority and foreign names (阿依古丽·买买提), hyphens, apostrophes (Xi'an), commas.
SEPARATORS = frozenset("·•・‧･.'’‘`-‐‑–—_,，、/\\")


def _load_surnames() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in (DATA / "surnames.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        surname, reading, *_ = line.split("\t")
        table[surname] = tuple(reading.split())
    return table


def _load_syllables() -> frozenset[str]:
    lines = (DATA / "pinyin_syllables.txt").read_text(encoding="ascii").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


SURNAMES: dict[str, tuple[str, ...]] = _load_surnames()
COMPOUND_SURNAMES = frozenset(surname for surname in SURNAMES if len(surname) > 1)
PINYIN_SYLLABLES: frozenset[str] = _load_syllables()
_LONGEST_SYLLABLE = max(len(syllable) for syllable in PINYIN_SYLLABLES)
_T2S = opencc.OpenCC("t2s")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{_HAN}]")
_SPACE_IN_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")


def is_han(char: str) -> bool:
    """A CJK ideograph (the unified blocks, extension A and the supplementary planes, compatibility)."""
    return _HAN_CHAR.match(char) is not None


@lru_cache(maxsize=1 << 12)  # only for the next calls on the same name
def _clean(name: str) -> str:
    """NFKC, traditional → simplified, lower case; separators and spaces as single spaces."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(" " if char.isspace() or char in SEPARATORS else char for char in text)
    text = " ".join(text.casefold().split())
    if not text.isascii():
        # OpenCC (pure Python) takes ~30 µs a name: only a name with a traditional character pays it.
        if any(_is_traditional(char) for char in text):
            text = _T2S.convert(text)
        # 王 小明 is one written name; "WANG Xiaoming" keeps its words.
        if " " in text:
            text = _SPACE_IN_HAN.sub("", text)
    return text


def _phrase_characters() -> frozenset[str]:
    # OpenCC also converts some phrases whose characters it leaves alone one by one (反覆 → 反复).
    path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSPhrases.txt"
    phrases = (line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(char for phrase in phrases for char in phrase)


_T2S_PHRASE_CHARACTERS = _phrase_characters()


@lru_cache(maxsize=1 << 15)
def _is_traditional(char: str) -> bool:
    return not char.isascii() and (char in _T2S_PHRASE_CHARACTERS or _T2S.convert(char) != char)


@lru_cache(maxsize=CACHE_SIZE)
def normalise(name: str) -> str:
    """The written name in one form: ``'ＷＡＮＧ　Ｘｉａｏ'`` → ``'wangxiao'``, ``'單曉明'`` → ``'单晓明'``."""
    return _clean(name).replace(" ", "")


def _tokens(text: str) -> list[tuple[bool, str]]:
    """Runs of Han characters and runs of other letters (a space ends a run; digits are dropped)."""
    runs: list[tuple[bool, str]] = []
    current: list[str] = []
    current_han = False
    for char in text:
        if not (char.isalpha() or is_han(char)):  # space, digit, punctuation
            if current:
                runs.append((current_han, "".join(current)))
                current = []
            continue
        han = is_han(char)
        if current and han != current_han:
            runs.append((current_han, "".join(current)))
            current = []
        current_han = han
        current.append(char)
    if current:
        runs.append((current_han, "".join(current)))
    return runs


def _surname_length(han: str) -> int:
    # A compound surname only before a given name: 欧阳 alone is more likely a given name.
    if len(han) >= 3 and han[:2] in COMPOUND_SURNAMES:  # noqa: PLR2004 (surname of two + given name)
        return 2
    return 1


def split(name: str) -> tuple[str, str]:
    """Surname and given name of the normalised name: ``'欧阳小明'`` → ``('欧阳', '小明')``.

    A Han name's surname is its first character, or its first two when they are a compound surname
    and a given name follows. A Latin name's surname is taken to be its first word ("WANG Xiaoming",
    the form of Chinese passports); with one word there is no surname.
    """
    text = _clean(name)
    if not text:
        return "", ""
    if is_han(text[0]):
        compact = text.replace(" ", "")
        length = _surname_length(compact)
        if len(compact) == 1:
            return "", compact
        return compact[:length], compact[length:]
    first, _, rest = text.partition(" ")
    if not rest:
        return "", first
    return first, rest.replace(" ", "")


@lru_cache(maxsize=CACHE_SIZE)
def _segment(word: str) -> tuple[str, ...] | None:
    """A Latin word as pinyin syllables ("xiaoming" → xiao ming), the fewest possible; None if it is not pinyin."""
    if not word:
        return ()
    best: tuple[str, ...] | None = None
    for length in range(min(_LONGEST_SYLLABLE, len(word)), 0, -1):
        head = word[:length]
        if head not in PINYIN_SYLLABLES:
            continue
        tail = _segment(word[length:])
        if tail is not None and (best is None or len(tail) + 1 < len(best)):
            best = (head, *tail)
    return best


def _ascii_word(word: str) -> str:
    """A Latin word without its diacritics (Lǚ → lu, José → jose)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _unknown_han(chars: str) -> str:
    # A character pypinyin does not know becomes its code point spelled in letters (pypinyin would
    # read digits as tone marks), so that keys stay ASCII and two spellings of it stay equal.
    return "q" + "q".join("".join(chr(ord("a") + int(digit, 16)) for digit in f"{ord(c):x}") for c in chars)


@lru_cache(maxsize=1 << 15)
def _char_pinyin(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL, errors=_unknown_han)[0]


def _han_pinyin(han: str) -> list[str]:
    # pypinyin reads a character differently only inside a word of its phrase dictionary (长 in 长安);
    # a run with no such word is read character by character, from a cache (a name costs ~2 µs, not ~40).
    length = len(han)
    for start in range(length - 1):
        for end in range(start + 2, length + 1):
            if han[start:end] in phrases_dict:
                return lazy_pinyin(han, style=Style.NORMAL, errors=_unknown_han)
    return [_char_pinyin(char) for char in han]


@lru_cache(maxsize=CACHE_SIZE)
def _reading(name: str) -> tuple[tuple[str, ...], int]:
    """The name's syllables and how many of the first ones are the surname's."""
    result: list[str] = []
    surname_count = 0
    for index, (han, run) in enumerate(_tokens(_clean(name))):
        if han:
            given = run
            if index == 0 and len(run) > 1:
                length = _surname_length(run)
                reading = SURNAMES.get(run[:length])
                head = reading if reading is not None else tuple(_han_pinyin(run[:length]))
                result.extend(head)
                surname_count = len(head)
                given = run[length:]
            result.extend(_han_pinyin(given) if given else ())
            continue
        word = _ascii_word(run)
        pinyin = _segment(word) if word.isascii() else None
        words = pinyin if pinyin else (word,)
        if index == 0 and " " in _clean(name):
            surname_count = len(words)  # "WANG Xiaoming": the first word is the surname
        result.extend(words)
    return tuple(result), surname_count


def syllables(name: str) -> tuple[str, ...]:
    """The name's toneless pinyin: ``'曾小明'`` → ``('zeng', 'xiao', 'ming')``; ``'Wang Xiaoming'`` alike.

    The surname of a name that begins with a Han character is read from the surname table (曾 zeng,
    单 shan, 区 ou …); the given name with pypinyin's readings in context. A Latin word written in
    pinyin is split into its syllables; any other Latin word stays whole (without diacritics).
    """
    return _reading(name)[0]


def given_syllables(name: str) -> tuple[str, ...]:
    """The syllables of the given name (all of them when no surname can be told)."""
    reading, surname_count = _reading(name)
    return reading[surname_count:]


@lru_cache(maxsize=1 << 14)
def fold(syllable: str) -> str:
    """A pinyin syllable with dialect confusions merged: zh/z ch/c sh/s, n/l, f/h, -ng/-n, ü/u.

    ``fold('zhang') == fold('zan') == 'zan'``; ``fold('niu') == fold('liu')``. A word that is not a
    pinyin syllable is returned unchanged.
    """
    if syllable not in PINYIN_SYLLABLES:
        return syllable
    folded = syllable
    if folded[:2] in {"zh", "ch", "sh"}:
        folded = folded[0] + folded[2:]
    elif folded[0] == "n":
        folded = "l" + folded[1:]
    elif folded[0] == "f":
        folded = "h" + folded[1:]
    folded = folded.replace("v", "u")
    if folded.endswith("ng") and len(folded) > 2:  # noqa: PLR2004 (a final -ng after a vowel)
        folded = folded[:-1]
    return folded


def _key_part(syllable: str) -> str:
    if syllable.isascii() and syllable.isalnum():
        return syllable
    # A word in another script (Cyrillic, Tibetan …): a short stable ASCII stand-in.
    return f"x{zlib.crc32(syllable.encode()):08x}"


def _key(prefix: str, parts: list[str] | tuple[str, ...], joiner: str = "") -> str:
    return (prefix + joiner.join(parts))[:MAX_KEY_LENGTH]


@lru_cache(maxsize=CACHE_SIZE)
def folded_syllables(name: str) -> tuple[str, ...]:
    """``syllables`` folded and made ASCII: the parts of every key."""
    return tuple(_key_part(fold(syllable)) for syllable in syllables(name))


def name_key(name: str) -> str:
    """The key of the whole name's folded pinyin ("n:wangxiaomin"), "" for a name without syllables:
    the key namesakes share (``model`` rule 4 counts them)."""
    parts = folded_syllables(name)
    return _key("n:", parts) if parts else ""


def current_name_key(names_: Sequence[str]) -> str:
    """``name_key`` of the current name (the first of a record's names), "" without one."""
    return name_key(names_[0]) if names_ and names_[0] else ""


@lru_cache(maxsize=1 << 14)  # the store keys each record once; a search asks again
def blocking_keys(name: str) -> frozenset[str]:
    """The keys under which a name is stored and searched (ASCII, ≤ 40 characters, ``KEYS_VERSION``).

    - ``n:<folded pinyin>`` of the whole name ("n:wangxiaomin": 王小明 王晓明 王小铭 單曉明 "Wang
      Xiaoming"), of the name with one syllable dropped (names of 3-4 syllables: 王小明 → n:wangxiao,
      n:wangmin, n:xiaomin, so that 王明 and 王小红 meet it) and of the given name alone (2+ syllables);
    - ``s:<sorted syllables>`` for names of 2+ syllables: the same characters in another order
      (王明小, 小明王, "Xiaoming Wang").

    An empty name has no keys.
    """
    parts = folded_syllables(name)
    if not parts:
        return frozenset()
    keys = {_key("n:", parts)}
    if len(parts) >= MIN_KEY_SYLLABLES:
        keys.add(_key("s:", sorted(parts), "-"))
    if MIN_KEY_SYLLABLES < len(parts) <= DELETION_MAX_SYLLABLES:
        for index in range(len(parts)):
            keys.add(_key("n:", parts[:index] + parts[index + 1 :]))
    surname_count = _reading(name)[1]
    if surname_count and len(parts) - surname_count >= MIN_KEY_SYLLABLES:
        keys.add(_key("n:", parts[surname_count:]))
    return frozenset(keys)


def name_keys(names_: Iterable[str]) -> frozenset[str]:
    """The name keys of every name given (current and former)."""
    keys: set[str] = set()
    for name in names_:
        if name:
            keys |= blocking_keys(name)
    return frozenset(keys)


def whole_name_keys(names_: Iterable[str]) -> frozenset[str]:
    """The keys that stand for a whole name (``n:`` of all its folded syllables, ``s:`` of them sorted),
    as opposed to one syllable dropped or the given name alone: a search ranks children sharing
    them first."""
    keys: set[str] = set()
    for name in names_:
        whole = name_key(name) if name else ""
        if whole:
            keys |= {k for k in blocking_keys(name) if k == whole or k.startswith("s:")}
    return frozenset(keys)
