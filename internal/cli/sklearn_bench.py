# Times scikit-learn's multiplicative-update NMF per iteration on the same
# problems as "deepnmf bench": per-iteration time is (T(2N) - T(N)) / N, so
# initialization and error evaluations cancel out, with N grown until a run
# lasts about 0.25 s. Prints one JSON object.
import json, sys, time, warnings
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import NMF

warnings.filterwarnings("ignore")
n = int(sys.argv[1])
problems = {
    "digits": (load_digits().data.astype(np.float64), 10),
    "random2000x5000": (np.random.RandomState(0).rand(2000, 5000), 50),
}
out = {"sklearn": __import__("sklearn").__version__, "numpy": np.__version__}
for name, (X, k) in problems.items():
    def run(iters):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            NMF(k, init="random", random_state=0, solver="mu", max_iter=iters, tol=0).fit(X)
            best = min(best, time.perf_counter() - t)
        return best
    m = n
    t = run(m)
    if t < 0.25:
        m = max(m, int(m * 0.25 / max(t, 1e-9)))
    out[name] = (run(2 * m) - run(m)) / m * 1e3
print(json.dumps(out))
