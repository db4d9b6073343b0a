from __future__ import annotations

import numpy as np

from lineage.candidates import candidate_pairs, lsh_pairs, overlap, rare_shingle_pairs
from lineage.fingerprint import fingerprint, minhashes, shingle_hashes
from lineage.text import tokenize

WORDS = (
    "the council approved a new budget for the city schools on tuesday after a long debate "
    "about teacher pay class sizes and the cost of repairing old buildings across the district"
).split()


def _fp(i, text, n=5, boiler=()):
    return fingerprint(str(i), tokenize(text, boilerplate=boiler), shingle_size=n)


def test_shingles_are_deterministic_and_case_insensitive():
    a = shingle_hashes(tokenize("One two three four five six"), 5)[1]
    b = shingle_hashes(tokenize("ONE two Three four five six"), 5)[1]
    assert a.tolist() == b.tolist() and len(set(a.tolist())) == 2


def test_shingles_skip_boilerplate():
    text = "Menu Home Sports " + " ".join(WORDS)
    pos, _ = shingle_hashes(tokenize(text, boilerplate=((0, 17),)), 5)
    assert pos.min() == 3  # nothing starts on or spans a chrome word


def test_exact_overlap_figures():
    full = " ".join(WORDS)
    half = " ".join(WORDS[:15])
    fa, fb = _fp(0, full), _fp(1, half)
    ov = overlap(fa, fb, 0, 1)
    assert ov.shared == fb.size == 11
    assert ov.containment_j == 1.0
    assert abs(ov.containment_i - 11 / fa.size) < 1e-9
    assert abs(ov.jaccard - 11 / fa.size) < 1e-9


def test_rare_index_finds_short_copy_of_long_article_lsh_misses():
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(5000)]
    long_doc = " ".join(rng.choice(vocab, 2000))
    excerpt = " ".join(long_doc.split()[700:760])  # 3% of the long article
    others = [" ".join(rng.choice(vocab, 300)) for _ in range(20)]
    fps = [_fp(i, t) for i, t in enumerate([long_doc, excerpt, *others])]
    rare = {tuple(p) for p in rare_shingle_pairs(fps).tolist()}
    assert (0, 1) in rare
    assert len(rare) == 1  # random texts share nothing
    lsh = {tuple(p) for p in lsh_pairs(fps, threshold=0.5).tolist()}
    assert (0, 1) not in lsh  # Jaccard ~0.03: set similarity cannot see it
    found = candidate_pairs(fps)
    assert [(o.i, o.j) for o in found] == [(0, 1)]


def test_lsh_finds_near_duplicates_whose_shingles_are_too_common_for_the_index():
    base = " ".join(WORDS * 3)
    fps = [_fp(i, base + f" edition {i}") for i in range(6)]
    assert len(rare_shingle_pairs(fps, max_df=4)) == 0  # every shingle is in 6 documents
    pairs = {(o.i, o.j) for o in candidate_pairs(fps, max_df=4)}
    assert len(pairs) == 15  # all near-duplicates still found, by LSH


def test_minhash_estimates_track_exact_jaccard():
    a = _fp(0, " ".join(WORDS))
    b = _fp(1, " ".join(WORDS[:20]))
    ma, mb = minhashes([a, b], num_perm=256)
    exact = overlap(a, b, 0, 1).jaccard
    assert abs(ma.jaccard(mb) - exact) < 0.15
    again = minhashes([a], num_perm=256)[0]
    assert np.array_equal(again.hashvalues, ma.hashvalues)  # seeded, reproducible


def test_sketches_and_checks_on_workers_give_the_serial_answer(monkeypatch):
    from lineage import candidates, fingerprint

    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(800)]
    bases = [list(rng.choice(vocab, 200)) for _ in range(6)]
    texts = []
    for k in range(60):  # edited copies of six texts: many candidate pairs
        words = list(bases[k % 6])
        for _ in range(10):
            words[int(rng.integers(len(words)))] = str(rng.choice(vocab))
        texts.append(" ".join(words))
    fps = [_fp(i, t) for i, t in enumerate(texts)]
    serial = candidate_pairs(fps, workers=1)
    values = fingerprint.minhash_values(fps, workers=1)
    monkeypatch.setattr(fingerprint, "_PARALLEL_SKETCHES", 2)
    monkeypatch.setattr(candidates, "_PARALLEL_CHECKS", 2)
    monkeypatch.setattr(candidates, "_PARALLEL_ENTRIES", 2)
    assert len(serial) > 100
    assert candidate_pairs(fps, workers=2) == serial
    assert np.array_equal(rare_shingle_pairs(fps, workers=2), rare_shingle_pairs(fps))
    assert np.array_equal(fingerprint.minhash_values(fps, workers=2), values)
    assert np.array_equal(values, np.stack([m.hashvalues for m in minhashes(fps)]))


def _mixed_texts(n: int = 60) -> list[str]:
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(500)] + ["Mazur’s", "inter\u00adnational", "“quoted”"]
    bases = [list(rng.choice(vocab, 150)) for _ in range(5)]
    texts = []
    for k in range(n):  # edited copies of five texts, a few short or empty documents
        words = list(bases[k % 5])[: [150, 150, 3, 150, 0][k % 5] or 0]
        for _ in range(8):
            if words:
                words[int(rng.integers(len(words)))] = str(rng.choice(vocab))
        texts.append(" ".join(words).replace(" w1 ", "\n w1 "))
    return texts


def test_prepared_batch_is_the_documents_tokens_and_fingerprints_as_arrays():
    import dataclasses
    import pickle

    from lineage.fingerprint import Prepared, prepare

    texts = _mixed_texts(12)
    boilers = [((0, 30),) if k % 3 == 0 else () for k in range(len(texts))]
    batch = prepare(texts, boilers, shingle_size=5)
    # what a worker sends back: numeric arrays only, no string of the documents
    for f in dataclasses.fields(Prepared):
        value = getattr(batch, f.name)
        assert isinstance(value, np.ndarray) and value.dtype != object
    sent = pickle.dumps(batch)
    assert all(t[:40].encode() not in sent for t in texts if len(t) >= 40)
    ids = [f"d{k}" for k in range(len(texts))]
    for k, (t, fp) in enumerate(batch.unpack(ids, texts)):
        ref_t = tokenize(texts[k], boilerplate=boilers[k])
        ref_fp = fingerprint(ids[k], ref_t, shingle_size=5)
        for name in ("hashes", "starts", "ends", "quoted", "boilerplate"):
            assert np.array_equal(getattr(t, name), getattr(ref_t, name)), name
            assert getattr(t, name).dtype == getattr(ref_t, name).dtype
        assert t.words == ref_t.words and t.source is texts[k]
        assert fp.doc_id == ids[k]
        for name in ("positions", "hashes", "unique"):
            assert np.array_equal(getattr(fp, name), getattr(ref_fp, name)), name


def test_fingerprints_on_workers_give_the_serial_analysis(monkeypatch):
    from lineage import fingerprint as fingerprint_module
    from lineage import pipeline
    from lineage.model import Config, Document

    docs = [
        Document(id=f"doc{k:03d}", path=f"doc{k:03d}.txt", text=t)
        for k, t in enumerate(_mixed_texts())
    ]
    serial = pipeline.analyze_documents(docs, Config(workers=1))
    monkeypatch.setattr(pipeline, "_PARALLEL_DOCS", 2)
    monkeypatch.setattr(fingerprint_module, "_PARALLEL_SKETCHES", 2)
    monkeypatch.setattr(fingerprint_module, "_COMPILED_MIN_HASHES", 1)  # numba, if installed
    forked = pipeline.analyze_documents(docs, Config(workers=2))
    assert len(serial.pairs) > 50
    assert forked.pairs == serial.pairs and forked.word_counts == serial.word_counts
    assert forked.edges == serial.edges
