package model

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"
)

// node is one node of a fitted tree. A node with Feature < 0 is a leaf.
type node struct {
	Feature int `json:"f"`
	// Threshold: rows with x < Threshold go left, x ≥ Threshold right; NaN goes
	// left when MissingLeft.
	Threshold   float64 `json:"t,omitempty"`
	Bin         uint8   `json:"b,omitempty"` // bins ≤ Bin go left (training-time binned routing)
	MissingLeft bool    `json:"ml,omitempty"`
	HasMissing  bool    `json:"hm,omitempty"` // NaN occurred in this node at training
	Left        int32   `json:"l,omitempty"`
	Right       int32   `json:"r,omitempty"`
	Value       float64 `json:"v"` // leaf value (leaf rate for tree, shrunk log-odds step for gbdt)
	Gain        float64 `json:"g,omitempty"`
	N           int     `json:"n"` // training rows in the node
}

// tree is a binary tree stored as a flat node slice; node 0 is the root.
type tree struct {
	Nodes []node `json:"nodes"`
}

// check validates a decoded tree over nfeat features.
func (t *tree) check(nfeat int) error {
	if len(t.Nodes) == 0 {
		return fmt.Errorf("tree without nodes")
	}
	for k, nd := range t.Nodes {
		if nd.Feature >= nfeat {
			return fmt.Errorf("tree node %d splits on feature %d of %d", k, nd.Feature, nfeat)
		}
		if nd.Feature >= 0 && (nd.Left <= int32(k) || nd.Right <= int32(k) || int(nd.Left) >= len(t.Nodes) || int(nd.Right) >= len(t.Nodes)) {
			return fmt.Errorf("tree node %d has children %d, %d out of range", k, nd.Left, nd.Right)
		}
	}
	return nil
}

// leaf returns the index of the leaf that row reaches.
func (t *tree) leaf(row []float64) int {
	k := 0
	for {
		nd := &t.Nodes[k]
		if nd.Feature < 0 {
			return k
		}
		v := row[nd.Feature]
		var left bool
		if v != v { // NaN
			left = nd.MissingLeft
		} else {
			left = v < nd.Threshold
		}
		if left {
			k = int(nd.Left)
		} else {
			k = int(nd.Right)
		}
	}
}

// leafBinned routes row i of a row-major bin matrix with p columns.
func (t *tree) leafBinned(bins []uint8, p, i int, nanBin []uint8) int {
	k := 0
	for {
		nd := &t.Nodes[k]
		if nd.Feature < 0 {
			return k
		}
		b := bins[i*p+nd.Feature]
		var left bool
		if b == nanBin[nd.Feature] {
			left = nd.MissingLeft
		} else {
			left = b <= nd.Bin
		}
		if left {
			k = int(nd.Left)
		} else {
			k = int(nd.Right)
		}
	}
}

// histStride is the distance between the histograms of two features, in bins: room
// for 256 bins plus 4 of padding, so that features' bin 0 (where flags and counts pile
// up) fall in different L1 cache sets instead of aliasing at multiples of 4 KiB.
const histStride = 260

// gpair is the gradient and hessian of one row.
type gpair struct{ g, h float64 }

// hbin accumulates gradient statistics of one histogram bin. There is no row count:
// a tree fitted with unit hessians (the classification tree) counts rows in H, and
// gbdt limits leaves by the hessian sum (MinChildWeight) as xgboost does, which keeps
// the hot loop at two additions per row and feature.
type hbin struct {
	G, H float64
}

// growParams are the limits of one tree.
type growParams struct {
	maxDepth, maxLeaves, minLeaf int
	minChildWeight, lambda       float64
	// shrink multiplies leaf values −G/(H+λ).
	shrink float64
	// unitHess: every row has h = 1, so H counts rows and minLeaf is enforced on it
	// (classification and surrogate trees); otherwise minLeaf only stops splitting
	// nodes with fewer than 2·minLeaf rows and MinChildWeight bounds the children.
	unitHess bool
}

// split is the best split of a leaf.
type split struct {
	feature     int
	bin         int
	missingLeft bool
	gain        float64
	gl, hl      float64
}

// growLeaf is a leaf during growth.
type growLeaf struct {
	node       int
	start, end int
	depth      int
	hist       []hbin
	g, h       float64
	best       split
}

// layout is a binned matrix prepared for growing trees on any subset of its rows: the
// bins row-major, a column-major copy that partitioning reads, and (for sparse data) the
// values outside each feature's most frequent bin. It is read-only once built, so the
// fits of cross-validation folds and the refit on all rows share one instead of each
// copying its rows and rebuilding it. Safe for concurrent use.
type layout struct {
	n, p  int
	bins  []uint8 // row-major n×p
	src   *Matrix // the matrix binned, when known: a gbdt grown here predicts its rows by their bins
	nb    []int   // bins of feature j including the NaN bin (last)
	off   []int   // offset of feature j in a histogram
	total int
	cuts  [][]float64

	colsOnce sync.Once
	cols     []uint8 // column-major p×n copy (see columns), nil until first used

	// Sparse layout, used when many values sit in their feature's most frequent bin
	// (one-hot flags, counts): nil when dense.
	mfb    []uint8       // most frequent bin of each feature
	groups []sparseGroup // features split into one group per worker
}

// grower grows histogram trees on the rows of a layout (all of them, or a subset such as
// a cross-validation fold's training rows). It keeps its buffers between trees, so
// growing a tree allocates only the tree's nodes.
type grower struct {
	*layout
	workers int
	rows    []int32 // the rows trees are grown on, ascending; nil = all n rows
	m       int     // number of those rows

	gh      []gpair // per-row gradient and hessian, indexed by the layout's row
	ord     []gpair // gradient pairs of a node's rows, in idx order
	idx     []int32 // permutation of the grown rows; a leaf owns idx[start:end]
	scratch []int32
	pool    [][]hbin
	leaves  []growLeaf
	gainSum []float64 // per-feature total gain
}

// sparseGroup holds, for a contiguous range of features, the histogram offsets
// off[f]+bin of every value that is not in its feature's most frequent bin, row by row
// (CSR): row i owns ent[ptr[i]:ptr[i+1]]. The offsets are 16-bit (ent16) when every
// histogram offset fits, which halves the bytes the hot loop streams.
type sparseGroup struct {
	flo, fhi int
	ptr      []uint32
	ent      []uint32
	ent16    []uint16
}

// maxColumnCopy bounds the column-major copy of the bins (bytes) that partitioning reads.
const maxColumnCopy = 64 << 20

// columns returns the bins column-major (p×n), transposed on first use, or nil when the
// copy would exceed maxColumnCopy.
func (ly *layout) columns() []uint8 {
	if ly.n*ly.p > maxColumnCopy {
		return nil
	}
	ly.colsOnce.Do(func() {
		n, p := ly.n, ly.p
		ly.cols = make([]uint8, n*p)
		for i := 0; i < n; i++ {
			row := ly.bins[i*p : (i+1)*p]
			for j, b := range row {
				ly.cols[j*n+i] = b
			}
		}
	})
	return ly.cols
}

// newLayout wraps n rows of bins (row-major, len(bn.Cuts) columns).
func newLayout(bins []uint8, n int, bn *binner) *layout {
	p := len(bn.Cuts)
	ly := &layout{n: n, p: p, bins: bins, nb: make([]int, p), off: make([]int, p), cuts: bn.Cuts}
	for j := 0; j < p; j++ {
		ly.nb[j] = bn.nbins(j)
		ly.off[j] = j * histStride
	}
	ly.total = p * histStride
	return ly
}

// newGrower returns a grower over all n rows of bins, with a layout of its own.
func newGrower(bins []uint8, n int, bn *binner, workers int) *grower {
	return newRowGrower(newLayout(bins, n, bn), nil, workers)
}

// newRowGrower returns a grower over the given rows of ly (ascending; nil = all rows).
func newRowGrower(ly *layout, rows []int32, workers int) *grower {
	m := ly.n
	if rows != nil {
		m = len(rows)
	}
	return &grower{layout: ly, workers: workers, rows: rows, m: m,
		gh: make([]gpair, ly.n), ord: make([]gpair, m), idx: make([]int32, m), scratch: make([]int32, m),
		gainSum: make([]float64, ly.p)}
}

// allRows returns nil when rows are 0…n−1 in order (the fast path of a grower over all
// rows), else rows as int32.
func allRows(rows []int, n int) []int32 {
	if len(rows) == n {
		same := true
		for k, i := range rows {
			if i != k {
				same = false
				break
			}
		}
		if same {
			return nil
		}
	}
	out := make([]int32, len(rows))
	for k, i := range rows {
		out[k] = int32(i)
	}
	return out
}

func (gr *grower) getHist() []hbin {
	if k := len(gr.pool); k > 0 {
		h := gr.pool[k-1]
		gr.pool = gr.pool[:k-1]
		for j := 0; j < gr.p; j++ {
			clear(h[gr.off[j] : gr.off[j]+gr.nb[j]])
		}
		return h
	}
	return make([]hbin, gr.total)
}

func (gr *grower) putHist(h []hbin) {
	if h != nil {
		gr.pool = append(gr.pool, h)
	}
}

// maxSparseDensity is the share of values outside the most frequent bins below which
// histograms are built from the sparse layout. An update from the sparse layout costs
// about 1.7 dense ones (measured with BenchmarkBuildHist-style runs at 40 % and 72 %
// density: 0.7× and 1.4× the dense time), so it pays below about 55 %.
const maxSparseDensity = 0.5

// useSparse switches histogram building to the sparse layout when at most maxDensity
// of the values lie outside their feature's most frequent bin. Histograms then add
// only those values and set the most frequent bin to the node total minus the other
// bins (LightGBM's trick), so a one-hot flag costs work only on the rows where it is 1.
func (gr *grower) useSparse(maxDensity float64) { gr.layout.useSparse(maxDensity, gr.workers) }

// useSparse builds the sparse layout (see grower.useSparse) with one feature group per
// worker.
func (ly *layout) useSparse(maxDensity float64, workers int) {
	gr := ly
	n, p := gr.n, gr.p
	if n == 0 || p == 0 {
		return
	}
	cnt := make([][256]int32, p)
	for i := 0; i < n; i++ {
		for j, b := range gr.bins[i*p : (i+1)*p] {
			cnt[j][b]++
		}
	}
	mfb := make([]uint8, p)
	nnz := make([]int, p)
	total := 0
	for j := range cnt {
		best := 0
		for b := 1; b < gr.nb[j]; b++ {
			if cnt[j][b] > cnt[j][best] {
				best = b
			}
		}
		mfb[j] = uint8(best)
		nnz[j] = n - int(cnt[j][best])
		total += nnz[j]
	}
	if float64(total) > maxDensity*float64(n)*float64(p) || float64(total) >= 1<<32 {
		return
	}
	// Sparse histograms are never read with a fixed stride: pack the features' bins
	// back to back, so a histogram is a few kilobytes (it stays in L1) and its offsets
	// usually fit 16 bits.
	at := 0
	for j := 0; j < p; j++ {
		gr.off[j] = at
		at += gr.nb[j]
	}
	gr.total = at
	small := at <= 1<<16
	// contiguous feature groups with about equal non-default counts, one per worker
	w := max(min(workers, p), 1)
	var groups []sparseGroup
	lo, acc := 0, 0
	for j := 0; j < p; j++ {
		acc += nnz[j]
		if j == p-1 || (len(groups) < w-1 && acc >= (len(groups)+1)*total/w) {
			groups = append(groups, sparseGroup{flo: lo, fhi: j + 1})
			lo = j + 1
		}
	}
	var wg sync.WaitGroup
	for k := range groups {
		wg.Add(1)
		go func(sg *sparseGroup) {
			defer wg.Done()
			size := 0
			for j := sg.flo; j < sg.fhi; j++ {
				size += nnz[j]
			}
			sg.ptr = make([]uint32, n+1)
			if small {
				sg.ent16 = make([]uint16, 0, size)
			} else {
				sg.ent = make([]uint32, 0, size)
			}
			for i := 0; i < n; i++ {
				row := gr.bins[i*p : (i+1)*p]
				for j := sg.flo; j < sg.fhi; j++ {
					if b := row[j]; b != mfb[j] {
						if small {
							sg.ent16 = append(sg.ent16, uint16(gr.off[j]+int(b)))
						} else {
							sg.ent = append(sg.ent, uint32(gr.off[j]+int(b)))
						}
					}
				}
				sg.ptr[i+1] = uint32(len(sg.ent) + len(sg.ent16))
			}
		}(&groups[k])
	}
	wg.Wait()
	gr.mfb, gr.groups = mfb, groups
}

// addSparse adds each row's gradient pair to the histogram bins its entries name.
func addSparse[E uint16 | uint32](base unsafe.Pointer, rows []int32, ord []gpair, ptr []uint32, ent []E) {
	const sz = unsafe.Sizeof(hbin{})
	// A node's rows are scattered over the layout, so their entries miss the cache: each
	// row first reads the first entry of the row prefetchAhead places on and the pointer
	// of the row twice as far (loads nothing waits for), so the misses overlap with the
	// updates instead of stalling them, as xgboost's prefetching does.
	var sink E
	nr := len(rows)
	for k, r := range rows {
		if k+2*prefetchAhead < nr {
			sink += E(ptr[rows[k+2*prefetchAhead]])
			if q := ptr[rows[k+prefetchAhead]]; int(q) < len(ent) {
				sink += ent[q]
			}
		}
		g, h := ord[k].g, ord[k].h
		// every offset is off[f]+bin < len(hist): no bounds checks needed
		for _, o := range ent[ptr[r]:ptr[r+1]] {
			e := (*hbin)(unsafe.Add(base, uintptr(o)*sz))
			e.G += g
			e.H += h
		}
	}
	prefetchSink.Add(uint32(sink))
}

// prefetchAhead is how many rows ahead addSparse reads the entries it will need.
const prefetchAhead = 8

// prefetchSink keeps addSparse's prefetching loads from being optimized away.
var prefetchSink atomic.Uint32

// buildSparse is buildHist on the sparse layout; G and H are the node's totals.
func (gr *grower) buildSparse(hist []hbin, rows []int32, ord []gpair, G, H float64) {
	base := unsafe.Pointer(unsafe.SliceData(hist))
	work := func(sg *sparseGroup) {
		if sg.ent16 != nil {
			addSparse(base, rows, ord, sg.ptr, sg.ent16)
		} else {
			addSparse(base, rows, ord, sg.ptr, sg.ent)
		}
		for j := sg.flo; j < sg.fhi; j++ {
			hs := hist[gr.off[j] : gr.off[j]+gr.nb[j]]
			m := int(gr.mfb[j])
			sumG, sumH := 0.0, 0.0
			for b := range hs {
				if b != m {
					sumG += hs[b].G
					sumH += hs[b].H
				}
			}
			hs[m] = hbin{G: G - sumG, H: H - sumH}
		}
	}
	if len(gr.groups) == 1 || gr.workers <= 1 || len(rows)*gr.p < 1<<16 {
		for k := range gr.groups {
			work(&gr.groups[k])
		}
		return
	}
	var wg sync.WaitGroup
	for k := range gr.groups {
		wg.Add(1)
		go func(sg *sparseGroup) {
			defer wg.Done()
			work(sg)
		}(&gr.groups[k])
	}
	wg.Wait()
}

// buildHist fills hist with the statistics of rows idx[start:end]. The bin matrix is
// row-major, so one row's bins share a cache line: each row adds its gradient pair to
// the histograms of all features in one pass (as xgboost's hist does), and the node's
// gradient pairs are gathered first into a contiguous buffer (ordered gradients). Big
// nodes split the features across workers; each worker reads its part of every row.
// G and H are the node's gradient and hessian totals (used by the sparse layout).
func (gr *grower) buildHist(hist []hbin, start, end int, G, H float64) {
	rows := gr.idx[start:end]
	full := gr.rows == nil && start == 0 && end == gr.n
	ord := gr.gh
	if !full {
		ord = gr.ord[start:end]
		gh := gr.gh
		for k, r := range rows {
			ord[k] = gh[r]
		}
	}
	if gr.groups != nil {
		gr.buildSparse(hist, rows, ord, G, H)
		return
	}
	p := gr.p
	work := func(flo, fhi int) {
		hs := hist[flo*histStride : fhi*histStride]
		w := fhi - flo
		// base points at the histogram of feature flo; entry (t, b) is at t·histStride+b,
		// always inside hs because t < w and b < 256 ≤ histStride, so the hot loop skips
		// bounds checks.
		base := unsafe.Pointer(unsafe.SliceData(hs))
		const sz = unsafe.Sizeof(hbin{})
		if full {
			for i := range ord {
				g, h := ord[i].g, ord[i].h
				rb := gr.bins[i*p+flo : i*p+flo+w]
				for t, b := range rb {
					e := (*hbin)(unsafe.Add(base, uintptr(t*histStride+int(b))*sz))
					e.G += g
					e.H += h
				}
			}
			return
		}
		for k, r := range rows {
			g, h := ord[k].g, ord[k].h
			o := int(r)*p + flo
			rb := gr.bins[o : o+w]
			for t, b := range rb {
				e := (*hbin)(unsafe.Add(base, uintptr(t*histStride+int(b))*sz))
				e.G += g
				e.H += h
			}
		}
	}
	if gr.workers <= 1 || len(rows)*p < 1<<16 {
		work(0, p)
		return
	}
	w := min(gr.workers, p)
	var wg sync.WaitGroup
	chunk := (p + w - 1) / w
	for lo := 0; lo < p; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			work(lo, hi)
		}(lo, min(lo+chunk, p))
	}
	wg.Wait()
}

// bestSplit scans the histogram of a leaf for the split maximizing
//
//	gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)
//
// subject to H ≥ minChildWeight on both sides and, for unit-hessian trees where H
// counts rows, H ≥ minLeaf; NaN rows are tried on both sides and the better side is
// kept.
func (gr *grower) bestSplit(lf *growLeaf, gp *growParams) split {
	best := split{feature: -1}
	n := lf.end - lf.start
	if n < 2*gp.minLeaf || (gp.maxDepth > 0 && lf.depth >= gp.maxDepth) {
		return best
	}
	lam := gp.lambda
	minLeaf := float64(gp.minLeaf)
	parent := lf.g * lf.g / (lf.h + lam)
	for j := 0; j < gr.p; j++ {
		hs := lf.hist[gr.off[j] : gr.off[j]+gr.nb[j]]
		nv := len(hs) - 1
		miss := hs[nv]
		var gl, hl float64
		for s := 0; s < nv-1; s++ {
			gl += hs[s].G
			hl += hs[s].H
			for side := 0; side < 2; side++ {
				if side == 1 && miss.H <= 0 {
					break
				}
				GL, HL := gl, hl
				if side == 1 {
					GL += miss.G
					HL += miss.H
				}
				HR := lf.h - HL
				if gp.unitHess && (HL < minLeaf || HR < minLeaf) {
					continue
				}
				if HL < gp.minChildWeight || HR < gp.minChildWeight {
					continue
				}
				GR := lf.g - GL
				gain := GL*GL/(HL+lam) + GR*GR/(HR+lam) - parent
				if gain > best.gain+1e-12 {
					best = split{feature: j, bin: s, missingLeft: side == 1, gain: gain, gl: GL, hl: HL}
				}
			}
		}
	}
	return best
}

// grow grows one tree on the grower's rows with the current g, h and returns it. leafOf,
// when not nil, receives for each leaf its rows (layout row numbers) so the caller can
// update predictions; it is called as leafOf(rows, value).
func (gr *grower) grow(gp *growParams, leafOf func(rows []int32, value float64)) tree {
	if gr.rows == nil {
		for i := range gr.idx {
			gr.idx[i] = int32(i)
		}
	} else {
		copy(gr.idx, gr.rows)
	}
	t := tree{Nodes: make([]node, 1, 2*max(gp.maxLeaves, 1))}
	t.Nodes[0].Feature = -1
	root := growLeaf{node: 0, start: 0, end: gr.m, hist: gr.getHist()}
	if gr.rows == nil {
		for _, e := range gr.gh {
			root.g += e.g
			root.h += e.h
		}
	} else {
		for _, r := range gr.rows {
			root.g += gr.gh[r].g
			root.h += gr.gh[r].h
		}
	}
	gr.buildHist(root.hist, 0, gr.m, root.g, root.h)
	root.best = gr.bestSplit(&root, gp)
	gr.leaves = append(gr.leaves[:0], root)
	nLeaves := 1
	for gp.maxLeaves <= 0 || nLeaves < gp.maxLeaves {
		// best-first: the open leaf with the largest gain
		bi := -1
		for k := range gr.leaves {
			lf := &gr.leaves[k]
			if lf.best.feature >= 0 && lf.best.gain > 0 && (bi < 0 || lf.best.gain > gr.leaves[bi].best.gain) {
				bi = k
			}
		}
		if bi < 0 {
			break
		}
		lf := gr.leaves[bi]
		sp := lf.best
		// partition idx[start:end] stably: left rows first
		f, p := sp.feature, gr.p
		nanBin := uint8(gr.nb[sp.feature] - 1)
		split := uint8(sp.bin)
		nl, nr, missN := lf.start, 0, 0
		// A leaf's rows are in ascending order, so the column-major copy is read forwards
		// (the row-major matrix costs a cache line per row).
		src, base, stride := gr.bins, f, p
		if cols := gr.columns(); cols != nil {
			src, base, stride = cols, f*gr.n, 1
		}
		for _, r := range gr.idx[lf.start:lf.end] {
			b := src[base+int(r)*stride]
			var left bool
			if b == nanBin {
				left = sp.missingLeft
				missN++
			} else {
				left = b <= split
			}
			if left {
				gr.idx[nl] = r
				nl++
			} else {
				gr.scratch[nr] = r
				nr++
			}
		}
		copy(gr.idx[nl:lf.end], gr.scratch[:nr])
		mid := nl

		li, ri := int32(len(t.Nodes)), int32(len(t.Nodes)+1)
		nd := &t.Nodes[lf.node]
		nd.Feature = sp.feature
		nd.Bin = split
		nd.Threshold = gr.cuts[sp.feature][sp.bin]
		nd.MissingLeft = sp.missingLeft
		nd.HasMissing = missN > 0
		if missN == 0 {
			// no NaN seen here: send future NaN to the bigger child
			nd.MissingLeft = mid-lf.start >= lf.end-mid
		}
		nd.Left, nd.Right = li, ri
		nd.Gain = sp.gain
		gr.gainSum[sp.feature] += sp.gain
		t.Nodes = append(t.Nodes, node{Feature: -1, N: mid - lf.start}, node{Feature: -1, N: lf.end - mid})

		left := growLeaf{node: int(li), start: lf.start, end: mid, depth: lf.depth + 1, g: sp.gl, h: sp.hl}
		right := growLeaf{node: int(ri), start: mid, end: lf.end, depth: lf.depth + 1, g: lf.g - sp.gl, h: lf.h - sp.hl}
		// histogram subtraction: build the smaller child, derive the larger. A child that
		// can never split (at the depth limit, too few rows, or this split made the last
		// leaf) needs no histogram, and none is built for it.
		small, large := &left, &right
		if right.end-right.start < left.end-left.start {
			small, large = &right, &left
		}
		last := gp.maxLeaves > 0 && nLeaves+1 >= gp.maxLeaves
		splittable := func(c *growLeaf) bool {
			return !last && c.end-c.start >= 2*gp.minLeaf && (gp.maxDepth <= 0 || c.depth < gp.maxDepth)
		}
		smallOK, largeOK := splittable(small), splittable(large)
		if smallOK || largeOK {
			small.hist = gr.getHist()
			gr.buildHist(small.hist, small.start, small.end, small.g, small.h)
		}
		if largeOK {
			large.hist = lf.hist
			for j := 0; j < gr.p; j++ {
				lh := large.hist[gr.off[j] : gr.off[j]+gr.nb[j]]
				sh := small.hist[gr.off[j] : gr.off[j]+gr.nb[j]]
				for k := range lh {
					lh[k].G -= sh[k].G
					lh[k].H -= sh[k].H
				}
			}
		} else {
			gr.putHist(lf.hist)
		}
		if !smallOK {
			gr.putHist(small.hist)
			small.hist = nil
		}
		left.best.feature, right.best.feature = -1, -1
		if left.hist != nil {
			left.best = gr.bestSplit(&left, gp)
		}
		if right.hist != nil {
			right.best = gr.bestSplit(&right, gp)
		}
		gr.leaves[bi] = left
		gr.leaves = append(gr.leaves, right)
		nLeaves++
	}
	for k := range gr.leaves {
		lf := &gr.leaves[k]
		v := -lf.g / (lf.h + gp.lambda) * gp.shrink
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		t.Nodes[lf.node].Value = v
		t.Nodes[lf.node].Feature = -1
		t.Nodes[lf.node].N = lf.end - lf.start
		if leafOf != nil {
			leafOf(gr.idx[lf.start:lf.end], v)
		}
		gr.putHist(lf.hist)
		lf.hist = nil
	}
	return t
}
