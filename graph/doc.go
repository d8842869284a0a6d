// Package graph builds the sparse graphs the graph models of deepnmf
// factorize or use as regularizers: symmetrized adjacency matrices, degrees,
// Laplacians, the asymmetric-cosine second-order similarity and the
// PageRank influence matrix of DAsNMF, and k-nearest-neighbour graphs of
// data points for SymNMF and graph-regularized NMF.
//
// Every result is a *linalg.CSR and no function forms a dense n x n matrix.
// Results store no zeros: an entry that evaluates to exactly zero (a
// cancelled sum, an underflowed kernel weight) is left out of the pattern.
//
// An adjacency matrix A holds the weight of the edge i → j at A_ij. Weights
// must be finite and nonnegative, and every function that returns an error
// returns one, rather than panic, for a negative or non-finite weight and,
// where it needs a square matrix, for any other shape.
//
// The functions that loop over pairs of nodes (AsymmetricCosine and KNN)
// run on GOMAXPROCS goroutines over fixed blocks of rows, each writing only
// its own rows, so their results do not depend on GOMAXPROCS.
package graph
