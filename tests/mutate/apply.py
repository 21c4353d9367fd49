"""Applying a mutant in memory, never on disk: the top-level statement holding the mutant (a function or a class,
after the module's imports) is compiled mutated, and every live function whose code the mutant changed gets the
mutated code object (``f.__code__ = new``), so every reference to it (a class attribute,
an imported name, a bound method) runs the mutant; on exit the original code objects are put back and checked by
identity. The working tree is never written, so an interrupted run leaves nothing to restore.

How a function is found: the statement as on disk is compiled once; its code objects are compared by value (code
objects compare their bytecode, constants, names and line table, not their file name) with the ``__code__`` of
every function object in the process (one scan of ``gc`` after importing every scratch module). A mutant inside
a nested function (or a comprehension, or a lambda) changes the enclosing functions' code too (their constants
hold the nested code): the enclosing function is patched, and it makes the mutated nested function on its next
call; a nested function that already exists (made at import by a factory) is patched itself.

Not applied, with the reason: code that only runs at import (module and class bodies; the mutator does not make
those), code of a function that no live function object holds, a mutant that changes a closure's free
variables (``f.__code__`` must keep them) or drops a nested function that exists as a function object, and a
mutant that does not compile.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import pkgutil
import types
from collections.abc import Iterator

from tests.mutate.mutator import ROOT, Mutant, mutated_statement, parsed, statement


class NotApplied(Exception):
    """The mutant cannot be applied in memory; the message says why."""


class NotRestored(RuntimeError):
    """The original code did not come back: the process must not run anything else."""


def module_name(file: str) -> str:
    """``scratch/nn/activations/piecewise.py`` -> ``scratch.nn.activations.piecewise`` (a package's __init__ too)."""
    parts = file.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def code_tree(code: types.CodeType) -> list[types.CodeType]:
    """A code object and every code object nested in its constants, depth first, in order."""
    found = [code]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found.extend(code_tree(const))
    return found


@functools.cache
def _module(file: str):
    return importlib.import_module(module_name(file))


def _compile(file: str, module) -> list[types.CodeType]:
    """The code objects of a one-statement module of the file (the module's own code left out)."""
    code = compile(module, _module(file).__file__, "exec", flags=parsed(file).flags, dont_inherit=True)
    return code_tree(code)[1:]


@functools.cache
def original_codes(file: str, index: int) -> tuple[types.CodeType, ...]:
    """The code objects of one top-level statement as on disk (equal by value to what the import made)."""
    return tuple(_compile(file, statement(file, index)))


@functools.cache
def live_functions() -> dict[types.CodeType, tuple[types.FunctionType, ...]]:
    """Every function object of scratch's files in this process, by its code (one gc scan, after importing every
    scratch module, so every function made at import exists)."""
    import scratch

    for info in pkgutil.walk_packages(scratch.__path__, "scratch."):
        importlib.import_module(info.name)
    root = str(ROOT / "scratch")
    found: dict[types.CodeType, list[types.FunctionType]] = {}
    for obj in gc.get_objects():
        # type(), not isinstance(): some of torch's lazy objects warn when their __class__ is read
        if type(obj) is types.FunctionType and obj.__code__.co_filename.startswith(root):
            found.setdefault(obj.__code__, []).append(obj)
    return {code: tuple(fs) for code, fs in found.items()}


@functools.cache
def _scratch_caches() -> tuple:
    """Every ``functools.lru_cache`` / ``functools.cache`` wrapper of a scratch function (upsampling's tables): a
    result cached by the unmutated code would hide a mutant of the code it caches, and one cached under a mutant
    would outlive it."""
    live_functions()  # every scratch module imported
    root = str(ROOT / "scratch")
    return tuple(obj for obj in gc.get_objects() if type(obj) is functools._lru_cache_wrapper
                 and getattr(getattr(obj, "__wrapped__", None), "__code__", None) is not None
                 and obj.__wrapped__.__code__.co_filename.startswith(root))


def clear_caches() -> None:
    """Empty scratch's function caches (before and after a mutant, before a trace)."""
    for cached in _scratch_caches():
        cached.cache_clear()


def _by_key(codes) -> dict[tuple[str, int, int], types.CodeType]:
    """Code objects by (qualname, first line, how many came before with both)."""
    found: dict[tuple[str, int, int], types.CodeType] = {}
    seen: dict[tuple[str, int], int] = {}
    for c in codes:
        k = (c.co_qualname, c.co_firstlineno)
        seen[k] = seen.get(k, -1) + 1
        found[(*k, seen[k])] = c
    return found


def _swaps(mutant: Mutant) -> list[tuple[types.FunctionType, types.CodeType, types.CodeType]]:
    """(function, its code, the mutated code) for every live function the mutant changes."""
    try:
        index = parsed(mutant.file).top[id(parsed(mutant.file).nodes[mutant.site])]
        old = original_codes(mutant.file, index)  # before the tree is mutated: cached from the unmutated one
        with mutated_statement(mutant) as (_, module):
            new = _compile(mutant.file, module)
    except (LookupError, IndexError) as e:
        raise NotApplied(str(e)) from None
    except (SyntaxError, ValueError, TypeError) as e:
        raise NotApplied(f"does not compile: {e}") from None
    live = live_functions()
    after_by_key = _by_key(new)
    swaps = []
    for key, before in _by_key(old).items():
        after = after_by_key.get(key)
        if after is None:  # the mutant dropped the term holding a comprehension or lambda
            if live.get(before):
                raise NotApplied(f"removes {before.co_qualname}, which exists as a function object")
            continue
        if before == after:
            continue
        for f in live.get(before, ()):
            if f.__code__.co_freevars != after.co_freevars:
                raise NotApplied(f"changes the free variables of {before.co_qualname} "
                                 f"({f.__code__.co_freevars} -> {after.co_freevars})")
            swaps.append((f, f.__code__, after))
    if not swaps:
        raise NotApplied(f"no live function runs this code ({mutant.qualname or 'module or class body'})")
    return swaps


@contextlib.contextmanager
def applied(mutant: Mutant) -> Iterator[int]:
    """Run the body with the mutant in place (yields how many functions were patched); raises NotApplied before
    the body when it cannot be applied. The original code objects are back on exit, checked by identity."""
    swaps = _swaps(mutant)
    done: list[tuple[types.FunctionType, types.CodeType]] = []
    try:
        for f, code, new in swaps:
            f.__code__ = new
            done.append((f, code))
        clear_caches()
        yield len(done)
    finally:
        for f, code in reversed(done):
            f.__code__ = code
        clear_caches()
        wrong = [f.__qualname__ for f, code in done if f.__code__ is not code]
        if wrong:
            raise NotRestored(f"the original code of {wrong} was not restored after {mutant.id}")


def restored(mutant: Mutant) -> bool:
    """Every function the mutant touches runs its original code again (the live code equals the file's)."""
    live = live_functions()
    return all(f.__code__ is code for code, fs in live.items() for f in fs
               if code.co_filename.endswith(mutant.file))
