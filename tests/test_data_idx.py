"""scratch.data IDX files: round trips, layouts, and every way a file can be missing, truncated or wrong.

All on small generated files in tmp_path: no network, no real data set.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratch.data import idx as idx_mod
from scratch.data import load_mnist, read_idx, write_idx
from scratch.data import mnist as mnist_mod
from tests.data_helpers import _isolated, assert_arrays_equal, make_arrays, write_mnist_dir  # noqa: F401 (autouse fixture)

IMAGES, LABELS = idx_mod.IMAGES_MAGIC, idx_mod.LABELS_MAGIC
NAMES = [n for pair in mnist_mod.IDX_FILES.values() for n in pair]


# ------------------------------------------------------------------------------------------------ IDX files
@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_idx_dir_round_trip(tmp_path: Path, rng: np.random.Generator, gz: bool) -> None:
    arrays = make_arrays(rng)
    write_mnist_dir(tmp_path / "d", arrays, gz=gz)
    got = load_mnist(tmp_path / "d")
    assert_arrays_equal(got, arrays)
    assert all(a.flags.writeable for a in got)


def test_idx_torchvision_layout_and_env(tmp_path: Path, rng: np.random.Generator,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """torchvision keeps both the .gz and the unpacked file under <root>/MNIST/raw; either way works."""
    arrays = make_arrays(rng)
    raw = tmp_path / "tv" / "MNIST" / "raw"
    write_mnist_dir(raw, arrays, gz=True)
    write_mnist_dir(raw, arrays, gz=False)
    assert_arrays_equal(load_mnist(tmp_path / "tv"), arrays)
    assert_arrays_equal(load_mnist(raw), arrays)
    monkeypatch.setenv("SCRATCH_MNIST_DIR", str(tmp_path / "tv"))
    assert_arrays_equal(load_mnist(), arrays)
    other = make_arrays(rng, 2, 2)
    write_mnist_dir(tmp_path / "other", other)
    assert_arrays_equal(load_mnist(tmp_path / "other"), other)  # the argument wins over the variable


def test_gz_name_with_raw_content(tmp_path: Path, rng: np.random.Generator) -> None:
    """Some tools unpack a .gz and keep its name: the content decides, not the suffix."""
    arrays = make_arrays(rng)
    for name, a in zip(NAMES, arrays, strict=True):
        write_idx(tmp_path / f"{name}.gz", a.astype(np.uint8), compress=False)
    assert_arrays_equal(load_mnist(tmp_path), arrays)


@pytest.mark.parametrize("missing", NAMES)
def test_idx_missing_file(tmp_path: Path, rng: np.random.Generator, missing: str) -> None:
    paths = write_mnist_dir(tmp_path, make_arrays(rng))
    paths[missing].unlink()
    with pytest.raises(FileNotFoundError, match=missing):
        load_mnist(tmp_path)


def test_idx_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist(tmp_path / "nope")
    monkeypatch.setenv("SCRATCH_MNIST_DIR", str(tmp_path / "nope"))  # an explicit source never falls through
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist()
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)  # exists, but empty


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("cut", ["short_header", "short_dims", "one_byte_short", "one_byte_extra"])
def test_idx_truncated_or_padded(tmp_path: Path, rng: np.random.Generator, gz: bool, cut: str) -> None:
    arrays = make_arrays(rng)
    paths = write_mnist_dir(tmp_path, arrays)
    path = paths["train-images-idx3-ubyte"]
    data = path.read_bytes()
    data = {"short_header": data[:3], "short_dims": data[:10], "one_byte_short": data[:-1],
            "one_byte_extra": data + b"\0"}[cut]
    path.unlink()
    target = path.with_name(path.name + ".gz") if gz else path
    target.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte") as exc:
        load_mnist(tmp_path)
    msg = str(exc.value)
    assert "expected" in msg and "found" in msg
    if cut == "one_byte_short":
        assert "truncated" in msg and f"found {len(data)}" in msg and f"expected {len(data) + 1}" in msg


@given(st.data())
def test_idx_any_truncation_raises(data: st.DataObject) -> None:
    """Property: every proper prefix of a valid IDX file is rejected; none yields a partial array."""
    a = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 8, 3]) + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
    full = header + a.tobytes()
    k = data.draw(st.integers(0, len(full) - 1))
    # No tmp_path: hypothesis re-runs the body, function-scoped fixtures would be shared; this directory is
    # the per-test one the autouse fixture set up.
    path = Path(os.environ["SCRATCH_CACHE_DIR"]).parent / "cut.idx"
    path.write_bytes(full[:k])
    with pytest.raises(ValueError, match="cut.idx"):
        read_idx(path, IMAGES, (3, 4))


@given(shape=st.tuples(st.integers(0, 5), st.integers(1, 4), st.integers(1, 4)), gz=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_write_read_idx_round_trip(shape: tuple[int, int, int], gz: bool, seed: int) -> None:
    a = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    path = Path(os.environ["SCRATCH_CACHE_DIR"]).parent / ("rt.idx.gz" if gz else "rt.idx")
    write_idx(path, a)
    got = read_idx(path, IMAGES, shape[1:])
    assert got.shape == shape and got.dtype == np.uint8
    np.testing.assert_array_equal(got, a)


def test_idx_wrong_magic_swapped_files(tmp_path: Path, rng: np.random.Generator) -> None:
    paths = write_mnist_dir(tmp_path, make_arrays(rng))
    images, labels = paths["t10k-images-idx3-ubyte"], paths["t10k-labels-idx1-ubyte"]
    tmp = images.read_bytes()
    images.write_bytes(labels.read_bytes())
    labels.write_bytes(tmp)
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte: wrong IDX magic number: expected 2051 .* "
                                         r"found 2049"):
        load_mnist(tmp_path)


def test_idx_garbage_magic(tmp_path: Path, rng: np.random.Generator) -> None:
    paths = write_mnist_dir(tmp_path, make_arrays(rng))
    paths["train-labels-idx1-ubyte"].write_bytes(b"<html>not found</html>")
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: wrong IDX magic number: expected 2049"):
        load_mnist(tmp_path)


def test_idx_wrong_image_size(tmp_path: Path, rng: np.random.Generator) -> None:
    paths = write_mnist_dir(tmp_path, make_arrays(rng))
    write_idx(paths["train-images-idx3-ubyte"], np.zeros((7, 32, 32), np.uint8))
    with pytest.raises(ValueError, match=r"wrong item shape: expected \(28, 28\), found \(32, 32\)"):
        load_mnist(tmp_path)


def test_idx_count_mismatch(tmp_path: Path, rng: np.random.Generator) -> None:
    paths = write_mnist_dir(tmp_path, make_arrays(rng))
    write_idx(paths["train-labels-idx1-ubyte"], np.zeros(6, np.uint8))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte holds 7 images but .*"
                                         r"train-labels-idx1-ubyte holds 6 labels"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("split, bad", [("train", 42), ("t10k", 10)])
def test_idx_label_out_of_range(tmp_path: Path, rng: np.random.Generator, split: str, bad: int) -> None:
    """A label of 42 (or 10, the first one out) is an error at load, naming the file and the index (not a crash
    mid-epoch)."""
    arrays = list(make_arrays(rng))
    labels = 1 if split == "train" else 3
    arrays[labels] = arrays[labels].copy()
    arrays[labels][2] = bad
    write_mnist_dir(tmp_path, tuple(arrays))
    with pytest.raises(ValueError, match=rf"{split}-labels-idx1-ubyte: label {bad} at index 2 is not a digit 0..9 "
                                         r"\(1 of \d+ labels out of range\)"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_idx_corrupt_gzip(tmp_path: Path, rng: np.random.Generator, damage: str) -> None:
    paths = write_mnist_dir(tmp_path, make_arrays(rng), gz=True)
    path = paths["train-images-idx3-ubyte"]
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[-6] ^= 0xFF  # inside the CRC-32 trailer
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz: corrupt or truncated gzip"):
        load_mnist(tmp_path)


def test_idx_header_sizes_are_read_as_whole_big_endian_words(tmp_path: Path) -> None:
    """Each size is 4 big-endian bytes: 2^16 + 3 (bytes 0, 1, 0, 3) and 2^24 + 5 (1, 0, 0, 5); a reader of fewer
    or other bytes per size sees another size."""
    a = np.arange(2 * (2**16 + 3), dtype=np.int64).astype(np.uint8).reshape(2, 1, 2**16 + 3)
    write_idx(tmp_path / "wide.idx", a)
    assert (tmp_path / "wide.idx").read_bytes()[:16] == bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0, 3])
    np.testing.assert_array_equal(read_idx(tmp_path / "wide.idx", IMAGES, (1, 2**16 + 3)), a)
    # a size of 2^24 + 5 (first header byte 1): checked from the header alone, before any data is read
    (tmp_path / "huge.idx").write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 5]))
    with pytest.raises(ValueError, match=r"truncated\): expected 16777237 bytes \(16-byte header \+ 1 x 1 x "
                                         r"16777221 values\), found 16"):
        read_idx(tmp_path / "huge.idx", IMAGES, (1, 2**24 + 5))


@pytest.mark.parametrize("array", [np.zeros((2, 3), np.int64), np.zeros((2, 3), np.float32), np.uint8(7)],
                         ids=["int64", "float32", "0-d"])
def test_write_idx_refuses_what_idx_cannot_hold(tmp_path: Path, array: np.ndarray) -> None:
    with pytest.raises(ValueError, match="write_idx needs a uint8 array with 1..255 dimensions"):
        write_idx(tmp_path / "bad.idx", array)
