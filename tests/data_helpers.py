"""Shared fixtures and builders for the scratch.data tests: generated IDX files, isolated cache and no pip."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import numpy.testing  # noqa: F401  -- numpy 2.0's numpy.testing runs `lscpu` when first imported: before _isolated
import pytest

from scratch.data import idx as idx_mod
from scratch.data import mnist as mnist_mod
from scratch.data import write_idx

IMAGES, LABELS = idx_mod.IMAGES_MAGIC, idx_mod.LABELS_MAGIC
NAMES = [n for pair in mnist_mod.IDX_FILES.values() for n in pair]


# ----------------------------------------------------------------------------------------------- helpers
@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unit tests never see the user's MNIST directory or cache, and never run pip by accident."""
    if request.node.get_closest_marker("mnist"):
        return
    monkeypatch.delenv("SCRATCH_MNIST_DIR", raising=False)
    monkeypatch.setenv("SCRATCH_CACHE_DIR", str(tmp_path / "cache"))

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"unexpected subprocess call {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)


def make_arrays(rng: np.random.Generator, n_train: int = 7, n_test: int = 3) -> tuple[np.ndarray, ...]:
    return (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_train),
            rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_test))


def write_mnist_dir(directory: Path, arrays: tuple[np.ndarray, ...], gz: bool = False) -> dict[str, Path]:
    """The four IDX files of `arrays` in `directory`; returns name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, a in zip(NAMES, arrays, strict=True):
        paths[name] = directory / (name + (".gz" if gz else ""))
        write_idx(paths[name], a.astype(np.uint8))
    return paths


def assert_arrays_equal(got: tuple[np.ndarray, ...], want: tuple[np.ndarray, ...]) -> None:
    assert len(got) == 4
    for g, w, dtype in zip(got, want, (np.uint8, np.int64, np.uint8, np.int64), strict=True):
        assert g.dtype == dtype
        np.testing.assert_array_equal(g, w)
