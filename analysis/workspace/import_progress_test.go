package workspace

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestImportReportsProgress: an import reports its stages in order, and while a CSV file is
// checked, the bytes read so far of the file's size, ending at the whole file.
func TestImportReportsProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("customer_id,score\n")
	for i := 0; b.Len() < 3*progressStep; i++ {
		fmt.Fprintf(&b, "%d,%d.5\n", i, i%97)
	}
	body := b.String()
	p := writeFile(t, "scores.csv", body)
	type call struct {
		done, total int64
		stage       string
	}
	var calls []call
	w := openMem(t)
	res, err := w.Import(context.Background(), ImportOptions{Path: p, Table: "scores", As: "optouts",
		Progress: func(done, total int64, stage string) { calls = append(calls, call{done, total, stage}) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows < 1000 {
		t.Fatalf("imported %d rows", res.Rows)
	}
	var stages []string
	var lastBytes int64
	byteReports := 0
	for _, c := range calls {
		if len(stages) == 0 || stages[len(stages)-1] != c.stage {
			stages = append(stages, c.stage)
		}
		if c.stage == StageChecking && c.done > 0 {
			byteReports++
			if c.total != int64(len(body)) {
				t.Errorf("checking total %d, want the file size %d", c.total, len(body))
			}
			if c.done < lastBytes {
				t.Errorf("bytes read went back from %d to %d", lastBytes, c.done)
			}
			lastBytes = c.done
		}
	}
	want := []string{StageChecking, StageReading, StageCheckingID, StageCommitting}
	if strings.Join(stages, ",") != strings.Join(want, ",") {
		t.Errorf("stages %q, want %q", stages, want)
	}
	if byteReports < 3 {
		t.Errorf("%d byte reports while checking a %d-byte file, want one per %d bytes", byteReports, len(body), progressStep)
	}
	if lastBytes != int64(len(body)) {
		t.Errorf("last bytes report %d, want the whole file %d", lastBytes, len(body))
	}
}

// TestImportWithoutProgressStillWorks: Progress is optional.
func TestImportWithoutProgressStillWorks(t *testing.T) {
	p := writeFile(t, "a.csv", "id,x\n1,2\n")
	res, err := openMem(t).Import(context.Background(), ImportOptions{Path: p, Table: "a"})
	if err != nil || res.Rows != 1 {
		t.Fatalf("import = %+v, %v", res, err)
	}
}
