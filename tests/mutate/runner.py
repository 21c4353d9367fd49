"""The audit's driver: worker processes (worker.py), then three phases of tasks over them: trace the entries,
run each entry's checks unmutated (baseline), run its mutants. The driver itself never imports torch."""

from __future__ import annotations

import multiprocessing
import queue
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.mutate.mutator import ROOT, Mutant, mutants_of_file
from tests.mutate.select import PROTOCOL_FILES, Selection, test_files


@dataclass
class Options:
    names: list[str] = field(default_factory=list)
    jobs: int = 2
    seed: int = 0
    max_mutants: int = 30  # per entry; more are sampled with a seeded generator
    timeout_factor: float = 10.0  # a mutant's timeout: this x the entry's baseline time ...
    min_timeout: float = 20.0  # ... and at least this (seconds)
    include_protocol: bool = False
    progress: bool = True


def plan(entry: str, lines: dict[str, list[int]], options: Options, files: tuple[str, ...] | None) -> list[Mutant]:
    """The entry's mutants: every mutant on the lines it runs (the protocol files only when asked, or named),
    sampled down to ``options.max_mutants`` with a generator seeded by ``options.seed`` and the entry's name, so
    adding entries or files elsewhere leaves an entry's sample alone."""
    def wanted(f: str) -> bool:
        if files is not None:
            return f in files
        return options.include_protocol or f not in PROTOCOL_FILES

    pool = [m for f in sorted(lines) if wanted(f) for m in mutants_of_file(f) if m.line in set(lines[f])]
    if len(pool) > options.max_mutants:
        rng = np.random.default_rng([options.seed, zlib.crc32(entry.encode())])
        pool = [pool[i] for i in sorted(rng.choice(len(pool), options.max_mutants, replace=False))]
    return sorted(pool, key=lambda m: (m.file, m.line, m.col, m.operator, m.replacement))


class Workers:
    """``n`` pytest worker processes fed from one task queue; a worker that dies is replaced and its task is
    reported as ``crashed``."""

    def __init__(self, n: int, files: list[str], log_dir: Path) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.tasks, self.results = self.ctx.Queue(), self.ctx.Queue()
        self.args = [*files, "-p", "no:cacheprovider", "-q", "--rootdir", str(ROOT)]
        self.log_dir, self.procs, self.busy, self.spawned, self.ready = log_dir, {}, {}, 0, set()
        self.started, self.ready_at, self.phases = time.perf_counter(), [], {}
        for _ in range(n):
            self._spawn()

    def _spawn(self) -> None:
        from tests.mutate import worker

        index = self.spawned
        self.spawned += 1
        log = str(self.log_dir / f"worker{index}.log")
        proc = self.ctx.Process(target=worker.main, args=(index, self.args, self.tasks, self.results, log),
                                daemon=True)
        proc.start()
        self.procs[index] = proc

    def run(self, tasks: list[dict], done: dict[int, dict], bar=None) -> None:
        """Every task's result into ``done``, by task id (what finished is there if interrupted)."""
        for t in tasks:
            self.tasks.put(t)
        by_id = {t["id"]: t for t in tasks}
        while len(done) < len(tasks):
            try:
                msg = self.results.get(timeout=1.0)
            except queue.Empty:
                self._check_alive(done, by_id, bar)
                continue
            kind, index = msg[0], msg[1]
            if kind == "fatal" or (kind == "exit" and index not in self.ready):
                raise RuntimeError(f"worker {index}: {msg[2] if kind == 'fatal' else 'pytest exited'} "
                                   f"(log: {self.log_dir}/worker{index}.log)\n{self._log_tail(index)}")
            if kind == "ready":
                self.ready.add(index)
                self.ready_at.append(time.perf_counter())
            elif kind == "start":
                self.busy[index] = msg[2]
            elif kind == "done":
                self.busy.pop(index, None)
                done[msg[2]] = msg[3]
                if bar is not None:
                    bar.update(1)

    def _check_alive(self, done: dict, by_id: dict, bar) -> None:
        for index, proc in list(self.procs.items()):
            if proc.is_alive():
                continue
            if index not in self.ready or self.spawned > 3 * len(self.procs) + 10:
                raise RuntimeError(f"worker {index} died (exit code {proc.exitcode}; log: {self.log_dir}/worker"
                                   f"{index}.log)\n{self._log_tail(index)}")
            del self.procs[index]
            task_id = self.busy.pop(index, None)
            if task_id is not None and task_id in by_id and task_id not in done:
                done[task_id] = {"status": "crashed", "detail": f"the worker process died (exit code {proc.exitcode})"}
                if bar is not None:
                    bar.update(1)
            self._spawn()

    def _log_tail(self, index: int, n: int = 15) -> str:
        path = self.log_dir / f"worker{index}.log"
        return "\n".join(path.read_text().splitlines()[-n:]) if path.is_file() else ""

    def close(self, now: bool = False) -> None:
        """Stop the workers: after their queued tasks, or ``now`` (Ctrl-C: nothing is on disk to restore)."""
        for _ in self.procs:
            self.tasks.put(None)
        for proc in self.procs.values():
            if now:
                proc.terminate()
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()


def _bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="task", disable=not enabled, dynamic_ncols=True, leave=True)


def audit(selection: Selection, options: Options) -> dict:
    """Run the audit; the raw results (report.py turns them into the report)."""
    start = time.perf_counter()
    entries = selection.targets
    families = {c.family for c in selection.entries}
    sources = {u.name: u.sources for u in selection.units}  # a unit's mutants: in its own files only
    log_dir = Path(tempfile.mkdtemp(prefix="mutate_"))
    workers = Workers(options.jobs, test_files(families, selection.units), log_dir)
    result = {"entries": {}, "log_dir": str(log_dir)}
    interrupted = False
    try:
        traced = _phase(workers, [{"kind": "trace", "entry": c.name} for c in entries], "trace", options)
        lines = {}
        for c, r in zip(entries, traced, strict=True):
            if "lines" in r:
                lines[c.name] = r["lines"]
            else:
                result["entries"][c.name] = {"family": c.family, "error": f"trace: {r.get('detail')}", "mutants": []}
        if selection.files is not None:  # a file NAME: the entries that run it (a unit was chosen by its sources)
            entries = [c for c in entries if c.name in sources
                       or (c.name in lines and any(f in lines[c.name] for f in selection.files))]
        entries = [c for c in entries if c.name in lines]
        base = _phase(workers, [{"kind": "baseline", "entry": c.name} for c in entries], "baseline", options)
        planned = []
        for c, b in zip(entries, base, strict=True):
            record = result["entries"][c.name] = {"family": c.family, "checks": b.get("items", 0),
                                                  "baseline_seconds": b.get("seconds"), "mutants": []}
            if b.get("status") in ("error", "crashed") or b.get("failures"):
                record["error"] = "unmutated checks fail: " + "; ".join(
                    f"{n} : {m}" for n, m in b.get("failures", [])[:3]) if b.get("failures") else b.get("detail")
                continue
            if not b.get("items"):
                record["error"] = "no checks select this entry"
                continue
            timeout = max(options.min_timeout, options.timeout_factor * b["seconds"])
            files = selection.files if c.name not in sources or selection.files is None else \
                tuple(f for f in selection.files if f in sources[c.name])
            mine = plan(c.name, lines[c.name], options, sources.get(c.name) if selection.files is None else files)
            if c.name in sources and not mine:  # its checks never reach its code: a gap, not a perfect score
                record["error"] = "its checks run no mutable line of " + ", ".join(sources[c.name])
            planned += [(c.name, m, timeout) for m in mine]
        tasks = [{"kind": "mutant", "entry": name, "mutant": vars(m), "timeout": t} for name, m, t in planned]
        outcomes: dict[int, dict] = {}
        try:
            _phase(workers, tasks, "mutants", options, outcomes)
        finally:  # also after Ctrl-C: what finished is reported
            for (name, m, _), task in zip(planned, tasks, strict=True):
                if task["id"] in outcomes:
                    result["entries"][name]["mutants"].append({"mutant": m, **outcomes[task["id"]]})
    except KeyboardInterrupt:
        interrupted = result["interrupted"] = True
    finally:
        workers.close(now=interrupted)
    result["seconds"] = time.perf_counter() - start
    result["phases"] = {"workers ready": [t - workers.started for t in workers.ready_at], **workers.phases}
    return result


def _phase(workers: Workers, tasks: list[dict], desc: str, options: Options,
           done: dict[int, dict] | None = None) -> list[dict]:
    start = time.perf_counter()
    for i, t in enumerate(tasks):
        t["id"] = i
    done = {} if done is None else done
    bar = _bar(len(tasks), desc, options.progress)
    try:
        workers.run(tasks, done, bar)
    finally:
        bar.close()
        workers.phases[desc] = time.perf_counter() - start
    return [done[t["id"]] for t in tasks]


def list_mutants(selection: Selection, options: Options) -> str:
    """Each entry's planned mutants, one line each (traced in this process: imports torch, runs no check)."""
    from tests.mutate.trace import trace_entry

    out = []
    for c in selection.entries:  # units are traced by running their checks: only the workers can
        lines = {f: sorted(ls) for f, ls in trace_entry(c).items()}
        if selection.files is not None and not any(f in lines for f in selection.files):
            continue
        mutants = plan(c.name, lines, options, selection.files)
        out += [f"{c.name} ({c.family}): {len(mutants)} mutants"] + [f"  {m.diff()}" for m in mutants]
    return "\n".join(out)
