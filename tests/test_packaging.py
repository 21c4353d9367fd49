"""The distribution as installed: scratch needs numpy only; torch and what needs it (reference, the MNIST CLI) come
with the ``torch`` extra; the license is an SPDX expression with its file; scratch ships ``py.typed``.

The cheap checks read the installed metadata (importlib.metadata) and pyproject.toml; the fresh-venv install and
the wheel's contents are checked by ``test_fresh_install_and_wheel`` (``-m slow``: it runs pip).
"""

from __future__ import annotations

import importlib.metadata as md
import importlib.resources
import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
DIST = "scratch-nn"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REINSTALL = "reinstall: pip install -c constraints.txt -e '.[test,plot]'"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> md.Distribution:
    """The installed distribution when it is this checkout's (a stale install then fails below); otherwise
    (not installed, or installed from another checkout, as when a clone runs the suite with another clone's venv)
    this checkout's metadata as its build backend writes it for a wheel: what pip would install, without pip."""
    try:
        d = md.distribution(DIST)
        direct = json.loads(d.read_text("direct_url.json") or "{}").get("url", "")
        if not direct.startswith("file://") or Path(direct.removeprefix("file://")).resolve() == ROOT:
            return d
    except md.PackageNotFoundError:
        pass
    pytest.importorskip("setuptools", minversion="77")  # pyproject's build requirement (SPDX license expression)
    out = tmp_path_factory.mktemp("metadata")
    code = "import setuptools.build_meta as b, sys; print(b.prepare_metadata_for_build_wheel(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=120)
    return md.PathDistribution(out / proc.stdout.split()[-1])


def _requirements(d: md.Distribution) -> dict[str | None, list[Requirement]]:
    """Requirements by extra (None: the base install)."""
    out: dict[str | None, list[Requirement]] = {}
    for text in d.requires or []:
        req = Requirement(text)
        extra = next((e for e in d.metadata.get_all("Provides-Extra") or []
                      if req.marker is not None and req.marker.evaluate({"extra": e})), None)
        out.setdefault(extra, []).append(req)
    return out


def _plain(req: Requirement) -> str:
    """name[extras]specifier, without the marker the metadata adds to an extra's requirements."""
    return req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else "") + str(req.specifier)


def test_installed_metadata_is_this_pyproject(dist):
    """A stale install (metadata from an older pyproject.toml) would make the checks below meaningless."""
    installed = _requirements(dist)
    declared = {None: PYPROJECT["dependencies"], **PYPROJECT["optional-dependencies"]}
    for extra, reqs in declared.items():
        assert sorted(map(_plain, installed.get(extra, []))) == sorted(_plain(Requirement(r)) for r in reqs), (
            f"extra {extra}: {REINSTALL}")


def test_base_install_is_numpy_only(dist):
    reqs = _requirements(dist)
    assert [r.name for r in reqs[None]] == ["numpy"]  # no torch: scratch never imports it (test_isolation.py)
    numpy = reqs[None][0]
    assert Version(md.version("numpy")) in numpy.specifier  # the suite runs on a numpy the bound admits
    assert Version("2.0.0") in numpy.specifier and Version("1.26.4") not in numpy.specifier  # README, Quick start
    torch_extra = {r.name for r in reqs["torch"]}
    assert torch_extra == {"torch", "threadpoolctl", "tqdm"}
    assert "scratch-nn[torch]" in map(_plain, reqs["test"])  # the test extra brings everything the suite needs


def test_license_and_py_typed(dist):
    assert dist.metadata["License-Expression"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert importlib.resources.files("scratch").joinpath("py.typed").is_file()
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in setuptools["package-data"]["scratch"]  # so that the wheel carries it


@pytest.mark.slow
def test_fresh_install_and_wheel(tmp_path):
    """``pip install .`` in a fresh venv brings numpy and no torch, and scratch imports; the wheel holds only the
    packages (no tests/, docs/, benchmarks/) plus py.typed and the license."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = str(venv / "bin" / "python")
    subprocess.run([py, "-m", "pip", "install", "-q", "-c", str(ROOT / "constraints.txt"), str(ROOT)], check=True,
                   timeout=900, cwd=tmp_path)
    subprocess.run([py, "-c", "import importlib.util, sys; import scratch.nn, scratch.optim, scratch.data; "
                              "assert importlib.util.find_spec('torch') is None; assert 'torch' not in sys.modules"],
                   check=True, timeout=120, cwd=tmp_path)
    proc = subprocess.run([py, "-c", "import reference"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode != 0 and "pip install 'scratch-nn[torch]'" in proc.stderr
    subprocess.run([py, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "whl"), str(ROOT)], check=True,
                   timeout=900, cwd=tmp_path)
    (wheel,) = (tmp_path / "whl").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"scratch", "reference", wheel.name.split("-")[0] + "-"
                                                + wheel.name.split("-")[1] + ".dist-info"}
    assert "scratch/py.typed" in names and any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
