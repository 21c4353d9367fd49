"""scratch.data.one_hot and DataLoader, checked against torch where torch defines the behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch  # a test dependency (the suite's reference), so the torch comparisons always run
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scratch.data import DataLoader, one_hot


def raised(fn) -> type[BaseException] | None:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class is the result
        return type(e)
    return None


# ---------------------------------------------------------------------------------------------------- one_hot
@given(labels=hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5),
                         elements=st.integers(0, 6)),
       extra=st.one_of(st.none(), st.just(-1), st.integers(0, 3)))
def test_one_hot_matches_torch(labels: np.ndarray, extra: int | None) -> None:
    num_classes = extra if extra in (None, -1) else int(labels.max()) + 1 + extra
    got = one_hot(labels, num_classes)
    want = F.one_hot(torch.from_numpy(labels), -1 if num_classes is None else num_classes).numpy()
    assert got.dtype == np.int64 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, np.eye(got.shape[-1], dtype=np.int64)[labels])  # torch-free oracle


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.uint64])
def test_one_hot_accepts_any_integer_dtype(dtype: type) -> None:
    """Deliberate difference: torch wants int64 only; numpy code often carries int32/uint8 labels."""
    np.testing.assert_array_equal(one_hot(np.array([2, 0], dtype=dtype), 3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot([1, 0]).tolist() == [[0, 1], [1, 0]]  # lists are fine too


BAD_ONE_HOT = {
    "float_labels": (np.array([1.0]), -1),
    "bool_labels": (np.array([True]), -1),
    "negative": (np.array([1, -1]), -1),
    "negative_with_classes": (np.array([1, -1]), 3),
    "too_large": (np.array([1, 5]), 3),
    "equal_to_classes": (np.array([3]), 3),
    "zero_classes": (np.array([0]), 0),
    "below_minus_one": (np.array([0]), -2),
    "empty_infer": (np.array([], dtype=np.int64), -1),
    "empty_zero": (np.array([], dtype=np.int64), 0),
    "float_classes": (np.array([1]), 2.0),
}


@pytest.mark.parametrize("case", list(BAD_ONE_HOT))
def test_one_hot_errors_match_torch(case: str) -> None:
    labels, num_classes = BAD_ONE_HOT[case]
    ours = raised(lambda: one_hot(labels, num_classes))
    theirs = raised(lambda: F.one_hot(torch.from_numpy(labels), num_classes))
    assert ours is not None and ours is theirs


def test_one_hot_empty_and_scalar() -> None:
    out = one_hot(np.zeros((0, 2), np.int64), 4)
    assert out.shape == (0, 2, 4) and out.dtype == np.int64
    assert one_hot(np.int64(2), 4).tolist() == [0, 0, 1, 0]
    with pytest.raises(RuntimeError, match="Can not infer"):
        one_hot(np.zeros(0, np.int64))  # None behaves like -1


# ------------------------------------------------------------------------------------------------- DataLoader
def _data(n: int, feature_shape=(3,)):
    X = np.arange(n * int(np.prod(feature_shape)), dtype=np.float32).reshape(n, *feature_shape)
    return X, np.arange(n, dtype=np.int64)  # y[i] == i: a batch's y names the samples it holds


def test_sequential_batches() -> None:
    X, y = _data(10)
    loader = DataLoader(X, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    for xb, yb in batches:
        assert xb.dtype == np.float32 and xb.shape == (len(yb), 3)
        np.testing.assert_array_equal(xb, X[yb])
    assert [b[1].tolist() for b in DataLoader(X, y, 4, drop_last=True)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [len(b[1]) for b in DataLoader(X, y)] == [1] * 10  # batch_size=1 default, like torch


@given(n=st.integers(0, 40), batch_size=st.integers(1, 15), shuffle=st.booleans(), drop_last=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_batches_partition_the_data(n: int, batch_size: int, shuffle: bool, drop_last: bool,
                                    seed: int) -> None:
    """Property: batches are aligned (X with its y), sized right, disjoint, and cover the data once."""
    X, y = _data(n, (2, 2))
    rng = np.random.default_rng(seed)
    loader = DataLoader(X, y, batch_size, shuffle=shuffle, rng=rng, drop_last=drop_last)
    assert len(loader) == (n // batch_size if drop_last else -(-n // batch_size))
    batches = list(loader)
    assert len(batches) == len(loader)
    sizes = [len(yb) for _, yb in batches]
    assert all(s == batch_size for s in sizes[:-1]) and (not sizes or 0 < sizes[-1] <= batch_size)
    seen = np.concatenate([yb for _, yb in batches]) if batches else np.zeros(0, np.int64)
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, X[yb])
    assert len(set(seen.tolist())) == len(seen) == (n - n % batch_size if drop_last else n)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


def test_shuffle_is_seeded_and_reshuffles_each_epoch() -> None:
    X, y = _data(100)
    a = DataLoader(X, y, 16, shuffle=True, rng=np.random.default_rng(7))
    b = DataLoader(X, y, 16, shuffle=True, rng=np.random.default_rng(7))
    epochs_a = [np.concatenate([yb for _, yb in a]) for _ in range(3)]
    epochs_b = [np.concatenate([yb for _, yb in b]) for _ in range(3)]
    for ea, eb in zip(epochs_a, epochs_b, strict=True):
        np.testing.assert_array_equal(ea, eb)
    assert not np.array_equal(epochs_a[0], epochs_a[1]) and not np.array_equal(epochs_a[1], epochs_a[2])
    # The contract a side-by-side runner relies on: epoch k uses the k-th rng.permutation(N) of the generator.
    ref = np.random.default_rng(7)
    for e in epochs_a:
        np.testing.assert_array_equal(e, ref.permutation(100))


def test_batch_indices_is_the_iteration_order() -> None:
    X, y = _data(23)
    a = DataLoader(X, y, 5, shuffle=True, rng=np.random.default_rng(3))
    b = DataLoader(X, y, 5, shuffle=True, rng=np.random.default_rng(3))
    for _ in range(2):
        idx = a.batch_indices()
        batches = list(b)
        assert len(idx) == len(batches) == len(a)
        for i, (xb, yb) in zip(idx, batches, strict=True):
            assert i.dtype == np.int64  # torch.from_numpy(i) is then a LongTensor index
            np.testing.assert_array_equal(yb, i)
            np.testing.assert_array_equal(xb, X[i])


def test_permutation_drawn_when_iteration_starts() -> None:
    """iter() draws at once (not at the first next()), so generator use is tied to a visible point."""
    rng = np.random.default_rng(0)
    loader = DataLoader(*_data(8), 3, shuffle=True, rng=rng)
    it = iter(loader)
    after_iter = rng.bit_generator.state
    next(it)
    assert rng.bit_generator.state == after_iter
    assert np.random.default_rng(0).bit_generator.state != after_iter


def test_no_shuffle_never_touches_rng() -> None:
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    loader = DataLoader(*_data(8), 3, rng=rng)
    list(loader), loader.batch_indices()
    assert rng.bit_generator.state == before


def test_multidim_data_and_integer_types() -> None:
    X = np.zeros((6, 1, 28, 28), np.float64)
    Y = np.eye(10, dtype=np.int64)[np.arange(6) % 10]
    xb, yb = next(iter(DataLoader(X, Y, batch_size=np.int64(4))))
    assert xb.shape == (4, 1, 28, 28) and xb.dtype == np.float64 and yb.shape == (4, 10)
    assert len(DataLoader([[1], [2], [3]], [0, 1, 0], 2)) == 2  # lists are converted


@given(n=st.integers(0, 40), batch_size=st.integers(1, 15), drop_last=st.booleans())
def test_len_matches_torch(n: int, batch_size: int, drop_last: bool) -> None:
    X, y = _data(n)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(X))
    tl = torch.utils.data.DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    assert len(DataLoader(X, y, batch_size, drop_last=drop_last)) == len(tl) == len(list(tl))


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True])
def test_bad_batch_size_matches_torch(batch_size: object) -> None:
    ds = torch.utils.data.TensorDataset(torch.zeros(5))
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        torch.utils.data.DataLoader(ds, batch_size=batch_size)
    with pytest.raises(ValueError, match=f"batch_size should be a positive integer value, but got batch_size="
                                         f"{batch_size!r}"):
        DataLoader(*_data(5), batch_size=batch_size)


def test_bad_arguments() -> None:
    X, y = _data(5)
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(X, y, batch_size=None)  # torch's batch_size=None (no batching) is not supported
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):  # torch: ValueError too
        DataLoader(X, y, drop_last=1)
    with pytest.raises(ValueError, match="shuffle should be a boolean value"):
        DataLoader(X, y, shuffle=1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="got 5 samples and 4 targets"):
        DataLoader(X, y[:4])
    with pytest.raises(ValueError, match="leading sample axis"):
        DataLoader(np.float32(1), np.int64(0))
    with pytest.raises(ValueError, match="shuffle=True needs rng"):
        DataLoader(X, y, shuffle=True)
    for bad_rng in (0, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="np.random.Generator"):
            DataLoader(X, y, shuffle=True, rng=bad_rng)
    assert "batch_size=1" in repr(DataLoader(X, y))


def test_one_hot_of_empty_labels_with_num_classes_one_like_torch() -> None:
    want = F.one_hot(torch.zeros(0, dtype=torch.int64), 1).numpy()
    got = one_hot(np.zeros(0, np.int64), 1)
    assert got.shape == want.shape == (0, 1) and got.dtype == np.int64


@pytest.mark.parametrize(("X", "y", "error"), [
    (np.zeros(()), np.zeros(3), ValueError), (np.zeros(3), np.zeros(()), ValueError),
    (np.arange(5.0), np.arange(5), None)], ids=["0-d X", "0-d y", "1-d X: one feature per sample"])
def test_dataloader_needs_a_sample_axis_on_both(X, y, error) -> None:
    assert raised(lambda: DataLoader(X, y, batch_size=2)) is error
    if error is None:
        assert [len(b[0]) for b in DataLoader(X, y, batch_size=2)] == [2, 2, 1]
