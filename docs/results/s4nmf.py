#!/usr/bin/env python3
"""Semi-supervised clustering table (docs/results/s4nmf.md): S4NMF with a
labelled fraction of every class (10%, ORL 20%, as the paper), SymNMF with
the same labelled samples as pairwise constraints, and unsupervised SymNMF
and NMF, each a `deepnmf fit --seeds N --json` run, beside the NMI and ACC
of the paper's Tables 2-3. Standard library only.

    go build -o /tmp/deepnmf-s4 ./cmd/deepnmf
    OPENBLAS_NUM_THREADS=1 GOMAXPROCS=1 python3 docs/results/s4nmf.py --bin /tmp/deepnmf-s4 \
        [--seeds 10] [--large-seeds 10] [--only REGEX]

Raw JSON summaries go to docs/results/raw/s4nmf/. With --only, the
experiments whose key does not match are read back from there. --large-seeds
sets the seeds of S4NMF on the large sets (digits, ORL, UMIST, COIL20), whose fits take
up to a minute each on one thread; the other models, a second or less a fit, always
run --seeds. The table says how many each row used. The committed table ran on one
thread (the environment above), so that s/fit is comparable between rows.
"""
import argparse, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
RAW = os.path.join(HERE, "raw", "s4nmf")


def table(name):
    return ["--input", os.path.join(DATA, "sklearn_builtin", name), "--label-column", "-1"]


def faces(name):
    d = os.path.join(DATA, "faces")
    return ["--input", os.path.join(d, name + "_X.npy"), "--labels", os.path.join(d, name + "_labels.txt")]


# name: (input flags, k, labelled fraction, large, published S4NMF (NMI, ACC),
# published SymNMF NMI, published NMF NMI); None where the paper has no
# number for this data (its MNIST is a 1000-sample subset, not sklearn's
# digits).
DATASETS = {
    "iris": (table("iris.csv"), 3, 0.1, False, (0.898, 0.973), 0.699, 0.582),
    "wine": (table("wine_data.csv"), 3, 0.1, False, (0.893, 0.972), 0.582, 0.638),
    "breast cancer": (table("breast_cancer.csv"), 2, 0.1, False, (0.764, 0.963), 0.630, 0.254),
    "digits": (["--input", os.path.join(ROOT, "datasets", "data", "digits.csv.gz"), "--label-column", "-1"], 10, 0.1, True, None, None, None),
    "orl": (faces("orl"), 40, 0.2, True, (0.855, 0.773), 0.723, 0.626),
    "yale": (faces("yale"), 15, 0.1, False, (0.595, 0.594), 0.505, 0.402),
    "umist": (faces("umist"), 20, 0.1, True, (0.850, 0.803), 0.622, 0.531),
    "coil20": (faces("coil20"), 20, 0.1, True, (0.858, 0.781), 0.691, 0.616),
}

# model key: arguments given the labelled fraction. NMF is the papers'
# baseline: Lee and Seung's multiplicative updates from a random start. The
# baselines see the features S4NMF sees (each scaled to [0, 1], --scale
# minmax); the "-raw" ones the data as given, for comparison.
MINMAX = ["--scale", "minmax"]
MODELS = {
    "s4nmf": lambda p: ["--model", "s4nmf", "--labelled-fraction", str(p)],
    "symnmf-constrained": lambda p: ["--model", "symnmf", "--labelled-fraction", str(p)] + MINMAX,
    "symnmf": lambda p: ["--model", "symnmf"] + MINMAX,
    "nmf": lambda p: ["--model", "nmf", "--init", "random", "--param", "solver=mu"] + MINMAX,
    "symnmf-raw": lambda p: ["--model", "symnmf"],
    "nmf-raw": lambda p: ["--model", "nmf", "--init", "random", "--param", "solver=mu"],
}


def run(bin_, key, args):
    cmd = [bin_, "fit", "--json", "--quiet"] + args
    print(" ".join(cmd), file=sys.stderr, flush=True)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{key}: exit {res.returncode}: {res.stderr}")
    rep = json.loads(res.stdout)
    with open(os.path.join(RAW, key + ".json"), "w") as f:
        json.dump(rep, f, indent=1)
    return rep


def cell(rep, metric):
    m = rep["metrics"][metric]
    return f"{m['mean']:.3f} ± {m['std']:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--large-seeds", type=int, default=10, help="seeds of the large sets (digits, ORL, UMIST, COIL20)")
    ap.add_argument("--only", default="", help="rerun only the experiments whose key matches this regular expression")
    a = ap.parse_args()
    os.makedirs(RAW, exist_ok=True)
    rows = []
    for ds, (flags, k, frac, large, pub, pub_sym, pub_nmf) in DATASETS.items():
        reps = {}
        for m, margs in MODELS.items():
            seeds = a.large_seeds if large and m == "s4nmf" else a.seeds
            key = f"{ds.replace(' ', '-')}-{m}"
            path = os.path.join(RAW, key + ".json")
            if a.only and not re.search(a.only, key) and os.path.exists(path):
                with open(path) as f:
                    reps[m] = json.load(f)
            else:
                reps[m] = run(a.bin, key, flags + margs(frac) + ["--rank", str(k), "--seeds", str(seeds)])
        rows.append((ds, k, frac, pub, pub_sym, pub_nmf, reps))
    backend = rows[0][6]["s4nmf"]["backend"]
    lines = ["# Semi-supervised clustering: S4NMF", "",
             "Generated by `docs/results/s4nmf.py` (see its docstring); do not edit by hand.", "",
             "Mean ± std over seeds 0..N−1 of NMI (sqrt normalization) and ACC (Hungarian); the seeds column",
             "gives N for S4NMF and for the other models (S4NMF's fits on the large sets take minutes each).",
             "S4NMF runs its defaults (docs/models/s4nmf.md): features scaled to [0, 1], the 5-NN graph with",
             "weights exp(−d²/σ²), σ = 100, λ1 = 10, λ2 = 0.001, an ensemble of 20 symmetric NMFs, 10 rounds of",
             "500 updates, the consensus fed back as the next round's similarity, the best-weighted member read",
             "out by argmax. Each seed draws its own labelled samples, round(p·n_c) of every class c (at least",
             "one); S4NMF and the constrained SymNMF (the same labelled samples as must-link and cannot-link",
             "pairs imposed on its similarity) are scored on the other samples, SymNMF and NMF (unsupervised,",
             "multiplicative updates from a random start) on all. Every model sees the features scaled to",
             "[0, 1] as S4NMF does (`--scale minmax`); the raw columns give SymNMF and NMF the data as",
             "given (the features of wine and breast cancer span orders of magnitude). The published numbers are the paper's",
             "Tables 2-3 (Pattern Recognition 137, 2023; REFERENCES.md §8.1), on its own copies of the data",
             "(its MNIST row is a 1000-sample subset, not sklearn's digits, so digits has none). s/fit: mean",
             f"wall time of one S4NMF fit on one thread (OPENBLAS_NUM_THREADS=1 GOMAXPROCS=1); backend: {backend}.", "",
             "| data | k | labelled | seeds | S4NMF NMI | S4NMF ACC | published S4NMF NMI / ACC | SymNMF + constraints NMI | SymNMF NMI | NMF NMI | SymNMF / NMF NMI, raw data | published SymNMF / NMF NMI | s/fit S4NMF |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for ds, k, frac, pub, pub_sym, pub_nmf, r in rows:
        s4 = r["s4nmf"]
        published = f"{pub[0]:.3f} / {pub[1]:.3f}" if pub else "-"
        pub_base = f"{pub_sym:.3f} / {pub_nmf:.3f}" if pub_sym else "-"
        lines.append(f"| {ds} | {k} | {s4['labelled']} ({frac:.0%}) | {len(s4['seeds'])} / {len(r['symnmf']['seeds'])} | {cell(s4, 'nmi')} | {cell(s4, 'acc')} | {published} | "
                     f"{cell(r['symnmf-constrained'], 'nmi')} | {cell(r['symnmf'], 'nmi')} | {cell(r['nmf'], 'nmi')} | "
                     f"{r['symnmf-raw']['metrics']['nmi']['mean']:.3f} / {r['nmf-raw']['metrics']['nmi']['mean']:.3f} | {pub_base} | {s4['seconds']['mean']:.1f} |")
    lines += ["", "Other normalizations of S4NMF's NMI (the paper does not say which it uses):", "",
              "| data | NMI (arithmetic) | NMI (max) | ARI |", "|---|---|---|---|"]
    for ds, _, _, _, _, _, r in rows:
        s4 = r["s4nmf"]
        lines.append(f"| {ds} | {cell(s4, 'nmi_arithmetic')} | {cell(s4, 'nmi_max')} | {cell(s4, 'ari')} |")
    with open(os.path.join(HERE, "s4nmf.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
