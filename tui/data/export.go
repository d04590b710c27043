package data

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// exporter is the chart export dialog: a path prompt for the chart of the selected column
// (histogram or top values), written by an export job.
type exporter struct {
	c        *common.Common
	prompt   *components.PathPrompt
	relayout func()
	table    string
	col      services.ColumnProfile // the column whose chart the prompt exports
}

// chartWritten is the result of an export job: the path written.
type chartWritten string

func newExporter(c *common.Common, keys components.PathPromptKeys, relayout func()) *exporter {
	p := components.NewPathPrompt("file: ", "chart file: .png, .svg or .pdf (tab completes)")
	p.Keys = keys
	return &exporter{c: c, prompt: p, relayout: relayout}
}

// open shows the prompt for the chart of table.col, suggesting ChartFileName.
func (ex *exporter) open(table string, col services.ColumnProfile) tea.Cmd {
	ex.table, ex.col = table, col
	cmd := ex.prompt.Open("Export the chart of "+table+"."+col.Name+" (.png/.svg/.pdf)", ChartFileName(table, col.Name))
	ex.relayout()
	return cmd
}

func (ex *exporter) start(path string) tea.Cmd {
	svc := ex.c.Exports
	if svc == nil {
		return nil
	}
	table, p := ex.table, ex.col
	_, cmd := common.Start(ex.c.Jobs, ID, "exporting the chart of "+p.Name, func(ctx context.Context, _ func(common.Progress)) (chartWritten, error) {
		out, err := svc.ExportColumnChart(ctx, path, table, p)
		return chartWritten(out), err
	})
	return cmd
}

// Update takes the export's result, the prompt's completions and, while it is open, the
// keys.
func (ex *exporter) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[chartWritten]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("chart")
		case msg.Err != nil:
			return common.FlashError(msg.Err)
		}
		return common.Flash("chart written to " + string(msg.Value))
	case tea.KeyMsg:
		return ex.prompt.Handle(msg, ex.relayout, ex.start)
	}
	if ex.prompt.Owns(msg) || ex.prompt.IsOpen() {
		_, _, cmd := ex.prompt.Update(msg)
		return cmd
	}
	return nil
}

// View draws the prompt w wide.
func (ex *exporter) View(w int) string {
	ex.prompt.Footer = "enter export · tab complete · esc close"
	return ex.prompt.View(ex.c.Theme, w)
}
