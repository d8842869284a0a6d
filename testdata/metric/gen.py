"""Write fixtures.json, the reference values for the Go package metric.

Run with Debian's interpreter, which has scikit-learn, networkx and scipy:

    /usr/bin/python3 testdata/metric/gen.py

Clustering metrics come from scikit-learn (normalized_mutual_info_score with
each average_method, adjusted_rand_score, pair_confusion_matrix) and scipy
(linear_sum_assignment on the contingency matrix for ACC). Graph metrics come
from networkx (community.modularity and cuts.conductance, both weighted).
"""

import json
import os

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix, pair_confusion_matrix


def clustering_case(name, truth, pred):
    truth, pred = np.asarray(truth), np.asarray(pred)
    keep = truth >= 0  # negative true labels mark unlabelled samples
    t, p = truth[keep], pred[keep]
    c = contingency_matrix(t, p)
    rows, cols = linear_sum_assignment(c, maximize=True)
    (_, fp), (fn, tp) = pair_confusion_matrix(t, p)
    tp, fp, fn = int(tp), int(fp), int(fn)
    return {
        "name": name,
        "truth": truth.tolist(),
        "pred": pred.tolist(),
        "acc": c[rows, cols].sum() / len(t),
        "purity": c.max(axis=0).sum() / len(t),
        "nmi_sqrt": normalized_mutual_info_score(t, p, average_method="geometric"),
        "nmi_arithmetic": normalized_mutual_info_score(t, p, average_method="arithmetic"),
        "nmi_max": normalized_mutual_info_score(t, p, average_method="max"),
        "nmi_min": normalized_mutual_info_score(t, p, average_method="min"),
        "ari": adjusted_rand_score(t, p),
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0,
        "jaccard": tp / (tp + fp + fn) if tp + fp + fn else 1.0,
    }


def clustering_cases():
    rng = np.random.default_rng(20240601)
    cases = [
        clustering_case("random 5x5", rng.integers(0, 5, 200), rng.integers(0, 5, 200)),
        clustering_case("random 4x7", rng.integers(0, 4, 300), rng.integers(0, 7, 300)),
        clustering_case("random 6x3", rng.integers(0, 6, 250), rng.integers(0, 3, 250)),
    ]
    # A good clustering: the truth with 15% of labels redrawn and the
    # clusters renamed.
    truth = np.repeat(np.arange(8), 40)
    pred = truth.copy()
    noisy = rng.random(len(pred)) < 0.15
    pred[noisy] = rng.integers(0, 8, noisy.sum())
    cases.append(clustering_case("noisy 8x8 permuted", truth, rng.permutation(8)[pred]))
    # Gaps in the label values on both sides.
    cases.append(clustering_case("sparse label values",
                                 [0, 0, 3, 3, 3, 7, 7, 9, 9, 9, 9, 0],
                                 [5, 5, 5, 2, 2, 11, 11, 11, 0, 0, 2, 5]))
    # Unlabelled samples: about a quarter of the truth set to -1.
    truth = rng.integers(0, 4, 120)
    pred = np.where(rng.random(120) < 0.6, truth, rng.integers(0, 5, 120))
    truth[rng.random(120) < 0.25] = -1
    cases.append(clustering_case("unlabelled", truth, pred))
    # Degenerate labellings.
    cases += [
        clustering_case("identical permuted", [0, 0, 1, 1, 2, 2, 2], [2, 2, 0, 0, 1, 1, 1]),
        clustering_case("both single", [3] * 6, [1] * 6),
        clustering_case("truth single", [0] * 9, [0, 1, 2] * 3),
        clustering_case("pred single", [0, 1, 2] * 3, [4] * 9),
        clustering_case("pred singletons", rng.integers(0, 3, 30), np.arange(30)),
        clustering_case("both singletons", np.arange(10), np.arange(10)[::-1]),
        clustering_case("independent", [0, 0, 1, 1], [0, 1, 0, 1]),
        clustering_case("one sample", [2], [0]),
    ]
    return cases


def graph_case(name, g, partitions):
    """Record g as triplets and the metrics of each partition (a list of
    community indices by node)."""
    directed = g.is_directed()
    rows, cols, vals = [], [], []
    for u, v, w in g.edges(data="weight", default=1):
        rows.append(u), cols.append(v), vals.append(float(w))
        if not directed and u != v:
            rows.append(v), cols.append(u), vals.append(float(w))
    parts = []
    for pred in partitions:
        pred = [int(c) for c in pred]
        comms = [{i for i, c in enumerate(pred) if c == k} for k in range(max(pred) + 1)]
        part = {
            "pred": pred,
            "modularity": nx.community.modularity(g, comms, weight="weight"),
        }
        if not directed:
            part["conductance"] = [nx.algorithms.cuts.conductance(g, s, weight="weight") for s in comms]
        parts.append(part)
    return {
        "name": name,
        "n": g.number_of_nodes(),
        "directed": directed,
        "rows": rows,
        "cols": cols,
        "vals": vals,
        "partitions": parts,
    }


def labels_of(comms, n):
    pred = [0] * n
    for k, comm in enumerate(comms):
        for i in comm:
            pred[i] = k
    return pred


def graph_cases():
    rng = np.random.default_rng(7)
    cases = []

    karate = nx.karate_club_graph()  # weighted since networkx 2.7
    n = karate.number_of_nodes()
    club = [0 if karate.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(n)]
    greedy = labels_of(nx.community.greedy_modularity_communities(karate, weight="weight"), n)
    cases.append(graph_case("karate", karate, [club, greedy, rng.integers(0, 4, n)]))

    unweighted = nx.Graph(karate.edges())
    cases.append(graph_case("karate unweighted", unweighted, [club, greedy]))

    g = nx.gnp_random_graph(40, 0.12, seed=3)
    for u, v in g.edges():
        g[u][v]["weight"] = float(rng.uniform(0.1, 3))
    for i in (0, 5, 17, 33):
        g.add_edge(i, i, weight=float(rng.uniform(0.5, 2)))
    blocks = [i * 4 // 40 for i in range(40)]
    cases.append(graph_case("self-loops weighted", g, [blocks, rng.integers(0, 3, 40)]))

    d = nx.gnp_random_graph(30, 0.15, seed=11, directed=True)
    for u, v in d.edges():
        d[u][v]["weight"] = float(rng.uniform(0.5, 2))
    d.add_edge(4, 4, weight=1.5)
    d.add_edge(9, 9, weight=0.25)
    cases.append(graph_case("directed weighted", d, [[i % 3 for i in range(30)], rng.integers(0, 4, 30)]))

    d = nx.DiGraph(nx.gnp_random_graph(25, 0.2, seed=5, directed=True).edges())
    cases.append(graph_case("directed unweighted", d, [[i // 5 for i in range(25)], rng.integers(0, 2, 25)]))
    return cases


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
    fixtures = {"clustering": clustering_cases(), "graphs": graph_cases()}
    # One case a line keeps the file small and its diffs readable.
    with open(out, "w") as f:
        f.write("{\n")
        for i, (key, cases) in enumerate(fixtures.items()):
            f.write(f' "{key}": [\n  ')
            f.write(",\n  ".join(json.dumps(c) for c in cases))
            f.write("\n ]" + (",\n" if i < len(fixtures) - 1 else "\n"))
        f.write("}\n")


if __name__ == "__main__":
    main()
