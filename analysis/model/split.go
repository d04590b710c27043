package model

import (
	"math"
	"math/rand/v2"
	"sort"
)

// classIndices returns the row indices of each label (0 and 1; anything else counts as 1 if > 0.5).
func classIndices(y []float64) [2][]int {
	var c [2][]int
	for i, v := range y {
		if v > 0.5 {
			c[1] = append(c[1], i)
		} else {
			c[0] = append(c[0], i)
		}
	}
	return c
}

// StratifiedSplit splits the rows 0..len(y)−1 into a training and a test part; the test
// part holds round(holdout·n_c) rows of each class c, drawn with a PCG generator seeded
// by seed, so the positive rate is the same in both parts. Both slices are sorted.
func StratifiedSplit(y []float64, holdout float64, seed uint64) (train, test []int) {
	holdout = math.Min(math.Max(holdout, 0), 1)
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed))
	for _, rows := range classIndices(y) {
		rows = append([]int(nil), rows...)
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		k := int(math.Round(holdout * float64(len(rows))))
		test = append(test, rows[:k]...)
		train = append(train, rows[k:]...)
	}
	sort.Ints(train)
	sort.Ints(test)
	return train, test
}

// StratifiedKFold deals the rows into k folds (the test rows of each fold), class by
// class after a seeded shuffle, so every fold has nearly the same positive rate and
// size. Each fold is sorted; together they partition 0..len(y)−1.
func StratifiedKFold(y []float64, k int, seed uint64) [][]int {
	if k < 1 {
		k = 1
	}
	rng := rand.New(rand.NewPCG(seed, 0xf01df01d))
	folds := make([][]int, k)
	next := 0
	for _, rows := range classIndices(y) {
		rows = append([]int(nil), rows...)
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for _, r := range rows {
			folds[next] = append(folds[next], r)
			next = (next + 1) % k
		}
	}
	for _, f := range folds {
		sort.Ints(f)
	}
	return folds
}
