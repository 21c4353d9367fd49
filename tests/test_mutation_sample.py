"""The mutation audit's fast sample (tests/mutate; README "Mutation audit"): a few fixed mutants of a few families,
each applied in memory in this process and run against the suite's own forward/backward check, must all be
killed; and the runner's pieces do what they claim (operators, in-memory application undone, the trace, the
equivalent-mutant registry). The full audit is ``python -m tests.mutate``; one family of it runs under -m slow."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import numpy as np
import pytest

import scratch.nn
from tests.catalog import BY_NAME
from tests.mutate import report
from tests.mutate.apply import NotApplied, applied, restored
from tests.mutate.equivalent import EQUIVALENT
from tests.mutate.mutator import ROOT, Mutant, enumerate_mutants, mutants_of_file
from tests.mutate.runner import Options, plan
from tests.mutate.trace import trace_entry
from tests.test_blocks import test_forward_backward_vs_torch as forward_backward_check  # noqa: F401 - not collected

# (entry, the key of a mutant of code it runs): a wrong formula the checks must see
SAMPLE = [
    ("relu", "scratch/nn/activations/piecewise.py::ReLU.backward::drop-term::dy * positive -> dy#0"),
    ("pixel_shuffle", "scratch/nn/shuffle.py::PixelShuffle._plan::arith::n + 3 -> n - 3#0"),
    ("cosine_similarity",
     "scratch/nn/distance.py::CosineSimilarity.backward::arith::u_other - y * direction -> u_other + y * direction#0"),
    ("mse", "scratch/nn/losses/pointwise.py::MSELoss._pointwise::constant::2.0 -> 1.0#0"),
]
# a few more per catalog family (test_every_family_is_sampled): mutants of the family's own files where its checks
# reach them, each one that a whole-library audit saw test_forward_backward_vs_torch kill (dtype checks and init
# bounds among them: the forward/backward check reaches those too)
FAMILY_SAMPLE = [
    ('hardtanh',
     'scratch/nn/activations/_common.py::_any_real_input::boolop::isinstance(x, np.ndarray) and x.dtype.ki'
     'nd == "b" -> isinstance(x, np.ndarray) or x.dtype.kind == \'b\'#0'),
    ('hardtanh_range',
     'scratch/nn/activations/_common.py::_any_real_input::compare::x.dtype.kind == "b" -> x.dtype.kind != '
     "'b'#0"),
    ('adaptive_log_softmax_head_bias_div2',
     'scratch/nn/adaptive.py::AdaptiveLogSoftmaxWithLoss.__init__::compare::len(set(cutoffs)) != len(cutof'
     'fs) -> len(set(cutoffs)) == len(cutoffs)#0'),
    ('adaptive_log_softmax_unbatched',
     'scratch/nn/adaptive.py::AdaptiveLogSoftmaxWithLoss.__init__::negate::self.shortlist_size + self.n_cl'
     'usters -> -(self.shortlist_size + self.n_clusters)#0'),
    ('mha_causal_hint_with_padding_sdpa',
     'scratch/nn/attention/_mha_inputs.py::canonical_mask::compare::mask.dtype != np.bool_ -> mask.dtype ='
     '= np.bool_#0'),
    ('mha',
     'scratch/nn/attention/_mha_inputs.py::shape_check::boolop::kpm is not None and kpm.ndim != q.ndim - 1'
     ' -> kpm is not None or kpm.ndim != q.ndim - 1#0'),
    ('mlp',
     'scratch/nn/_math.py::_rational::drop-term::xden + den[i] -> xden#0'),
    ('conv_transpose2d_unbatched_output_size_full',
     'scratch/nn/conv/convolution.py::_ConvNd._batched::arith::d + 1 -> d - 1#0'),
    ('conv3d',
     'scratch/nn/conv/convolution.py::_ConvNd._batched::compare::x.dtype != self.weight.dtype -> x.dtype ='
     '= self.weight.dtype#0'),
    ('cosine_similarity_last_dim_eps_broadcast',
     'scratch/nn/distance.py::CosineSimilarity._normalized::negate::a / c -> -(a / c)#0'),
    ('cosine_similarity',
     'scratch/nn/distance.py::CosineSimilarity.backward::arith::g / c -> g * c#0'),
    ('dropout_p0',
     'scratch/nn/dropout.py::_DropoutNd.__init__::compare::p < 0 -> p <= 0#0'),
    ('dropout_default',
     'scratch/nn/dropout.py::_DropoutNd.__init__::constant::1 -> 0#0'),
    ('embedding_max_norm_p3_scale_grad',
     'scratch/nn/embedding/_common.py::_renorm_::constant::1e-7 -> 0.0#0'),
    ('embedding_max_norm',
     'scratch/nn/embedding/_common.py::_renorm_::drop-term::sub[over] * scale[:, None] -> scale[:, None]#0'),
    ('fold_overlapping',
     'scratch/nn/fold.py::Fold.backward::index::1 -> 2#0'),
    ('unfold_unbatched',
     'scratch/nn/fold.py::Unfold.backward::constant::2 -> 1#0'),
    ('bilinear_out_empty',
     'scratch/nn/linear.py::Bilinear.__init__::negate::1.0 / np.sqrt(in1_features) -> -(1.0 / np.sqrt(in1_'
     'features))#0'),
    ('bilinear_unbatched',
     'scratch/nn/linear.py::Bilinear.backward::axis::0 -> -1#0'),
    ('cosine_embedding',
     'scratch/nn/losses/_base.py::_Loss._unreached_target::compare::np.dtype(target_dtype).kind != "f" -> '
     "np.dtype(target_dtype).kind == 'f'#0"),
    ('cross_entropy_probs_none',
     'scratch/nn/losses/_base.py::_Loss.backward::boolop::dy is None and self._cache is not None -> dy is '
     'None or self._cache is not None#0'),
    ('batchnorm3d_no_track',
     'scratch/nn/normalization/_kernels.py::_AffineNorm._affine::negate::y * self.weight.data.astype(_ACC)'
     '.reshape(shape) -> -(y * self.weight.data.astype(_ACC).reshape(shape))#0'),
    ('batchnorm1d_no_track',
     'scratch/nn/normalization/_kernels.py::_AffineNorm._affine_backward::axis::param_axes -> -1#1'),
    ('circular_pad1d',
     'scratch/nn/padding.py::_PadNd.__init__::arith::2 * self._dims -> 2 / self._dims#0'),
    ('replication_pad3d',
     'scratch/nn/padding.py::_PadNd.backward.<locals>.uncrop::negate::-hi -> hi#0'),
    ('lppool2d_inf',
     'scratch/nn/pooling/_args.py::_finish::index::i -> i + 1#0'),
    ('maxpool3d_overlap_pad_ceil_indices',
     'scratch/nn/pooling/_args.py::_finish::negate::-d -> d#0'),
    ('gru_2layer_bidir_batch_first',
     'scratch/nn/recurrent/_kernels.py::_previous::constant::1 -> 0#1'),
    ('gru',
     'scratch/nn/recurrent/_kernels.py::_previous::index::0 -> 1#0'),
    ('channel_shuffle',
     'scratch/nn/shuffle.py::ChannelShuffle._plan::arith::x.ndim + 1 -> x.ndim - 1#0'),
    ('pixel_shuffle',
     'scratch/nn/shuffle.py::PixelShuffle._plan::constant::4 -> 5#0'),
    ('decoder_layer',
     'scratch/nn/transformer/decoder.py::TransformerDecoderLayer.__init__::constant::63 -> 64#0'),
    ('transformer_masks_norm_first',
     'scratch/nn/transformer/decoder.py::TransformerDecoderLayer.backward.<locals>.ca_back::arith::dk + dv'
     ' -> dk - dv#0'),
    ('upsample_nearest2d_x2_1_x1_1_shortcuts',
     'scratch/nn/upsampling.py::Upsample.backward::arith::2 + axis -> 2 - axis#0'),
    ('upsample_nearest1d_x1_7',
     'scratch/nn/upsampling.py::Upsample.backward::compare::len(cache) == 1 -> len(cache) != 1#0'),
]


def _mutant(key: str) -> Mutant:
    found = [m for m in mutants_of_file(key.split("::")[0]) if m.key == key]
    assert len(found) == 1, f"no mutant has the key {key!r} (the code changed: pick another)"
    return found[0]


@pytest.mark.parametrize("entry, key", SAMPLE + FAMILY_SAMPLE, ids=[f"{e}-{i}" for i, (e, _) in
                                                                    enumerate(SAMPLE + FAMILY_SAMPLE)])
def test_sampled_mutant_is_killed(entry, key):
    """The mutant is one the audit makes for the entry (on a line it runs), and the check fails under it."""
    case, mutant = BY_NAME[entry], _mutant(key)
    assert mutant.line in trace_entry(case)[mutant.file]
    rng = np.random.default_rng(0)
    forward_backward_check(case, np.float64, rng)  # passes unmutated
    with applied(mutant), pytest.raises(Exception):  # noqa: B017, PT011 - any failure of the check is a kill
        forward_backward_check(case, np.float64, np.random.default_rng(0))
    assert restored(mutant)


def test_every_family_is_sampled():
    """Each catalog family has mutants in the fast sample (a new family adds its own to FAMILY_SAMPLE)."""
    from tests.catalog import CATALOG

    missing = {c.family for c in CATALOG} - {BY_NAME[e].family for e, _ in SAMPLE + FAMILY_SAMPLE}
    assert not missing, f"families without a sampled mutant: {sorted(missing)}"


def _landscape_check(optimizer: str):
    from tests.test_optim_trajectory import OPT_CASES
    from tests.test_optim_trajectory import test_landscape_trajectory as trajectory_check

    case = next(c for c in OPT_CASES if str(c) == optimizer)
    return lambda tmp_path: trajectory_check(case, "shared", np.float64)


def _autograd_op_check(name: str):
    from tests.autograd_ops import OPS
    from tests.test_autograd_ops import test_op_matches_torch as op_check

    case = next(c for c in OPS if c.name == name)
    return lambda tmp_path: op_check(case, np.float64, np.random.default_rng(0))


def _check(module: str, function: str, *args):
    """A test function of the suite called with these arguments (``tmp_path`` where it takes one)."""
    import importlib

    fn = getattr(importlib.import_module(module), function)
    return lambda tmp_path: fn(*[tmp_path if a == "tmp_path" else a for a in args])


# (unit, the key of a mutant in its files, the suite's check that must fail under it): one per family of units
UNIT_SAMPLE = [
    ("optim.Adam", "scratch/optim/adam.py::_adam_step::drop-term::1 - beta2**step -> 1#0", _landscape_check("Adam")),
    ("lr_scheduler.simple", "scratch/optim/lr_scheduler/simple.py::StepLR.get_lr::drop-term::group[\"lr\"] * "
     "self.gamma -> group['lr']#0", _check("tests.test_lr_scheduler",
                                           "test_step_lr_decays_exactly_at_multiples_of_step_size")),
    ("init", "scratch/init.py::calculate_gain::compare::nonlinearity == \"tanh\" -> nonlinearity != 'tanh'#0",
     _check("tests.test_init", "test_calculate_gain_like_torch", "tanh", None)),
    ("regularization", "scratch/regularization.py::clip_grads_with_norm_::arith::total + 1e-6 -> total - 1e-06#0",
     _check("tests.test_regularization", "test_clip_grad_norm_eps_is_torchs_1e_minus_6", np.float64)),
    ("autograd.ops", "scratch/autograd/ops.py::tanh.<locals>.<lambda>::arith::1 - out * out -> 1 + out * out#0",
     _autograd_op_check("tanh")),
    ("data.idx", "scratch/data/idx.py::read_idx::drop-term::1 + len(item_shape) -> len(item_shape)#0",
     _check("tests.test_data_idx", "test_idx_dir_round_trip", "tmp_path", np.random.default_rng(0), False)),
    ("gradcheck", "scratch/gradcheck.py::numerical_grad_at::drop-term::(f_plus - f_minus) / (2 * eps) -> "
     "f_plus - f_minus#0", _check("tests.test_gradcheck", "test_numerical_grad_is_accurate_to_1e_9",
                                  np.random.default_rng(0))),
]


@pytest.mark.parametrize("unit, key, check", UNIT_SAMPLE, ids=[u for u, _, _ in UNIT_SAMPLE])
def test_sampled_unit_mutant_is_killed(unit, key, check, tmp_path):
    """The mutant is in the unit's files, and one of the unit's checks passes unmutated and fails under it."""
    from tests.mutate.units import UNITS

    mutant = _mutant(key)
    assert mutant.file in UNITS[unit].sources
    check(tmp_path / "unmutated")
    with applied(mutant), pytest.raises(Exception):  # noqa: B017, PT011 - any failure of the check is a kill
        check(tmp_path / "mutated")
    assert restored(mutant)


SOURCE = '''
X = 1 + 2  # module level: runs at import, never mutated


class C:
    K = 0.5  # class body: never mutated

    def f(self, x, y, i, flag: tuple[int, ...] = 3) -> list[int]:
        a = x + y * 2
        if x < 0 and y >= 1e-8:
            a = -a
        return np.sum(a[i], axis=1, keepdims=True) + x[-1] / y[1:i]
'''


def test_operators_make_the_expected_source():
    found = {(m.operator, m.original, m.replacement) for m in enumerate_mutants(SOURCE, "f.py")}
    assert found == {
        ("arith", "x + y * 2", "x - y * 2"), ("arith", "y * 2", "y / 2"),
        ("drop-term", "x + y * 2", "x"), ("drop-term", "x + y * 2", "y * 2"),
        ("drop-term", "y * 2", "y"), ("drop-term", "y * 2", "2"), ("negate", "x + y * 2", "-(x + y * 2)"),
        ("constant", "2", "1"),
        ("boolop", "x < 0 and y >= 1e-8", "x < 0 or y >= 1e-08"), ("compare", "x < 0", "x <= 0"),
        ("compare", "y >= 1e-8", "y > 1e-08"), ("constant", "0", "1"),
        ("constant", "1e-8", "0.0"), ("constant", "1e-8", "1e-07"), ("negate", "-a", "a"),
        ("arith", "np.sum(a[i], axis=1, keepdims=True) + x[-1] / y[1:i]",
         "np.sum(a[i], axis=1, keepdims=True) - x[-1] / y[1:i]"),
        ("drop-term", "np.sum(a[i], axis=1, keepdims=True) + x[-1] / y[1:i]", "np.sum(a[i], axis=1, keepdims=True)"),
        ("drop-term", "np.sum(a[i], axis=1, keepdims=True) + x[-1] / y[1:i]", "x[-1] / y[1:i]"),
        ("negate", "np.sum(a[i], axis=1, keepdims=True) + x[-1] / y[1:i]",
         "-(np.sum(a[i], axis=1, keepdims=True) + x[-1] / y[1:i])"),
        ("arith", "x[-1] / y[1:i]", "x[-1] * y[1:i]"), ("drop-term", "x[-1] / y[1:i]", "x[-1]"),
        ("axis", "1", "2"), ("axis", "1", "-1"), ("keepdims", "True", "False"), ("index", "i", "i + 1"),
        ("index", "1", "2"), ("constant", "1", "0"), ("negate", "-1", "1"),
        ("index", "i", "i + 1"),  # y[1:i] -> y[1:i + 1]
    }


def test_mutants_are_deterministic_and_keys_unique():
    file = "scratch/nn/activations/piecewise.py"
    first, again = enumerate_mutants((ROOT / file).read_text(), file), mutants_of_file(file)
    assert first == list(again)
    assert len({m.key for m in first}) == len(first)


def test_in_memory_application_is_undone():
    mutant = _mutant(SAMPLE[0][1])  # ReLU.backward returns dy unmasked
    backward, code = scratch.nn.ReLU.backward, scratch.nn.ReLU.backward.__code__
    relu, x, dy = scratch.nn.ReLU(), np.array([-1.0, 2.0]), np.array([3.0, 4.0])

    def grad():
        relu(x)
        return relu.backward(dy)

    np.testing.assert_array_equal(grad(), [0.0, 4.0])
    with applied(mutant) as patched:
        assert patched == 1 and backward.__code__ is not code
        np.testing.assert_array_equal(grad(), [3.0, 4.0])
    assert backward.__code__ is code and restored(mutant)
    np.testing.assert_array_equal(grad(), [0.0, 4.0])
    with pytest.raises(RuntimeError), applied(mutant):  # undone when the body raises too
        raise RuntimeError
    assert backward.__code__ is code
    stale = Mutant(**{**vars(mutant), "original": "dy + positive"})  # the source no longer has this node
    with pytest.raises(NotApplied, match="no longer has"), applied(stale):
        pass


def test_trace_selects_the_lines_the_entry_runs():
    file = "scratch/nn/activations/piecewise.py"
    lines = trace_entry(BY_NAME["relu"])[file]

    def body(fn) -> set[int]:
        src, start = inspect.getsourcelines(fn)
        return set(range(start + 1, start + len(src)))

    assert body(scratch.nn.ReLU.backward) & lines and body(scratch.nn.ReLU.forward) & lines
    assert not body(scratch.nn.LeakyReLU.forward) & lines
    mutants = plan("relu", {file: sorted(lines)}, Options(), None)
    assert mutants and all(m.line in lines for m in mutants)
    sampled = plan("relu", {file: sorted(lines)}, Options(max_mutants=3, seed=1), None)
    assert len(sampled) == 3 and sampled == plan("relu", {file: sorted(lines)}, Options(max_mutants=3, seed=1), None)


def test_equivalent_declaration_is_honoured_and_stale_one_reported():
    killed, declared = (_mutant(key) for key in (SAMPLE[0][1], SAMPLE[1][1]))
    gone = "scratch/nn/shuffle.py::PixelShuffle._plan::arith::n + 7 -> n - 7#0"
    raw = {"entries": {"relu": {"family": "activations", "mutants": [
        {"mutant": killed, "status": "killed"}, {"mutant": declared, "status": "survived"}]}}, "seconds": 1.0}
    raw["entries"]["relu6"] = {"family": "activations", "mutants": [{"mutant": declared, "status": "survived"}]}
    r = report.build(raw, {declared.key: {"relu": "cannot change the result"}, gone: "was true once"})
    row = r["entries"]["relu"]
    assert (row["killed"], row["survived"], row["equivalent"], row["score"]) == (1, 0, 1, 1.0)
    assert r["equivalent"] == [{"entry": "relu", "key": declared.key, "diff": declared.diff(),
                                "reason": "cannot change the result", "status": "survived"}]
    assert not row["survivors"] and r["entries"]["relu6"]["survivors"] == [declared.diff()]  # declared for relu only
    assert r["stale"] == [gone] and "STALE" in report.text(r)
    assert report.stale_declarations(EQUIVALENT) == []  # the project's own registry is current


@pytest.mark.slow
def test_audit_of_one_family_end_to_end(tmp_path):
    """The whole runner (workers, baseline, mutants, report) on the shuffle family (20-90 s: one worker)."""
    out = tmp_path / "shuffle.json"
    subprocess.run([sys.executable, "-m", "tests.mutate", "shuffle", "-j", "1", "--no-progress", "--json",
                    str(out)], cwd=ROOT, check=True, capture_output=True, text=True)
    r = json.loads(out.read_text())
    assert set(r["entries"]) == {"pixel_shuffle", "pixel_unshuffle", "channel_shuffle"}
    assert r["summary"]["killed"] > 0 and r["summary"]["score"] > 0.8
    assert any(d["key"] in EQUIVALENT for d in r["equivalent"])


class _Item:  # what Unit.selects reads of a pytest item
    def __init__(self, nodeid: str) -> None:
        self.nodeid, self.name = nodeid, nodeid.split("::")[-1]


def test_units_select_their_checks_by_whole_word():
    """``Adam`` selects Adam's items, not AdamW's, NAdam's or SparseAdam's; a unit without names takes its files."""
    from tests.mutate.units import UNITS

    adam, base = UNITS["optim.Adam"], UNITS["optim.optimizer"]
    picked = ["tests/test_optim_trajectory.py::test_landscape_trajectory[Adam-own-float32]",
              "tests/test_optim_api.py::test_adam_state_layout", "tests/test_optim_api.py::test_x[AdamW]",
              "tests/test_optim_api.py::test_x[Adam[amsgrad]]"]
    left = ["tests/test_optim_api.py::test_x[NAdam]", "tests/test_optim_api.py::test_x[SparseAdam]",
            "tests/test_optim_api.py::test_x[Adamax]", "tests/test_init.py::test_adam_named_elsewhere"]
    assert [adam.selects(_Item(n)) for n in picked + left] == [True] * len(picked) + [False] * len(left)
    assert base.selects(_Item(left[0])) and not base.selects(_Item(left[-1]))


def test_every_scratch_file_outside_the_catalog_is_a_units_source():
    """A new module under scratch/ (outside nn's blocks, which the catalog entries trace) joins a unit, or the
    whole-library audit would never mutate it."""
    from tests.mutate.select import PROTOCOL_FILES
    from tests.mutate.units import UNITS_LIST

    covered = {f for u in UNITS_LIST for f in u.sources}
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "scratch").rglob("*.py"))
    outside = [f for f in files if (not f.startswith("scratch/nn/") or f in PROTOCOL_FILES) and mutants_of_file(f)]
    assert [f for f in outside if f not in covered] == []
    assert all((ROOT / f).is_file() for f in covered)


def test_names_resolve_to_units():
    from tests.mutate.select import resolve

    assert [u.name for u in resolve(["optim"]).units][:3] == ["optim.SGD", "optim.Adagrad", "optim.RMSprop"]
    by_file = resolve(["scratch/optim/adam.py"])
    assert (by_file.entries, [u.name for u in by_file.units]) == ([], ["optim.Adam"])
    assert [u.name for u in resolve(["AdamW"]).units] == ["optim.Adam"]
    assert len(resolve(["family:linear"]).entries) > 1 and [c.name for c in resolve(["entry:linear"]).entries] == [
        "linear"]
    with pytest.raises(SystemExit, match="both a catalog entry and a family: say entry:linear or family:linear"):
        resolve(["linear"])
    everything = resolve([])
    assert len(everything.entries) > 500 and {u.family for u in everything.units} >= {
        "optim", "lr_scheduler", "init", "regularization", "autograd", "data", "gradcheck", "protocol"}


def test_equivalent_declarations_of_two_areas_combine():
    from tests.mutate.equivalent import _combine

    assert _combine("k", "every entry", {"a": "why"}) == "every entry" == _combine("k", {"a": "why"}, "every entry")
    assert _combine("k", {"a": "x"}, {"b": "y"}) == {"a": "x", "b": "y"}
    for first, second in (("x", "y"), ({"a": "x"}, {"a": "y"})):
        with pytest.raises(ValueError, match="declared twice"):
            _combine("k", first, second)
