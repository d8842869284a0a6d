#!/usr/bin/env python3
"""Best-over-grid DAsNMF and DANMF, as the papers' tables appear to report
(REFERENCES.md §12): for each configuration of a grid ((η, λ) for DAsNMF, λ
for DANMF), the mean NMI over seeds; the table gives the best mean and its
configuration, the best single run, and the published number. Standard
library only.

    go build -o /tmp/deepnmf ./cmd/deepnmf
    python3 docs/results/grid.py --bin /tmp/deepnmf [--seeds 3] [--only REGEX]

Writes docs/results/grid.md and the raw per-configuration summaries to
docs/results/raw/grid/. With --only, configurations whose key does not
match are read back from raw/grid/ instead of being run again.
"""
import argparse, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(os.path.dirname(HERE)), os.pardir, "shared", "data")

def eta_lambda(etas, lambdas):
    return [(f"{eta}, {lam}", f"eta{eta}-lambda{lam}", ["--param", f"eta={eta}", "--param", f"lambda={lam}"])
            for eta in etas for lam in lambdas]

# Grids: (label, raw key, flags) per configuration.
WEBKB_GRID = eta_lambda([0, 0.1, 0.2, 0.3, 0.4, 0.5], [0, 0.001, 0.1, 10])  # every other η, four λ of the paper's grid
CITATION_GRID = eta_lambda([0, 0.15, 0.3, 0.45], [0, 0.01, 1, 100])          # Table 7's η and λ among them
DANMF_GRID = [(f"{lam}", f"lambda{lam}", ["--param", f"lambda={lam}"]) for lam in (0.001, 0.01, 0.1, 1, 10)]  # DANMF §5.1

# dataset: (directory, layers, published NMI, grid, extra input flags)
DATASETS = {
    "cornell": ("webkb/cornell", "128,64,5", 0.2106, WEBKB_GRID, []),
    "texas": ("webkb/texas", "128,64,5", 0.2561, WEBKB_GRID, []),
    "washington": ("webkb/washington", "128,64,5", 0.2208, WEBKB_GRID, []),
    "wisconsin": ("webkb/wisconsin", "128,64,5", 0.1089, WEBKB_GRID, []),
    # Arcs as the file stores them (citing -> cited), and reversed (cited ->
    # citing, the order of LINQS's .cites lines), which reproduces the paper.
    "cora": ("cora", "256,64,7", 0.3677, CITATION_GRID, []),
    "cora-cited": ("cora", "256,64,7", 0.3677, CITATION_GRID, ["--reverse"]),
    "citeseer": ("citeseer", "256,64,6", 0.1638, CITATION_GRID, ["--isolated"]),
    "citeseer-cited": ("citeseer", "256,64,6", 0.1638, CITATION_GRID, ["--isolated", "--reverse"]),
    # DANMF's protocol: undirected, published DANMF (CIKM 2018) Table 3.
    "cora-undirected": ("cora", "256,64,7", 0.4114, DANMF_GRID, []),
    "citeseer-undirected": ("citeseer", "256,64,6", 0.1831, DANMF_GRID, []),
}
# (model, start, raw key tag, flags, seeds or None for --seeds, datasets)
SETTINGS = [
    # exact SVD below 500 nodes: the seed does not matter on WebKB
    # (the SVD rows pin hupdate=as, the default when they were run; the
    # default is now hupdate=a: docs/models/dasnmf.md)
    ("dasnmf", "svd start, hupdate=as", "svd", ["--init", "svd", "--param", "hupdate=as"], 1, ("cornell", "texas", "washington", "wisconsin")),
    ("dasnmf", "random start, hupdate=a", "random-a", ["--init", "random", "--param", "hupdate=a"], None,
     ("cornell", "texas", "washington", "wisconsin")),
    # randomized SVD above 500 nodes: the seed matters
    ("dasnmf", "svd start, hupdate=as", "svd", ["--init", "svd", "--param", "hupdate=as"], 2, ("cora", "cora-cited", "citeseer", "citeseer-cited")),
    ("danmf", "defaults", "danmf", [], 2, ("cora-undirected", "citeseer-undirected")),
]

def run(a, raw, model, ds, tag, extra, seeds, conf):
    d, layers, _, _, flags = DATASETS[ds]
    key = f"{ds}-{tag}-{conf[1]}"
    path = os.path.join(raw, key + ".json")
    if a.only and not re.search(a.only, key):
        if not os.path.exists(path):
            return None
        with open(path) as f:
            out = f.read()
    else:
        d = os.path.join(DATA, d)
        directed = [] if ds.endswith("-undirected") else ["--directed"]
        cmd = [a.bin, "fit", "--model", model, "--input", os.path.join(d, "edges.txt"), "--format", "edgelist",
               *directed, *flags, "--labels", os.path.join(d, "labels.txt"), "--layers", layers,
               *conf[2], *extra, "--seeds", str(seeds), "--json", "--quiet"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(f"FAIL {key}: {res.stderr.strip()}", file=sys.stderr)
            return None
        out = res.stdout
        with open(path, "w") as f:
            f.write(out)
        print(key, file=sys.stderr)
    s = json.loads(out)
    # one seed: a single fit's report, metrics as plain numbers
    return {k: v if isinstance(v, dict) else {"mean": v, "std": 0.0, "max": v} for k, v in s["metrics"].items()}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="/tmp/deepnmf")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--only", default="", help="run only the configurations whose key matches this regular expression")
    a = ap.parse_args()
    raw = os.path.join(HERE, "raw", "grid")
    os.makedirs(raw, exist_ok=True)
    rows = []
    for model, name, tag, extra, seeds, sets in SETTINGS:
        seeds = seeds or a.seeds
        for ds in sets:
            if not os.path.exists(os.path.join(DATA, DATASETS[ds][0])):
                print(f"skip {ds}: data missing", file=sys.stderr)
                continue
            best, best_run = None, 0.0
            for conf in DATASETS[ds][3]:
                m = run(a, raw, model, ds, tag, extra, seeds, conf)
                if m is None:
                    continue
                nmi = m["nmi"]
                if best is None or nmi["mean"] > best[0]["mean"]:
                    best = (nmi, conf[0], m["acc"]["mean"], m["ari"]["mean"])
                best_run = max(best_run, nmi["max"])
            if best:
                rows.append((model, ds, name, seeds, best, best_run))
    with open(os.path.join(HERE, "grid.md"), "w") as f:
        f.write("# DAsNMF and DANMF: best over the papers' grids\n\n")
        f.write(f"Made by `python3 docs/results/grid.py --seeds {a.seeds}`: each model's default read-out (argmax over the rows "
                "of Ψ for DAsNMF, over the columns of Vp for DANMF), NMI sqrt-normalized. Per configuration, the mean over "
                "the seeds (0 to seeds−1); "
                "the table gives the configuration with the best mean and the best single run over the whole grid.\n\n"
                "- DAsNMF on WebKB (layers 128-64-5): η ∈ [0, 0.1, 0.2, 0.3, 0.4, 0.5], λ ∈ [0, 0.001, 0.1, 10] (a subset of the paper's grid); "
                f"random starts {a.seeds} seeds, the SVD start one (exact SVD: deterministic).\n"
                "- DAsNMF on Cora and Citeseer (256-64-k, directed, Citeseer with its isolated nodes): η ∈ [0, 0.15, 0.3, 0.45], "
                "λ ∈ [0, 0.01, 1, 100], the SVD start, 2 seeds (randomized SVD). `-cited` rows read the arcs "
                "reversed (`--reverse`, cited → citing, the order of LINQS's .cites lines), the others as the files "
                "store them (citing → cited).\n"
                "- DANMF on Cora and Citeseer (256-64-k, undirected, as its paper): λ ∈ [0.001, 0.01, 0.1, 1, 10] "
                "(the paper's grid), 2 seeds; published numbers from the DANMF paper (Table 3).\n\n")
        f.write("| model | dataset | start | seeds | best mean NMI ± std | at (η,) λ | ACC, ARI there | best single run | published NMI |\n")
        f.write("|---|---|---|---|---|---|---|---|---|\n")
        for model, ds, name, seeds, (nmi, conf, acc, ari), best_run in rows:
            f.write(f"| {model} | {ds} | {name} | {seeds} | {nmi['mean']:.3f} ± {nmi['std']:.3f} | {conf} | {acc:.3f}, {ari:.3f} | "
                    f"{best_run:.3f} | {DATASETS[ds][2]:.4f} |\n")

if __name__ == "__main__":
    main()
