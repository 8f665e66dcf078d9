"""Offline moderation: weighted patterns per category, so a request is judged with no account or network.

The rules look for intent (instructions, threats, sexualised minors), not for dark words: a
scary story, a war history or a murder mystery must pass, so single words like "blood",
"war" or "gun" weigh little or nothing. A category's score is a saturating sum of the
weights of the distinct patterns that matched (1 - Π(1 - w)), so several weak signals
add up but never pass 1; the request's score is its highest category.

Categories carry OpenAI's moderation names, so a verdict reads the same whichever
provider gave it. Hate patterns name groups with neutral words only; generic targets
("them", "people") are left out because fiction villains say "kill them all".
"""

import re
from dataclasses import dataclass

from libs.common.events import Moderation

PROVIDER = "offline"


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    weight: float


def rule(pattern: str, weight: float) -> Rule:
    return Rule(re.compile(pattern, re.IGNORECASE), weight)


_ASKING_HOW = (
    r"\b(?:how\s+(?:to|do\s+(?:i|you|we)|can\s+(?:i|you|we)|could\s+(?:i|you)|would\s+(?:i|you)|should\s+i)"
    r"|instructions?\s+(?:for|on|to)|steps?\s+to|guide\s+to|tutorial\s+on|teach\s+me\s+(?:how\s+)?to|help\s+me)\s+"
)
_DETERMINERS = r"(?:(?:a|an|the|my|your|our|some|own|homemade|home-made|diy|working|real|simple|powerful)\s+){0,3}"
_INSTRUCTIONS = r"\b(?:step[- ]by[- ]step|recipe|instructions|tutorial|blueprints?|detailed\s+guide)\b[^.!?\n]{0,60}\b"
_WEAPONS = (
    r"(?:(?:pipe|nail|car|dirty|fertili[sz]er)\s+)?bombs?(?![\s-]*(?:shelters?|squads?|disposal|proof))|explosives?"
    r"|ieds?|grenades?|molotov(?:\s+cocktails?)?|napalm|land\s*mines?|detonators?|ghost\s+guns?|silencers?"
    r"|nerve\s+agents?|sarin|ricin|anthrax|bio\s*weapons?|chemical\s+weapons?"
)
_DRUGS = (
    r"(?:crystal\s+)?meth(?:amphetamine)?|(?:car)?fentanyl|heroin|(?:crack\s+)?cocaine|lsd|mdma|ecstasy|ghb|dmt"
    r"|amphetamines?"
)
_MINORS = (
    r"(?:child|children|kids?|minors?|under-?age|pre-?teens?|toddlers?|(?:[1-9]|1[0-7])[- ]years?[- ]olds?"
    r"|school\s*(?:girls?|boys?)|little\s+(?:girls?|boys?))"
)
_SEXUAL = (
    r"(?:sexual(?:ly)?|sexy|erotic\w*|porn\w*|nudes|lewd|intercourse|molest\w*|fetish\w*"
    r"|explicit\s+(?:content|scenes?|material|images?|photos?|pictures?|videos?|stories|story|acts?))"
)
_GROUPS = (
    r"(?:immigrants|foreigners|refugees|migrants|minorities|women|men|gays|jews|muslims|christians|hindus"
    r"|atheists|those\s+people)"
)

CATEGORIES: dict[str, tuple[Rule, ...]] = {
    "violence/graphic": (
        rule(r"\b(?:dismember\w*|disembowel\w*|decapitat\w*|mutilat\w*|eviscerat\w*|flay(?:ed|ing)?)\b", 0.45),
        rule(r"\b(?:in\s+(?:graphic|gory|gruesome|explicit)\s+detail|as\s+(?:graphic|gory|gruesome)\s+as)\b", 0.5),
        rule(r"\b(?:gore|gory|gruesome|tortur(?:e|es|ed|ing)|butcher(?:ed|ing))\b", 0.3),
        rule(
            r"\b(?:tortur\w*|mutilat\w*|kill(?:ing)?|murder(?:ing)?|maim(?:ing)?|abus(?:e|ing))\s+"
            r"(?:(?:a|an|the|little|small)\s+)*(?:child|children|kids?|bab(?:y|ies)|toddlers?|infants?|pupp(?:y|ies)"
            r"|kittens?|animals?)\b",
            0.6,
        ),
    ),
    "sexual/minors": (
        rule(r"\bchild\s+(?:porn\w*|sexual\s+abuse\s+material)|\bcsam\b", 0.95),
        rule(rf"\b(?:sex|intercourse|sleep(?:ing)?)\s+with\s+(?:(?:a|an|the)\s+)?{_MINORS}\b", 0.95),
        rule(rf"\b{_MINORS}\b[^.!?\n]{{0,80}}\b{_SEXUAL}\b", 0.9),
        rule(rf"\b{_SEXUAL}\b[^.!?\n]{{0,80}}\b{_MINORS}\b", 0.9),
        rule(rf"\b{_MINORS}\b[^.!?\n]{{0,80}}\bsex\b|\bsex\b[^.!?\n]{{0,80}}\b{_MINORS}\b", 0.6),
    ),
    "hate": (
        rule(
            r"\b(?:kill|murder|exterminate|eradicate|wipe\s+out|gas|lynch|hang|shoot|get\s+rid\s+of)\s+"
            rf"(?:all|every|each)\s+(?:(?:of\s+)?the\s+)?{_GROUPS}\b",
            0.95,
        ),
        rule(
            rf"\b{_GROUPS}\s+(?:should|must|need\s+to|deserve\s+to|ought\s+to)\s+"
            r"(?:die|be\s+(?:killed|exterminated|gassed|wiped\s+out|eliminated|hanged|shot))\b",
            0.95,
        ),
        rule(
            rf"\b{_GROUPS}\s+(?:are|is)\s+(?:(?:all|just|nothing\s+but)\s+)?"
            r"(?:vermin|parasites|cockroaches|rats|subhuman|a\s+disease|a\s+plague|filth)\b",
            0.85,
        ),
    ),
    "self-harm/instructions": (
        rule(
            rf"{_ASKING_HOW}(?:kill|hurt|harm|cut|hang|poison|starve|drown|shoot)\s+"
            r"(?:myself|yourself|oneself|themselves)\b",
            0.95,
        ),
        rule(
            r"\b(?:best|easiest|quickest|fastest|surest|painless|least\s+painful)\s+(?:ways?|methods?)\s+(?:to|of)\s+"
            r"(?:die|dying|kill(?:ing)?\s+(?:myself|yourself)|commit(?:ting)?\s+suicide|end(?:ing)?\s+(?:my|your)\s+life)",
            0.95,
        ),
        rule(r"\b(?:lethal|fatal)\s+dose\b|\bhow\s+many\s+(?:pills|tablets)\b", 0.5),
        rule(r"\b(?:kill\s+myself|end\s+my\s+life|commit\s+suicide|suicide\s+methods?)\b", 0.4),
    ),
    "illicit/violent": (
        rule(
            rf"{_ASKING_HOW}(?:build|make|assemble|construct|create|manufacture|cook|produce|rig|wire|detonate"
            rf"|set\s+off|plant)\s+{_DETERMINERS}(?:{_WEAPONS})\b",
            0.95,
        ),
        rule(rf"{_INSTRUCTIONS}(?:{_WEAPONS})\b", 0.85),
        rule(r"\b(?:detonators?|ammonium\s+nitrate|thermite|nerve\s+agents?|blasting\s+caps?)\b", 0.3),
    ),
    "illicit": (
        rule(
            rf"{_ASKING_HOW}(?:make|cook|synthesi[sz]e|produce|manufacture|brew|extract|refine|press)\s+"
            rf"{_DETERMINERS}(?:{_DRUGS})\b",
            0.95,
        ),
        rule(rf"{_INSTRUCTIONS}(?:{_DRUGS})\b", 0.85),
        rule(rf"\b(?:synthesi[sz]e|synthesis\s+of|cook(?:ing)?|manufactur(?:e|ing))\s+(?:{_DRUGS})\b", 0.5),
        rule(r"\b(?:pseudoephedrine|red\s+phosphorus|precursor\s+chemicals?|reductive\s+amination)\b", 0.35),
    ),
}


def category_scores(text: str) -> dict[str, float]:
    """The score (0..1) of every category with at least one matching pattern."""
    normalized = " ".join(text.replace("’", "'").split())
    scores: dict[str, float] = {}
    for category, rules in CATEGORIES.items():
        unmatched = 1.0
        for each in rules:
            if each.pattern.search(normalized):
                unmatched *= 1.0 - each.weight
        if unmatched < 1.0:
            scores[category] = round(1.0 - unmatched, 3)
    return scores


@dataclass(frozen=True)
class RuleModerator:
    """Rejects text whose score reaches `threshold`; the verdict names the categories that reached it."""

    threshold: float

    async def moderate(self, text: str) -> Moderation:
        scores = category_scores(text)
        flagged = [name for name, score in scores.items() if score >= self.threshold]
        return Moderation(
            status="rejected" if flagged else "approved",
            score=max(scores.values(), default=0.0),
            categories=sorted(flagged, key=scores.__getitem__, reverse=True),
            provider=PROVIDER,
        )
