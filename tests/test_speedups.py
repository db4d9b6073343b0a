"""Fast paths against their slow references: same results, bit for bit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lineage.fingerprint as fingerprint_module
from lineage.align import AlignedDoc, _content_run
from lineage.candidates import _lsh_pairs_datasketch, lsh_pairs
from lineage.fingerprint import (
    Fingerprint,
    _identity,
    fingerprint,
    isin_sorted,
    minhashes,
    shared_shingles,
)
from lineage.text import WORD_RE, normalize_word, tokenize, word_hash

u64 = st.integers(min_value=0, max_value=2**64 - 1)


@given(st.text(alphabet="ab c’'\u201c\u201d\n.Ｍé\u0301-", max_size=60))
def test_tokenize_matches_match_objects(text: str) -> None:
    t = tokenize(text)
    ms = list(WORD_RE.finditer(text))
    assert t.starts.tolist() == [m.start() for m in ms]
    assert t.ends.tolist() == [m.end() for m in ms]
    assert t.words == tuple(normalize_word(m.group()) for m in ms)
    assert t.hashes.tolist() == [word_hash(w) for w in t.words]
    assert t.starts.dtype == np.int32 and t.hashes.dtype == np.uint64


@given(st.sets(u64, max_size=40), st.sets(u64, max_size=40), st.lists(u64, max_size=20))
def test_shared_shingles_and_isin(a: set[int], b: set[int], probe: list[int]) -> None:
    ua = np.array(sorted(a), dtype=np.uint64)
    ub = np.array(sorted(b), dtype=np.uint64)
    got = shared_shingles(ua, ub)
    assert got.dtype == np.uint64
    assert np.array_equal(got, np.intersect1d(ua, ub, assume_unique=True))
    if len(ua):
        v = np.array(probe + sorted(a)[:3], dtype=np.uint64)
        assert np.array_equal(isin_sorted(v, ua), np.isin(v, ua))


def _fp(values: list[int]) -> Fingerprint:
    u = np.unique(np.array(values, dtype=np.uint64))
    return Fingerprint("x", np.arange(len(u)), u, u)


def test_minhashes_equal_datasketch_bulk() -> None:
    from datasketch import MinHash

    rng = np.random.default_rng(3)
    fps = [_fp(rng.integers(0, 2**63, n, dtype=np.uint64).tolist()) for n in (0, 1, 7, 300, 5000)]
    for seed, num_perm in ((1, 128), (5, 32)):
        ours = minhashes(fps, num_perm=num_perm, seed=seed)
        ref = MinHash.bulk(
            (fp.unique for fp in fps),
            num_perm=num_perm,
            seed=seed,
            hashfunc=_identity,
            scheme="affine64",
        )
        assert ours == ref


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sets(u64, max_size=40), max_size=12), st.sampled_from([(1, 128), (7, 16)]))
def test_sketch_batches_equal_datasketch_whatever_the_path(sets, params) -> None:
    """The batch of numpy blocks (a set can straddle two blocks, empty sets between) and
    the compiled kernel, when numba is installed, against datasketch one set at a time."""
    from datasketch import MinHash

    seed, num_perm = params
    arrays = [np.array(sorted(x), dtype=np.uint64) for x in sets]
    ref = [
        MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine64") for _ in arrays
    ]
    for m, arr in zip(ref, arrays, strict=True):
        m.update_batch(arr)
    expected = np.array([m.hashvalues for m in ref], dtype=np.uint64).reshape(-1, num_perm)
    paths = [False] + ([True] if fingerprint_module._kernel() is not None else [])
    for compiled in paths:
        for rows in (3, 8192):  # blocks of 3 hashes: sets cut across blocks
            fingerprint_module._MINHASH_ROWS, saved = rows, fingerprint_module._MINHASH_ROWS
            try:
                got = fingerprint_module._minhash_batch(
                    arrays, num_perm=num_perm, seed=seed, compiled=compiled
                )
            finally:
                fingerprint_module._MINHASH_ROWS = saved
            assert np.array_equal(got, expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from([0.3, 0.5, 0.9]))
def test_lsh_pairs_equal_datasketch_insert_and_query(seed: int, threshold: float) -> None:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**64 - 1, 60, dtype=np.uint64)
    fps = []
    for _ in range(30):  # near-duplicates of one set, and unrelated sets, and empties
        kind = rng.integers(3)
        if kind == 0:
            keep = base[rng.random(60) < rng.uniform(0.5, 1.0)]
            fps.append(_fp(keep.tolist() + rng.integers(0, 2**63, 5, dtype=np.uint64).tolist()))
        elif kind == 1:
            fps.append(_fp(rng.integers(0, 2**63, 40, dtype=np.uint64).tolist()))
        else:
            fps.append(_fp([]))
    got = lsh_pairs(fps, threshold=threshold)
    ref = _lsh_pairs_datasketch(fps, threshold=threshold)
    assert np.array_equal(got.reshape(-1, 2), ref.reshape(-1, 2))


@given(st.lists(st.booleans(), max_size=30), st.data())
def test_content_run_matches_word_loop(boiler: list[bool], data: st.DataObject) -> None:
    n = len(boiler)
    text = " ".join(f"w{k}" for k in range(n))
    t = tokenize(text)
    t = replace(t, boilerplate=np.array(boiler, dtype=bool))
    doc = AlignedDoc("d", text, t, fingerprint("d", t))
    a0 = data.draw(st.integers(0, n))
    a1 = data.draw(st.integers(a0, n))
    w = data.draw(st.integers(1, 25))
    for start, stop, step in ((a1, min(n, a1 + w), 1), (a0 - 1, max(-1, a0 - 1 - w), -1)):
        ref = []
        for i in range(start, stop, step):
            if t.boilerplate[i]:
                break
            ref.append(int(t.hashes[i]))
        assert _content_run(doc, start, stop, step) == ref


def test_fingerprint_unchanged_by_cache() -> None:
    text = "The cat sat on the mat. THE CAT sat on the mat again, said Mazur’s coach."
    a = fingerprint("a", tokenize(text))
    b = fingerprint("b", tokenize(text))
    assert np.array_equal(a.hashes, b.hashes) and np.array_equal(a.unique, b.unique)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=9), min_size=0, max_size=40),
    st.lists(st.integers(min_value=0, max_value=9), min_size=0, max_size=40),
)
def test_seed_matches_fast_path_equals_the_general_one(a: list[int], b: list[int]) -> None:
    """Shingles drawn from ten values: some shared once, some repeated in b (over
    _MAX_REPEAT too), so both the lookup by rank and the general expansion run."""
    from lineage.align import _seed_matches, _seed_matches_any

    def fp(values: list[int]) -> Fingerprint:
        h = np.array(values, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return Fingerprint("x", np.arange(len(h), dtype=np.int64) * 2, h, np.unique(h))

    fa, fb = fp(a), fp(b + [0] * (9 if len(b) % 3 == 0 else 0))
    shared = shared_shingles(fa.unique, fb.unique)
    if not len(shared):
        return
    got, ref = _seed_matches(fa, fb, shared), _seed_matches_any(fa, fb, shared)
    assert [x.tolist() for x in got] == [x.tolist() for x in ref]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["equal", "replace", "insert", "delete"]),
            *[st.integers(min_value=-40_000, max_value=40_000)] * 4,
        ),
        max_size=30,
    )
)
def test_edit_script_packs_as_one_step_at_a_time(ops: list) -> None:
    """The packed bytes, and the mirrored script, as packing each step on its own."""
    import struct

    from lineage.model import _TAG_CODE, EditScript

    rows = [(_TAG_CODE[t], *r) for t, *r in ops]
    wide = any(max(r) > 32767 or min(r) < -32768 for r in rows)
    fmt = struct.Struct("<5i" if wide else "<5h")
    s = EditScript(ops)
    assert (s._data, s._wide) == (b"".join(fmt.pack(*r) for r in rows), wide)
    swap = {"insert": "delete", "delete": "insert", "equal": "equal", "replace": "replace"}
    assert list(s.mirrored()) == [(swap[t], j1, j2, i1, i2) for t, i1, i2, j1, j2 in ops]
    assert s.mirrored()._wide == wide


def _same_tokens(got, ref) -> None:
    for name in ("hashes", "starts", "ends", "quoted", "boilerplate"):
        x, y = getattr(got, name), getattr(ref, name)
        assert x.dtype == y.dtype and x.tolist() == y.tolist(), name
    assert got.source is ref.source or got.source == ref.source


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ab c’'ʼ\u201c\u201d\n.Ｍé\u0301-_9\u00ad\u200b\U0001d400", max_size=50),
        max_size=6,
    )
)
def test_tokenize_many_equals_tokenize_one_text_at_a_time(texts: list[str]) -> None:
    """Apostrophes between, before and after words, ignorables (soft hyphen, zero-width
    space), a combining mark, a code point beyond the BMP, empty texts."""
    from lineage.text import tokenize_many

    spans = [((0, 3),) if len(t) > 3 else () for t in texts]
    for got, text, b in zip(tokenize_many(texts, spans), texts, spans, strict=True):
        _same_tokens(got, tokenize(text, boilerplate=b))


def test_tokenize_many_checks_the_words_it_groups(monkeypatch) -> None:
    """With a hash that makes anagrams collide, the check of the characters finds them
    and the texts are read word by word: still the same tokens."""
    import lineage.text as text_module

    monkeypatch.setattr(text_module, "_P", np.uint64(1))
    monkeypatch.setattr(text_module, "_P_INV", np.uint64(1))
    texts = ["ab ba ab", "ba"]
    assert text_module._words_of(texts) is None
    for got, t in zip(text_module.tokenize_many(texts), texts, strict=True):
        _same_tokens(got, tokenize(t))
    assert text_module._words_of(["ab ab", "cd"]) is not None  # no anagrams: grouped


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=300),
    st.integers(2, 7),
    st.integers(1, 64),
)
def test_index_slice_selected_by_blocks_equals_one_mask(hashes, parts, block) -> None:
    import lineage.candidates as cand

    h = np.array(hashes, dtype=np.uint64)
    d = np.arange(len(h), dtype=np.int64)
    ip = cand.IndexPart(h, np.arange(len(h) + 1, dtype=np.int64), d)  # a hash a document
    old = cand._SELECT_BLOCK
    cand._SELECT_BLOCK = block  # several blocks even for a short index
    try:
        for part in range(parts):
            sel = (h % np.uint64(parts)) == np.uint64(part)
            got_h, got_d = cand._slice_of(h, ip, parts, part)
            assert got_h.tolist() == h[sel].tolist() and got_d.tolist() == d[sel].tolist()
            assert got_h.dtype == h.dtype and got_d.dtype == d.dtype
    finally:
        cand._SELECT_BLOCK = old
