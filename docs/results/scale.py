#!/usr/bin/env python3
"""Preprocessing sweep (docs/results/scale.md): every data row of run.py's
table (iris, wine, digits), with the same model, layers and parameters, run
under each `fit --scale` (none, minmax, standard, l2), mean ± std over the
seeds. A model that needs nonnegative data refuses `--scale standard`
(mixed signs); the table says so. Standard library only.

    go build -o /tmp/deepnmf ./cmd/deepnmf
    OPENBLAS_NUM_THREADS=1 GOMAXPROCS=1 python3 docs/results/scale.py --bin /tmp/deepnmf \
        [--seeds 10] [--only REGEX]

DANMF-CRFR on digits is left out (a minute a fit); every other row runs
--seeds (about a second a fit or less). Raw JSON summaries (or the error
of a refused run) go to docs/results/raw/scale/; with --only, the runs
whose key does not match are read back from there. The committed table ran
on one thread (the environment above).
"""
import argparse, importlib.util, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = os.path.join(HERE, "raw", "scale")
SCALES = ("none", "minmax", "standard", "l2")

spec = importlib.util.spec_from_file_location("results_run", os.path.join(HERE, "run.py"))
R = importlib.util.module_from_spec(spec)
spec.loader.exec_module(R)

DATA_TITLE = "Data (k-means read-out where the paper uses it)"
SKIP = re.compile(r"^danmf-crfr-digits")
# Extra variants beside the rows of run.py: DANMF-CRFR min-max scales its
# input itself (its `scale` parameter); with scale=none it sees --scale's
# output as given. normalize=none clusters its top layer without scaling
# each sample to sum 1.
EXTRA = [("danmf-crfr", ds, "60,50,40", extra) for extra in (["--param", "scale=none"], ["--param", "normalize=none"])
         for ds in ("iris", "wine")]


def experiments():
    seen = []
    for title, model, ds, size, extra, pub in R.EXPERIMENTS:
        if title != DATA_TITLE:
            continue
        if "--scale" in extra:  # the row's own scale is one of the columns
            i = extra.index("--scale")
            extra = extra[:i] + extra[i + 2:]
        e = (model, ds, size, list(extra), pub)
        if any(s[:4] == e[:4] for s in seen):
            continue
        seen.append(e)
    for model, ds, size, extra in EXTRA:
        seen.append((model, ds, size, extra, "extra"))
    return seen


def key_of(model, ds, size, extra, scale):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join([model, ds, size] + extra + ["scale", scale]))


def run(a, model, ds, size, extra, scale, seeds):
    key = key_of(model, ds, size, extra, scale)
    path = os.path.join(RAW, key + ".json")
    if a.only and not re.search(a.only, key):
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        return None
    sizeflag = ["--layers", size] if "," in size else ["--rank", size]
    cmd = [a.bin, "fit", "--model", model, *R.DATASETS[ds], *sizeflag, *extra,
           "--scale", scale, "--seeds", str(seeds), "--json", "--quiet"]
    print(" ".join(cmd), file=sys.stderr, flush=True)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        rep = {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"exit {res.returncode}",
               "command": cmd[1:]}
    else:
        rep = json.loads(res.stdout)
        rep["command"] = cmd[1:]
    with open(path, "w") as f:
        json.dump(rep, f)
    m = rep.get("metrics", {}).get("nmi")
    print(f"  {key}: " + (f"NMI {m['mean']:.3f} ± {m['std']:.3f}" if m else rep.get("error", "")), file=sys.stderr, flush=True)
    return rep


def cell(rep, metric="nmi"):
    if rep is None:
        return "not run"
    if "error" in rep:
        return "refused"
    m = rep["metrics"].get(metric)
    return "-" if m is None else f"{m['mean']:.3f} ± {m['std']:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="/tmp/deepnmf")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    os.makedirs(RAW, exist_ok=True)
    rows = []
    for model, ds, size, extra, pub in experiments():
        if SKIP.search("-".join([model, ds])):
            continue
        seeds = a.seeds
        reps = {s: run(a, model, ds, size, extra, s, seeds) for s in SCALES}
        rows.append((model, ds, size, extra, pub, seeds, reps))
    lines = ["# Preprocessing of the data rows: `fit --scale`", "",
             "Made by `docs/results/scale.py` (see its docstring) on one thread. Each cell is",
             "NMI (sqrt-normalized) mean ± std over seeds 0..s−1 with the row's model,",
             "layers and parameters (those of `run.py`'s data table) and the column's",
             "`--scale`: `none` (the data as given), `minmax` (every feature onto [0, 1]),",
             "`standard` (every feature to mean 0, variance 1: mixed signs, which the",
             "models that need nonnegative data refuse) and `l2` (every sample to unit",
             "norm). \"NMI (max)\" is the max-normalized NMI of the DANMF-CRFR paper's",
             "tables (the published column's source), under minmax. deepseminmf scales",
             "every sample to unit norm itself (`normalize=true`), after `--scale`;",
             "danmf-crfr maps every feature onto [0, 1] itself (`scale=minmax`) unless",
             "`--param scale=none`. The raw summaries, each with its command, are in",
             "`raw/scale/`.", "",
             "\"README\" is the scale the row has in README.md's table (`run.py`'s `SCALE`:",
             "one protocol per paper; \"-\" for the variants that are not there).", "",
             "| model | dataset | k / layers | params | seeds | none | minmax | standard | l2 | NMI (max), minmax | published NMI | README |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for model, ds, size, extra, pub, seeds, reps in rows:
        extra_row = pub == "extra"
        p = "-" if extra_row or pub is None or pub[0][0] is None else f"{pub[0][0]:.3f} ({pub[1]})"
        used = "-" if extra_row else R.SCALE[model]
        lines.append(f"| {model} | {ds} | {size} | {' '.join(extra)} | {seeds} | " +
                     " | ".join(cell(reps[s]) for s in SCALES) + f" | {cell(reps['minmax'], 'nmi_max')} | {p} | {used} |")
    lines.append("")
    refused = sorted({f"{m}: " + re.sub(r" \(min [^)]*\)", "", r["error"]) for m, _, _, _, _, _, reps in rows
                      for r in reps.values() if r and "error" in r})
    if refused:
        lines += ["Refusals (the last line of each error):", ""] + [f"- {r}" for r in refused] + [""]
    with open(os.path.join(HERE, "scale.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
