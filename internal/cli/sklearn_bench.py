# One scikit-learn row of "deepnmf bench --compare": the time per iteration
# of scikit-learn's NMF (solver mu or cd, Frobenius loss, random start) on
# one of the bench's problems, in float64 or float32 (scikit-learn keeps
# float32 input in float32), measured as the bench measures deepnmf:
# (T(2N) - T(N)) / N, each T the best of three fits, N grown from the
# given least until the difference lasts at least 0.2 s; and the time of the
# iteration's two big products alone (X @ H.T and X.T @ W), best of five.
#
#   python3 -c "$(cat sklearn_bench.py)" PROBLEM SOLVER NPYDIR ITERS DTYPE
#
# The sparse problems are read from NPYDIR/PROBLEM_{indptr,indices,data}.npy,
# which the bench writes. Prints one JSON object.
import json, sys, time, warnings
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.decomposition import NMF

warnings.filterwarnings("ignore")
problem, solver, npydir, least, dtype = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
if problem == "digits":
    from sklearn.datasets import load_digits
    X, k = load_digits().data.astype(np.float64), 10
elif problem == "dense2000x5000":
    X, k = np.random.RandomState(0).rand(2000, 5000), 50
elif problem in ("graph100k", "sbm100k", "sbm200k"):
    a = [np.load(f"{npydir}/{problem}_{p}.npy") for p in ("indptr", "indices", "data")]
    n = len(a[0]) - 1
    X, k = sp.csr_matrix((a[2], a[1], a[0]), shape=(n, n)), 64 if problem == "sbm200k" else 32
else:
    sys.exit(f"unknown problem {problem}")
X = X.astype(dtype)


def fit(iters):
    t = time.perf_counter()
    NMF(k, init="random", random_state=0, solver=solver, max_iter=iters, tol=0).fit(X)
    return time.perf_counter() - t


def best(iters):
    return min(fit(iters) for _ in range(3))


m = least
fit(m)
for _ in range(6):
    d = best(2 * m) - best(m)
    if d >= 0.2:
        break
    m *= min(max(int(0.3 / d) + 1, 2), 100) if d > 0 else 10
else:
    sys.exit("the time per iteration does not settle: the machine is too busy to measure")
per = d / m

rng = np.random.RandomState(1)
W, Ht = rng.rand(X.shape[0], k).astype(dtype), rng.rand(X.shape[1], k).astype(dtype)
floor = float("inf")
for _ in range(6):
    t = time.perf_counter()
    X @ Ht
    X.T @ W
    floor = min(floor, time.perf_counter() - t)
nnz = X.nnz if sp.issparse(X) else X.size
print(json.dumps({"ms_per_iter": per * 1e3, "floor_ms": floor * 1e3, "flops": 4.0 * nnz * k,
                  "version": f"{sklearn.__version__} (numpy {np.__version__})"}))
