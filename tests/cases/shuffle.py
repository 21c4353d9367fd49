"""Catalog entries: PixelShuffle, PixelUnshuffle, ChannelShuffle (permutations: every element is compared, so a
wrong sub-pixel or channel order fails the forward and gradient checks against torch).

Shapes carry 0 to 2 leading dims (torch takes any, unbatched (C, H, W) included); bad inputs plant torch's errors
(too few dims, a channel count or spatial size not divisible) and the values it accepts (integers, NaN, empties;
PixelUnshuffle's empty input comes back unchanged). Factors are checked at call, so the bad arguments call too.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._common import call_on_zeros
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats

_LEAD = st.lists(st.integers(1, 3), max_size=2).map(tuple)
_SIDE = st.integers(1, 3)


def _normal(shape: tuple[int, ...]):
    return lambda rng, dt: (rng.standard_normal(shape).astype(dt),)


def _bad(ok: tuple[int, ...], errors: dict[str, tuple[int, ...]]) -> tuple[BadInput, ...]:
    """torch's errors (by shape), then what it accepts: integers, bools, NaN/inf, an empty batch, 0-d."""
    return tuple(BadInput(label, _normal(shape)) for label, shape in errors.items()) + (
        BadInput("int64", lambda rng, dt: (rng.integers(-5, 5, ok),)),
        BadInput("bool", lambda rng, dt: (rng.random(ok) < 0.5,)),
        BadInput("nan and inf", lambda rng, dt: (np.where(rng.random(ok) < 0.3, np.nan, np.where(
            rng.random(ok) < 0.3, -np.inf, rng.standard_normal(ok))).astype(dt),)),
        BadInput("empty batch", lambda rng, dt: (np.zeros((0,) + ok[1:], dt),)),
        BadInput("0-d", lambda rng, dt: (np.asarray(1.5, dt),)),
    )


def _bad_factor(cls: str, ok: tuple[int, ...]) -> tuple[BadArgs, ...]:
    return tuple(BadArgs(f"{label} (at call)", lambda lib, v=v: call_on_zeros(getattr(lib, cls)(v), ok))
                 for label, v in (("0", 0), ("negative", -2), ("float", 2.0), ("bool", True)))


CASES: list[Case] = [
    Case("pixel_shuffle", lambda lib: lib.PixelShuffle(2), floats(), (2, 8, 2, 3),
         shapes=st.tuples(_LEAD, st.integers(1, 2), _SIDE, _SIDE).map(lambda s: s[0] + (4 * s[1], s[2], s[3])),
         bad_inputs=_bad((2, 8, 2, 3), {"unbatched (C r^2, H, W)": (8, 2, 3), "two leading dims": (2, 1, 4, 1, 2),
                                         "channels not divisible by r^2": (2, 6, 2, 2), "2-D": (8, 2),
                                         "no channels": (2, 0, 2, 2)}),
         bad_args=_bad_factor("PixelShuffle", (1, 4, 2, 2))),
    Case("pixel_unshuffle", lambda lib: lib.PixelUnshuffle(2), floats(), (2, 3, 4, 6),
         shapes=st.tuples(_LEAD, _SIDE, _SIDE, _SIDE).map(lambda s: s[0] + (s[1], 2 * s[2], 2 * s[3])),
         bad_inputs=_bad((2, 3, 4, 6), {"unbatched (C, H r, W r)": (3, 2, 4), "height not divisible": (2, 3, 3, 4),
                                         "width not divisible": (2, 3, 4, 5), "2-D": (4, 4),
                                         "empty: returned as it is": (2, 3, 0, 4)}),
         bad_args=_bad_factor("PixelUnshuffle", (1, 1, 2, 2))),
    Case("channel_shuffle", lambda lib: lib.ChannelShuffle(3), floats(), (2, 6, 2),
         shapes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.lists(_SIDE, min_size=1, max_size=3).map(tuple))
         .map(lambda s: (s[0], 3 * s[1]) + s[2]),
         bad_inputs=_bad((2, 6, 2), {"2-D": (2, 6), "channels not divisible": (2, 4, 2), "4-D": (2, 6, 2, 1),
                                     "6-D": (1, 6, 1, 1, 2, 1), "no channels (forward only)": (2, 0, 3)}),
         bad_args=_bad_factor("ChannelShuffle", (1, 4, 2))),
    # C = 0 stays out of the drawn shapes: torch's backward is channel_shuffle(dy, C / g) and raises RuntimeError for
    # groups 0 there (docs/torch_facts.md), where scratch returns the empty gradient
]
