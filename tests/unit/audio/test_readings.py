"""Readings fed to the synthesizers: pinyin and Chinese numerals, katakana, and kanji numerals for Kokoro."""

import pytest

from services.audio.readings import chinese_numerals, espeak_reading, japanese_numerals, kokoro_reading, pinyin_reading


def test_chinese_is_read_as_numbered_pinyin_with_its_punctuation() -> None:
    assert espeak_reading("我是中国人。", "chinese") == "wo3 shi4 zhong1 guo2 ren2 。"
    assert pinyin_reading("你好，我的朋友！") == "ni2 hao3 ， wo3 de5 peng2 you3 ！"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("0", "零"),
        ("10", "十"),
        ("17", "十七"),
        ("110", "一百一十"),
        ("1005", "一千零五"),
        ("1050", "一千零五十"),
        ("10005", "一万零五"),
        ("110000", "十一万"),
        ("100001000", "一亿零一千"),
        ("3.14", "三点一四"),
        ("007", "零零七"),
        ("３点", "三点"),
        ("1932年", "一九三二年"),
        ("3点17分", "三点十七分"),
        ("20-20-20", "二十-二十-二十"),
    ],
)
def test_chinese_digits_are_written_as_chinese_numerals(written: str, said: str) -> None:
    assert chinese_numerals(written) == said


def test_chinese_digits_reach_espeak_as_pinyin_numbers() -> None:
    assert espeak_reading("3点17分", "chinese") == "san1 dian3 shi2 qi1 fen1"


def test_japanese_is_read_as_katakana_as_pronounced() -> None:
    assert espeak_reading("灯台守の猫は3時に", "japanese") == "トーダイモリノネコワサンジニ"


def test_japanese_reading_keeps_punctuation_and_drops_what_it_cannot_say() -> None:
    assert espeak_reading("「待て！」と言った。😀", "japanese") == "「マテ！」トイッタ。"
    assert espeak_reading("😀", "japanese") == ""


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("1932年", "千九百三十二年"),
        ("11時52分", "十一時五十二分"),
        ("1096", "千九十六"),
        ("10005", "一万五"),
        ("12000人", "一万二千人"),
        ("100000001", "一億一"),
        ("3.5キロ", "三点五キロ"),
        ("007号", "零零七号"),
    ],
)
def test_kokoro_hears_digits_as_kanji_numerals(written: str, said: str) -> None:
    assert japanese_numerals(written) == said
    assert kokoro_reading(written) == said


def test_other_languages_are_fed_as_written() -> None:
    assert espeak_reading("Pi is 3.14.", "english") == "Pi is 3.14."
