"""Draw an observed backward graph (see ``Observer.graph``) as a self-contained SVG.

Pure Python, no recursion: graphs may have thousands of nodes. The layout is
layered like torchviz's, with the root at the top and each node on the layer of
its longest path from the root, so a node shared by several paths sits below
all of them. Arrows follow ``next_functions``: from a node to the nodes its
gradient flows into.
"""
from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

MAX_NODES = 300
MAX_LABEL = 60

CHAR_WIDTH = 7.2  # monospace at FONT_SIZE
FONT_SIZE = 12
NODE_HEIGHT = 26
NODE_PADDING = 10
STUB_WIDTH = 44
STUB_HEIGHT = 18
VIA_WIDTH = 8
MAX_BEND_POINTS = 3000  # past this (only in pathological graphs) long edges are drawn straight
LAYER_GAP = 58
NODE_GAP = 18
MARGIN = 16
NOTE_HEIGHT = 22
PARALLEL_SPREAD = 44  # horizontal bend between edges joining the same two nodes

OP_FILL = "#eef1f5"
LEAF_FILL = "#cfe8fc"  # AccumulateGrad: torchviz draws leaves in light blue
STROKE = "#5b6573"
DIFF_STROKE = "#d1242f"

# XML 1.0 forbids most control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value) -> str:
    """Text safe inside an XML element or a double- or single-quoted attribute."""
    return escape(_NOT_XML.sub("\ufffd", str(value)), {'"': "&quot;", "'": "&apos;"})


# ------------------------------------------------------------------ diff
@dataclass(frozen=True)
class GraphDiff:
    """What differs between two graphs: node ids, and edge keys as returned by ``edge_keys``."""

    nodes: frozenset = frozenset()
    edges: frozenset = frozenset()

    def __bool__(self) -> bool:
        return bool(self.nodes or self.edges)


def edge_keys(graph: dict) -> list:
    """One key per edge: (from, slot, to, input_nr), slot being its index in the source's next_functions."""
    slots: dict = defaultdict(int)
    keys = []
    for edge in graph.get("edges", []):
        source = edge.get("from")
        keys.append((source, slots[source], edge.get("to"), edge.get("input_nr")))
        slots[source] += 1
    return keys


def _node_identity(node: dict) -> tuple:
    variable = node.get("variable") or {}
    return node.get("name"), node.get("type"), repr(variable.get("shape")), variable.get("dtype")


def diff_graphs(left: dict, right: dict) -> GraphDiff:
    """Nodes (matched by id, i.e. breadth-first order) whose name, type or leaf differ, and edges in only one graph."""
    left_nodes = {node.get("id"): _node_identity(node) for node in left.get("nodes", [])}
    right_nodes = {node.get("id"): _node_identity(node) for node in right.get("nodes", [])}
    nodes = {node_id for node_id in left_nodes.keys() | right_nodes.keys()
             if left_nodes.get(node_id) != right_nodes.get(node_id)}
    edges = set(edge_keys(left)) ^ set(edge_keys(right))
    return GraphDiff(frozenset(nodes), frozenset(edges))


# ------------------------------------------------------------------ labels
def shape_text(shape) -> str:
    """A shape as Python prints a tuple: (3,), (2, 2), ()."""
    if not isinstance(shape, list):
        return str(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(size) for size in shape) + ")"


def is_leaf_node(node: dict) -> bool:
    return node.get("type") == "AccumulateGrad" or str(node.get("name", "")).endswith("AccumulateGrad")


def node_label(node: dict) -> str:
    """torchviz's naming: op nodes by name, AccumulateGrad by the leaf's shape."""
    if is_leaf_node(node):
        variable = node.get("variable")
        return f"AccumulateGrad {shape_text(variable.get('shape'))}" if isinstance(variable, dict) \
            else "AccumulateGrad"
    return str(node.get("name", node.get("type", "?")))


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


# ------------------------------------------------------------------ layout
@dataclass
class Box:
    key: object  # a node id, ("none", edge index) for a None stub, ("via", edge index, step) for a bend point
    label: str
    layer: int
    width: float
    height: float
    kind: str  # op | leaf | none | via (not drawn: where a long edge crosses a layer)
    tooltip: str
    x: float = 0.0  # centre
    y: float = 0.0  # top


@dataclass
class Route:
    """One edge: its key (see ``edge_keys``) and the boxes it passes, from its source to its target."""

    key: tuple
    stops: list  # box keys: source, bend points in each layer crossed, target


@dataclass
class Layout:
    boxes: dict = field(default_factory=dict)  # key -> Box
    routes: list = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    total_nodes: int = 0
    drawn_nodes: int = 0
    bend_points: int = 0


def _kept_graph(graph: dict, max_nodes: int | None):
    """The nodes to draw (the first max_nodes in breadth-first order: those nearest the root) and their edges."""
    nodes = sorted((n for n in graph.get("nodes", []) if isinstance(n, dict)), key=lambda n: _sort_id(n.get("id")))
    if max_nodes is not None:
        nodes = nodes[:max_nodes]
    kept = {node.get("id") for node in nodes}
    edges = []
    for index, (key, edge) in enumerate(zip(edge_keys(graph), graph.get("edges", []))):
        source, target = edge.get("from"), edge.get("to")
        if source in kept and (target is None or target in kept):
            edges.append((index, key))
    return nodes, edges


def _sort_id(node_id):
    return (0, node_id, "") if isinstance(node_id, (int, float)) else (1, 0, str(node_id))


def longest_path_layers(node_ids: list, edges: list) -> dict:
    """Layer of each node = length of its longest path from a source (the root), by Kahn's topological order.

    Nodes left on a cycle (never in autograd, but data may be malformed) go below what led to them.
    """
    successors = defaultdict(list)
    indegree = {node_id: 0 for node_id in node_ids}
    for source, target in edges:
        successors[source].append(target)
        indegree[target] += 1
    layer = {node_id: 0 for node_id in node_ids}
    ready = deque(node_id for node_id in node_ids if indegree[node_id] == 0)
    done = set()
    while ready:
        node_id = ready.popleft()
        done.add(node_id)
        for target in successors[node_id]:
            layer[target] = max(layer[target], layer[node_id] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    for node_id in node_ids:  # cycle members, in id order
        if node_id not in done:
            done.add(node_id)
            for target in successors[node_id]:
                if target not in done:
                    layer[target] = max(layer[target], layer[node_id] + 1)
    return layer


def _make_box(node: dict, layer: int) -> Box:
    label = _shorten(node_label(node))
    variable = node.get("variable") if isinstance(node.get("variable"), dict) else {}
    tooltip = f"id {node.get('id')}: {node.get('name')} ({node.get('type')})"
    if variable:
        tooltip += f" leaf {shape_text(variable.get('shape'))} {variable.get('dtype')}"
    return Box(node.get("id"), label, layer, len(label) * CHAR_WIDTH + 2 * NODE_PADDING, NODE_HEIGHT,
               "leaf" if is_leaf_node(node) else "op", tooltip)


def layout(graph: dict, max_nodes: int | None = MAX_NODES) -> Layout:
    """Place every kept node (and a stub for each None edge) on its layer; coordinates in SVG units."""
    nodes, kept_edges = _kept_graph(graph, max_nodes)
    node_edges = [(key[0], key[2]) for _, key in kept_edges if key[2] is not None]
    layers = longest_path_layers([node.get("id") for node in nodes], node_edges)
    result = Layout(total_nodes=len(graph.get("nodes", [])), drawn_nodes=len(nodes))
    for node in nodes:
        box = _make_box(node, layers[node.get("id")])
        result.boxes[box.key] = box
    for index, key in kept_edges:
        target = key[2]
        if target is None:  # an input that needs no grad: a small "None" stub under its node
            target = ("none", index)
            result.boxes[target] = Box(target, "None", layers[key[0]] + 1, STUB_WIDTH, STUB_HEIGHT, "none",
                                       f"next_functions[{key[1]}] of node {key[0]} is None")
        result.routes.append(Route(key, [key[0]] + _bend_points(result, index, key[0], target) + [target]))
    _place(result)
    return result


def _bend_points(result: Layout, index: int, source, target) -> list:
    """An edge spanning several layers gets a thin placeholder in each, so it goes around boxes, not through."""
    first, last = result.boxes[source].layer, result.boxes[target].layer
    if result.bend_points + max(last - first - 1, 0) > MAX_BEND_POINTS:
        return []
    result.bend_points += max(last - first - 1, 0)
    points = []
    for layer in range(first + 1, last):
        key = ("via", index, layer)
        result.boxes[key] = Box(key, "", layer, VIA_WIDTH, NODE_HEIGHT, "via", "")
        points.append(key)
    return points


def _place(result: Layout) -> None:
    """Order each layer by where its parents sit (fewer crossings), then centre the layers."""
    by_layer = defaultdict(list)
    for box in result.boxes.values():
        by_layer[box.layer].append(box)
    parents = defaultdict(list)
    for route in result.routes:
        for source, target in zip(route.stops, route.stops[1:]):
            parents[target].append(source)
    position: dict = {}  # key -> relative position in its layer, 0..1
    for layer in sorted(by_layer):
        boxes = by_layer[layer]
        boxes.sort(key=lambda box: (_mean([position[p] for p in parents[box.key] if p in position]),
                                    _box_order(box.key)))
        for index, box in enumerate(boxes):
            position[box.key] = (index + 0.5) / len(boxes)
    widths = {layer: sum(box.width for box in boxes) + NODE_GAP * (len(boxes) - 1)
              for layer, boxes in by_layer.items()}
    result.width = max(widths.values(), default=0.0) + 2 * MARGIN
    for layer, boxes in by_layer.items():
        x = (result.width - widths[layer]) / 2
        for box in boxes:
            box.x = x + box.width / 2
            box.y = MARGIN + layer * LAYER_GAP + (NODE_HEIGHT - box.height) / 2
            x += box.width + NODE_GAP
    layer_count = max(by_layer, default=-1) + 1
    result.height = 2 * MARGIN + max(layer_count - 1, 0) * LAYER_GAP + (NODE_HEIGHT if layer_count else 0)


def _mean(values: list) -> float:
    return sum(values) / len(values) if values else 0.5


def _box_order(key) -> tuple:
    """Stable order for ties: real nodes by id, stubs and bend points after them by edge index."""
    if isinstance(key, tuple):
        return (1, key[1], str(key))
    return (0,) + _sort_id(key)[1:]


# ------------------------------------------------------------------ drawing
def render_svg(graph: dict, diff: GraphDiff | None = None, max_nodes: int | None = MAX_NODES,
               title: str = "backward graph", inline: bool = False) -> str:
    """The graph as an SVG string with explicit width, height and viewBox.

    Nodes and edges in ``diff`` are drawn in red. ``inline`` leaves out the xmlns
    declaration, which HTML does not need (and which is the only URL in the file).
    """
    diff = diff or GraphDiff()
    placed = layout(graph, max_nodes)
    note = _cap_note(placed)
    width = max(placed.width, 160.0)
    height = placed.height + (NOTE_HEIGHT if note else 0)
    namespace = "" if inline else ' xmlns="http://www.w3.org/2000/svg"'
    parts = [f'<svg{namespace} class="graph" width="{_n(width)}" height="{_n(height)}" '
             f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{xml_text(title)}" '
             f'font-family="monospace" font-size="{FONT_SIZE}">',
             f"<title>{xml_text(title)}</title>"]
    parts += _edges_svg(placed, diff)
    parts += [_box_svg(box, box.key in diff.nodes) for box in
              sorted(placed.boxes.values(), key=lambda b: (b.layer, b.x)) if box.kind != "via"]
    if not placed.boxes:
        parts.append(f'<text x="{MARGIN}" y="{MARGIN + FONT_SIZE}" fill="{STROKE}">(empty graph)</text>')
    if note:
        parts.append(f'<text class="note" x="{MARGIN}" y="{_n(height - 7)}" fill="{DIFF_STROKE}">'
                     f"{xml_text(note)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _cap_note(placed: Layout) -> str:
    if placed.drawn_nodes >= placed.total_nodes:
        return ""
    return f"showing the {placed.drawn_nodes} nodes nearest the root of {placed.total_nodes}"


def _n(value: float) -> str:
    """Coordinates with at most one decimal, so output is stable and short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _box_svg(box: Box, differs: bool) -> str:
    stroke, stroke_width = (DIFF_STROKE, 2.5) if differs else (STROKE, 1)
    left, classes = box.x - box.width / 2, f"node {box.kind}" + (" diff" if differs else "")
    if box.kind == "none":
        shape = (f'<rect x="{_n(left)}" y="{_n(box.y)}" width="{_n(box.width)}" height="{_n(box.height)}" '
                 f'rx="9" fill="#ffffff" stroke="{stroke}" stroke-width="{stroke_width}" stroke-dasharray="3 2"/>')
        font = ' font-size="10"'
    else:
        fill = LEAF_FILL if box.kind == "leaf" else OP_FILL
        shape = (f'<rect x="{_n(left)}" y="{_n(box.y)}" width="{_n(box.width)}" height="{_n(box.height)}" '
                 f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"/>')
        font = ""
    text = (f'<text x="{_n(box.x)}" y="{_n(box.y + box.height / 2 + 4)}" text-anchor="middle"{font} '
            f'fill="#1f2328">{xml_text(box.label)}</text>')
    return f'<g class="{classes}"><title>{xml_text(box.tooltip)}</title>{shape}{text}</g>'


def _edges_svg(placed: Layout, diff: GraphDiff) -> list:
    outgoing = defaultdict(int)
    between = defaultdict(list)  # parallel edges joining the same two boxes get spread apart
    for index, route in enumerate(placed.routes):
        outgoing[route.stops[0]] += 1
        between[(route.stops[0], route.stops[-1])].append(index)
    parts = []
    for index, route in enumerate(placed.routes):
        siblings = between[(route.stops[0], route.stops[-1])]
        bend = (siblings.index(index) - (len(siblings) - 1) / 2) * PARALLEL_SPREAD
        show_label = outgoing[route.stops[0]] > 1 or route.key[3] != 0
        parts.append(_edge_svg(placed, route, bend, show_label, route.key in diff.edges))
    return parts


def _route_points(placed: Layout, route: Route) -> list:
    """Bottom of the source, down through each bend point, top of the target."""
    source, target = placed.boxes[route.stops[0]], placed.boxes[route.stops[-1]]
    points = [(source.x, source.y + source.height)]
    for key in route.stops[1:-1]:
        via = placed.boxes[key]
        points += [(via.x, via.y), (via.x, via.y + via.height)]
    points.append((target.x, target.y))
    if len(points) == 2 and target.y < source.y + source.height:  # cyclic (malformed) data: an edge going up
        points = [(source.x, source.y), (target.x, target.y + target.height)]
    return points


def _edge_svg(placed: Layout, route: Route, bend: float, show_label: bool, differs: bool) -> str:
    key = route.key
    points = _route_points(placed, route)
    colour, stroke_width = (DIFF_STROKE, 2.5) if differs else (STROKE, 1.2)
    tooltip = f"next_functions[{key[1]}] of node {key[0]} -> {'None' if key[2] is None else f'node {key[2]}'}" \
              f", input_nr {key[3]}"
    path, label_at, tangent_from = _curve(points, bend)
    # a label sits on the outer side of its curve, so the labels of parallel edges stay apart
    label_x, anchor = (label_at[0] - 4, "end") if bend < 0 else (label_at[0] + 4, "start")
    parts = [f'<g class="edge{" diff" if differs else ""}"><title>{xml_text(tooltip)}</title>',
             f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{stroke_width}"/>',
             _arrow_head(*tangent_from, *points[-1], colour)]
    if show_label:
        parts.append(f'<text class="input-nr" x="{_n(label_x)}" y="{_n(label_at[1] + 4)}" font-size="10" '
                     f'text-anchor="{anchor}" fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                     f"{xml_text(key[3])}</text>")
    parts.append("</g>")
    return "".join(parts)


def _curve(points: list, bend: float):
    """SVG path data through the points, where to put the label, and the point the arrow head aims from.

    A direct edge bent sideways (one of several joining the same two nodes) is a quadratic curve;
    otherwise each hop is an S-curve leaving and arriving vertically, as dot draws them.
    """
    (x1, y1), (x2, y2) = points[0], points[-1]
    if len(points) == 2 and bend:
        cx, cy = (x1 + x2) / 2 + bend, (y1 + y2) / 2
        label = (0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2)  # the curve's midpoint
        return f"M{_n(x1)} {_n(y1)} Q{_n(cx)} {_n(cy)} {_n(x2)} {_n(y2)}", label, (cx, cy)
    data = [f"M{_n(x1)} {_n(y1)}"]
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        if xa == xb:
            data.append(f"L{_n(xb)} {_n(yb)}")
        else:
            middle = (ya + yb) / 2
            data.append(f"C{_n(xa)} {_n(middle)} {_n(xb)} {_n(middle)} {_n(xb)} {_n(yb)}")
    (xa, ya), (xb, yb) = points[0], points[1]
    label = ((xa + xb) / 2, (ya + yb) / 2)  # on the first hop, next to the source whose slot it names
    arrives_from = (x2, (points[-2][1] + y2) / 2)  # every hop ends vertically
    return " ".join(data), label, arrives_from


def _arrow_head(cx: float, cy: float, x: float, y: float, colour: str, size: float = 7.0) -> str:
    """A filled triangle at (x, y) pointing along the curve's end tangent (control point -> end)."""
    dx, dy = x - cx, y - cy
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    bx, by = x - ux * size, y - uy * size
    points = [(x, y), (bx - uy * size / 2, by + ux * size / 2), (bx + uy * size / 2, by - ux * size / 2)]
    return f'<polygon points="{" ".join(f"{_n(px)},{_n(py)}" for px, py in points)}" fill="{colour}"/>'
