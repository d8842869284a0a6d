#!/usr/bin/env python3
"""Brain-network group atlas results (docs/results/atlas.md): the recovery of
planted communities against noise (`deepnmf atlas --synthetic`), and the
communities of the one HCP connectivity matrix of ../shared/data/brain_fmri
against the Yeo 17 and 7 networks, beside spectral clustering, k-means and
SymNMF of the same matrix. Standard library only.

    go build -o /tmp/deepnmf ./cmd/deepnmf
    python3 docs/results/atlas.py --bin /tmp/deepnmf [--seeds 5] [--only REGEX]

Raw JSON reports go to docs/results/raw/atlas/, with the ROI names and the
Yeo labels one per line that the HCP runs read; the matrix and its positive
part as CSV, for SymNMF, go to a temporary directory. With --only, the runs
whose key does not match are read back from the raw reports.
"""
import argparse, json, os, re, statistics, struct, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BRAIN = os.path.join(os.path.dirname(ROOT), "shared", "data", "brain_fmri")
RAW = os.path.join(HERE, "raw", "atlas")

# The synthetic setting: 20 subjects, 100 ROIs, 6 communities, spread 0.1.
SYNTH = ["--synthetic", "--subjects", "20", "--rois", "100", "--rank", "6", "--spread", "0.1"]
NOISES = (0.25, 0.5, 1.0, 1.25, 1.5, 2.0)
SYNTH_METHODS = {
    "atlas semi": ["--negative", "semi"],
    "atlas split": ["--negative", "split"],
    "atlas shift": ["--negative", "shift"],
    "atlas semi, random start": ["--negative", "semi", "--init", "random"],
    "deep atlas semi 20,6": ["--layers", "20,6"],
    "k-means of the mean's rows": ["--method", "kmeans"],
    "spectral, mean's positive part": ["--method", "spectral"],
}


# What the fit adds to its start: the start alone is no pre-training and one
# iteration (the W_i at their least-squares values for the start's H, which
# one step of H hardly moves), at the noise levels where the methods differ.
ABLATION_NOISES = (1.0, 1.5)
ABLATION = {
    "atlas semi": ["--negative", "semi"],
    "atlas semi, its start only": ["--negative", "semi", "--pre-iter", "0", "--max-iter", "1", "--tol", "0"],
    "deep atlas semi 20,6": ["--layers", "20,6"],
    "deep atlas semi 20,6, its start only": ["--layers", "20,6", "--pre-iter", "0", "--max-iter", "1", "--tol", "0"],
    "deep atlas semi 12,6": ["--layers", "12,6"],
}


def read_npy(path):
    """Returns the rows of a 2-D little-endian float64 .npy array in C order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy file")
    hlen = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + hlen].decode("latin1")
    if "'<f8'" not in header or "'fortran_order': False" not in header:
        sys.exit(f"{path}: want a C-order <f8 array, header {header}")
    rows, cols = (int(x) for x in re.search(r"\((\d+),\s*(\d+)\)", header).groups())
    vals = struct.unpack(f"<{rows * cols}d", data[10 + hlen:10 + hlen + 8 * rows * cols])
    return [list(vals[i * cols:(i + 1) * cols]) for i in range(rows)]


def write_csv(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(",".join(repr(v) for v in r) + "\n")


def hcp_files(tmp):
    """Writes the HCP inputs, the CSV matrices into tmp and the rest into RAW,
    and returns their paths."""
    a = read_npy(os.path.join(BRAIN, "neurograph_hcp_fc_100roi.npy"))
    p = {"npy": os.path.join(BRAIN, "neurograph_hcp_fc_100roi.npy"),
         "csv": os.path.join(tmp, "hcp.csv"), "pos": os.path.join(tmp, "hcp_positive.csv"),
         "ids": os.path.join(RAW, "rois.txt"), 17: os.path.join(RAW, "yeo17.txt"), 7: os.path.join(RAW, "yeo7.txt")}
    # Symmetrized: the file is symmetric to rounding.
    sym = [[(a[i][j] + a[j][i]) / 2 for j in range(len(a))] for i in range(len(a))]
    write_csv(p["csv"], sym)
    write_csv(p["pos"], [[max(v, 0.0) for v in r] for r in sym])
    names, n17, n7 = [], [], []
    with open(os.path.join(BRAIN, "schaefer100_17net_roi_labels.txt")) as f:
        for line in f:
            fs = line.split()
            if len(fs) == 4 and not line.startswith("#"):
                names.append(fs[1]); n17.append(fs[2]); n7.append(fs[3])
    for key, vals in (("ids", names), (17, n17), (7, n7)):
        with open(p[key], "w") as f:
            f.write("\n".join(vals) + "\n")
    return p


CACHE = {}


def run(bin_, key, args, only):
    if key in CACHE:
        return CACHE[key]
    path = os.path.join(RAW, re.sub(r"[^A-Za-z0-9_.-]+", "_", key) + ".json")
    if only and not re.search(only, key) and os.path.exists(path):
        with open(path) as f:
            CACHE[key] = json.load(f)
        return CACHE[key]
    cmd = [bin_] + args + ["--json", "--quiet"]
    print(" ".join(cmd), file=sys.stderr)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{key}: exit {res.returncode}: {res.stderr}")
    rep = json.loads(res.stdout)
    with open(path, "w") as f:
        json.dump(rep, f, indent=1)
    CACHE[key] = rep
    return rep


def cell(vals):
    if len(vals) == 1:
        return f"{vals[0]:.4f}"
    return f"{statistics.mean(vals):.4f} ± {statistics.pstdev(vals):.4f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--only", default="", help="rerun only the runs whose key matches this regular expression")
    a = ap.parse_args()
    os.makedirs(RAW, exist_ok=True)
    seeds = range(a.seeds)

    lines = ["# Brain-network group atlas", "",
             "Generated by `docs/results/atlas.py` (see its docstring); do not edit by hand.", "",
             "## Recovery of a planted atlas", "",
             "`deepnmf atlas --synthetic`: 20 subjects drawn around a planted atlas of 100 ROIs in 6 communities",
             "(datasets.PlantedAtlas: ROI strengths in [0.7, 1], group pattern with within-community correlations in",
             "[0.3, 0.7] and between-community ones in [−0.3, 0.3], subjects' departures of standard deviation 0.1,",
             "zero diagonal) plus symmetric Gaussian noise of standard deviation σ on every entry. NMI (sqrt",
             f"normalization) of the communities against the planted ones, mean ± std over seeds 0-{a.seeds - 1} (the seed",
             "draws the subjects and starts the fit). The atlas runs its defaults (k-means start, 100 pre-training",
             "iterations on the mean connectivity, 300 iterations); the baselines cluster the ROIs of the mean",
             "connectivity.", "",
             "| method | " + " | ".join(f"σ = {n}" for n in NOISES) + " |",
             "|---|" + "---|" * len(NOISES)]

    def synth(name, margs, noise):
        return cell([run(a.bin, f"synth-{name}-{noise}-{s}", ["atlas"] + SYNTH + ["--noise", str(noise), "--seed", str(s)] + margs, a.only)["metrics"]["nmi"] for s in seeds])

    for name, margs in SYNTH_METHODS.items():
        lines.append(f"| {name} | " + " | ".join(synth(name, margs, noise) for noise in NOISES) + " |")

    lines += ["", "### What the fit adds to its start", "",
              "The same subjects and NMI; \"its start only\" is `--pre-iter 0 --max-iter 1 --tol 0`: the k-means start of",
              "each layer, the W_i at their least-squares values and one update, without pre-training on the mean",
              "connectivity.", "",
              "| method | " + " | ".join(f"σ = {n}" for n in ABLATION_NOISES) + " |",
              "|---|" + "---|" * len(ABLATION_NOISES)]
    for name, margs in ABLATION.items():
        lines.append(f"| {name} | " + " | ".join(synth(name, margs, noise) for noise in ABLATION_NOISES) + " |")

    tmp = tempfile.TemporaryDirectory()
    p = hcp_files(tmp.name)
    lines += ["", "## One HCP subject against the Yeo networks", "",
              "../shared/data/brain_fmri: one 100 x 100 Pearson connectivity matrix (HCP resting state, Schaefer",
              "100 parcels, zero diagonal, r in [−0.49, 0.79]), its ROIs labelled with the 17 and the 7 Yeo networks",
              "(the labels' row order is an assumption the data support; see its README). k = 17 is scored",
              "against the 17 networks and k = 7 against the 7. NMI (sqrt normalization), mean ± std over seeds",
              f"0-{a.seeds - 1} (one value where the method does not depend on the seed). What each method is given:", "",
              "- atlas: the matrix itself, a stack of one subject, negative correlations as `--negative` says;",
              "- k-means: the rows of the matrix (each ROI's profile, both signs);",
              "- spectral: the positive part (negative correlations set to 0) as a weighted graph;",
              "- SymNMF (`fit --model symnmf`, ANLS) on the positive part as a graph; and on the rows of the",
              "  matrix as data (`--param input=data`: the self-tuning kNN similarity of the ROI profiles).", "",
              "| method | given | k = 17 vs 17 networks | k = 7 vs 7 networks |", "|---|---|---|---|"]
    hcp_methods = [
        ("atlas semi (default)", "matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k)]),
        ("atlas split", "matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--negative", "split"]),
        ("atlas shift", "matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--negative", "shift"]),
        ("atlas semi, random start", "matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--init", "random"]),
        ("atlas split, random start", "matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--negative", "split", "--init", "random"]),
        ("atlas shift, random start", "matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--negative", "shift", "--init", "random"]),
        ("deep atlas semi 40,k", "matrix", lambda k: ["atlas", "--input", p["npy"], "--layers", f"40,{k}"]),
        ("k-means", "rows of the matrix", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--method", "kmeans"]),
        ("spectral clustering", "positive part", lambda k: ["atlas", "--input", p["npy"], "--rank", str(k), "--method", "spectral"]),
        ("SymNMF", "positive part", lambda k: ["fit", "--model", "symnmf", "--input", p["pos"], "--rank", str(k)]),
        ("SymNMF", "rows as data", lambda k: ["fit", "--model", "symnmf", "--input", p["csv"], "--rank", str(k), "--param", "input=data"]),
    ]
    for name, given, args in hcp_methods:
        row = []
        for k in (17, 7):
            vals = []
            for s in seeds:
                extra = ["--labels", p[k], "--seed", str(s)]
                if args(k)[0] == "atlas":
                    extra += ["--ids", p["ids"]]
                rep = run(a.bin, f"hcp-{name}-{given}-{k}-{s}", args(k) + extra, a.only)
                vals.append(rep["metrics"]["nmi"])
            if max(vals) - min(vals) < 1e-12:
                vals = vals[:1]
            row.append(cell(vals))
        lines.append(f"| {name} | {given} | " + " | ".join(row) + " |")
    backends = sorted({r["backend"] for r in CACHE.values()})
    lines += ["", "Backend: " + ", ".join(backends) + "."]
    with open(os.path.join(HERE, "atlas.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
