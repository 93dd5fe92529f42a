"""vis-network data for an intersection network, built with pyvis.

pyvis's :class:`~pyvis.network.Network` makes the node and edge records and
the physics options; its HTML template is not used (it loads Bootstrap and
vis-network from CDNs and turns tooltips into HTML).  Our page draws the
records with the vis-network files pyvis ships, served by the app, and puts
every label into the page as text.

The network handed in is already capped (see
:mod:`rightsgraph.graph.intersections`): pyvis checks for duplicate
undirected edges in quadratic time, so the edges are added as directed ones
(each pair occurs once anyway) and the arrows removed.

>>> net = Network([Node("urn:a", "A <b>", "theme", 3), Node("urn:b", "B", "group", 2)],
...               [Edge("urn:a", "urn:b", 2, ("urn:u1",))])
>>> data = vis_data(net, lambda iri: "/resource?iri=" + iri)
>>> data["nodes"][0]["label"], data["edges"][0]["value"], "arrows" in data["edges"][0]
('A <b>', 2, False)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pyvis.network import Network as PyvisNetwork

from rightsgraph.graph.network import NODE_KINDS, Edge, Network, Node

#: Colour of each node kind (the legend).
KIND_COLOURS = {
    "theme": "#7a2e8c",
    "group": "#1f7a6d",
    "organisation": "#c2661b",
    "source": "#5b6270",
}
#: Colours of communities, in order of community size.
COMMUNITY_COLOURS = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    "#a6761d", "#1f78b4", "#b2182b", "#4d4d4d", "#8c6bb1", "#01665e",
)
_SHAPES = {"theme": "dot", "group": "diamond", "organisation": "square", "source": "triangle"}


def vis_data(network: Network, url_for: Callable[[str], str], *,
             by_community: bool = False) -> dict[str, Any]:
    """Return ``{"nodes", "edges", "options", "legend"}`` for vis-network.

    Node records carry, beside vis-network's fields, ``iri``, ``kind``,
    ``frequency``, ``degree``, ``community`` and ``url`` (the node's page);
    edge records carry ``weight`` and ``evidence`` (unit IRIs).
    """
    net = PyvisNetwork(directed=True, cdn_resources="local")
    for node in network.nodes:
        net.add_node(node.iri, **_node_options(node, url_for, by_community))
    for edge in network.edges:
        net.add_edge(edge.a, edge.b, **_edge_options(edge))
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    for number, record in enumerate(edges):
        record.pop("arrows", None)
        record["id"] = f"e{number}"
    net.barnes_hut(gravity=-9000, central_gravity=0.4, spring_length=220,
                   spring_strength=0.02, damping=0.4, overlap=0.5)
    options = json.loads(net.options.to_json())
    # Enough iterations to untangle a few hundred edges; then the page freezes the layout.
    options["physics"]["stabilization"] = {"enabled": True, "iterations": 100, "fit": True,
                                           "updateInterval": 50}
    options["physics"]["minVelocity"] = 1.0
    options["edges"] = {"smooth": False, "color": {"color": "#b9bcc6", "highlight": "#222"},
                        "scaling": {"min": 1, "max": 10}}
    options["nodes"] = {"scaling": {"min": 8, "max": 40, "label": {"enabled": True, "min": 11,
                                                                   "max": 22}},
                        "font": {"face": "system-ui, sans-serif"}}
    options["interaction"] = {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True,
                              "navigationButtons": False, "keyboard": False}
    options["layout"] = {"improvedLayout": False, "randomSeed": 7}
    return {"nodes": nodes, "edges": edges, "options": options,
            "legend": legend(network, by_community)}


def legend(network: Network, by_community: bool) -> list[dict[str, str]]:
    """The legend entries: node kinds present (and communities when coloured by them)."""
    present = {node.kind for node in network.nodes}
    entries = [{"kind": kind, "label": kind.capitalize() + "s", "colour": KIND_COLOURS[kind],
                "shape": _SHAPES[kind]} for kind in NODE_KINDS if kind in present]
    if by_community:
        for number in range(min(network.communities, len(COMMUNITY_COLOURS))):
            entries.append({"kind": "community", "label": f"Community {number + 1}",
                            "colour": COMMUNITY_COLOURS[number], "shape": "dot"})
    return entries


def _node_options(node: Node, url_for: Callable[[str], str], by_community: bool) -> dict[str, Any]:
    colour = KIND_COLOURS[node.kind]
    if by_community and node.community is not None:
        colour = COMMUNITY_COLOURS[node.community % len(COMMUNITY_COLOURS)]
    return {
        "label": node.label,
        "color": colour,
        "shape": _SHAPES[node.kind],
        "value": node.frequency,
        "iri": node.iri,
        "kind": node.kind,
        "frequency": node.frequency,
        "degree": node.degree,
        "community": node.community,
        "url": url_for(node.iri),
    }


def _edge_options(edge: Edge) -> dict[str, Any]:
    return {"value": edge.weight, "weight": edge.weight, "evidence": list(edge.evidence)}
