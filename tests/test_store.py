"""lineage.store: the per-document arrays in memory or memory-mapped give the same values,
so the same analysis; the temporary folder is removed at the end, and on an error."""

from __future__ import annotations

import tempfile
from pathlib import Path

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
def test_mapped_arrays_are_the_arrays_kept(tmp_path, texts):
    prepared = prepare(texts, [() for _ in texts])
    store = ArrayStore(tmp_path / "arrays")
    (tmp_path / "arrays").mkdir()
    kept = store.keep(prepared, "batch-0")
    assert not isinstance(kept, Prepared)  # a file's name and table, not the arrays
    opened = store.open(kept)
    _same_arrays(opened, prepared)
    if opened.hashes.size:  # views of the file, read-only: a stage cannot change them
        assert not opened.hashes.flags.writeable
        with pytest.raises(ValueError):
            opened.hashes[0] = 1
    ids = [str(k) for k in range(len(texts))]
    for (t1, f1), (t2, f2) in zip(
        opened.unpack(ids, texts), prepared.unpack(ids, texts), strict=True
    ):
        assert t1.hashes.tolist() == t2.hashes.tolist()
        assert f1.unique.tolist() == f2.unique.tolist()
    store.release()  # the pages dropped are read again from the file
    _same_arrays(opened, prepared)
    store.close()
    assert not (tmp_path / "arrays").exists()
    _same_arrays(opened, prepared)  # an unlinked file stays readable while mapped


def test_in_memory_store_keeps_the_object_itself():
    prepared = prepare(TEXTS, [() for _ in TEXTS])
    store = ArrayStore()
    assert not store.mapped
    assert store.open(store.keep(prepared, "x")) is prepared
    store.release()
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
