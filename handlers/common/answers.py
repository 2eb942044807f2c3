"""Everyday answers (是的, 对, 不用了, 跳过...) from content/answers.yaml: one vocabulary every dialog step
shares, instead of a set of words per step. Pure: no I/O beyond reading the content."""

from __future__ import annotations

import content
from nlp.slots import extract_choice
from nlp.tokenize import normalize, strip_punctuation

_PARTICLES = "啊呀吧哦呢啦嘛哈了"


def _words(kind: str) -> set[str]:
    """Read through the content cache, so a content reload takes effect at once."""
    return {_bare(str(word)) for word in content.load_yaml("answers.yaml")[kind]}


def _bare(text: str) -> str:
    return strip_punctuation(normalize(text))


def _is(kind: str, text: str) -> bool:
    bare = _bare(text)
    words = _words(kind)
    return bool(bare) and (bare in words or bare.rstrip(_PARTICLES) in words)


def is_yes(text: str) -> bool:
    """是的, 对, 好的, 可以, 确认, ok..."""
    return _is("yes", text)


def is_no(text: str) -> bool:
    """不是, 不对, 不用, 错了, 不要..."""
    return _is("no", text)


def is_skip(text: str) -> bool:
    """跳过, 没有, 不用了, 无..."""
    return _is("skip", text)


def yes_or_no(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else."""
    if is_yes(text):
        return True
    return False if is_no(text) else None


def numbered_or_yes_no(text: str, count: int, *, yes: int = 1, no: int | None = 2) -> int | None:
    """A numbered answer (1..count) to a question whose options are a yes and a no: the number said, or the
    option a yes (or a no) stands for; None for anything else."""
    choice = extract_choice(text, count)
    if choice is not None:
        return choice
    answer = yes_or_no(text)
    if answer is None:
        return None
    return yes if answer else no
