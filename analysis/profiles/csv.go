package profiles

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Sorted returns the row order by descending score (ties by id order as loaded).
func (sc *Scores) Sorted() []int {
	idx := make([]int, len(sc.Score))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return sc.Score[idx[a]] > sc.Score[idx[b]] })
	return idx
}

// WriteCSV writes "id,score" rows sorted by score descending to path, through a temporary
// file in the same directory renamed into place, so a failed write leaves no partial file.
func (sc *Scores) WriteCSV(path string) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("profiles: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<16)
	if _, err = w.WriteString("id,score\n"); err != nil {
		return fmt.Errorf("profiles: write %s: %w", path, err)
	}
	buf := make([]byte, 0, 64)
	for _, i := range sc.Sorted() {
		buf = append(buf[:0], csvField(sc.IDs[i])...)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, sc.Score[i], 'f', 6, 64)
		buf = append(buf, '\n')
		if _, err = w.Write(buf); err != nil {
			return fmt.Errorf("profiles: write %s: %w", path, err)
		}
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("profiles: write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("profiles: write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("profiles: write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("profiles: write %s: %w", path, err)
	}
	return nil
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
