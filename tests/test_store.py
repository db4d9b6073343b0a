"""lineage.store: the per-document arrays in memory or in files read on demand give the
same values, so the same analysis; the temporary folder is removed at the end, and on an
error."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import SEEDS

import lineage
from lineage import pipeline
from lineage.fingerprint import Prepared, prepare
from lineage.ingest import read_corpus
from lineage.model import Config
from lineage.store import ArrayStore, estimate_mb

TEXTS = ["The mayor said on Tuesday that the bridge would close.", "", "x y", "a b c d e f g"]


def _same_arrays(a: Prepared, b: Prepared) -> None:
    for name in Prepared.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert x.tolist() == y.tolist(), name


@pytest.mark.parametrize("texts", [TEXTS, ["x y", ""], [""]])
def test_arrays_in_files_are_the_arrays_kept(tmp_path, texts):
    prepared = prepare(texts, [() for _ in texts])
    store = ArrayStore(tmp_path / "arrays")
    (tmp_path / "arrays").mkdir()
    kept = store.keep(prepared, "batch-0")
    assert not isinstance(kept, Prepared)  # a file's name and table, not the arrays
    opened = store.open(kept)
    _same_arrays(opened, prepared)
    if opened.hashes.size:  # slices read from the file, read-only: a stage cannot
        part = opened.hashes[0:1]  # change them
        assert not part.flags.writeable
        with pytest.raises(ValueError):
            part[0] = 1
        assert opened.hashes[-1] == prepared.hashes[-1]
        assert opened.hashes[::2].tolist() == prepared.hashes[::2].tolist()
        assert np.asarray(opened.hashes).tolist() == prepared.hashes.tolist()
    ids = [str(k) for k in range(len(texts))]
    for (t1, f1), (t2, f2) in zip(
        opened.unpack(ids, texts), prepared.unpack(ids, texts), strict=True
    ):
        assert t1.hashes.tolist() == t2.hashes.tolist()
        assert f1.unique.tolist() == f2.unique.tolist()
    whole = store.open(kept, ("words_at",))  # read into memory when opened
    assert isinstance(whole.words_at, np.ndarray)
    _same_arrays(whole, prepared)
    store.close()
    assert not (tmp_path / "arrays").exists()
    _same_arrays(opened, prepared)  # an unlinked file stays readable while open


def test_in_memory_store_keeps_the_object_itself():
    prepared = prepare(TEXTS, [() for _ in TEXTS])
    store = ArrayStore()
    assert not store.mapped
    assert store.open(store.keep(prepared, "x")) is prepared
    store.close()


def test_budget_decides_where(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert not ArrayStore.for_run(1000, 1).mapped
    chars = int(2 * 2**20 / estimate_mb(2**20) * 2**20)  # about 2 MB of arrays
    big = ArrayStore.for_run(chars, 1)
    assert big.mapped and big.folder is not None and big.folder.parent == tmp_path
    big.close()
    zero = ArrayStore.for_run(1, 0)  # 0: always mapped
    assert zero.mapped
    zero.close()
    assert not list(tmp_path.iterdir())


def _outputs(analysis, out: Path) -> dict[str, bytes]:
    lineage.write_reports(analysis, out, html=False, formats=("parquet",))
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_mapped_store_gives_the_same_outputs_and_leaves_no_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    # workers, as at scale: the fingerprint workers write the files, alignment reads them
    monkeypatch.setattr(pipeline, "_PARALLEL_DOCS", 1)
    monkeypatch.setattr(pipeline, "_PARALLEL_PAIRS", 1)
    docs = read_corpus([SEEDS]).documents
    made: list[ArrayStore] = []
    for_run = ArrayStore.for_run

    def spy(chars: int, budget_mb: int) -> ArrayStore:
        made.append(for_run(chars, budget_mb))
        return made[-1]

    monkeypatch.setattr(ArrayStore, "for_run", staticmethod(spy))
    memory = pipeline.analyze_documents(docs, Config(workers=2))
    mapped = pipeline.analyze_documents(docs, Config(workers=2, memory=0))
    assert [s.mapped for s in made] == [False, True]
    assert not list((tmp_path / "tmp").iterdir())  # the folder is gone
    assert mapped.pairs == memory.pairs and mapped.edges == memory.edges
    assert _outputs(mapped, tmp_path / "mapped") == _outputs(memory, tmp_path / "memory")


def test_the_folder_is_removed_when_a_stage_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    docs = read_corpus([SEEDS]).documents
    written: list[Path] = []
    keep = ArrayStore.keep

    def keep_and_note(self, obj, name):
        written.append(Path(self.folder))
        return keep(self, obj, name)

    def fails(*args, **kwargs):
        raise RuntimeError("alignment failed")

    monkeypatch.setattr(ArrayStore, "keep", keep_and_note)
    monkeypatch.setattr(pipeline, "_align_all", fails)
    with pytest.raises(RuntimeError, match="alignment failed"):
        pipeline.analyze_documents(docs, Config(workers=1, memory=0))
    assert written and all(not p.exists() for p in written)
    assert not list(tmp_path.iterdir())


def test_memory_is_not_written_with_the_results(seeds_analysis):
    from lineage.export import _sections

    assert "memory" not in _sections(seeds_analysis)["config"]


def test_columns_read_each_document_as_unpack_gives_it(tmp_path):
    """lineage.columns: a document's tokens, fingerprint, texts and word counts, read
    from the batches (in memory or in files), equal the ones Prepared.unpack gives."""
    from lineage.columns import Columns, StoredTexts, TokenMap

    texts = [*TEXTS, "caf\u00e9 \ud800 na\u00efve words here", "one more text of words"]
    ids = sorted(f"d{k}" for k in range(len(texts)))
    (tmp_path / "arrays").mkdir()
    store = ArrayStore(tmp_path / "arrays")
    cuts = [0, 2, 5, len(texts)]
    parts = [prepare(texts[a:b], [() for _ in texts[a:b]]) for a, b in itertools.pairwise(cuts)]
    unpacked = [u for (a, b), p in zip(itertools.pairwise(cuts), parts, strict=True)
                for u in p.unpack(ids[a:b], texts[a:b])]  # fmt: skip
    stored = [StoredTexts.of(texts[a:b]) for a, b in itertools.pairwise(cuts)]
    bounds = ("words_at", "shingles_at", "unique_at")
    in_files = [store.open(store.keep(p, f"p{k}"), bounds) for k, p in enumerate(parts)]
    texts_in_files = [store.open(store.keep(t, f"t{k}"), ("at",)) for k, t in enumerate(stored)]
    for cols in (
        Columns(ids, texts, parts, cuts[:-1]),
        Columns(ids, texts, in_files, cuts[:-1], texts_in_files),
    ):
        assert len(cols) == len(texts)
        for k, (t, fp) in enumerate(unpacked):
            got = cols.aligned(k, own_text=True)
            assert got.id == ids[k] and got.text == texts[k] and got.tokens.source == texts[k]
            for name in ("hashes", "starts", "ends", "quoted", "boilerplate"):
                assert getattr(got.tokens, name).tolist() == getattr(t, name).tolist(), name
            for name in ("positions", "hashes", "unique"):
                assert getattr(got.fp, name).tolist() == getattr(fp, name).tolist(), name
            assert cols.words(k) == (len(t), int(t.boilerplate.sum()))
            assert cols.text(k) is texts[k]  # the parent's own string
        assert [f.doc_id for f in cols.fps([4, 1])] == [ids[4], ids[1]]
        tokens = TokenMap(cols, {2: 0})
        assert ids[2] not in tokens and "nope" not in tokens and ids[3] in tokens
        assert (
            list(tokens) == [d for k, d in enumerate(ids) if k != 2]
            and len(tokens) == len(texts) - 1
        )
        assert tokens[ids[3]] is tokens[ids[3]]  # kept while recently read
        with pytest.raises(KeyError):
            tokens[ids[2]]
    store.close()


def test_the_index_read_in_place_gives_the_pairs_of_the_concatenated_one():
    """candidates.IndexPart: the rare-shingle index read from batches, with documents
    left out (-1), gives the pairs of the index made from the kept fingerprints."""
    from lineage.candidates import IndexPart, rare_shingle_pairs
    from lineage.columns import Columns

    base = "the council voted on the new budget for the city schools and roads"
    texts = [
        f"{base} {k % 3} extra words {k}" if k % 4 else f"other text {k} here" for k in range(40)
    ]
    ids = [f"{k:03d}" for k in range(len(texts))]
    cuts = [0, 13, 27, len(texts)]
    parts = [prepare(texts[a:b], [() for _ in texts[a:b]]) for a, b in itertools.pairwise(cuts)]
    cols = Columns(ids, texts, parts, cuts[:-1])
    keep = [k for k in range(len(texts)) if k % 5]
    number = np.full(len(texts), -1, dtype=np.int64)
    number[keep] = np.arange(len(keep))
    index = [
        IndexPart(p.unique, p.unique_at, number[s : s + len(p)])
        for p, s in zip(parts, cuts, strict=False)
    ]
    fps = list(cols.fps(keep))
    want = rare_shingle_pairs(fps, max_df=64, min_shared=2)
    assert len(want)
    for workers in (1, 2):
        got = rare_shingle_pairs(
            cols.fps(keep), max_df=64, min_shared=2, index=index, workers=workers
        )
        assert got.tolist() == want.tolist()
