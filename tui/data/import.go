package data

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// importer is the import dialog: a path prompt whose file becomes a new table (named by
// TableNameFor) in an import job. A failed import reopens the prompt with the error under
// the path.
type importer struct {
	c        *common.Common
	prompt   *components.PathPrompt
	relayout func()
	job      common.JobID
	// status is the running import's stage and progress ("" when none).
	status string
}

// imported is the result of an import job.
type imported struct{ *services.ImportResult }

func newImporter(c *common.Common, keys components.PathPromptKeys, relayout func()) *importer {
	p := components.NewPathPrompt("file: ", "path to a .csv, .parquet or .json file (tab completes)")
	p.Keys = keys
	return &importer{c: c, prompt: p, relayout: relayout}
}

// open shows the prompt with the last path typed.
func (im *importer) open() tea.Cmd {
	cmd := im.prompt.Open("Import a file as a new table", im.prompt.Input.Value())
	im.relayout()
	return cmd
}

func (im *importer) start(path string) tea.Cmd {
	svc := im.c.Services
	im.status = "starting"
	var cmd tea.Cmd
	im.job, cmd = common.Start(im.c.Jobs, ID, "importing "+filepath.Base(path), func(ctx context.Context, report func(common.Progress)) (imported, error) {
		r, err := svc.Import(ctx, services.ImportOptions{Path: path, Table: TableNameFor(path),
			Progress: func(done, total int64, stage string) { report(common.Progress{Done: done, Total: total, Stage: stage}) }})
		return imported{r}, err
	})
	return cmd
}

// Update takes the import's progress and result, the prompt's completions and, while it is
// open, the keys.
func (im *importer) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobProgressMsg:
		if msg.ID == im.job {
			im.status = importStatus(msg.Progress)
		}
		return nil
	case common.Done[imported]:
		im.status = ""
		switch {
		case msg.Cancelled:
			return common.FlashReload("import")
		case msg.Err != nil:
			im.prompt.Err = msg.Err.Error()
			cmd := im.prompt.Reopen()
			im.relayout()
			return tea.Batch(cmd, common.FlashError(msg.Err))
		}
		r := msg.Value
		return tea.Batch(common.Flash(fmt.Sprintf("imported %s into %s", components.Count(r.Rows, "row"), r.Table)),
			common.Refresh(ID))
	case tea.KeyMsg:
		return im.prompt.Handle(msg, im.relayout, im.start)
	}
	if im.prompt.Owns(msg) || im.prompt.IsOpen() {
		_, _, cmd := im.prompt.Update(msg)
		return cmd
	}
	return nil
}

// View draws the prompt w wide; the footer names the table the file will become.
func (im *importer) View(w int) string {
	footer := "enter import · tab complete · esc close"
	if v := im.prompt.Value(); v != "" && !strings.HasSuffix(v, "/") {
		footer = "→ table " + TableNameFor(v) + " · " + footer
	}
	im.prompt.Footer = footer
	return im.prompt.View(im.c.Theme, w)
}
