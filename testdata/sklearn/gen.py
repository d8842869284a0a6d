#!/usr/bin/python3
"""Generate scikit-learn NMF reference fixtures for deepnmf's Go tests.

Run from the repository root with Debian's interpreter (which has sklearn):

    /usr/bin/python3 testdata/sklearn/gen.py

Everything is written next to this script (testdata/sklearn/): float64 .npy
files (numpy.save, C order, little endian) and manifest.json, which lists
every case, its parameters, the files holding its matrices and the scalar
results.  The script is deterministic: single-threaded BLAS, fixed seeds.
"""
import os

# Deterministic BLAS reductions (must be set before numpy is imported).
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import gzip
import json
import sys
import warnings

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.decomposition import NMF, non_negative_factorization
from sklearn.decomposition._nmf import _beta_divergence, _initialize_nmf, norm
from sklearn.utils.extmath import svd_flip

warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter, nndsvd+mu UserWarning

OUT = os.path.dirname(os.path.abspath(__file__))
DIGITS_CSV = "/work/shared/data/sklearn_builtin/digits.csv.gz"

FILES = {}  # file name -> description
MANIFEST = {}


def save(name, arr, desc):
    arr = np.ascontiguousarray(arr)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64)
    np.save(os.path.join(OUT, name), arr, allow_pickle=False)
    FILES[name] = {"desc": desc, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    return name


def f(x):
    """JSON-safe float."""
    return float(x)


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------
def load_digits_csv(path):
    rows = []
    with gzip.open(path, "rt") as fh:
        for i, line in enumerate(fh):
            parts = line.strip().split(",")
            try:
                vals = [float(p) for p in parts]
            except ValueError:
                if i == 0:  # header line, if any (`n,d,names...`)
                    continue
                raise
            if i == 0 and len(vals) != 65:  # numeric header `1797,64,...`
                continue
            rows.append(vals)
    A = np.asarray(rows, dtype=np.float64)
    return np.ascontiguousarray(A[:, :-1])  # drop class column


def make_data():
    X = np.random.RandomState(0).rand(30, 20)  # uniform [0,1), strictly positive
    Xpos = X + 1.0  # for Itakura-Saito (beta <= 0 needs X > 0)
    mask = np.random.RandomState(1).rand(30, 20) < 0.7  # ~70% zeros
    Xsd = X.copy()
    Xsd[mask] = 0.0
    Xsp = sp.csr_matrix(Xsd)
    Xsp.sort_indices()
    assert Xsp.nnz == np.count_nonzero(Xsd)

    digits = load_digits_csv(DIGITS_CSV)
    assert digits.shape == (1797, 64), digits.shape
    try:  # cross-check with sklearn's own loader
        from sklearn.datasets import load_digits

        assert np.array_equal(digits, load_digits().data)
    except ImportError:
        pass
    return X, Xpos, Xsd, Xsp, digits


# ---------------------------------------------------------------------------
# Exact-SVD NNDSVD (same formula as sklearn _initialize_nmf, lines 308-365 of
# sklearn 1.2.1 _nmf.py, with np.linalg.svd instead of randomized_svd)
# ---------------------------------------------------------------------------
def initialize_nndsvd_exact(X, n_components, init, eps=1e-6, random_state=None):
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    U, S, Vt = U[:, :n_components].copy(), S[:n_components].copy(), Vt[:n_components].copy()
    # randomized_svd's sign convention: largest-|.| entry of each column of U
    # positive (it flips on the transposed problem when n_samples <
    # n_features, which is the same rule in the original orientation).
    # NNDSVD is sign invariant up to exact ties m_p == m_n; flip for parity.
    U, Vt = svd_flip(U, Vt, u_based_decision=True)
    V = Vt
    W = np.zeros_like(U)
    H = np.zeros_like(V)
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0, :] = np.sqrt(S[0]) * np.abs(V[0, :])
    for j in range(1, n_components):
        x, y = U[:, j], V[j, :]
        x_p, y_p = np.maximum(x, 0), np.maximum(y, 0)
        x_n, y_n = np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        x_p_nrm, y_p_nrm = norm(x_p), norm(y_p)
        x_n_nrm, y_n_nrm = norm(x_n), norm(y_n)
        m_p, m_n = x_p_nrm * y_p_nrm, x_n_nrm * y_n_nrm
        if m_p > m_n:
            u = x_p / x_p_nrm
            v = y_p / y_p_nrm
            sigma = m_p
        else:
            u = x_n / x_n_nrm
            v = y_n / y_n_nrm
            sigma = m_n
        lbd = np.sqrt(S[j] * sigma)
        W[:, j] = lbd * u
        H[j, :] = lbd * v
    W[W < eps] = 0
    H[H < eps] = 0
    if init == "nndsvd":
        pass
    elif init == "nndsvda":
        avg = X.mean()
        W[W == 0] = avg
        H[H == 0] = avg
    elif init == "nndsvdar":
        rng = np.random.RandomState(random_state)
        avg = X.mean()
        W[W == 0] = abs(avg * rng.standard_normal(size=len(W[W == 0])) / 100)
        H[H == 0] = abs(avg * rng.standard_normal(size=len(H[H == 0])) / 100)
    else:
        raise ValueError(init)
    return W, H, S


# ---------------------------------------------------------------------------
BETAS = [
    # tag, beta_loss argument, float beta, data key
    ("fro", "frobenius", 2.0, "random"),
    ("kl", "kullback-leibler", 1.0, "random"),
    ("is", "itakura-saito", 0.0, "random_pos"),
    ("b0p5", 0.5, 0.5, "random"),
    ("b1p5", 1.5, 1.5, "random"),
    ("b3", 3.0, 3.0, "random"),
]
REGS = [
    ("noreg", dict(alpha_W=0.0, alpha_H="same", l1_ratio=0.0)),
    ("reg", dict(alpha_W=0.01, alpha_H="same", l1_ratio=0.5)),
]
K_SMALL = 5
MU_ITERS = [1, 2, 10, 50]
CD_ITERS = [1, 10]


def scaled_reg(shape, alpha_W, alpha_H, l1_ratio):
    """Mirror of _BaseNMF._compute_regularization (lines 1203-1214)."""
    n_samples, n_features = shape
    aH = alpha_W if alpha_H == "same" else alpha_H
    return {
        "l1_reg_W": n_features * alpha_W * l1_ratio,
        "l1_reg_H": n_samples * aH * l1_ratio,
        "l2_reg_W": n_features * alpha_W * (1.0 - l1_ratio),
        "l2_reg_H": n_samples * aH * (1.0 - l1_ratio),
    }


def main():
    X, Xpos, Xsd, Xsp, digits = make_data()

    # ---- data files --------------------------------------------------------
    data = {}
    data["random"] = {
        "file": save("X_random.npy", X, "30x20 np.random.RandomState(0).rand(30, 20)"),
        "shape": list(X.shape),
        "sparse": False,
    }
    data["random_pos"] = {
        "file": save("X_random_pos.npy", Xpos, "X_random + 1 (strictly positive, for itakura-saito)"),
        "shape": list(Xpos.shape),
        "sparse": False,
    }
    data["random_sparse"] = {
        "file": save(
            "X_random_sparse_dense.npy",
            Xsd,
            "X_random with entries where np.random.RandomState(1).rand(30, 20) < 0.7 set to 0 (dense view)",
        ),
        "csr": {
            "data": save("X_random_sparse_csr_data.npy", Xsp.data, "CSR data (float64) of X_random_sparse"),
            "indices": save(
                "X_random_sparse_csr_indices.npy", Xsp.indices.astype(np.int64), "CSR column indices (int64), sorted per row"
            ),
            "indptr": save("X_random_sparse_csr_indptr.npy", Xsp.indptr.astype(np.int64), "CSR row pointers (int64)"),
            "shape": list(Xsp.shape),
        },
        "shape": list(Xsp.shape),
        "nnz": int(Xsp.nnz),
        "sparse": True,
        "zero_rows": int(np.sum(~Xsd.any(axis=1))),
        "zero_cols": int(np.sum(~Xsd.any(axis=0))),
    }
    data["digits"] = {
        "file": save("X_digits.npy", digits, "digits 1797x64 (values 0..16), label column dropped"),
        "shape": list(digits.shape),
        "sparse": False,
        "source": DIGITS_CSV,
    }
    MANIFEST["data"] = data
    inputs = {"random": X, "random_pos": Xpos, "random_sparse": Xsp}

    # ---- initial W0, H0 for the small matrices -----------------------------
    inits = {}
    for key, A in inputs.items():
        W0, H0 = _initialize_nmf(A, K_SMALL, init="random", random_state=0)
        inits[key] = {
            "W0": save(f"init_{key}_W0.npy", W0, f"_initialize_nmf({key}, 5, init='random', random_state=0) W"),
            "H0": save(f"init_{key}_H0.npy", H0, f"_initialize_nmf({key}, 5, init='random', random_state=0) H"),
            "n_components": K_SMALL,
            "avg": f(np.sqrt(A.mean() / K_SMALL)),
            "beta_div_at_init": {
                tag: f(_beta_divergence(A, W0, H0, b)) for tag, _, b, dk in BETAS if dk == key or (key == "random_sparse" and b in (1.0, 2.0))
            },
        }
    MANIFEST["small_inits"] = inits

    # ---- 1. iterate-level cases --------------------------------------------
    cases = []

    def run_case(solver, tag, beta_arg, beta, dkey, regtag, reg, iters):
        A = inputs[dkey]
        W0 = np.load(os.path.join(OUT, inits[dkey]["W0"]))
        H0 = np.load(os.path.join(OUT, inits[dkey]["H0"]))
        name = f"{solver}_{tag}_{regtag}_{dkey}"
        case = {
            "name": name,
            "solver": solver,
            "beta_loss": beta,
            "beta_loss_arg": beta_arg,
            "data": dkey,
            "n_components": K_SMALL,
            "alpha_W": reg["alpha_W"],
            "alpha_H": reg["alpha_H"],
            "l1_ratio": reg["l1_ratio"],
            "scaled_reg": scaled_reg(A.shape, **reg),
            "tol": 0.0,
            "shuffle": False,
            "W0": inits[dkey]["W0"],
            "H0": inits[dkey]["H0"],
            "iters": [],
        }
        for N in iters:
            W, H, n_iter = non_negative_factorization(
                A,
                W=W0.copy(),
                H=H0.copy(),
                n_components=K_SMALL,
                init="custom",
                solver=solver,
                beta_loss=beta_arg,
                max_iter=N,
                tol=0,
                shuffle=False,
                **reg,
            )
            assert n_iter == N
            case["iters"].append(
                {
                    "max_iter": N,
                    "n_iter": int(n_iter),
                    "W": save(f"{name}_it{N}_W.npy", W, f"{name}: W after {N} iterations"),
                    "H": save(f"{name}_it{N}_H.npy", H, f"{name}: H after {N} iterations"),
                    "beta_divergence": f(_beta_divergence(A, W, H, beta)),
                }
            )
        cases.append(case)

    for tag, beta_arg, beta, dkey in BETAS:
        for regtag, reg in REGS:
            run_case("mu", tag, beta_arg, beta, dkey, regtag, reg, MU_ITERS)
    for tag, beta_arg, beta, _ in BETAS[:2]:  # fro, kl on sparse input
        for regtag, reg in REGS:
            run_case("mu", tag, beta_arg, beta, "random_sparse", regtag, reg, MU_ITERS)
    for dkey in ("random", "random_sparse"):
        for regtag, reg in REGS:
            run_case("cd", "fro", "frobenius", 2.0, dkey, regtag, reg, CD_ITERS)
    MANIFEST["iterate_cases"] = cases

    # ---- 2. transform ------------------------------------------------------
    transforms = []
    tr_specs = [
        ("transform_mu_fro", dict(solver="mu", beta_loss="frobenius"), 2.0),
        ("transform_cd_fro", dict(solver="cd", beta_loss="frobenius"), 2.0),
        # KL + L1 exercises the H_sum in-place accumulation quirk of
        # _multiplicative_update_w when update_H=False (see README).
        ("transform_mu_kl_reg", dict(solver="mu", beta_loss="kullback-leibler", alpha_W=0.01, l1_ratio=0.5), 1.0),
    ]
    for name, kw, beta in tr_specs:
        est = NMF(n_components=K_SMALL, init="random", random_state=0, **kw)
        W_fit = est.fit_transform(X)
        Wt = est.transform(X)
        # same computation as transform, to expose n_iter
        _, _, n_iter_t = est._fit_transform(X, H=est.components_, update_H=False)
        # fixed-iteration transform (tol=0) for iterate-level checks
        fixed = []
        for N in (1, 10):
            Wn, _, _ = non_negative_factorization(
                X, H=est.components_.copy(), n_components=K_SMALL, update_H=False, tol=0, max_iter=N, **kw
            )
            fixed.append(
                {"max_iter": N, "W": save(f"{name}_fixed_it{N}_W.npy", Wn, f"{name}: update_H=False, tol=0, {N} iterations")}
            )
        params = dict(n_components=K_SMALL, init="random", random_state=0, tol=1e-4, max_iter=200,
                      alpha_W=0.0, alpha_H="same", l1_ratio=0.0, shuffle=False)
        params.update(kw)
        transforms.append(
            {
                "name": name,
                "data": "random",
                "params": params,
                "beta_loss": beta,
                "scaled_reg": scaled_reg(X.shape, params["alpha_W"], params["alpha_H"], params["l1_ratio"]),
                "components": save(f"{name}_components.npy", est.components_, f"{name}: fitted components_ (H)"),
                "W_fit": save(f"{name}_W_fit.npy", W_fit, f"{name}: fit_transform(X) output"),
                "W_transform": save(f"{name}_W_transform.npy", Wt, f"{name}: transform(X) output"),
                "fit_n_iter": int(est.n_iter_),
                "fit_reconstruction_err": f(est.reconstruction_err_),
                "transform_n_iter": int(n_iter_t),
                "transform_init_W_value": f(np.sqrt(X.mean() / K_SMALL)) if kw["solver"] == "mu" else 0.0,
                "fixed_iters": fixed,
            }
        )
    MANIFEST["transform_cases"] = transforms

    # ---- 3. initialisations on digits --------------------------------------
    K = 10
    dinit = {}
    for init in ("nndsvd", "nndsvda", "nndsvdar", "random"):
        W, H = _initialize_nmf(digits, K, init=init, random_state=0)
        dinit[init] = {
            "source": f"sklearn _initialize_nmf(digits, 10, init={init!r}, random_state=0)"
            + (" [randomized_svd]" if init != "random" else ""),
            "W": save(f"digits_init_{init}_W.npy", W, f"sklearn init {init} W (1797x10)"),
            "H": save(f"digits_init_{init}_H.npy", H, f"sklearn init {init} H (10x64)"),
        }
    for init in ("nndsvd", "nndsvda", "nndsvdar"):
        W, H, S = initialize_nndsvd_exact(digits, K, init, random_state=0)
        Wr = np.load(os.path.join(OUT, dinit[init]["W"]))
        Hr = np.load(os.path.join(OUT, dinit[init]["H"]))
        dinit[init + "_exact"] = {
            "source": f"gen.py initialize_nndsvd_exact(digits, 10, {init!r}, random_state=0) [np.linalg.svd]",
            "W": save(f"digits_init_{init}_exact_W.npy", W, f"exact-SVD {init} W (1797x10)"),
            "H": save(f"digits_init_{init}_exact_H.npy", H, f"exact-SVD {init} H (10x64)"),
            "singular_values": [f(s) for s in S],
            "vs_randomized": {
                "W_max_abs_diff": f(np.max(np.abs(W - Wr))),
                "H_max_abs_diff": f(np.max(np.abs(H - Hr))),
                "W_rel_fro_diff": f(np.linalg.norm(W - Wr) / np.linalg.norm(Wr)),
                "H_rel_fro_diff": f(np.linalg.norm(H - Hr) / np.linalg.norm(Hr)),
                "WH_rel_fro_diff": f(np.linalg.norm(W @ H - Wr @ Hr) / np.linalg.norm(Wr @ Hr)),
            },
        }
    MANIFEST["digits_inits"] = {"n_components": K, "data": "digits", "eps": 1e-6, "mean": f(digits.mean()), "inits": dinit}

    # ---- 4. converged objectives on digits ---------------------------------
    conv = []
    specs = [
        ("mu", "frobenius", 2.0),
        ("cd", "frobenius", 2.0),
        ("mu", "kullback-leibler", 1.0),
        ("mu", 1.5, 1.5),
    ]
    for solver, beta_arg, beta in specs:
        for init in ("nndsvda", "random", "nndsvda_exact"):
            kw = dict(n_components=K, solver=solver, beta_loss=beta_arg, max_iter=1000, tol=1e-4, random_state=0)
            est = NMF(init="custom" if init == "nndsvda_exact" else init, **kw)
            if init == "nndsvda_exact":
                W0 = np.load(os.path.join(OUT, dinit["nndsvda_exact"]["W"]))
                H0 = np.load(os.path.join(OUT, dinit["nndsvda_exact"]["H"]))
                W = est.fit_transform(digits, W=W0, H=H0)
            else:
                W = est.fit_transform(digits)
            H = est.components_
            conv.append(
                {
                    "solver": solver,
                    "beta_loss": beta,
                    "beta_loss_arg": beta_arg,
                    "init": init,
                    "init_files": ({"W": dinit["nndsvda_exact"]["W"], "H": dinit["nndsvda_exact"]["H"]}
                                   if init == "nndsvda_exact" else None),
                    "random_state": 0,
                    "n_components": K,
                    "max_iter": 1000,
                    "tol": 1e-4,
                    "alpha_W": 0.0,
                    "l1_ratio": 0.0,
                    "reconstruction_err": f(est.reconstruction_err_),
                    "n_iter": int(est.n_iter_),
                    "beta_divergence": f(_beta_divergence(digits, W, H, beta, square_root=False)),
                    "frobenius_norm": f(np.linalg.norm(digits - W @ H)),
                }
            )
    MANIFEST["converged_digits"] = conv

    MANIFEST["versions"] = {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": sys.version.split()[0],
        "nmf_source": "/usr/lib/python3/dist-packages/sklearn/decomposition/_nmf.py",
    }
    MANIFEST["constants"] = {
        "EPSILON": f(np.finfo(np.float32).eps),
        "float64_eps": f(np.finfo(np.float64).eps),
    }
    MANIFEST["files"] = FILES

    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(MANIFEST, fh, indent=1, sort_keys=False)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in FILES)
    print(f"wrote {len(FILES)} npy files ({total / 1e6:.2f} MB) + manifest.json to {OUT}")


if __name__ == "__main__":
    main()
