#!/usr/bin/python3
"""Generate graph/testdata/fixtures.json, the reference values of graph's tests.

Run with Debian's python (numpy, scipy and scikit-learn from apt):

    /usr/bin/python3 graph/testdata/gen.py > graph/testdata/fixtures.json

kNN graphs come from scikit-learn's kneighbors_graph; the self-tuning graph
also from a numpy transcription of scale_dist3_knn (dakuang/symnmf), and
the two are checked against each other. Laplacians come from scipy's
csgraph; PageRank from a linear solve of its fixed-point equation.
"""
import json

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import laplacian
from sklearn.neighbors import NearestNeighbors, kneighbors_graph


def triplets(m):
    """Nonzero entries of m as [i, j, v], row-major."""
    m = sp.csr_matrix(m)
    m.eliminate_zeros()
    m.sort_indices()
    coo = m.tocoo()
    return [[int(i), int(j), float(v)] for i, j, v in zip(coo.row, coo.col, coo.data)]


def knn_weighted(x, k, f):
    """Union kNN graph: weights f(i, j, dist) on the directed kNN pairs, max(W, Wᵀ)."""
    g = kneighbors_graph(x, k, mode="distance", include_self=False).tocoo()
    w = np.array([f(i, j, d) for i, j, d in zip(g.row, g.col, g.data)])
    wd = sp.csr_matrix((w, (g.row, g.col)), shape=g.shape)
    return wd.maximum(wd.T), g


def scale_dist3_knn(d2, nn, knn):
    """numpy transcription of scale_dist3_knn for a dense squared-distance matrix."""
    n = d2.shape[0]
    nn, knn = min(nn, n - 1), min(knn, n - 1)
    idx = np.argsort(d2, axis=0, kind="stable")
    srt = np.take_along_axis(d2, idx, axis=0)
    ls = np.sqrt(srt[nn, :])
    j = np.tile(np.arange(n), (knn + 1, 1))
    i = idx[: knn + 1, :]
    s = srt[: knn + 1, :]
    keep = i != j
    i, j, s = i[keep], j[keep], s[keep]
    a = np.zeros((n, n))
    v = np.exp(-s / (ls[i] * ls[j]))
    a[i, j] = v
    a[j, i] = v
    return a


def knn_fixture(rng):
    n, dim = 40, 5
    x = rng.random((n, dim))
    k = int(np.floor(np.log2(n))) + 1  # SymNMF's default: 6
    out = {"x": x.tolist(), "k": k}

    w, _ = knn_weighted(x, k, lambda i, j, d: 1.0)
    out["binary"] = triplets(w)
    w3, _ = knn_weighted(x, 3, lambda i, j, d: 1.0)
    out["binary3"] = triplets(w3)

    g = kneighbors_graph(x, k, mode="distance", include_self=False)
    t = float(np.mean(g.data**2))
    out["heat_t"] = t
    w, _ = knn_weighted(x, k, lambda i, j, d: np.exp(-d * d / t))
    out["heat"] = triplets(w)
    w, _ = knn_weighted(x, k, lambda i, j, d: np.exp(-d * d / 0.5))
    out["heat05"] = triplets(w)

    norms = np.linalg.norm(x, axis=1)
    w, _ = knn_weighted(x, k, lambda i, j, d: x[i] @ x[j] / (norms[i] * norms[j]))
    out["cosine"] = triplets(w)

    nn = 7
    dist, _ = NearestNeighbors(n_neighbors=nn).fit(x).kneighbors()
    sigma = dist[:, nn - 1]
    w, _ = knn_weighted(x, k, lambda i, j, d: np.exp(-d * d / (sigma[i] * sigma[j])))
    d2 = np.maximum(0, (x * x).sum(1)[:, None] + (x * x).sum(1)[None, :] - 2 * x @ x.T)
    ref = scale_dist3_knn(d2, nn, k)
    assert np.allclose(w.toarray(), ref, rtol=1e-12, atol=0), "sklearn and scale_dist3_knn disagree"
    out["selftuning"] = triplets(w)

    # symnmf_cluster's 'ncut' step: D^{-1/2} A D^{-1/2} with column sums, then (A+Aᵀ)/2.
    a = ref
    dd = 1 / np.sqrt(a.sum(0))
    a = dd[:, None] * a * dd[None, :]
    out["symnmf"] = triplets((a + a.T) / 2)
    return out


def directed_fixture(rng):
    n = 25
    a = (rng.random((n, n)) < 0.12).astype(float)
    np.fill_diagonal(a, 0)
    a[3, :] = 0  # a dangling node
    a[:, 7] = 0
    a[7, :] = 0  # an isolated node
    out = {"n": n, "edges": triplets(a)}

    # Asymmetric cosine, eq. 11 of DAsNMF, diagonal kept.
    deg = a.sum(1)
    common = a @ a.T
    s = np.zeros((n, n))
    for u in range(n):
        for v in range(n):
            m = common[u, v]
            if m > 0:
                s[u, v] = m / np.sqrt(deg[u] * deg[v]) * (m / deg[u]) * (2 * m / (deg[u] + deg[v]))
    out["asymcos"] = triplets(s)

    # PageRank fixed points, rho = 0.85.
    rho = 0.85
    kinv = np.where(deg > 0, 1 / np.where(deg > 0, deg, 1), 0)
    std = np.linalg.solve(np.eye(n) - rho * a.T * kinv[None, :], np.full(n, (1 - rho) / n))
    prt = np.linalg.solve(np.eye(n) - rho * a * kinv[None, :], np.full(n, (1 - rho) / n))
    out["pagerank"] = std.tolist()
    out["pagerank_printed"] = prt.tolist()

    # Laplacians of the undirected graph A + Aᵀ (node 7 isolated).
    u = a + a.T
    out["sum"] = triplets(u)
    out["laplacian"] = triplets(laplacian(u))
    out["normalized_laplacian"] = triplets(laplacian(u, normed=True))
    return out


def main():
    rng = np.random.default_rng(20240601)
    fix = {"knn": knn_fixture(rng), "directed": directed_fixture(rng)}
    print(json.dumps(fix, indent=None, separators=(",", ":")))


if __name__ == "__main__":
    main()
