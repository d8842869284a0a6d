#!/usr/bin/env python3
"""Reference values of the link-prediction heuristics for package linkpred,
from networkx (common_neighbors, adamic_adar_index,
resource_allocation_index) on the karate club graph.

Run with Debian's Python: /usr/bin/python3 testdata/linkpred/gen.py
It writes heuristics.json beside this script.
"""
import itertools
import json
import os

import networkx as nx


def main():
    g = nx.Graph(nx.karate_club_graph().edges())
    pairs = [(u, v) for u, v in itertools.combinations(range(g.number_of_nodes()), 2) if (u * 7 + v * 3) % 11 == 0]
    aa = {(u, v): s for u, v, s in nx.adamic_adar_index(g, pairs)}
    ra = {(u, v): s for u, v, s in nx.resource_allocation_index(g, pairs)}
    out = {
        "n": g.number_of_nodes(),
        "edges": sorted([min(u, v), max(u, v)] for u, v in g.edges()),
        "pairs": [{"u": u, "v": v, "cn": len(list(nx.common_neighbors(g, u, v))), "aa": aa[(u, v)], "ra": ra[(u, v)]}
                  for u, v in pairs],
    }
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "heuristics.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
