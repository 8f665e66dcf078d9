"""What a synthesizer is fed for a phrase, per language: the phrase as written, or a reading of it.

espeak-ng's Mandarin dictionary lacks many common characters (it spells the pinyin of what it lacks
with English letter names: 国 becomes "guo two"), and its Japanese voice reads kana only (every kanji
becomes "Chinese letter"). So espeak-ng hears Chinese as numbered pinyin (pypinyin, for its
`cmn-latn-pinyin` voice) and Japanese as katakana (the OpenJTalk frontend of pyopenjtalk-plus, whose
dictionary ships in the wheel). Kokoro reads kanji itself but misreads Arabic digits (1932年 as
...とし, 52分 as ...ぶん), so it hears them as kanji numerals. Cues keep the phrase as written; only what
the synthesizer hears changes.
"""

import re
import unicodedata

import pyopenjtalk
from pypinyin import Style, lazy_pinyin

from libs.common.vocabulary import Language

_DIGITS = "零一二三四五六七八九"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR_DIGITS = 4
"""A four-digit number before 年 is a year, read digit by digit (1932年: 一九三二年)."""
_LONGEST_QUANTITY = 12
"""Longer digit runs (and any with a leading zero) are codes, read digit by digit."""


def espeak_reading(phrase: str, language: Language) -> str:
    """What espeak-ng is fed for `phrase`: a reading for Chinese and Japanese, the phrase itself otherwise."""
    if language == "chinese":
        return pinyin_reading(phrase)
    if language == "japanese":
        return kana_reading(phrase)
    return phrase


def kokoro_reading(phrase: str) -> str:
    """What Kokoro's Japanese voice is fed: the phrase with its digits as kanji numerals (52分 → 五十二分)."""
    return japanese_numerals(phrase)


def pinyin_reading(phrase: str) -> str:
    """Chinese as numbered pinyin, syllables apart, punctuation kept for the pauses.

    `我是中国人。` → `wo3 shi4 zhong1 guo2 ren2 。`; digits are read as Chinese numbers first (3点17分 →
    san1 dian3 shi2 qi1 fen1), tone sandhi applied (你好 → ni2 hao3), the neutral tone written 5.
    """
    syllables = lazy_pinyin(chinese_numerals(phrase), style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    return " ".join(syllable.strip() for syllable in syllables if syllable.strip())


def chinese_numerals(text: str) -> str:
    """Arabic digits (ASCII or full-width) written as Chinese numerals: 17 → 十七, 3.5 → 三点五, 1932年 → 一九三二年."""

    def spell(match: re.Match[str]) -> str:
        number = match.group()
        whole, _, fraction = number.partition(".")
        is_year = len(number) == _YEAR_DIGITS and match.string.startswith("年", match.end())
        if is_year or len(whole) > _LONGEST_QUANTITY or (len(whole) > 1 and whole.startswith("0")):
            spoken = _digit_by_digit(whole)
        else:
            spoken = _quantity(int(whole))
        return spoken + ("点" + _digit_by_digit(fraction) if fraction else "")

    return _NUMBER.sub(spell, _ascii_digits(text))


def japanese_numerals(text: str) -> str:
    """Arabic digits (ASCII or full-width) as kanji numerals, as a Japanese reader says them.

    1932 → 千九百三十二 (years too), 10005 → 一万五, 3.5 → 三点五; a run with a leading zero or of more than
    twelve digits is a code, read digit by digit (007 → 零零七).
    """

    def spell(match: re.Match[str]) -> str:
        whole, _, fraction = match.group().partition(".")
        if len(whole) > _LONGEST_QUANTITY or (len(whole) > 1 and whole.startswith("0")):
            spoken = _digit_by_digit(whole)
        else:
            spoken = _japanese_quantity(int(whole))
        return spoken + ("点" + _digit_by_digit(fraction) if fraction else "")

    return _NUMBER.sub(spell, _ascii_digits(text))


def kana_reading(phrase: str) -> str:
    """Japanese as katakana as it is pronounced (は as ワ), punctuation kept for the pauses: 3時に → サンジニ.

    OpenJTalk's pronunciation of each word, its accent marks dropped; symbols keep their own punctuation
    (OpenJTalk turns every symbol into 、) and anything else it cannot read (an emoji) is left out.
    """
    spoken: list[str] = []
    for node in pyopenjtalk.run_frontend(phrase):
        if node["pos"] == "記号":
            spoken.append("".join(char for char in node["string"] if unicodedata.category(char).startswith("P")))
        else:
            spoken.append(node["pron"].replace("’", "").replace("'", ""))
    return "".join(spoken)


def _ascii_digits(text: str) -> str:
    """Full-width digits (１２) as ASCII ones, so `\\d` runs read as one number."""
    return "".join(str(unicodedata.digit(char)) if "０" <= char <= "９" else char for char in text)


def _digit_by_digit(digits: str) -> str:
    return "".join(_DIGITS[int(digit)] for digit in digits)


def _quantity(number: int) -> str:
    """A whole number up to 10^12 - 1 read as a quantity: 10 → 十, 105 → 一百零五, 10005 → 一万零五."""
    if number == 0:
        return _DIGITS[0]
    spoken = ""
    skipped = False
    for size, name in ((10**8, "亿"), (10**4, "万"), (1, "")):
        group, number = divmod(number, size)
        if group == 0:
            skipped = bool(spoken)
            continue
        if spoken and (skipped or group < 1000):
            spoken += _DIGITS[0]
        spoken += _below_ten_thousand(group, leading=not spoken) + name
        skipped = False
    return spoken


def _japanese_quantity(number: int) -> str:
    """A whole number up to 10^12 - 1 in kanji: no 零 for inner zeros, 十 百 千 without 一, but 一万 and 一億."""
    if number == 0:
        return _DIGITS[0]
    spoken = ""
    for size, name in ((10**8, "億"), (10**4, "万"), (1, "")):
        group, number = divmod(number, size)
        for place, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = group // place % 10
            if digit:
                spoken += ("" if digit == 1 and unit else _DIGITS[digit]) + unit
        if group:
            spoken += name
    return spoken


def _below_ten_thousand(number: int, leading: bool) -> str:
    """1-9999 with 千 百 十 and one 零 for each run of zeros inside; a leading 一十 is said 十 (十七, not 一十七)."""
    spoken = ""
    zero = False
    for place, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // place % 10
        if digit == 0:
            zero = bool(spoken)
            continue
        if zero:
            spoken += _DIGITS[0]
            zero = False
        spoken += _DIGITS[digit] + unit
    if leading and spoken.startswith("一十"):
        spoken = spoken[1:]
    return spoken
