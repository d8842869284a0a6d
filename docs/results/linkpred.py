#!/usr/bin/env python3
"""Link-prediction table (docs/results/linkpred.md): AUC and precision of
the heuristics (CN, AA, RA), NMF (multiplicative updates and coordinate
descent), DANMF, LPANMF and LPADNMF on the six graphs of
../shared/data/linkpred, each a `deepnmf linkpred --json` run with the
papers' protocol (10% of the edges held out, as many sampled non-edges,
split s uses seed s). Standard library only.

    go build -o /tmp/deepnmf ./cmd/deepnmf
    python3 docs/results/linkpred.py --bin /tmp/deepnmf [--splits 10] [--only REGEX]

Raw JSON reports go to docs/results/raw/linkpred/. With --only, the
experiments whose key does not match are read back from there. The table
ends with the grid that chose LPANMF's and LPADNMF's defaults (3 splits
per graph, the same for every graph: not tuned per graph); --grid-only
runs that grid alone.
"""
import argparse, collections, json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "linkpred")
RAW = os.path.join(HERE, "raw", "linkpred")
GRAPHS = ("usair", "celegans", "power", "yeast", "router", "ecoli")

# method: (column title, flags). Every model runs its defaults at rank 32
# (deep models: layers 64,32).
METHODS = {
    "cn": ("CN", ["--model", "cn"]),
    "aa": ("AA", ["--model", "aa"]),
    "ra": ("RA", ["--model", "ra"]),
    "nmf-mu": ("NMF (MU)", ["--model", "nmf", "--rank", "32", "--param", "solver=mu"]),
    "nmf-cd": ("NMF (CD)", ["--model", "nmf", "--rank", "32", "--param", "solver=cd"]),
    "danmf": ("DANMF", ["--model", "danmf", "--layers", "64,32"]),
    "lpanmf": ("LPANMF", ["--model", "lpanmf", "--rank", "32"]),
    "lpadnmf": ("LPADNMF", ["--model", "lpadnmf", "--layers", "64,32"]),
}

# The defaults' grids, 3 splits each: model: (fixed flags, {param: values}).
GRIDS = {
    "lpanmf": (["--rank", "32"], {"init": ["nndsvda", "random"], "alpha": ["1", "10", "30"], "beta": ["0.01", "0.3"]}),
    "lpadnmf": (["--layers", "64,32"], {"init": ["nndsvda", "random"], "eta": ["0", "1"], "beta": ["0.01", "0.3"]}),
}
GRID_SPLITS = 3


def grid_points(values):
    points = [[]]
    for k, vs in values.items():
        points = [p + [(k, v)] for p in points for v in vs]
    return points


def grid_flags(point):
    out = []
    for k, v in point:
        out += ["--init", v] if k == "init" else ["--param", f"{k}={v}"]
    return out


# Published AUC: LPANMF (Knowledge-Based Systems 280, 2023) and LPADNMF
# (Engineering Applications of AI 133, 2024), as in the data README.
PUBLISHED = {
    "lpanmf": {"usair": 0.9549, "celegans": 0.9197, "power": 0.7893},
    "lpadnmf": {"usair": 0.9607, "celegans": 0.9621},
    "nmf": {"usair": 0.9224, "celegans": 0.8667, "power": 0.6731},
    "ra": {"usair": 0.9677, "celegans": 0.8779, "power": 0.5927},
}


def run(bin_, splits, key, graph, flags):
    out = os.path.join(RAW, key + ".json")
    cmd = [bin_, "linkpred", "--input", os.path.join(DATA, graph, "edges.txt"),
           "--splits", str(splits), "--json", "--quiet"] + flags
    print(" ".join(cmd), file=sys.stderr)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{key}: exit {res.returncode}: {res.stderr}")
    rep = json.loads(res.stdout)
    with open(out, "w") as f:
        json.dump(rep, f, indent=1)
    return rep


def isolated_share(bin_, splits, graph):
    """The mean share, over the splits, of held-out edges with an endpoint
    that keeps no edge in the training graph (from RA's scored pairs)."""
    path = os.path.join(DATA, graph, "edges.txt")
    deg = collections.Counter()
    with open(path) as f:
        for line in f:
            u, v = line.split()[:2]
            deg[u] += 1
            deg[v] += 1
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([bin_, "linkpred", "--model", "ra", "--input", path, "--splits", str(splits),
                        "--out", out, "--quiet"], check=True, capture_output=True)
        shares = []
        for s in range(splits):
            with open(os.path.join(out, f"split-{s}.txt")) as f:
                test = [p[:2] for p in (line.split() for line in f) if p[2] == "1"]
            held = collections.Counter(x for e in test for x in e)
            shares.append(sum(deg[u] == held[u] or deg[v] == held[v] for u, v in test) / len(test))
    return sum(shares) / len(shares)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--splits", type=int, default=10)
    ap.add_argument("--only", default="", help="rerun only the experiments whose key matches this regular expression")
    ap.add_argument("--grid-only", action="store_true", help="run the defaults' grids only (no table)")
    a = ap.parse_args()
    if not os.path.isdir(DATA):
        sys.exit(f"{DATA} not found: the graphs come from ../shared/data/linkpred")
    os.makedirs(RAW, exist_ok=True)
    grid = {}
    for m, (fixed, values) in GRIDS.items():
        for point in grid_points(values):
            name = "-".join(f"{k}{v}" for k, v in point)
            for g in GRAPHS:
                key = f"grid-{m}-{name}-{g}"
                path = os.path.join(RAW, key + ".json")
                if (a.only and not re.search(a.only, key)) and os.path.exists(path):
                    with open(path) as f:
                        grid[m, name, g] = json.load(f)
                else:
                    grid[m, name, g] = run(a.bin, GRID_SPLITS, key, g, ["--model", m] + fixed + grid_flags(point))

    if a.grid_only:
        return
    res = {}
    for g in GRAPHS:
        for m, (_, flags) in METHODS.items():
            key = f"{g}-{m}"
            path = os.path.join(RAW, key + ".json")
            if a.only and not re.search(a.only, key) and os.path.exists(path):
                with open(path) as f:
                    res[g, m] = json.load(f)
            else:
                res[g, m] = run(a.bin, a.splits, key, g, flags)

    def cell(g, m, k="auc"):
        r = res[g, m]
        return f"{r[k]:.4f} ± {r[k + '_std']:.4f}"

    def secs(g, m):
        runs = res[g, m].get("runs") or []
        if not runs or "seconds" not in runs[0]:
            return "-"
        return f"{sum(r['seconds'] for r in runs) / len(runs):.1f}"

    cols = list(METHODS)
    lines = ["# Link prediction", "",
             "Generated by `docs/results/linkpred.py` (see its docstring); do not edit by hand.", "",
             "The papers' protocol on the graphs of `../shared/data/linkpred`: each split holds out 10% of the",
             "edges, fits on the rest, and scores the held-out edges against as many node pairs that are not edges",
             "of the whole graph; split s uses seed s for the split and the fit. Mean ± std over "
             f"{res[GRAPHS[0], 'ra']['splits']} splits.",
             "Models run their defaults at rank 32 (NMF: `solver=mu` or `cd`; DANMF and LPADNMF: layers 64,32).", "",
             "## AUC", "",
             "| graph | " + " | ".join(METHODS[m][0] for m in cols) + " | best of NMF, RA | LPANMF above | LPADNMF above |",
             "|---" * (len(cols) + 4) + "|"]
    for g in GRAPHS:
        base = max(res[g, "nmf-mu"]["auc"], res[g, "nmf-cd"]["auc"], res[g, "ra"]["auc"])
        lines.append(f"| {g} | " + " | ".join(cell(g, m) for m in cols) +
                     f" | {base:.4f} | {'yes' if res[g, 'lpanmf']['auc'] > base else 'no'}"
                     f" | {'yes' if res[g, 'lpadnmf']['auc'] > base else 'no'} |")
    lines += ["", "## Precision (at the number of held-out edges)", "",
              "| graph | " + " | ".join(METHODS[m][0] for m in cols) + " |",
              "|---" * (len(cols) + 1) + "|"]
    for g in GRAPHS:
        lines.append(f"| {g} | " + " | ".join(cell(g, m, "precision") for m in cols) + " |")
    lines += ["", "## Seconds per fit (mean over the splits, on the machine and load of the run)", "",
              "| graph | " + " | ".join(METHODS[m][0] for m in cols[3:]) + " |",
              "|---" * (len(cols) - 2) + "|"]
    for g in GRAPHS:
        lines.append(f"| {g} | " + " | ".join(secs(g, m) for m in cols[3:]) + " |")
    lines += ["", "## Held-out edges no factorization has evidence for", "",
              "Share of the held-out edges with an endpoint that keeps no edge in the training graph (mean over",
              "the splits): such a node has a zero row and column, so each of its test pairs scores 0.", "",
              "| graph | share |", "|---|---|"]
    for g in GRAPHS:
        lines.append(f"| {g} | {isolated_share(a.bin, res[g, 'ra']['splits'], g):.2f} |")
    lines += ["", "## Published AUC beside the measured mean", "",
              "| graph | method | published | measured | gap |", "|---|---|---|---|---|"]
    for m, pub in PUBLISHED.items():
        for g, p in pub.items():
            mm = "nmf-cd" if m == "nmf" else m
            v = res[g, mm]["auc"]
            lines.append(f"| {g} | {METHODS[mm][0]} | {p:.4f} | {v:.4f} | {v - p:+.4f} |")
    lines += ["", "## The defaults' grids", "",
              f"Mean AUC over {GRID_SPLITS} splits (seeds 0-{GRID_SPLITS - 1}) of each setting on every graph; the",
              "defaults are the setting with the best mean over the six graphs (marked), one for all graphs.", ""]
    for m, (fixed, values) in GRIDS.items():
        lines += [f"{METHODS[m][0]} ({' '.join(fixed)}):", "",
                  "| setting | " + " | ".join(GRAPHS) + " | mean |", "|---" * (len(GRAPHS) + 2) + "|"]
        rows = []
        for point in grid_points(values):
            name = "-".join(f"{k}{v}" for k, v in point)
            aucs = [grid[m, name, g]["auc"] for g in GRAPHS]
            rows.append((sum(aucs) / len(aucs), " ".join(f"{k}={v}" for k, v in point), aucs))
        best = max(r[0] for r in rows)
        for mean, label, aucs in rows:
            mark = " **(best)**" if mean == best else ""
            lines.append(f"| {label}{mark} | " + " | ".join(f"{v:.4f}" for v in aucs) + f" | {mean:.4f} |")
        lines.append("")
    with open(os.path.join(HERE, "linkpred.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
