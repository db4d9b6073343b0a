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
