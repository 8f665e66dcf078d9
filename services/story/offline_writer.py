"""Storyboards written offline, in the job's language: the user's own script split into scenes, or a
story told from that language's hand-written material for a topic, a custom topic or a free prompt.

A told story is a `Tale` (services/story/tales.py): beats in order (opening, development, twist,
ending...), each a pool of interchangeable passages. A seed hashed from the job and its request
picks the cast and the passages, so a job always gets the same story and another job gets another.
Passages are chosen to keep the running spoken length on target (at the language's measured
speech rate), which fixes how long the narration speaks.
"""

import hashlib
import random
import re
from uuid import UUID

from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions, Scene, Storyboard
from libs.common.pacing import spoken_seconds, target_seconds
from libs.common.subjects import find_subjects, search_query
from services.story.direction import Direction, direct
from services.story.fitting import fit_scenes, sentences
from services.story.language_check import clearly_other_language, language_name
from services.story.pictures import CAMERA_MOVES, STYLE_PHRASES
from services.story.tales import CUSTOM_TOPIC, PROMPT, REFERENCE_IMAGE, Beat, LanguageMaterial, Tale, material_for

MAX_SCENES = 60
MAX_TITLE_CHARS = 80
MAX_SCRIPT_TITLE_CHARS = 60
MAX_IMAGE_PROMPT_CHARS = 300
SCRIPT_TITLE_WORDS = 8
SUBJECT_WORDS = 10
SUBJECT_CHARS = 70
UNSPACED_SUBJECT_CHARS = 30
PASSAGE_CHOICES = 3
"""How many of a beat's shuffled passages compete for a scene: more steers length, fewer varies more.
The last scene weighs them all, since nothing after it can make up the difference."""

_TRAILING_PUNCTUATION = " \t,;:.!?-–—…\"'“”‘’«»„()[]。、，！？：；「」『』।"


def write_storyboard(source: JobInput, options: RenderOptions, job_id: UUID) -> Storyboard:
    """The storyboard for a job, in its language: from its script, topic or prompt (exactly one is set).

    Each job gets its own telling, and the same job always gets the same one, so a
    redelivered request or a re-run stage rewrites exactly the story it wrote before.
    A reference image alone is told as its captured moment brought to life.
    """
    direction = direct(source, options)
    material = material_for(options.language)
    if source.script is not None:
        return storyboard_from_script(source.script, options, direction)
    rng = random.Random(story_seed(source, options, job_id))
    if source.prompt is not None:
        subject, warnings = user_subject(source.prompt, material, "prompt")
        return tell(material.tales[PROMPT], material, options, rng, direction, subject, warnings)
    if source.topic == CUSTOM_TOPIC:
        if not (source.topic_text or "").strip():
            raise InvalidInput("topic 'custom topic' needs topic_text", field="topic_text")
        subject, warnings = user_subject(source.topic_text or "", material, "topic_text")
        return tell(material.tales[CUSTOM_TOPIC], material, options, rng, direction, subject, warnings)
    if source.topic is not None:
        return tell(material.tales[source.topic], material, options, rng, direction)
    if source.reference_image_key is not None:
        return tell(material.tales[REFERENCE_IMAGE], material, options, rng, direction)
    raise InvalidInput("give exactly one of topic, prompt or script, or a reference image", field="topic")


def story_seed(source: JobInput, options: RenderOptions, job_id: UUID) -> int:
    """A stable seed from the job and what shapes its story (source, length, language), on any machine.

    How the video looks and sounds (voice, art style, size) is left out, so those options
    never change the words.
    """
    request = f"{job_id}|{source.model_dump_json()}|{options.duration}|{options.language}"
    if options.duration_s is not None or options.num_scenes is not None:
        request += f"|{options.duration_s}|{options.num_scenes}"
    return int.from_bytes(hashlib.sha256(request.encode()).digest()[:8], "big")


# ---- scripts --------------------------------------------------------------------------------


def storyboard_from_script(script: str, options: RenderOptions, direction: Direction) -> Storyboard:
    """The user's own words, one scene per paragraph (or per line when there are no paragraphs), never
    translated or reworded.

    With `num_scenes` the sentences are regrouped into exactly that many pictures: scenes split only
    between sentences, and a sentence held over several pictures when more are asked for than there
    are sentences. A script in another language than the job's is narrated as written, with a warning.
    """
    narrations = script_scenes(script)
    if not narrations:
        raise InvalidInput("script is empty: write one line or paragraph per scene", field="script")
    material = material_for(options.language)
    scenes = [
        Scene(index=index, narration=narration, subtitle=narration, image_prompt=clip_words(narration, 200))
        for index, narration in enumerate(narrations)
    ]
    scenes = pictured(scenes, options, direction, name_subjects=options.language == "english")
    warnings = []
    if (verdict := clearly_other_language(script, options.language)) is not None:
        warnings.append(
            f"The script reads as {language_name(verdict.code)}, not {options.language}: it is narrated as "
            f"written, by the {options.language} voice."
        )
    return Storyboard(
        title=script_title(narrations[0], material),
        description=material.script_description.format(scenes=len(scenes)),
        text="\n\n".join(scene.narration for scene in scenes),
        scenes=scenes,
        mood=direction.mood,
        target_s=None if options.duration_s is None else float(options.duration_s),
        warnings=warnings,
    )


def script_scenes(script: str) -> list[str]:
    """Paragraphs if blank lines separate any, else lines; whitespace collapsed, empties dropped.

    Past `MAX_SCENES`, the tail joins the last scene: a long script is never cut short.
    """
    text = script.strip()
    pieces = re.split(r"\n[ \t\r\f\v]*\n", text) if re.search(r"\n[ \t\r\f\v]*\n", text) else text.splitlines()
    narrations = [" ".join(piece.split()) for piece in pieces]
    narrations = [narration for narration in narrations if narration]
    if len(narrations) > MAX_SCENES:
        narrations = [*narrations[: MAX_SCENES - 1], " ".join(narrations[MAX_SCENES - 1 :])]
    return narrations


def script_title(first_scene: str, material: LanguageMaterial) -> str:
    """The first sentence of the first scene, up to a few words (or characters, without spaces)."""
    first = sentences(first_scene)[0] if first_scene else ""
    if material.unspaced:
        title = first[: MAX_SCRIPT_TITLE_CHARS // 3]
    else:
        title = clip_words(" ".join(first.split()[:SCRIPT_TITLE_WORDS]), MAX_SCRIPT_TITLE_CHARS)
    return title.strip(_TRAILING_PUNCTUATION) or material.script_title


# ---- told stories ---------------------------------------------------------------------------


def tell(
    tale: Tale,
    material: LanguageMaterial,
    options: RenderOptions,
    rng: random.Random,
    direction: Direction,
    subject: str | None = None,
    warnings: list[str] | None = None,
) -> Storyboard:
    """Tell `tale` at the requested length and scene count, in pictures of the requested art style."""
    cast: dict[str, str] = {}
    for role in tale.cast:
        cast.update(rng.choice(role))
    if subject is not None:
        cast.update(subject=subject, subject_title=subject_title(subject, material))
    language = options.language
    pool = [passage.format_map(cast) for beat in tale.beats for passage in beat.passages]
    mean = sum(spoken_seconds(text, language) for text in pool) / len(pool)
    counts = beat_counts(tale, direction.passages(mean, len(pool)))
    total_scenes, target = sum(counts), direction.seconds
    lines: list[tuple[int, str, str]] = []
    spoken = 0.0
    for beat, count in zip(tale.beats, counts, strict=True):
        choices = [(index, *_filled(beat, index, cast)) for index in range(len(beat.passages))]
        rng.shuffle(choices)
        chosen: list[tuple[int, str, str]] = []
        for _ in range(count):
            position = len(lines) + len(chosen) + 1
            due = target * position / total_scenes - spoken
            candidates = choices if position == total_scenes else choices[:PASSAGE_CHOICES]
            line = min(candidates, key=lambda line: abs(spoken_seconds(line[1], language) - due))
            choices.remove(line)
            chosen.append(line)
            spoken += spoken_seconds(line[1], language)
        lines.extend(sorted(chosen) if beat.ordered else chosen)
    scenes = [
        Scene(index=index, narration=text, subtitle=text, image_prompt=picture)
        for index, (_, text, picture) in enumerate(lines)
    ]
    scenes = pictured(scenes, options, direction)
    return Storyboard(
        title=clip_words(rng.choice(tale.titles).format_map(cast), MAX_TITLE_CHARS),
        description=rng.choice(tale.descriptions).format_map(cast),
        text="\n\n".join(scene.narration for scene in scenes),
        scenes=scenes,
        mood=direction.mood,
        target_s=float(target_seconds(options)),
        warnings=warnings or [],
    )


def pictured(
    scenes: list[Scene], options: RenderOptions, direction: Direction, name_subjects: bool = True
) -> list[Scene]:
    """The scenes fitted to the pictures asked for, each image prompt then styled for its place in the video
    (a reference image's camera moves go in turn, whatever was merged or split), with the subjects and
    search query its bare picture text names. The vocabulary is English: a script in another language
    (`name_subjects` off) names none, rather than a word that only looks English ("son", "van")."""
    if direction.scenes is not None:
        scenes = fit_scenes(scenes, direction.scenes)
    pictured = []
    for scene in scenes:
        subjects = find_subjects(scene.image_prompt) if name_subjects else []
        update = {
            "image_prompt": image_prompt(scene.image_prompt, options.art_style, direction, scene.index),
            "mood": direction.mood,
            "subjects": subjects,
            "search_query": search_query(scene.image_prompt, subjects),
        }
        pictured.append(scene.model_copy(update=update))
    return pictured


def beat_counts(tale: Tale, passages: int) -> list[int]:
    """How many passages each beat tells when a story is `passages` long.

    The beats a short story tells come first (evenly spaced, opening and ending kept, when there
    are fewer passages than them); the rest go to the beats a long story dwells on, in proportion.
    """
    essential = [index for index, beat in enumerate(tale.beats) if beat.short]
    counts = [0] * len(tale.beats)
    if passages <= len(essential):
        step = (len(essential) - 1) / (passages - 1) if passages > 1 else 0
        for k in range(passages):
            counts[essential[round(k * step)]] = 1
        return counts
    for index in essential:
        counts[index] = 1
    weights = [max(beat.long - counts[index], 0) for index, beat in enumerate(tale.beats)]
    for _ in range(passages - len(essential)):
        room = [index for index, beat in enumerate(tale.beats) if counts[index] < len(beat.passages)]
        if not room:
            break
        best = max(room, key=lambda index: (weights[index] / (counts[index] + 1), -index))
        counts[best] += 1
    return counts


def _filled(beat: Beat, index: int, cast: dict[str, str]) -> tuple[str, str]:
    return beat.passages[index].format_map(cast), beat.picture(index).format_map(cast)


def image_prompt(visual: str, art_style: str, direction: Direction | None = None, index: int = 0) -> str:
    """A picture description ending with the job's picture notes and the art style's phrase, within
    `MAX_IMAGE_PROMPT_CHARS`. For image-to-video it opens with a camera move over the reference image."""
    style = STYLE_PHRASES.get(art_style, art_style)
    if direction is not None and direction.notes:
        style = f"{direction.notes}, {style}"
    if direction is not None and direction.reference_image:
        visual = f"{CAMERA_MOVES[index % len(CAMERA_MOVES)]} over the reference image, {visual}"
    return f"{clip_words(visual, MAX_IMAGE_PROMPT_CHARS - len(style) - 2)}, {style}"


# ---- the user's words inside a told story ---------------------------------------------------------


def user_subject(text: str, material: LanguageMaterial, field: str) -> tuple[str, list[str]]:
    """The user's prompt (or custom topic) as the phrase the tale quotes, with any warning about it.

    Words in another language than the story's are not quoted (an English sentence around French
    words reads as neither): the tale speaks of its fallback subject, and the job says why.
    """
    verdict = clearly_other_language(text, material.language)
    if verdict is None:
        return short_subject(text, material), []
    warning = (
        f"The {field} reads as {language_name(verdict.code)}, but the story is told in {material.language}: "
        "the offline writer does not translate, so the story does not quote it. Write the "
        f"{field} in {material.language}, or configure a story model (OPENAI_API_KEY) to have it translated."
    )
    return material.fallback_subject, [warning]


def short_subject(text: str, material: LanguageMaterial) -> str:
    """A user's prompt or topic as a phrase that reads inside a sentence.

    Keeps the first sentence, drops "write a story about"-style instructions (the language's own
    `prompt_openers`), and trims to about ten words (back to a comma where there is one) without a
    dangling "and" or "the".
    """
    whole = " ".join(text.split()).strip(_TRAILING_PUNCTUATION)
    first = sentences(whole)[0] if whole else ""
    openers = material.opener_pattern()
    phrase = first
    while openers is not None and (trimmed := openers.sub("", phrase, count=1)) != phrase:
        phrase = trimmed
    phrase = phrase.strip(_TRAILING_PUNCTUATION)
    if material.unspaced:
        return phrase[:UNSPACED_SUBJECT_CHARS].strip(_TRAILING_PUNCTUATION) or material.fallback_subject
    kept = clip_words(" ".join(phrase.split()[:SUBJECT_WORDS]), SUBJECT_CHARS)
    if kept != phrase and "," in kept:
        kept = kept.rsplit(",", 1)[0]
    words = kept.split()
    dangling = {word.lower() for word in material.dangling_words}
    while len(words) > 1 and words[-1].lower().strip(_TRAILING_PUNCTUATION) in dangling:
        words.pop()
    subject = " ".join(words).strip(_TRAILING_PUNCTUATION) or clip_words(whole, SUBJECT_CHARS)
    opener = subject.split()[0] if subject else ""
    if opener.lower() in {word.lower() for word in material.lowercase_openers} and opener[:1].isupper():
        subject = subject[:1].lower() + subject[1:]
    return subject or material.fallback_subject


def subject_title(subject: str, material: LanguageMaterial) -> str:
    """The subject as it reads in a title: headline capitals in English, a capital first letter elsewhere."""
    if material.title_case:
        return title_case(subject, material)
    return subject[:1].upper() + subject[1:]


def title_case(text: str, material: LanguageMaterial) -> str:
    """Headline capitals for user text, leaving words that already carry capitals (NASA, iPhone) alone."""
    small = set(material.dangling_words)
    return " ".join(
        word
        if any(letter.isupper() for letter in word) or (position and word in small)
        else word[:1].upper() + word[1:]
        for position, word in enumerate(text.split())
    )


def clip_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, without trailing punctuation."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(_TRAILING_PUNCTUATION)
