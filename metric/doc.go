// Package metric scores a clustering against ground truth, and a partition
// of a graph by the graph's structure.
//
// # Labels
//
// Labels are class or cluster indices: nonnegative ints, not necessarily
// contiguous. A negative true label marks an unlabelled sample, and every
// clustering metric skips the positions where truth is negative, scoring
// the partition of the labelled samples only. Predicted labels must be
// nonnegative wherever truth is. The functions panic when truth and pred
// differ in length or a predicted label is negative, as gonum panics on
// mismatched dimensions: callers validate their input at the boundary.
//
// # Clustering metrics
//
// Every clustering metric is a function of the contingency table: n_ij is
// the number of labelled samples in class i and cluster j, a_i = Σ_j n_ij
// and b_j = Σ_i n_ij are the class and cluster sizes, and n = Σ_ij n_ij.
// Cluster computes all of them from one table.
//
// ACC is the fraction of samples that agree once clusters are matched one to
// one with classes so as to maximize that fraction,
//
//	ACC = max_σ Σ_i n_iσ(i) / n,
//
// found with the Hungarian (Kuhn–Munkres) algorithm in O(k³). When there
// are more clusters than classes, or fewer, the surplus ones stay unmatched
// and their samples count as errors. This is the ACC of DAsNMF and of the
// bestMap function in the MATLAB code of RAsNMF and Deep Semi-NMF.
// DANMF-CRFR's acc.py instead maps each cluster to its majority class, which
// is Purity.
//
// Purity maps each cluster to its majority class, several clusters possibly
// to the same class:
//
//	Purity = Σ_j max_i n_ij / n.
//
// NMI divides the mutual information, in nats,
//
//	I = Σ_ij (n_ij/n) log(n·n_ij / (a_i·b_j)),
//
// by a mean of the entropies H(U) = −Σ_i (a_i/n) log(a_i/n) and H(V) of the
// two labellings, chosen by a Norm. Papers differ here:
//
//	Sqrt        I / √(H(U)·H(V))       DAsNMF
//	Arithmetic  2I / (H(U) + H(V))     scikit-learn's default, RAsNMF (PSNMI.m), Deep Semi-NMF
//	Max         I / max(H(U), H(V))    DANMF-CRFR
//	Min         I / min(H(U), H(V))
//
// As in scikit-learn's normalized_mutual_info_score, NMI is 1 when both
// labellings have a single cluster, and otherwise 0 whenever I is 0, so
// that a single-cluster labelling scores 0 against any other.
//
// The pair-counting metrics look at the n(n−1)/2 pairs of samples: TP pairs
// share both a class and a cluster, FP share a cluster only, FN share a
// class only, and TN share neither. TP = Σ_ij C(n_ij, 2), TP+FP =
// Σ_j C(b_j, 2) and TP+FN = Σ_i C(a_i, 2). Then
//
//	ARI         = 2(TP·TN − FN·FP) / ((TP+FN)(FN+TN) + (TP+FP)(FP+TN))
//	PairF1      = 2TP / (2TP + FP + FN)
//	PairJaccard = TP / (TP + FP + FN)
//
// ARI is Hubert and Arabie's adjusted Rand index in scikit-learn's form,
// computed in exact integer arithmetic; it is 1 when FP = FN = 0. PairF1 is
// the harmonic mean of the pair precision TP/(TP+FP) and recall
// TP/(TP+FN). PairF1 and PairJaccard are 1 when no two samples share a
// class or a cluster. DAsNMF describes its Jaccard this way, but its F1
// through per-cluster precision and recall, which is a different number.
//
// With no labelled samples, every clustering metric returns 1, as
// scikit-learn does for NMI and ARI.
//
// # Graph metrics
//
// A graph is a square *linalg.CSR adjacency matrix A, where A_ij ≥ 0 is the
// weight of the edge from i to j, and pred[i] is the community of node i. An
// undirected graph is stored symmetric, with each edge in both directions
// and a self-loop once, on the diagonal. The graph functions panic if A is
// not square, pred does not have one label per node or a label is negative.
// They run in O(nnz + n) and never form an n×n matrix.
//
// Modularity of an undirected graph is Newman's, with weights:
//
//	Q = 1/(2m) Σ_ij [A_ij − k_i·k_j/(2m)] δ(c_i, c_j),
//
// where k_i = Σ_j A_ij and 2m = Σ_i k_i. Self-loops count as networkx
// counts them: twice in the degree of their node and once among the edges
// inside its community, which is the formula applied to A + diag(A). Of a
// directed graph it is Leicht and Newman's:
//
//	Q = 1/m Σ_ij [A_ij − k_i^out·k_j^in/m] δ(c_i, c_j),
//
// with m = Σ_ij A_ij. Both equal networkx's modularity with weights. A graph
// without edges has modularity NaN.
//
// The conductance of a community S of an undirected graph is
//
//	φ(S) = cut(S) / min(vol(S), vol(V∖S)),
//
// where cut(S) is the weight of the edges between S and the other nodes and
// vol(S) = Σ_{i∈S} k_i, with k_i counting self-loops twice as above. It
// equals networkx's conductance with weights. φ(S) is NaN when S or its
// complement has volume zero.
package metric
