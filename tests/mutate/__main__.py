"""``python -m tests.mutate [NAME ...]``: the mutation audit (README "Mutation audit")."""

from __future__ import annotations

import argparse
import signal
import sys


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.mutate", description=(
        "Mutation audit: operator mutants of the scratch code a catalog entry runs, each run against the entry's "
        "checks in long-lived pytest workers (in memory, stopping at the first failure)."))
    p.add_argument("names", nargs="*", metavar="NAME", help=(
        "a catalog entry, a case family, a scratch block class or a file under scratch/ (prefix entry:, family:, "
        "class: or file: to force one reading); none: every catalog entry"))
    p.add_argument("-j", "--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--seed", type=int, default=0, help="seed of the mutant sampling (default 0)")
    p.add_argument("--max-mutants-per-block", type=int, default=30, dest="max_mutants",
                   help="mutants per catalog entry; more are sampled (default 30)")
    p.add_argument("--timeout-factor", type=float, default=10.0,
                   help="a mutant's timeout: this x the entry's unmutated time (default 10) ...")
    p.add_argument("--min-timeout", type=float, default=20.0, help="... and at least this many seconds (default 20)")
    p.add_argument("--include-protocol", action="store_true",
                   help="also mutate the module protocol (scratch/nn/module.py, _state_dict.py, base.py, "
                        "_parameter.py)")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p.add_argument("--keys", action="store_true", help="print each survivor's equivalence key (equivalent.py)")
    p.add_argument("--families-only", action="store_true", help="no per-entry table")
    p.add_argument("--list", action="store_true", help="only list each entry's mutants (traces, runs nothing)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p.parse_args(argv)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: stop the workers, report what finished


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _interrupt)
    from tests.mutate import report
    from tests.mutate.runner import Options, audit, list_mutants
    from tests.mutate.select import resolve

    options = Options(names=args.names, jobs=args.jobs, seed=args.seed, max_mutants=args.max_mutants,
                      timeout_factor=args.timeout_factor, min_timeout=args.min_timeout,
                      include_protocol=args.include_protocol, progress=not args.no_progress)
    selection = resolve(args.names)
    if args.list:
        print(list_mutants(selection, options))
        return 0
    result = report.build(audit(selection, options))
    print(report.text(result, entry_rows=not args.families_only, keys=args.keys))
    if args.json:
        report.write_json(result, args.json)
        print(f"results written to {args.json}")
    errors = any(e.get("error") for e in result["entries"].values())
    return 2 if result["summary"]["interrupted"] or errors else 0


if __name__ == "__main__":
    sys.exit(main())
