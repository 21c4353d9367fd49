"""Dependency rules of docs/design.md, checked in fresh interpreters: scratch never imports torch; the twins never read
scratch code; scratch.nn, optim and data never import scratch.autograd."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> None:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


SCRATCH_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "scratch").rglob("*.py")
)


def test_importing_all_of_scratch_never_imports_torch():
    imports = "; ".join(f"import {m}" for m in SCRATCH_MODULES)
    _run(f"import sys; {imports}; bad = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]; "
         f"assert not bad, bad")


@pytest.mark.parametrize("module", ["scratch.nn", "scratch.optim", "scratch.data"])
def test_layers_do_not_depend_on_autograd(module):
    if not (ROOT / module.replace(".", "/")).exists() and not (ROOT / (module.replace(".", "/") + ".py")).exists():
        pytest.fail(f"{module} is missing")
    _run(f"import sys, {module}; assert 'scratch.autograd' not in sys.modules")


def test_reference_twins_never_import_scratch():
    twins = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "reference").rglob("*.py") if p.name != "mnist.py" and "mnist" not in p.parts
    )
    imports = "; ".join(f"import {m}" for m in twins)
    _run(f"import sys; {imports}; bad = [m for m in sys.modules if m == 'scratch' or m.startswith('scratch.')]; "
         f"assert not bad, bad")
