"""Every material file holds to the rules the writer relies on, and a malformed one fails loudly."""

from pathlib import Path

import pytest

from libs.common.pacing import spoken_seconds
from libs.common.vocabulary import LANGUAGES
from services.story.tales import MATERIAL_DIR, TALE_NAMES, MaterialError, all_material, load_file, material_for

SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", "।", ";", "»", "”", "」", "』", "“", "«")
"""A passage ends a sentence (Greek asks with ';'), possibly inside closing quotes."""


def filled(text: str, slots: dict[str, str]) -> str:
    return text.format_map(slots)


def test_there_is_one_file_for_each_of_the_20_languages_and_each_loads() -> None:
    assert sorted(all_material()) == sorted(LANGUAGES)
    assert sorted(path.stem for path in MATERIAL_DIR.glob("*.toml")) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_tells_every_tale_beat_by_beat_as_english_does(language: str) -> None:
    english, other = material_for("english"), material_for(language)
    assert list(other.tales) == list(TALE_NAMES)
    for name, tale in other.tales.items():
        model = english.tales[name]
        assert [(b.short, b.long, b.ordered, len(b.passages)) for b in tale.beats] == [
            (b.short, b.long, b.ordered, len(b.passages)) for b in model.beats
        ], f"{name}: the beats must mirror English's, so each passage keeps its picture"
        assert [beat.pictures for beat in tale.beats] == [beat.pictures for beat in model.beats], (
            f"{name}: pictures are the English image prompts, shared by every language"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_passage_is_a_few_whole_sentences_that_speak_for_a_scene(language: str) -> None:
    material = material_for(language)
    for name, tale in material.tales.items():
        slots = {slot: value for role in tale.cast for slot, value in role[0].items()}
        slots |= {"subject": material.fallback_subject, "subject_title": material.fallback_subject}
        for beat in tale.beats:
            for passage in beat.passages:
                text = filled(passage, slots)
                assert 2.5 <= spoken_seconds(text, language) <= 16.0, f"{name}: {text}"
                assert text.rstrip().endswith(SENTENCE_ENDS), f"{name}: does not end a sentence: {text}"
                if language != "english":
                    assert '"' not in text, f"{name}: straight quotes instead of the language's own: {text}"


def test_a_malformed_file_is_refused_naming_the_file_and_the_problem(tmp_path: Path) -> None:
    english = (MATERIAL_DIR / "english.toml").read_text(encoding="utf-8")
    broken = tmp_path / "english.toml"
    broken.write_text(english.replace("{house_visual} at dusk", "{cellar} at dusk", 1), encoding="utf-8")
    with pytest.raises(MaterialError, match=r"(?s)english\.toml.*\['cellar'\].*filled by nothing"):
        load_file(broken)
    broken.write_text(english.replace("short = 1\nlong = 1", "short = 1\nlong = 9", 1), encoding="utf-8")
    with pytest.raises(MaterialError, match="asks for 9 passages but has 3"):
        load_file(broken)
    misnamed = tmp_path / "french.toml"
    misnamed.write_text(english, encoding="utf-8")
    with pytest.raises(MaterialError, match="must be named after it"):
        load_file(misnamed)


def test_a_missing_language_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "english.toml").write_text((MATERIAL_DIR / "english.toml").read_text(encoding="utf-8"))
    with pytest.raises(MaterialError, match="no material for czech"):
        all_material(tmp_path)
