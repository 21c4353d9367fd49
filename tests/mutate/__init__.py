"""The mutation audit: would the checks that cover a block notice a wrong formula in it?

``python -m tests.mutate [NAME ...]`` traces the code a catalog entry's scratch block runs (trace.py), makes
operator mutants of those lines (mutator.py), applies each in memory in long-lived pytest worker processes
(apply.py, worker.py), runs the entry's checks against it until the first failure, and reports killed / survived
/ timed out / not applied per entry and family (report.py). Equivalent mutants are declared in equivalent.py.
README "Mutation audit" says how to run it and read it.
"""
