"""Operator mutants of scratch's source, from its AST (a small mutator of our own: no mutation library is installed,
and none can be driven per block, in memory, at this speed).

Operators (each mutant replaces ONE node of a function body; module and class bodies run at import and are left
alone, as are annotations):

- ``arith``: ``+ <-> -``, ``* <-> /``, ``** -> *``, ``// -> /``, ``@ -> *`` (binary operations and augmented
  assignments);
- ``compare``: ``< <-> <=``, ``> <-> >=``, ``== <-> !=`` (each operator of a chain);
- ``constant``: ``0 -> 1``, ``1 -> 0`` and ``1 -> 2``, ``2 -> 1``, ``0.5 -> 1``, eps-like (0 < abs <= 1e-3)
  ``-> 0`` and ``x10``; other ints ``+1``, other floats ``x2``;
- ``negate``: unary minus removed (``-a -> a``); added around an outermost ``+ - * /`` expression
  (``a * b -> -(a * b)``);
- ``drop-term``: ``a + b -> a`` and ``-> b``, ``a * b -> a`` and ``-> b``, ``a - b -> a``, ``a / b -> a``,
  ``a ** b -> a``;
- ``axis``: ``axis=k`` / ``dim=k`` -> ``k + 1`` and ``-1`` (``-1 -> 0`` and ``-2``); a non-constant axis -> ``-1``;
- ``keepdims``: ``keepdims=True <-> False``; a non-constant flag -> ``not flag``;
- ``boolop``: ``and <-> or``;
- ``index``: off by one in subscripts and slice bounds: ``x[i] -> x[i + 1]``, ``x[2] -> x[3]``,
  ``x[-1] -> x[-2]``, ``x[:n] -> x[:n + 1]``.

A mutant is deterministic: the same file gives the same mutants in the same order. ``Mutant.id`` (file, line,
col, operator, replacement) names it in a report; ``Mutant.key`` (file, function qualname, operator, the source
text of the node and its replacement, an occurrence index) is stable against unrelated edits (no line numbers)
and is what tests/mutate/equivalent.py declares.
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
         ast.FloorDiv: ast.Div, ast.MatMult: ast.Mult}
COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
SIGNED = (ast.Add, ast.Sub, ast.Mult, ast.Div)  # the expressions a minus is added around
DROPS = {ast.Add: ("left", "right"), ast.Mult: ("left", "right"), ast.Sub: ("left",), ast.Div: ("left",),
         ast.Pow: ("left",)}
AXIS_NAMES = ("axis", "dim")
EPS = 1e-3  # constants 0 < |c| <= EPS are eps-like: -> 0 and x10


@dataclass(frozen=True)
class Mutant:
    file: str  # relative to the repository root, posix: scratch/nn/activations/piecewise.py
    line: int
    col: int
    qualname: str  # of the innermost enclosing function, as its code object's co_qualname
    operator: str
    original: str  # the mutated node's source text, whitespace collapsed
    replacement: str  # the node that replaces it, as source
    site: int  # index in ast.walk order of the node the operator was applied to (how apply.py finds it again)
    occurrence: int = 0  # among the file's mutants with the same qualname, operator, original and replacement

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}:{self.col}:{self.operator}:{self.replacement}"

    @property
    def key(self) -> str:
        """The equivalence key: no line numbers, so editing other code leaves it alone."""
        return f"{self.file}::{self.qualname}::{self.operator}::{self.original} -> {self.replacement}#{self.occurrence}"

    def diff(self, width: int = 70) -> str:
        """One line: ``file:line:col qualname: original -> replacement``."""
        return f"{self.file}:{self.line}:{self.col} {self.qualname}: {_short(self.original, width)} -> " \
               f"{_short(self.replacement, width)}"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return _int(value) or isinstance(value, float)


def _const(value) -> ast.expr:
    """A number as source would write it (a negative one as a unary minus)."""
    return ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _int_value(node: ast.expr) -> int | None:
    """The value of an int literal, ``-k`` included; None otherwise."""
    if isinstance(node, ast.Constant) and _int(node.value):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and _int(node.operand.value):
        return -node.operand.value
    return None


def constant_values(v: int | float) -> list[int | float]:
    """What a numeric constant becomes (in its type)."""
    kind = type(v)
    if v == 0:
        return [kind(1)]
    if v == 1:
        return [kind(0), kind(2)]
    if v == 2:
        return [kind(1)]
    if v == 0.5:
        return [1.0]
    if isinstance(v, float) and 0 < abs(v) <= EPS:
        return [0.0, v * 10]
    return [v + 1] if kind is int else [v * 2]


def _index_targets(node: ast.Subscript) -> Iterator[ast.expr]:
    """The index expressions of a subscript: each element of a tuple index, each bound of a slice."""
    elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for e in elements:
        if isinstance(e, ast.Slice):
            yield from (b for b in (e.lower, e.upper) if b is not None)
        else:
            yield e


def candidates(node: ast.AST, parent: ast.AST | None) -> Iterator[tuple[str, ast.AST, ast.AST]]:
    """(operator, target, replacement) for every mutation of ``node``: ``target`` (``node`` or a node inside it) is
    replaced by ``replacement``, which reuses ``node``'s children. Deterministic: apply.py calls it again."""
    if isinstance(node, ast.keyword) and node.arg in AXIS_NAMES and not _is_none(node.value):
        k = _int_value(node.value)
        if k is None:
            yield "axis", node.value, _const(-1)
        elif k >= 0:
            yield "axis", node.value, ast.Constant(k + 1)
            yield "axis", node.value, _const(-1)
        else:  # -k -> -k + 1, and -k -> -(k + 1) on the inner literal (as the constant operator would write it)
            yield "axis", node.value, _const(k + 1)
            yield "axis", node.value.operand, ast.Constant(-k + 1)
    if isinstance(node, ast.keyword) and node.arg == "keepdims":
        flag = node.value
        is_bool = isinstance(flag, ast.Constant) and isinstance(flag.value, bool)
        yield "keepdims", flag, ast.Constant(not flag.value) if is_bool else ast.UnaryOp(ast.Not(), flag)
    if isinstance(node, ast.Subscript):
        for e in _index_targets(node):
            k = _int_value(e)
            if k is not None:  # the literal itself: x[2] -> x[3], x[-1] -> x[-2] (its inner constant 1 -> 2)
                inner = e if isinstance(e, ast.Constant) else e.operand
                yield "index", inner, ast.Constant(abs(k) + 1)
            elif isinstance(e, ast.Name | ast.Attribute):
                yield "index", e, ast.BinOp(e, ast.Add(), ast.Constant(1))
    if isinstance(node, ast.BinOp) and type(node.op) in ARITH:
        yield "arith", node, ast.BinOp(node.left, ARITH[type(node.op)](), node.right)
    if isinstance(node, ast.AugAssign) and type(node.op) in ARITH:
        yield "arith", node, ast.AugAssign(node.target, ARITH[type(node.op)](), node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in DROPS:
        for side in DROPS[type(node.op)]:
            yield "drop-term", node, getattr(node, side)
    if isinstance(node, ast.BinOp) and isinstance(node.op, SIGNED) and not isinstance(parent, ast.BinOp | ast.UnaryOp):
        yield "negate", node, ast.UnaryOp(ast.USub(), node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "negate", node, node.operand
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in COMPARE:
                ops = [COMPARE[type(o)]() if j == i else o for j, o in enumerate(node.ops)]
                yield "compare", node, ast.Compare(node.left, ops, node.comparators)
    if isinstance(node, ast.BoolOp):
        yield "boolop", node, ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
    if isinstance(node, ast.Constant) and _number(node.value):
        for v in constant_values(node.value):
            yield "constant", node, ast.Constant(v)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


class _Scopes(ast.NodeVisitor):
    """For every node: the qualname of its innermost enclosing function ('' at module or class level), or None
    when it belongs to no function body (module, class body, decorators, defaults, annotations)."""

    def __init__(self) -> None:
        self.scope: dict[int, str | None] = {}
        self.parent: dict[int, ast.AST] = {}
        self._stack: list[tuple[str, bool]] = []  # (qualname, is a function)

    def _mark(self, node: ast.AST, where: str | None) -> None:
        self.scope[id(node)] = where

    def _here(self) -> str | None:
        return self._stack[-1][0] if self._stack and self._stack[-1][1] else None

    def _visit_children(self, node: ast.AST, skip=()) -> None:
        for name, value in ast.iter_fields(node):
            if name in skip:
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    self.parent[id(child)] = node
                    self.visit(child)

    def _qualname(self, name: str) -> str:
        if not self._stack:
            return name
        outer, is_function = self._stack[-1]
        return f"{outer}.<locals>.{name}" if is_function else f"{outer}.{name}"

    def _annotation_free(self, node: ast.AST) -> None:
        """Mark a subtree as belonging to no function body (it is not mutated)."""
        for n in ast.walk(node):
            self.scope[id(n)] = None

    def generic_visit(self, node: ast.AST) -> None:
        self._mark(node, self._here())
        if isinstance(node, ast.AnnAssign):
            self._annotation_free(node.annotation)
            self._visit_children(node, skip=("annotation",))
        else:
            self._visit_children(node)

    def _function(self, node, name: str, body_fields: tuple[str, ...]) -> None:
        self._mark(node, self._here())
        args = node.args
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None:
                self._annotation_free(a)
        if getattr(node, "returns", None) is not None:
            self._annotation_free(node.returns)
        # decorators and defaults are evaluated in the enclosing scope
        for child in [*getattr(node, "decorator_list", []), *args.defaults, *(d for d in args.kw_defaults if d)]:
            self.parent[id(child)] = node
            self.visit(child)
        self._stack.append((self._qualname(name), True))
        for field in body_fields:
            value = getattr(node, field)
            for child in value if isinstance(value, list) else [value]:
                self.parent[id(child)] = node
                self.visit(child)
        self._stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node, node.name, ("body",))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node, "<lambda>", ("body",))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._mark(node, self._here())
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self.parent[id(child)] = node
            self.visit(child)
        self._stack.append((self._qualname(node.name), False))
        for child in node.body:
            self.parent[id(child)] = node
            self.visit(child)
        self._stack.pop()


class _Source:
    """A file's text, sliced by AST positions (ast.get_source_segment splits the whole file on every call)."""

    def __init__(self, text: str) -> None:
        self.lines = [line.encode() for line in text.splitlines(keepends=True)]

    def segment(self, node: ast.AST) -> str:
        """The node's source text, whitespace collapsed (col offsets are UTF-8 byte offsets)."""
        first, last = node.lineno - 1, node.end_lineno - 1
        if first == last:
            text = self.lines[first][node.col_offset:node.end_col_offset]
        else:
            text = b"".join([self.lines[first][node.col_offset:], *self.lines[first + 1:last],
                             self.lines[last][:node.end_col_offset]])
        return " ".join(text.decode().split())


def _sites(tree: ast.Module) -> tuple[list[ast.AST], _Scopes]:
    scopes = _Scopes()
    scopes.visit(tree)
    return list(ast.walk(tree)), scopes


def enumerate_mutants(source: str, file: str) -> list[Mutant]:
    """Every mutant of a file's function bodies, in a fixed order (ast.walk, then the operators' order)."""
    tree, text = ast.parse(source), _Source(source)
    nodes, scopes = _sites(tree)
    found, seen, counts = [], set(), {}
    for site, node in enumerate(nodes):
        qualname = scopes.scope.get(id(node))
        if qualname is None or not hasattr(node, "lineno"):
            continue
        for operator, target, replacement in candidates(node, scopes.parent.get(id(node))):
            replaced = ast.unparse(replacement)
            dedup = (id(target), replaced)  # x[0] -> x[1] is one mutant, whether by 'index' or by 'constant'
            if dedup in seen:
                continue
            seen.add(dedup)
            original = text.segment(target)
            if original == replaced:
                continue
            occurrence_key = (qualname, operator, original, replaced)
            counts[occurrence_key] = counts.get(occurrence_key, -1) + 1
            found.append(Mutant(file, node.lineno, node.col_offset, qualname, operator, original, replaced, site,
                                counts[occurrence_key]))
    return found


@functools.cache
def mutants_of_file(file: str) -> tuple[Mutant, ...]:
    """Every mutant of a repository file (relative path), computed once per process."""
    return tuple(enumerate_mutants((ROOT / file).read_text(), file))


@dataclass
class Parsed:
    """A file's tree, cached: apply.py mutates one node of it in place and undoes it after compiling."""

    tree: ast.Module
    text: _Source
    nodes: list[ast.AST]
    scopes: _Scopes
    top: dict[int, int]  # id(node) -> the index of its top-level statement in tree.body
    flags: int  # the __future__ compiler flags the file's own imports set
    imports: list[ast.stmt]  # the module-level import statements (also those inside a top-level if or try)


@functools.cache
def parsed(file: str) -> Parsed:
    source = (ROOT / file).read_text()
    tree = ast.parse(source)
    nodes, scopes = _sites(tree)
    top = {id(n): i for i, stmt in enumerate(tree.body) for n in ast.walk(stmt)}
    flags = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                flags |= getattr(__future__, alias.name).compiler_flag
    imports = [n for stmt in tree.body if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
               for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)]
    return Parsed(tree, _Source(source), nodes, scopes, top, flags, imports)


def statement(file: str, index: int) -> ast.Module:
    """One top-level statement of the file as a module of its own (positions kept: line numbers are the file's),
    after the file's module-level imports: Python 3.11 compiles ``np.f(x)`` differently when ``np`` was bound by an
    import (LOAD_ATTR, not LOAD_METHOD), so without them the code would not equal the imported one."""
    p = parsed(file)
    return ast.Module(body=[*p.imports, p.tree.body[index]], type_ignores=[])


@contextlib.contextmanager
def mutated_statement(mutant: Mutant) -> Iterator[tuple[int, ast.Module]]:
    """(index, module): the top-level statement holding the mutant, mutated in place for the body and restored
    on exit. Raises LookupError when the file no longer has the mutant's node (edited since)."""
    p = parsed(mutant.file)
    node = p.nodes[mutant.site] if mutant.site < len(p.nodes) else None
    for operator, target, replacement in candidates(node, p.scopes.parent.get(id(node))) if node is not None else ():
        if operator == mutant.operator and ast.unparse(replacement) == mutant.replacement \
                and p.text.segment(target) == mutant.original:
            break
    else:
        raise LookupError(f"{mutant.id}: the source no longer has this node (edited since the mutants were made?)")
    if not hasattr(replacement, "lineno"):  # a new node (not a child of the old one): the old one's position
        ast.fix_missing_locations(ast.copy_location(replacement, target))
    parent = p.scopes.parent[id(target)]
    _replace(parent, target, replacement)
    try:
        yield p.top[id(target)], statement(mutant.file, p.top[id(target)])
    finally:
        _replace(parent, replacement, target)


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list) and any(v is old for v in value):
            value[[i for i, v in enumerate(value) if v is old][0]] = new
            return
    raise LookupError(f"{ast.dump(old)[:80]} is not a child of {type(parent).__name__}")
