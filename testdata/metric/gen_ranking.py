#!/usr/bin/env python3
"""Reference AUC values for metric.AUC, from scikit-learn's roc_auc_score.

Run with Debian's Python (scikit-learn 1.2): /usr/bin/python3 testdata/metric/gen_ranking.py
It writes ranking.json beside this script.
"""
import json
import os

import numpy as np
from sklearn.metrics import roc_auc_score


def main():
    rng = np.random.default_rng(7)
    cases = []
    for name, npos, nneg, levels in [("continuous", 40, 60, None), ("ties", 30, 50, 5),
                                      ("all tied", 10, 10, 1), ("separated", 5, 8, None)]:
        if levels is None:
            pos = rng.normal(0.5, 1, npos)
            neg = rng.normal(0, 1, nneg)
            if name == "separated":
                pos = pos + 10
        else:
            pos = rng.integers(0, levels, npos).astype(float)
            neg = rng.integers(0, levels, nneg).astype(float) - (1 if levels > 1 else 0)
        y = np.r_[np.ones(npos), np.zeros(nneg)]
        s = np.r_[pos, neg]
        cases.append({"name": name, "pos": pos.tolist(), "neg": neg.tolist(), "auc": float(roc_auc_score(y, s))})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ranking.json")
    with open(out, "w") as f:
        json.dump({"auc": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
