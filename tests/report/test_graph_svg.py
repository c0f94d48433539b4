"""Layout and drawing of observed backward graphs (conformance/report/graph_svg.py)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conformance.report import graph_svg

SVG = "{http://www.w3.org/2000/svg}"


def leaf(node_id, shape):
    return {"id": node_id, "name": "torch::autograd::AccumulateGrad", "type": "AccumulateGrad",
            "variable": {"shape": shape, "dtype": "torch.float32"}}


def op(node_id, name):
    return {"id": node_id, "name": name, "type": name}


def edge(source, target, input_nr=0):
    return {"from": source, "to": target, "input_nr": input_nr}


def unbind_graph():
    """b, c, d = a.unbind(); e = b * c * d — as Observer.graph records e.grad_fn."""
    return {"nodes": [op(0, "MulBackward0"), op(1, "MulBackward0"), op(2, "UnbindBackward0"), leaf(3, [3])],
            "edges": [edge(0, 1), edge(0, 2, 2), edge(1, 2, 0), edge(1, 2, 1), edge(2, 3)]}


def chain(length):
    nodes = [op(i, "AddBackward0") for i in range(length - 1)] + [leaf(length - 1, [2, 2])]
    return {"nodes": nodes, "edges": [edge(i, i + 1) for i in range(length - 1)]}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the SVG is well-formed XML


def texts(root: ET.Element, css_class: str | None = None) -> list:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")
            if css_class is None or el.get("class") == css_class]


def node_groups(root: ET.Element, kind: str) -> list:
    return [g for g in root.iter(f"{SVG}g") if kind in (g.get("class") or "").split()]


# ------------------------------------------------------------------ labels
def test_accumulate_grad_shows_the_leaf_shape_like_torchviz():
    assert graph_svg.node_label(leaf(0, [3])) == "AccumulateGrad (3,)"
    assert graph_svg.node_label(leaf(0, [2, 2])) == "AccumulateGrad (2, 2)"
    assert graph_svg.node_label(leaf(0, [])) == "AccumulateGrad ()"
    assert graph_svg.node_label(op(0, "MulBackward0")) == "MulBackward0"


def test_leaf_and_op_nodes_are_drawn_in_different_colours():
    root = parse(graph_svg.render_svg(unbind_graph()))
    leaf_fill = {r.get("fill") for g in node_groups(root, "leaf") for r in g.iter(f"{SVG}rect")}
    op_fill = {r.get("fill") for g in node_groups(root, "op") for r in g.iter(f"{SVG}rect")}
    assert leaf_fill and op_fill and leaf_fill.isdisjoint(op_fill)


# ------------------------------------------------------------------ layout
def test_layers_follow_the_longest_path_from_the_root():
    # root -> a -> b and root -> b directly: b belongs below a, not beside it
    graph = {"nodes": [op(0, "Root"), op(1, "A"), op(2, "B")], "edges": [edge(0, 1), edge(1, 2), edge(0, 2)]}
    placed = graph_svg.layout(graph)
    assert [placed.boxes[i].layer for i in range(3)] == [0, 1, 2]
    assert placed.boxes[0].y < placed.boxes[1].y < placed.boxes[2].y


def test_an_edge_skipping_layers_bends_around_the_boxes_between():
    graph = {"nodes": [op(0, "Root"), op(1, "A"), op(2, "B")], "edges": [edge(0, 1), edge(1, 2), edge(0, 2)]}
    placed = graph_svg.layout(graph)
    long_route = next(route for route in placed.routes if route.key[:3] == (0, 1, 2))
    assert len(long_route.stops) == 3  # source, one bend point on layer 1, target
    via = placed.boxes[long_route.stops[1]]
    node_a = placed.boxes[1]
    assert via.layer == 1 and abs(via.x - node_a.x) >= (via.width + node_a.width) / 2


def test_a_chain_of_2000_nodes_lays_out_without_recursion():
    placed = graph_svg.layout(chain(2000), max_nodes=None)
    assert placed.drawn_nodes == 2000
    assert max(box.layer for box in placed.boxes.values()) == 1999


def test_drawing_is_capped_with_a_note():
    svg = graph_svg.render_svg(chain(2000))
    root = parse(svg)
    assert len(node_groups(root, "node")) == graph_svg.MAX_NODES
    assert any("300" in text and "2000" in text for text in texts(root, "note"))


def test_svg_has_explicit_size_and_view_box():
    root = parse(graph_svg.render_svg(unbind_graph()))
    width, height = float(root.get("width")), float(root.get("height"))
    assert width > 0 and height > 0
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_inline_svg_carries_no_namespace_url():
    assert "http" not in graph_svg.render_svg(unbind_graph(), inline=True)


def test_none_inputs_get_a_stub():
    graph = {"nodes": [op(0, "MulBackward0"), leaf(1, [3])], "edges": [edge(0, 1), edge(0, None)]}
    root = parse(graph_svg.render_svg(graph))
    assert [texts(g)[0] for g in node_groups(root, "none")] == ["None"]


def test_input_nr_labels_make_unbind_indices_visible():
    root = parse(graph_svg.render_svg(unbind_graph()))
    assert sorted(texts(root, "input-nr")) == ["0", "0", "1", "2"]  # UnbindBackward0 -> leaf has one edge: unlabelled


def test_a_single_edge_with_input_nr_zero_is_unlabelled():
    root = parse(graph_svg.render_svg(chain(3)))
    assert texts(root, "input-nr") == []


def test_text_is_escaped():
    graph = {"nodes": [op(0, '<script>alert(1)</script> & "q" \'s\x01'), leaf(1, [1])], "edges": [edge(0, 1)]}
    svg = graph_svg.render_svg(graph, title="</svg><script>")
    assert "<script>" not in svg
    assert svg.count("</svg>") == 1 and svg.endswith("</svg>")
    root = parse(svg)
    assert any(text.startswith("<script>alert(1)</script> & \"q\" 's") for text in texts(root))


def test_long_names_are_shortened_in_the_box_but_kept_in_the_tooltip():
    name = "X" * 200 + "Backward0"
    root = parse(graph_svg.render_svg({"nodes": [op(0, name)], "edges": []}))
    assert len(texts(root, None)[0]) <= graph_svg.MAX_LABEL
    assert any(name in "".join(t.itertext()) for t in root.iter(f"{SVG}title"))


def test_malformed_cyclic_data_still_draws():
    graph = {"nodes": [op(0, "A"), op(1, "B")], "edges": [edge(0, 1), edge(1, 0), edge(1, 1), edge(0, 7)]}
    parse(graph_svg.render_svg(graph))


def test_empty_graph_draws():
    root = parse(graph_svg.render_svg({"nodes": [], "edges": []}))
    assert "(empty graph)" in texts(root)


def test_output_is_deterministic():
    assert graph_svg.render_svg(unbind_graph()) == graph_svg.render_svg(unbind_graph())


# ------------------------------------------------------------------ diff
def test_identical_graphs_have_no_diff():
    diff = graph_svg.diff_graphs(unbind_graph(), unbind_graph())
    assert not diff and diff.nodes == set() and diff.edges == set()


def test_diff_finds_renamed_nodes_and_changed_edges():
    other = unbind_graph()
    other["nodes"][1]["name"] = "AddBackward0"
    other["edges"][3]["input_nr"] = 5
    diff = graph_svg.diff_graphs(unbind_graph(), other)
    assert diff.nodes == {1}
    assert diff.edges == {(1, 1, 2, 1), (1, 1, 2, 5)}  # (from, slot in next_functions, to, input_nr)


def test_diff_finds_nodes_only_one_side_has_and_leaf_shape_changes():
    other = unbind_graph()
    other["nodes"][3]["variable"]["shape"] = [4]
    other["nodes"].append(op(4, "Extra"))
    assert graph_svg.diff_graphs(unbind_graph(), other).nodes == {3, 4}


def test_differences_are_drawn_in_red():
    other = unbind_graph()
    other["nodes"][1]["name"] = "AddBackward0"
    other["edges"][3]["input_nr"] = 5
    diff = graph_svg.diff_graphs(unbind_graph(), other)
    root = parse(graph_svg.render_svg(other, diff))
    red_nodes = [texts(g)[0] for g in node_groups(root, "node") if "diff" in g.get("class").split()]
    red_edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge diff"]
    assert red_nodes == ["AddBackward0"]
    assert len(red_edges) == 1 and re.search(r"input_nr 5", "".join(red_edges[0].find(f"{SVG}title").itertext()))
