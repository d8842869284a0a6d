// Package cluster turns a factor into hard cluster assignments, one label
// per row: the column of the row's largest entry (Argmax), or k-means on the
// rows (KMeans).
//
// Which rule a paper used changes its scores by a few hundredths of NMI:
// DANMF reads the argmax of the columns of Vp, its Python port and DAsNMF
// the argmax of the rows of Ψ = U1⋯Up, and the data-clustering papers
// (Deep Semi-NMF, DANMF-CRFR) run k-means on the representation. For a
// factor that holds one sample per column, pass its transpose, m.T().
//
// Spectral clusters the nodes of a weighted graph directly, by normalized
// spectral clustering, the baseline of factorization-based community
// detection.
package cluster
