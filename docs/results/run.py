#!/usr/bin/env python3
"""Run the results tables of docs/results/README.md.

Every experiment is a `deepnmf fit --seeds N --json` run of one model on one
dataset of ../shared/data; the table shows mean ± std over the seeds beside
the published number where REFERENCES.md gives one. Standard library only.

    go build -o /tmp/deepnmf ./cmd/deepnmf
    python3 docs/results/run.py --bin /tmp/deepnmf [--seeds 10] [--only REGEX]

Raw JSON summaries go to docs/results/raw/, the tables to
docs/results/README.md (between the markers, the rest is kept).
"""
import argparse, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")

def graph(name, labels=None, directed=False):
    d = os.path.join(DATA, name)
    args = ["--input", os.path.join(d, "edges.txt") if labels is None else os.path.join(DATA, labels[0]),
            "--format", "edgelist", "--labels", os.path.join(d, "labels.txt") if labels is None else os.path.join(DATA, labels[1])]
    return args + (["--directed"] if directed else [])

def table(name, label="-1"):
    return ["--input", os.path.join(DATA, "sklearn_builtin", name), "--label-column", label]

DATASETS = {
    "karate": graph("karate"), "football": graph("football"), "polbooks": graph("polbooks"),
    "dolphins": graph("dolphins"),
    "lfr250": graph("lfr", ("lfr/n250_mu0.1_seed10_edges.txt", "lfr/n250_mu0.1_seed10_labels.txt")),
    "lfr1000": graph("lfr", ("lfr/n1000_mu0.3_seed42_edges.txt", "lfr/n1000_mu0.3_seed42_labels.txt")),
    "cora": graph("cora"), "citeseer": graph("citeseer"), "email": graph("email-Eu-core"),
    "cora-directed": graph("cora", directed=True), "citeseer-directed": graph("citeseer", directed=True),
    "email-directed": graph("email-Eu-core", directed=True),
    "iris": table("iris.csv"), "wine": table("wine_data.csv"), "digits": table("digits.csv.gz"),
}
for w in ("cornell", "texas", "washington", "wisconsin"):
    DATASETS[w] = graph("webkb/" + w, directed=True)

# (table, model, dataset, rank or layers, extra args, published NMI/ACC/ARI and source)
EXPERIMENTS = [
    ("Shallow models on small graphs", "nmf", "karate", "2", ["--init", "random"], None),
    ("Shallow models on small graphs", "nmf", "football", "12", ["--init", "random"], None),
    ("Shallow models on small graphs", "nmf", "polbooks", "3", ["--init", "random"], None),
    ("Shallow models on data", "nmf", "iris", "3", ["--init", "random", "--assign", "kmeans"], None),
    ("Shallow models on data", "nmf", "wine", "3", ["--init", "random", "--assign", "kmeans"], None),
    ("Shallow models on data", "nmf", "digits", "10", ["--init", "random", "--assign", "kmeans"], None),
    ("Baselines on citation graphs", "nmf", "cora", "7", ["--init", "random"], ((0.2851, 0.4103, 0.2145), "DANMF Tables 3-5")),
    ("Baselines on citation graphs", "nmf", "citeseer", "6", ["--init", "random"], ((0.1319, 0.3074, 0.0590), "DANMF Tables 3-5")),
]

def run(bin_, seeds, exp, raw):
    title, model, ds, size, extra, _ = exp
    key = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join([model, ds, size] + extra))
    out = os.path.join(raw, key + ".json")
    if not all(os.path.exists(a) for a in DATASETS[ds] if a.startswith("/")):
        print(f"skip {key}: data missing", file=sys.stderr)
        return None
    sizeflag = ["--layers", size] if "," in size else ["--rank", size]
    cmd = [bin_, "fit", "--model", model, *DATASETS[ds], *sizeflag, *extra,
           "--seeds", str(seeds), "--json", "--quiet", "--max-iter", "1000"]
    t = time.time()
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        print(f"FAIL {key}: {res.stderr.strip()}", file=sys.stderr)
        return None
    with open(out, "w") as f:
        f.write(res.stdout)
    print(f"{key}: {time.time() - t:.1f}s", file=sys.stderr)
    return json.loads(res.stdout)

def cell(s, k):
    m = s["metrics"].get(k)
    return "-" if m is None else f"{m['mean']:.3f} ± {m['std']:.3f}"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="/tmp/deepnmf")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    raw = os.path.join(HERE, "raw")
    os.makedirs(raw, exist_ok=True)
    rows = {}
    for exp in EXPERIMENTS:
        if a.only and not re.search(a.only, "-".join(exp[1:4])):
            continue
        s = run(a.bin, a.seeds, exp, raw)
        if s:
            rows.setdefault(exp[0], []).append((exp, s))
    lines = []
    for title, items in rows.items():
        lines += [f"### {title}", "",
                  "| model | dataset | k / layers | params | NMI | ACC | ARI | published NMI / ACC / ARI | s/run |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for (t, model, ds, size, extra, pub), s in items:
            p = "-" if pub is None else " / ".join(f"{v:.3f}" for v in pub[0]) + f" ({pub[1]})"
            lines.append(f"| {model} | {ds} | {size} | {' '.join(extra)} | {cell(s, 'nmi')} | {cell(s, 'acc')} | "
                         f"{cell(s, 'ari')} | {p} | {s['seconds']['mean']:.2f} |")
        lines.append("")
    readme = os.path.join(HERE, "README.md")
    text = open(readme).read() if os.path.exists(readme) else "<!-- results -->\n<!-- /results -->\n"
    head, rest = text.split("<!-- results -->", 1)
    _, tail = rest.split("<!-- /results -->", 1)
    stamp = f"Made by `python3 docs/results/run.py --seeds {a.seeds}`; backend: {next(iter(rows.values()))[0][1]['backend'] if rows else '-'}.\n\n"
    with open(readme, "w") as f:
        f.write(head + "<!-- results -->\n" + stamp + "\n".join(lines) + "<!-- /results -->" + tail)

if __name__ == "__main__":
    main()
