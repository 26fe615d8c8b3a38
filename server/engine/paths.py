"""Mechanism paths: every simple path of signed claims from one node to another, its net sign, and how it is known.

Pure functions over a :class:`~server.engine.causal.CausalGraph` (read from the release store through any query
engine). A **path** is a sequence of causal edges, each a triple of one claim (nanopublication), the object of
each the subject of the next, no node twice, at most ``max_length`` steps. Its **sign** is the product of its
steps' signs: + and − multiply, a step with sign 0 (no significant effect) makes the path 0, and a step with no
direction (sign ``none``, "acts upstream of or within") may only end a path, whose sign is then ``none``.

A path is **stated** when the review joined its steps: they are one claim, or steps of one mechanism chain in
the chain's order; otherwise it is **derived**: a join of claims the review did not make, a hypothesis. Where two
consecutive steps come from different contexts (a mouse claim then a human one, one model then another; a claim
that states a species then one that states none) the path carries a **junction** there; ``same_context`` keeps
only paths whose steps share one species (or all state none) and one model (or all state none), as competency
question 13 does for species.

The search is bounded: paths are found shortest first, by iterative deepening along a depth-first walk that
prunes every branch farther from the target (by breadth-first distance) than the length left; each kind stops
at ``max_paths`` (the answer says it was cut), and the whole search at the deadline (:class:`QueryTimeout`).
"""

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from server.config import DEFAULT_MAX_PATHS, DEFAULT_PATH_LENGTH, MAX_PATH_LENGTH
from server.engine.causal import CausalGraph, Edge
from server.engine.evidence import Summary, summarize
from server.errors import QueryError, QueryTimeout

#: Net effects, as the answer names them.
NETS = ("+", "-", "0", "mixed", "none")
#: How often (steps taken) the walk looks at the clock.
_CLOCK_EVERY = 2048


@dataclass(frozen=True)
class Options:
    """What to search for, and the bounds of the search."""

    max_length: int = DEFAULT_PATH_LENGTH
    #: Keep only paths whose steps share one species and one model (or state none).
    same_context: bool = False
    #: Keep only paths every step of which states this species (an NCBITaxon IRI).
    species: str | None = None
    max_paths: int = DEFAULT_MAX_PATHS
    #: Seconds the search may take (then :class:`QueryTimeout`); ``None``: no limit.
    timeout: float | None = None
    #: Look for stated paths only (the derived graph's net effects need no hypotheses).
    stated_only: bool = False

    def check(self) -> None:
        """Refuse bounds out of range.

        :raises QueryError: when ``max_length`` or ``max_paths`` is out of range.
        """
        if not 1 <= self.max_length <= MAX_PATH_LENGTH:
            raise QueryError(f"the length limit must be between 1 and {MAX_PATH_LENGTH} steps, not {self.max_length}")
        if self.max_paths < 1:
            raise QueryError(f"the path limit must be at least 1, not {self.max_paths}")


@dataclass(frozen=True)
class Junction:
    """Two consecutive steps of a path whose claims come from different contexts."""

    #: The junction lies after this step (1-based).
    after: int
    #: ``"species"`` or ``"model"``.
    kind: str
    before: frozenset[str]
    then: frozenset[str]


@dataclass(frozen=True)
class Path:
    """One path: its steps, its sign, whether the review stated it, and where its contexts change."""

    steps: tuple[Edge, ...]
    kind: str
    sign: str
    junctions: tuple[Junction, ...]

    @property
    def nodes(self) -> list[str]:
        """The nodes along the path, from its start to its end.

        :returns: node IRIs.
        """
        return [self.steps[0].subject, *(e.object for e in self.steps)]

    @property
    def chain(self) -> str | None:
        """The mechanism chain the path follows, when it is stated by one.

        :returns: the chain's IRI, or ``None``.
        """
        chains = {e.claim.chain for e in self.steps}
        return chains.pop() if self.kind == "stated" and len(chains) == 1 else None

    @property
    def species_context(self) -> frozenset[str] | None:
        """The species every step states (empty when no step states one), or ``None`` when they share none.

        :returns: the common species.
        """
        return _common([e.claim.species for e in self.steps])


@dataclass
class PathsResult:
    """The answer to "how does X affect Y": the paths of both kinds, the net effect, and how sure we are."""

    source: str
    target: str
    options: Options
    stated: list[Path] = field(default_factory=list)
    derived: list[Path] = field(default_factory=list)
    #: Which kinds were cut at ``max_paths``.
    truncated: tuple[str, ...] = ()
    summary: Summary | None = None

    @property
    def net(self) -> str:
        """The net effect over stated paths.

        :returns: one of :data:`NETS`.
        """
        return net(self.stated)

    @property
    def net_derived(self) -> str:
        """The net effect over derived paths (hypotheses).

        :returns: one of :data:`NETS`.
        """
        return net(self.derived)


def compose(signs: Iterable[str]) -> str:
    """Compose the signs of consecutive steps.

    :param signs: step signs, each ``+``, ``-``, ``0`` or ``none``.
    :returns: the path's sign: 0 when any step is 0, else ``none`` when a step has no direction, else the product.

    >>> compose("--"), compose("+-"), compose(["+", "0", "-"]), compose(["+", "none"])
    ('+', '-', '0', 'none')
    """
    signs = list(signs)
    if "0" in signs:
        return "0"
    if "none" in signs:
        return "none"
    return "-" if signs.count("-") % 2 else "+"


def net(paths: Iterable[Path]) -> str:
    """Combine the signs of several paths as competency question 13 does.

    :param paths: the paths.
    :returns: ``mixed`` when some are + and some −, else their direction, ``0`` when all with a sign are null,
        ``none`` when none has a sign.
    """
    signs = {p.sign for p in paths}
    if {"+", "-"} <= signs:
        return "mixed"
    return next((s for s in ("-", "+", "0") if s in signs), "none")


def _common(sets: list[frozenset[str]]) -> frozenset[str] | None:
    """Return the values all sets share, the empty set when all are empty, ``None`` when they share none."""
    if not any(sets):
        return frozenset()
    if not all(sets):
        return None
    shared = frozenset.intersection(*sets)
    return shared or None


def junctions(steps: tuple[Edge, ...]) -> tuple[Junction, ...]:
    """Find where consecutive steps change context (species, model).

    :param steps: a path's steps.
    :returns: the junctions, in path order.
    """
    found = []
    for i, (a, b) in enumerate(zip(steps, steps[1:], strict=False), start=1):
        for kind, attribute in (("species", "species"), ("model", "models")):
            x, y = getattr(a.claim, attribute), getattr(b.claim, attribute)
            if _common([x, y]) is None:
                found.append(Junction(i, kind, x, y))
    return tuple(found)


def is_stated(steps: tuple[Edge, ...]) -> bool:
    """Tell whether the review joined these steps: one claim, or one chain's steps in its order.

    :param steps: a path's steps.
    :returns: whether the path is stated.
    """
    if len({e.claim.nanopub for e in steps}) == 1:
        return True
    chains = {e.claim.chain for e in steps}
    numbers = [e.claim.chain_step or 0 for e in steps]
    return len(chains) == 1 and None not in chains and numbers == sorted(numbers)


def make_path(steps: tuple[Edge, ...]) -> Path:
    """Build a path from its steps: sign, kind and junctions.

    :param steps: consecutive edges.
    :returns: the path.
    """
    kind = "stated" if is_stated(steps) else "derived"
    return Path(steps, kind, compose(e.sign for e in steps), junctions(steps))


def _distances(graph: CausalGraph, target: str, usable: Callable[[Edge], bool], limit: int) -> dict[str, int]:
    """Count the steps from each node to ``target`` (breadth-first, backwards; an undirected step only last)."""
    dist = {target: 0}
    queue = deque([target])
    while queue:
        node = queue.popleft()
        if dist[node] >= limit:
            continue
        for edge in graph.into.get(node, ()):
            if edge.subject in dist or not usable(edge) or (edge.sign == "none" and node != target):
                continue
            dist[edge.subject] = dist[node] + 1
            queue.append(edge.subject)
    return dist


class _Search:
    """One bounded walk: shortest paths first, pruned by distance, stopped at the cap or the deadline."""

    def __init__(self, target: str, options: Options, dist: dict[str, int], deadline: float | None) -> None:
        self.target, self.options, self.dist, self.deadline = target, options, dist, deadline
        self.usable = _usable(options)
        self.taken = 0

    def _tick(self) -> None:
        self.taken += 1
        if self.deadline is not None and self.taken % _CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise QueryTimeout(
                f"the path search ran longer than the {self.options.timeout:g} s limit and was stopped; "
                "lower the length limit or keep to one context"
            )

    def _fits(self, steps: list[Edge], edge: Edge) -> bool:
        if not self.options.same_context or not steps:
            return True
        return all(_common([*(getattr(e.claim, k) for e in steps), getattr(edge.claim, k)]) is not None
                   for k in ("species", "models"))  # fmt: skip

    def walk(self, source: str, length: int, adjacency: Mapping[str, Sequence[Edge]], ordered: bool,
             emit: Callable[[tuple[Edge, ...]], bool], exact: bool = True) -> bool:  # fmt: skip
        """Emit the paths from ``source`` to the target along ``adjacency`` (``emit`` returns ``False`` to stop).

        :param source: the start.
        :param length: the paths' length (``exact``) or longest length.
        :param adjacency: each node's outgoing edges that may be taken.
        :param ordered: keep chain steps in their order (a chain's steps).
        :param emit: takes each path found; returns whether to go on.
        :param exact: emit paths of exactly ``length`` steps only (one round of iterative deepening).
        :returns: ``False`` when ``emit`` asked to stop.
        """
        steps: list[Edge] = []
        on_path = {source}
        usable = self.usable

        def go(node: str) -> bool:
            if node == self.target and steps:
                return (exact and len(steps) != length) or emit(tuple(steps))
            if len(steps) == length:
                return True
            for edge in adjacency.get(node, ()):
                nxt = edge.object
                if nxt in on_path or len(steps) + 1 + self.dist.get(nxt, length + 1) > length:
                    continue
                if (edge.sign == "none" and nxt != self.target) or not usable(edge):
                    continue
                if ordered and steps and (edge.claim.chain_step or 0) < (steps[-1].claim.chain_step or 0):
                    continue
                if not self._fits(steps, edge):
                    continue
                self._tick()
                steps.append(edge)
                on_path.add(nxt)
                going = go(nxt)
                steps.pop()
                on_path.discard(nxt)
                if not going:
                    return False
            return True

        return go(source)


def _usable(options: Options) -> Callable[[Edge], bool]:
    if options.species is None:
        return lambda edge: True
    species = options.species
    return lambda edge: species in edge.claim.species


def find_paths(graph: CausalGraph, source: str, target: str, options: Options | None = None) -> PathsResult:
    """Find the paths from ``source`` to ``target``, stated ones (all of them up to the cap) and derived ones.

    :param graph: the causal graph.
    :param source: the start node's IRI.
    :param target: the end node's IRI.
    :param options: bounds and filters (default: :class:`Options`).
    :returns: the paths, net effects and evidence summary.
    :raises QueryError: when the bounds are out of range or both ends are one node.
    :raises QueryTimeout: when the search runs past ``options.timeout``.
    """
    options = options or Options()
    options.check()
    if source == target:
        raise QueryError("the path's two ends are the same node")
    deadline = None if options.timeout is None else time.monotonic() + options.timeout
    dist = _distances(graph, target, _usable(options), options.max_length)
    search = _Search(target, options, dist, deadline)
    result = PathsResult(source, target, options)
    found: dict[tuple[Edge, ...], Path] = {}
    cut: set[str] = set()
    phase = ["stated"]  # the kind the current walk looks for: it stops when that kind is full

    def keep(steps: tuple[Edge, ...]) -> bool:
        if steps in found:
            return True
        path = make_path(steps)
        bucket = result.stated if path.kind == "stated" else result.derived
        if len(bucket) >= options.max_paths:
            cut.add(path.kind)
            return path.kind != phase[0]
        found[steps] = path
        bucket.append(path)
        return True

    # stated paths first, within each group the review joined (a chain, in its order, or one claim) ...
    groups: dict[tuple[str, str], list[Edge]] = {}
    for edge in graph.out.get(source, ()):
        claim = edge.claim
        groups.setdefault(("claim", claim.nanopub), graph.by_claim[claim.nanopub])
        if claim.chain is not None:
            groups.setdefault(("chain", claim.chain), graph.by_chain[claim.chain])
    for (kind, _), members in sorted(groups.items(), key=lambda item: item[0]):
        if not search.walk(source, options.max_length, _adjacency(members), kind == "chain", keep, exact=False):
            break
    # ... then every path, shortest first: those not stated are derived
    phase[0] = "derived"
    for length in range(1, 0 if options.stated_only else options.max_length + 1):
        if not search.walk(source, length, graph.out, False, keep):
            break
    result.truncated = tuple(sorted(cut))
    result.stated.sort(key=_order)
    result.derived.sort(key=_order)
    steps = [e for p in result.stated + result.derived for e in p.steps]
    result.summary = summarize(steps, graph.on_pairs(steps))
    return result


def _adjacency(edges: list[Edge]) -> dict[str, list[Edge]]:
    found: dict[str, list[Edge]] = {}
    for edge in edges:
        found.setdefault(edge.subject, []).append(edge)
    return found


def _order(path: Path) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    return len(path.steps), tuple(e.claim.nanopub for e in path.steps), tuple(path.nodes)
