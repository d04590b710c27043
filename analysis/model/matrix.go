package model

import "fmt"

// Matrix is a dense row-major feature matrix. NaN marks a missing value; it is
// allowed for the tree and gbdt algorithms, logistic regression expects encoded input
// without NaN.
type Matrix struct {
	Rows, Cols int
	Data       []float64
	Names      []string
}

// NewMatrix returns a zero-filled rows×cols matrix. names may be nil; when given it
// must have cols entries.
func NewMatrix(rows, cols int, names []string) *Matrix {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("model: NewMatrix with negative size %d×%d", rows, cols))
	}
	if names != nil && len(names) != cols {
		panic(fmt.Sprintf("model: NewMatrix with %d names for %d columns", len(names), cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Data: make([]float64, rows*cols), Names: names}
}

// Row returns row i as a slice aliasing the matrix data.
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// At returns the element in row i, column j.
func (m *Matrix) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// Set sets the element in row i, column j.
func (m *Matrix) Set(i, j int, v float64) { m.Data[i*m.Cols+j] = v }

// Subset returns a new matrix holding copies of the given rows, in that order.
func (m *Matrix) Subset(rows []int) *Matrix {
	out := &Matrix{Rows: len(rows), Cols: m.Cols, Data: make([]float64, len(rows)*m.Cols), Names: m.Names}
	for k, i := range rows {
		copy(out.Data[k*m.Cols:(k+1)*m.Cols], m.Row(i))
	}
	return out
}

// PredictRows is c.Predict(X.Subset(rows)) without the copy: the predictions of the given
// rows of X, in that order.
func PredictRows(c Classifier, X *Matrix, rows []int) []float64 {
	if rp, ok := c.(interface {
		predictRows(*Matrix, []int) []float64
	}); ok {
		return rp.predictRows(X, rows)
	}
	return c.Predict(X.Subset(rows))
}

// numRows is the number of rows predictRows reads: len(rows), or all of X's for nil.
func numRows(X *Matrix, rows []int) int {
	if rows == nil {
		return X.Rows
	}
	return len(rows)
}

// rowAt is the k-th row read: rows[k], or k for nil rows.
func rowAt(rows []int, k int) int {
	if rows == nil {
		return k
	}
	return rows[k]
}

// name returns the name of column j, or "x<j>" when the matrix has no names.
func (m *Matrix) name(j int) string {
	if j < len(m.Names) && m.Names[j] != "" {
		return m.Names[j]
	}
	return fmt.Sprintf("x%d", j)
}

// subsetFloats returns v[rows].
func subsetFloats(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for k, i := range rows {
		out[k] = v[i]
	}
	return out
}
