r"""The strong-Wolfe line search of :class:`scratch.optim.LBFGS` (torch's ``_strong_wolfe`` and ``_cubic_interpolate``,
ported from the Lua torch/optim ``lswolfe.lua`` and ``polyinterp.lua``).

Along a direction d from x, with phi(t) = f(x + t d) and phi'(t) = g(x + t d) . d, a step t satisfies the STRONG
Wolfe conditions when

.. code-block:: text

    phi(t) <= phi(0) + c1 t phi'(0)            (sufficient decrease, Armijo; c1 = 1e-4)
    |phi'(t)| <= -c2 phi'(0)                    (curvature; c2 = 0.9)

Bracketing phase: try t, then extrapolate by cubic interpolation within [t + 0.01 (t - t_prev), 10 t] until a
trial fails Armijo, stops decreasing, or has phi' >= 0 (a bracket), or satisfies both conditions (done).
Zoom phase: shrink the bracket by cubic interpolation (kept at least 0.1 of the bracket away from its ends when
progress is poor) until a trial satisfies both conditions, the bracket is shorter than tolerance_change / |d|_inf,
or ``max_ls`` evaluations are spent. Returns the best (lowest-f) bracket end.

Scalars follow torch's types: dot products and the slopes derived from them are numpy scalars of the parameters'
dtype (torch's 0-d tensors), losses are Python floats, and mixed arithmetic follows NumPy 2's weak-Python-scalar
rule, which is torch's: a float32 slope times a Python float stays float32. So float32 runs take the same
branches as torch's float32 runs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1, slope g1) and (x2, f2, slope g2), clipped to ``bounds``
    (default [min(x1, x2), max(x1, x2)]); the bounds' midpoint when the cubic has no real minimizer.

    .. code-block:: text

        d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2);   d2 = sqrt(d1^2 - g1 g2)
        t  = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)      (for x1 <= x2; mirrored otherwise)
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # torch's 0-d tensors: IEEE, silent
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        d2_square = d1**2 - g1 * g2
        if d2_square >= 0:
            d2 = np.sqrt(d2_square)
            if x1 <= x2:
                min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            else:
                min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
            return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


ObjFunc = Callable[[list[np.ndarray], object, np.ndarray], tuple[float, np.ndarray]]


def strong_wolfe(obj_func: ObjFunc, x: list[np.ndarray], t, d: np.ndarray, f: float, g: np.ndarray, gtd,
                 c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25):
    """Search along ``d`` from ``x`` (loss f, flat gradient g, slope gtd = g . d < 0) starting at step ``t``.

    ``obj_func(x, t, d)`` returns (loss, flat gradient) at x + t d. Returns ``(f_new, g_new, t, evaluations)``.
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate: the cubic's minimizer, at least 1% beyond t and at most 10 t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:  # no bracket found within the budget
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: refine the bracket until a point satisfies both conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:  # the bracket is too small
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial too close to an end: if progress was already poor (or t is at the end), move it to 0.1 of the
        # bracket's length from the nearer end
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo fails or no lower than the low end: t becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:  # both Wolfe conditions hold
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:  # the old high end becomes the low end
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
