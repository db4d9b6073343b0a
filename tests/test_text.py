from __future__ import annotations

import numpy as np

from lineage.text import normalize_word, tokenize


def test_offsets_point_into_original_text():
    text = "“Hello,” said Ｍａｚｕｒ’s coach — it’s Ａ test.\r\nNext line"
    t = tokenize(text)
    for w, s, e in zip(t.words, t.starts, t.ends, strict=True):
        assert normalize_word(text[s:e]) == w
    assert "mazur's" in t.words and "it's" in t.words


def test_normalization_folds_quotes_dashes_width_and_case():
    assert normalize_word("Mazur’s") == normalize_word("MAZUR's") == "mazur's"
    assert normalize_word("ＡＢＣ") == "abc"
    assert tokenize("Mazur’s").hashes[0] == tokenize("mazur's").hashes[0]


def test_quoted_words_reset_at_line_breaks():
    text = 'He said "we ran far\nand then' + ' more"\nShe said “yes” ok'
    t = tokenize(text)
    q = dict(zip(t.words, t.quoted.tolist(), strict=True))
    assert q["we"] and q["far"] and q["yes"]
    assert not q["he"] and not q["then"] and not q["she"] and not q["ok"]


def test_boilerplate_mask_follows_spans():
    text = "Watch This Now\nThe body of the article is here."
    t = tokenize(text, boilerplate=((0, 14),))
    assert t.boilerplate.tolist() == [True, True, True] + [False] * 7
    assert np.array_equal(t.content, ~t.boilerplate)


def test_empty_text():
    t = tokenize("")
    assert len(t) == 0 and t.hashes.dtype == np.uint64


# -- invisible characters (issue 17, evasion) -----------------------------------------

ZWSP, SHY, ZWJ, BOM = "\u200b", "\u00ad", "\u200d", "\ufeff"


def test_default_ignorable_code_points_do_not_split_words():
    clean = "The marathon runners crossed together, said Mazur’s coach."
    dirty = (
        f"{BOM}The mara{SHY}thon run{ZWSP}ners cros{ZWJ}sed to\u2060ge\ufe0fther, "
        f"said Ma{BOM}zur’s co\u200cach\u200e."
    )
    t, ref = tokenize(dirty), tokenize(clean)
    assert t.words == ref.words and np.array_equal(t.hashes, ref.hashes)
    # offsets point into the original text and cover the invisible characters inside
    for w, s, e in zip(t.words, t.starts.tolist(), t.ends.tolist(), strict=True):
        assert normalize_word(dirty[s:e]) == w
    assert dirty[t.starts[0] : t.ends[0]] == "The"  # a leading BOM is not part of a word
    assert dirty[t.starts[1] : t.ends[1]] == f"mara{SHY}thon"
    assert t.quoted.tolist() == ref.quoted.tolist()


def test_boilerplate_spans_apply_to_original_offsets_with_ignorables():
    text = f"Sub{ZWSP}scribe now\nThe body"
    t = tokenize(text, boilerplate=((0, 14),))
    assert t.words == ("subscribe", "now", "the", "body")
    assert t.boilerplate.tolist() == [True, True, False, False]


def _seed_text() -> str:
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    return (seeds / "001_45bac6543a8ee06d.txt").read_text(encoding="utf-8")


def _reused(tmp_path, name: str, original: str, copy: str) -> int:
    import lineage

    folder = tmp_path / name
    folder.mkdir()
    (folder / "a.txt").write_text(original, encoding="utf-8")
    (folder / "b.txt").write_text(copy, encoding="utf-8")
    analysis = lineage.analyze([folder])
    assert len(analysis.pairs) <= 1
    return analysis.pairs[0].reused_words if analysis.pairs else 0


def _mangle(text: str, mark: str, *, min_len: int = 0) -> str:
    """``mark`` inside every word of at least ``min_len`` letters, every 4 letters."""
    import re

    def inside(m: re.Match[str]) -> str:
        w = m.group()
        if len(w) < max(min_len, 5):
            return w
        return mark.join(w[k : k + 4] for k in range(0, len(w), 4))

    return re.sub(r"[^\W\d_]+", inside, text)


def test_a_copy_with_invisible_characters_inside_its_words_is_found(tmp_path):
    original = _seed_text()
    paragraphs = original.split("\n\n")
    # the copy drops the last paragraph, so it is not an identical duplicate of the original
    copy = "\n\n".join(paragraphs[:-1])
    expected = _reused(tmp_path, "clean", original, copy)
    assert expected > 100
    for k, mark in enumerate((ZWSP, SHY, ZWJ, BOM)):
        assert _reused(tmp_path, f"mark{k}", original, _mangle(copy, mark)) == expected
    # hyphenating sites leave soft hyphens in long words only
    assert _reused(tmp_path, "shy", original, _mangle(copy, SHY, min_len=9)) == expected
