"""IDX files (the format MNIST ships in): strict reading, plus a writer for tests and tools.

Layout of an IDX file (big-endian):  0x00 0x00 <type code> <ndim>  | ndim x uint32 sizes | prod(sizes) values.
For MNIST the type code is 0x08 (unsigned byte), so the magic number read as one int32 is
2051 (0x0803) for images (N, 28, 28) and 2049 (0x0801) for labels (N,).
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051  # 0x00000803: unsigned byte, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned byte, 1 dimension
_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08


def _describe_magic(magic: int) -> str:
    names = {IMAGES_MAGIC: "IDX uint8 images", LABELS_MAGIC: "IDX uint8 labels"}
    return names.get(magic, "not an IDX uint8 file")


def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's content, gunzipped when it is gzip data.

    The content decides, not the name: a '.gz' that was already unpacked (some download tools do that
    and keep the name) still reads.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is gzip data but truncated or corrupt (the message names the file).
    """
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError; truncation gives EOFError
            raise ValueError(f"{path}: corrupt or truncated gzip data ({e})") from e
    return data


def read_idx(path: str | os.PathLike, magic: int, item_shape: tuple[int, ...]) -> np.ndarray:
    """Read one uint8 IDX file and check it completely before returning anything.

    Args:
        path: the file (raw or gzip-compressed).
        magic: the expected magic number: IMAGES_MAGIC (2051) or LABELS_MAGIC (2049).
        item_shape: the expected sizes after the first (count) dimension: (28, 28) for MNIST images,
            () for labels.

    Returns:
        A writable uint8 array of shape (count, *item_shape).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: wrong magic number, wrong item shape, or a length that differs from what the header
            announces (truncated file, trailing bytes). The message names the file, what was expected and
            what was found; a partial array is never returned.
    """
    path = Path(path)
    data = read_bytes(path)
    ndim = 1 + len(item_shape)
    if magic & 0xFF != ndim or (magic >> 8) != _UBYTE:
        raise ValueError(f"magic {magic} does not describe a {ndim}-dimensional uint8 IDX file")
    if len(data) < 4:
        raise ValueError(f"{path}: truncated IDX header: expected at least 4 bytes, found {len(data)}")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise ValueError(f"{path}: wrong IDX magic number: expected {magic} ({_describe_magic(magic)}), "
                         f"found {found} ({_describe_magic(found)})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header: expected {header} bytes, found {len(data)}")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if dims[1:] != tuple(item_shape):
        raise ValueError(f"{path}: wrong item shape: expected {tuple(item_shape)}, found {dims[1:]}")
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "trailing bytes"
        raise ValueError(f"{path}: file length does not match its header ({what}): expected {expected} bytes "
                         f"({header}-byte header + {' x '.join(map(str, dims))} values), found {len(data)}")
    # frombuffer views the immutable bytes; copy so callers get an ordinary writable array.
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write a uint8 array as an IDX file (the inverse of read_idx), gzip-compressed if the name ends in .gz.

    Args:
        path: destination.
        array: uint8 array with at least one dimension; its shape is stored in the header.
        compress: gzip the file; default: when `path` ends with '.gz'.
    """
    path = Path(path)
    array = np.asarray(array)  # not ascontiguousarray first: it would make a 0-d array 1-d
    if array.dtype != np.uint8 or array.ndim < 1 or array.ndim > 255:
        raise ValueError(f"write_idx needs a uint8 array with 1..255 dimensions, got {array.dtype} "
                         f"{array.shape}")
    header = bytes([0, 0, _UBYTE, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    data = header + array.tobytes()
    if compress if compress is not None else path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)  # mtime=0: identical arrays give identical files
    path.write_bytes(data)
