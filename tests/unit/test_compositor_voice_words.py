"""Word times from Piper's phoneme alignments (services/compositor/voice.words_in): pure, on
alignments written out by hand the way Piper reports them."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.compositor.piper_process import Phoneme
from services.compositor.voice import words_in


def _line(*sentences: str, step: int = 100, pause: int = 50) -> tuple[Phoneme, ...]:
    """Phonemes of sentences given as their symbols ("^" and "$" added), each `step` samples long,
    with `pause` silent samples between sentences, as piper_process.paused lays them out."""
    out: list[Phoneme] = []
    at = 0
    for n, sentence in enumerate(sentences):
        if n:
            at += pause
        for symbol in f"^{sentence}$":
            out.append(Phoneme(symbol, at, at + step))
            at += step
    return tuple(out)


def test_each_word_lasts_from_its_first_phoneme_to_its_last() -> None:
    # "^ m i ː t _ ð ə _ ɹ ʌ n ɚ . $": "^" is 0-100, the spaces and the full stop belong to no word.
    line = _line("miːt ðə ɹʌnɚ.")
    assert words_in(["Meet", "the", "runner."], line) == [(100, 500), (600, 800), (900, 1300)]


def test_the_pause_between_sentences_belongs_to_no_word() -> None:
    line = _line("ʃɑp.", "naʊ!")
    (shop, now) = words_in(["Shop.", "Now!"], line)
    assert shop == (100, 400)
    # "^ʃɑp.$" is 6 phonemes (0-600), the pause 600-650, then "^" 650-750.
    assert now == (750, 1050)


def test_a_phrase_spoken_as_more_words_is_shared_by_length() -> None:
    # "made for 2026, now": espeak says the number as four words; the other phrase pairs up.
    line = _line("meɪd fɔɹ tuː θaʊzənd twɛnti sɪks, naʊ.")
    words = ["made", "for", "2026,", "now."]
    times = words_in(words, line)
    assert times[-1] == (3500, 3800), "the phrase that pairs up keeps its exact times"
    first, last = times[0][0], times[2][1]
    assert (first, last) == (100, 3300), "the mismatched phrase spans its spoken words"
    lengths = [b - a for a, b in times[:3]]
    assert lengths[2] > lengths[0] > lengths[1], "the number (4 digits) takes the longest share"
    assert [a for a, _ in times[1:3]] == [b for _, b in times[:2]], "shared words follow on"


def test_unmatched_phrases_fall_back_to_the_whole_line() -> None:
    # Two text phrases against one spoken phrase (espeak read "Dr." as no pause).
    line = _line("dɑktɚ smɪθ meɪks ʃuːz")
    times = words_in(["Dr.", "Smith", "makes", "shoes", "well"], line)
    assert times[0][0] == 100 and times[-1][1] == line[-2].end
    assert all(a < b for a, b in times) and all(times[i][1] == times[i + 1][0] for i in range(4))


def test_no_spoken_word_is_a_clear_error() -> None:
    with pytest.raises(InvalidArgument, match=r"voiceover\.script"):
        words_in(["Hello"], _line("."))
