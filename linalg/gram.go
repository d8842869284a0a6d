package linalg

import "gonum.org/v1/gonum/mat"

// GramOperator computes XᵀX·B = Xᵀ(X·B) for an n x m input X and m x c
// matrices B (M Mᵀ B for the papers' M = Xᵀ). For a dense X with m ≤ n it
// precomputes the m x m matrix XᵀX once (cheaper than two products with X
// per call); otherwise, sparse inputs included, it makes the two products
// and never forms an m x m matrix.
type GramOperator struct {
	x  Matrix
	g  *mat.Dense // XᵀX, or nil
	xb *mat.Dense // n x c scratch
}

// NewGramOperator returns the operator of x.
func NewGramOperator(x Matrix) *GramOperator {
	n, m := x.Dims()
	o := &GramOperator{x: x}
	if d, ok := x.(*Dense); ok && m <= n {
		o.g = mat.NewDense(m, m, nil)
		o.g.Mul(d.Raw().T(), d.Raw())
	}
	return o
}

// Apply sets dst = Xᵀ(X b). When xb is not nil it must hold X·b already
// (n x c), which saves a product when the caller has it.
func (o *GramOperator) Apply(dst, b, xb *mat.Dense) {
	if o.g != nil {
		dst.Mul(o.g, b)
		return
	}
	if xb == nil {
		n, _ := o.x.Dims()
		_, c := b.Dims()
		if o.xb == nil || o.xb.RawMatrix().Cols != c {
			o.xb = mat.NewDense(n, c, nil)
		}
		o.x.Mul(o.xb, b)
		xb = o.xb
	}
	o.x.TMul(dst, xb)
}

// SquaredNorm returns ‖XᵀX‖²_F = ‖XXᵀ‖²_F through the smaller Gram matrix.
func (o *GramOperator) SquaredNorm() float64 {
	if o.g != nil {
		return Dot(o.g, o.g)
	}
	n, m := o.x.Dims()
	xd := DenseOf(o.x)
	var g mat.Dense
	if m <= n {
		GramTo(&g, xd)
	} else {
		g.Mul(xd, xd.T())
	}
	return Dot(&g, &g)
}
