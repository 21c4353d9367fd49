"""A long-lived worker process: imports torch and collects the test files ONCE (``pytest.main`` with a plugin whose
``pytest_runtestloop`` replaces pytest's loop, as pytest-xdist's workers do), then takes tasks from a queue:

- ``trace``: the scratch lines an entry runs (trace.py);
- ``baseline``: every check of an entry, unmutated (a failing one makes the entry an error, not kills);
- ``mutant``: the entry's checks with the mutant applied in memory (apply.py), stopping at the first failure,
  under a per-mutant timeout (``signal.setitimer``; it re-fires every half second until the checks give up, so a
  handler that swallows the exception cannot hang the worker). The original code is back and checked after
  every mutant.

Each item runs through ``_pytest.runner.runtestprotocol`` (setup, call, teardown, the suite's fixtures and
hypothesis settings) inside pytest's warning filters (pyproject's ``error::RuntimeWarning:scratch.*``), with
``nextitem=None``: every fixture is torn down after every item, so nothing made under a mutant outlives it.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest


class _Timeout(Exception):
    pass


def _first_line(report) -> str:
    text = str(report.longrepr or "").strip().splitlines()
    return text[0][:200] if text else ""


class WorkerPlugin:
    def __init__(self, index: int, tasks, results) -> None:
        self.index, self.tasks, self.results = index, tasks, results
        self.items: list = []
        self._by_entry: dict[str, list] = {}
        self._timed_out = False

    def _entry_items(self, name: str) -> list:
        from tests.catalog import BY_NAME
        from tests.mutate.select import entry_items
        from tests.mutate.units import UNITS

        if name not in self._by_entry:
            self._by_entry[name] = [i for i in self.items if UNITS[name].selects(i)] if name in UNITS else \
                entry_items(self.items, BY_NAME[name])
        return self._by_entry[name]

    def _trace(self, name: str) -> dict:
        """The scratch lines a target runs: a catalog entry's block once (trace.py); a unit's checks once."""
        from tests.catalog import BY_NAME
        from tests.mutate.apply import clear_caches
        from tests.mutate.trace import trace_calls, trace_entry
        from tests.mutate.units import UNITS

        clear_caches()  # a table another entry cached would hide the lines that compute it

        if name not in UNITS:
            return {f: sorted(ls) for f, ls in trace_entry(BY_NAME[name]).items()}
        items = self._entry_items(name)
        if not items:
            raise LookupError(f"no test item selects the unit {name}")
        box = {}
        lines = trace_calls(lambda: box.update(self.run_items(items, stop_at_failure=False, timeout=None)))
        if box["failures"]:
            raise RuntimeError("unmutated checks fail: " + "; ".join(f"{n} : {m}" for n, m in box["failures"][:3]))
        return {f: sorted(ls) for f, ls in lines.items() if f in UNITS[name].sources}

    def _run_item(self, item) -> list:
        from _pytest.runner import runtestprotocol
        from _pytest.warnings import catch_warnings_for_item

        # hypothesis' pytest plugin wraps a parametrized test's settings in a new Settings(parent=old) at every
        # call; a worker re-running items nests them until a RecursionError, then every later hypothesis item fails
        # (and every mutant after it would count as killed): restore them after each item
        fn = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        saved = getattr(fn, "_hypothesis_internal_use_settings", None)
        try:
            with catch_warnings_for_item(config=item.config, ihook=item.ihook, when="runtest", item=item):
                return runtestprotocol(item, log=False, nextitem=None)
        finally:
            if saved is not None:
                fn._hypothesis_internal_use_settings = saved

    def _alarm(self, signum, frame) -> None:
        self._timed_out = True
        raise _Timeout("mutant timed out")

    def run_items(self, items: list, stop_at_failure: bool, timeout: float | None) -> dict:
        """Run items; {'failures': [(nodeid, message)], 'ran': n, 'seconds': s, 'timed_out': bool}."""
        failures, ran, start = [], 0, time.perf_counter()
        self._timed_out = False
        if timeout:
            signal.signal(signal.SIGALRM, self._alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout, 0.5)
        try:
            for item in items:
                reports = self._run_item(item)
                ran += 1
                if self._timed_out:
                    break
                failed = [r for r in reports if r.failed]
                if failed:
                    failures.append((item.nodeid, _first_line(failed[0])))
                    if stop_at_failure:
                        break
        except _Timeout:
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            self._teardown()
        return dict(failures=failures, ran=ran, seconds=time.perf_counter() - start, timed_out=self._timed_out)

    def _teardown(self) -> None:
        session = self.items[0].session if self.items else None
        if session is not None and session._setupstate.stack:  # a timeout inside setup or teardown
            try:
                session._setupstate.teardown_exact(None)
            except Exception:  # noqa: BLE001 - a teardown failing under a mutant is that mutant's problem
                session._setupstate.stack.clear()

    def handle(self, task: dict) -> dict:
        kind, name = task["kind"], task["entry"]
        if kind == "trace":
            return {"lines": self._trace(name)}
        items = self._entry_items(name)
        if kind == "baseline":
            return {"items": len(items), **self.run_items(items, stop_at_failure=False, timeout=None)}
        from tests.mutate.apply import NotApplied, applied
        from tests.mutate.mutator import Mutant

        mutant = Mutant(**task["mutant"])
        try:
            with applied(mutant):
                outcome = self.run_items(items, stop_at_failure=True, timeout=task["timeout"])
        except NotApplied as e:
            return {"status": "not applied", "detail": str(e)}
        if outcome["timed_out"]:
            status, detail = "timeout", f"after {outcome['seconds']:.1f} s ({outcome['ran']} checks)"
        elif outcome["failures"]:
            status, detail = "killed", "{} : {}".format(*outcome["failures"][0])
        else:
            status, detail = "survived", f"{outcome['ran']} checks passed"
        return {"status": status, "detail": detail, "ran": outcome["ran"], "seconds": outcome["seconds"]}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """A failure's report without its formatted traceback (pytest's costs ~0.2 s, more than most checks):
        the exception's class and message. Skips are left to pytest; xfail handling wraps this hook as usual."""
        from _pytest.outcomes import skip
        from _pytest.reports import TestReport

        e = call.excinfo
        if e is None or isinstance(e.value, skip.Exception | BaseExceptionGroup):
            return None  # pytest's own report
        call.excinfo = None
        try:
            report = TestReport.from_item_and_call(item, call)
        finally:
            call.excinfo = e
        report.outcome, report.longrepr = "failed", f"{e.typename}: {e.value}"[:500]
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        from tests.mutate.apply import NotRestored

        if session.testsfailed:
            self.results.put(("fatal", self.index, f"{session.testsfailed} collection errors (see the worker log)"))
            return True
        self.items = list(session.items)
        self.results.put(("ready", self.index, len(self.items)))
        while (task := self.tasks.get()) is not None:
            self.results.put(("start", self.index, task["id"]))
            try:
                result = self.handle(task)
            except NotRestored as e:  # this process' scratch is no longer the working tree's
                self.results.put(("fatal", self.index, str(e)))
                return True
            except Exception as e:  # noqa: BLE001 - the runner reports it; the worker goes on
                import traceback

                result = {"status": "error", "detail": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
            self.results.put(("done", self.index, task["id"], result))
        return True


def main(index: int, pytest_args: list[str], tasks, results, log_path: str) -> None:
    """The worker process' entry point: output goes to ``log_path``; the suite's hypothesis profile 'mutation'
    (derandomized, no shrinking)."""
    os.environ["HYPOTHESIS_PROFILE"] = "mutation"
    log = open(log_path, "w")  # noqa: SIM115 - lives as long as the process
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's: it stops the workers
    try:
        code = pytest.main(pytest_args, plugins=[WorkerPlugin(index, tasks, results)])
        results.put(("exit", index, int(code)))
    except BaseException as e:  # noqa: BLE001 - said to the runner, which stops
        results.put(("fatal", index, f"{type(e).__name__}: {e}"))
        raise
