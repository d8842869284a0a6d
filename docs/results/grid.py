#!/usr/bin/env python3
"""Best-over-grid DAsNMF on the WebKB graphs, as the paper's tables appear
to report (REFERENCES.md §12): for each (η, λ) of the paper's grid, mean NMI
over seeds; the table gives the best mean and its configuration, the best
single run, and the published number. Standard library only.

    go build -o /tmp/deepnmf ./cmd/deepnmf
    python3 docs/results/grid.py --bin /tmp/deepnmf [--seeds 3]

Writes docs/results/grid.md and the raw per-configuration summaries to
docs/results/raw/grid/.
"""
import argparse, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(os.path.dirname(HERE)), os.pardir, "shared", "data")
# Every other η of the paper's grid and four of its λ, to keep the run near
# ten minutes on 2 cores.
ETAS = [0, 0.1, 0.2, 0.3, 0.4, 0.5]
LAMBDAS = [0, 0.001, 0.1, 10]
PUBLISHED = {"cornell": 0.2106, "texas": 0.2561, "washington": 0.2208, "wisconsin": 0.1089}
SETTINGS = {  # the two starts measured in docs/models/dasnmf.md, and their seeds
    "svd start (defaults)": ([], 1),  # exact SVD below 500 nodes: the seed does not matter
    "random start, hupdate=a": (["--init", "random", "--param", "hupdate=a"], None),
}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="/tmp/deepnmf")
    ap.add_argument("--seeds", type=int, default=3)
    a = ap.parse_args()
    raw = os.path.join(HERE, "raw", "grid")
    os.makedirs(raw, exist_ok=True)
    rows = []
    for ds in PUBLISHED:
        d = os.path.join(DATA, "webkb", ds)
        if not os.path.exists(d):
            print(f"skip {ds}: data missing", file=sys.stderr)
            continue
        for name, (extra, seeds) in SETTINGS.items():
            seeds = seeds or a.seeds
            best, best_run = None, 0.0
            for eta in ETAS:
                for lam in LAMBDAS:
                    cmd = [a.bin, "fit", "--model", "dasnmf", "--input", os.path.join(d, "edges.txt"), "--format", "edgelist",
                           "--directed", "--labels", os.path.join(d, "labels.txt"), "--layers", "128,64,5",
                           "--param", f"eta={eta}", "--param", f"lambda={lam}", *extra,
                           "--seeds", str(seeds), "--json", "--quiet"]
                    res = subprocess.run(cmd, capture_output=True, text=True)
                    if res.returncode != 0:
                        print(f"FAIL {ds} η={eta} λ={lam}: {res.stderr.strip()}", file=sys.stderr)
                        continue
                    s = json.loads(res.stdout)
                    # one seed: a single fit's report, metrics as plain numbers
                    s["metrics"] = {k: v if isinstance(v, dict) else {"mean": v, "std": 0.0, "max": v}
                                    for k, v in s["metrics"].items()}
                    key = f"{ds}-{'svd' if not extra else 'random-a'}-eta{eta}-lambda{lam}"
                    with open(os.path.join(raw, key + ".json"), "w") as f:
                        f.write(res.stdout)
                    nmi = s["metrics"]["nmi"]
                    if best is None or nmi["mean"] > best[0]["mean"]:
                        best = (nmi, eta, lam, s["metrics"]["acc"]["mean"], s["metrics"]["ari"]["mean"])
                    best_run = max(best_run, nmi["max"])
            print(f"{ds} {name}: best mean NMI {best[0]['mean']:.3f}", file=sys.stderr)
            rows.append((ds, name, best, best_run))
    with open(os.path.join(HERE, "grid.md"), "w") as f:
        f.write("# DAsNMF on WebKB: best over the paper's grid\n\n")
        f.write(f"Made by `python3 docs/results/grid.py --seeds {a.seeds}`: layers 128-64-5, directed graphs, "
                f"η ∈ {ETAS}, λ ∈ {LAMBDAS} (a subset of the paper's grid), {a.seeds} seeds per configuration for random starts "
                f"(seeds 0-{a.seeds - 1}), one for the SVD start (deterministic on these graphs); "
                "NMI sqrt-normalized, argmax over the rows of Ψ.\n\n")
        f.write("| dataset | start | best mean NMI ± std | at η, λ | ACC, ARI there | best single run | published NMI |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for ds, name, (nmi, eta, lam, acc, ari), best_run in rows:
            f.write(f"| {ds} | {name} | {nmi['mean']:.3f} ± {nmi['std']:.3f} | {eta}, {lam} | {acc:.3f}, {ari:.3f} | "
                    f"{best_run:.3f} | {PUBLISHED[ds]:.4f} |\n")

if __name__ == "__main__":
    main()
