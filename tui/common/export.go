package common

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/theme"
)

// Export is the one export dialog of the workbench: a components.PathPrompt (tab completes
// the path, an error shows under it) that the screen draws under its panes, and the job that
// writes the file. Every e (and the SQL console's ctrl+e) opens one:
//
//	ex := common.NewExport(c, ID, promptKeys, s.relayout)
//	...
//	return ex.Open("Export the chart of x (.png/.svg/.pdf)", "x.png", "exporting the chart of x",
//		func(ctx context.Context, path string) (string, error) { return svc.ExportX(ctx, path, ...) })
//
// The screen passes every message to Update while the prompt is open (and job results
// always); the result flashes Written(out), or the error.
type Export struct {
	Prompt *components.PathPrompt
	// Footer is the prompt's key hint.
	Footer string
	// Written words the flash of a finished export from what the write returned (default
	// "chart written to " + out).
	Written func(out string) string
	// Cancelled, when set, is flashed after a cancelled export (the root has said
	// "<label> cancelled" already).
	Cancelled string
	// ErrPrefix, when set, prefixes the error of a failed export ("export: ").
	ErrPrefix string

	c        *Common
	owner    string
	relayout func()
	label    string
	write    func(ctx context.Context, path string) (string, error)
	job      JobID // the export running or last run: only its result is taken
}

// exported is the result of an export job: what the write returned (usually the path).
type exported string

// NewExport returns a closed export dialog of owner; relayout runs when the prompt's height
// changes (it opens, closes, or an error appears under the path).
func NewExport(c *Common, owner string, keys components.PathPromptKeys, relayout func()) *Export {
	p := components.NewPathPrompt("file: ", "chart file: .png, .svg or .pdf (tab completes)")
	p.Keys = keys
	return &Export{Prompt: p, Footer: "enter export · tab complete · esc close", c: c, owner: owner, relayout: relayout}
}

// ExportDir is where exports go unless the user types another folder: "exports" beside the
// workspace file (beside the working directory for an in-memory workspace), as an absolute
// path. It is created when the first export is written into it.
func (c *Common) ExportDir() string {
	dir := "."
	if p := c.Services.Path(); p != "" && !strings.HasPrefix(p, ":memory:") {
		dir = filepath.Dir(p)
	}
	if abs, err := filepath.Abs(filepath.Join(dir, "exports")); err == nil {
		return abs
	}
	return filepath.Join(dir, "exports")
}

// ExportPath is the suggested path of an export: a bare file name goes into ExportDir.
func (c *Common) ExportPath(name string) string {
	if name == "" || filepath.Base(name) != name {
		return name
	}
	return filepath.Join(c.ExportDir(), name)
}

// PrepareExport makes path absolute (so the message after the write names the whole path)
// and creates ExportDir when path lies in it.
func (c *Common) PrepareExport(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path, err
	}
	if dir := c.ExportDir(); filepath.Dir(abs) == dir {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return abs, fmt.Errorf("create the exports folder %s: %w", dir, err)
		}
	}
	return abs, nil
}

// Open shows the prompt with title and a suggested path (a bare file name goes into the
// exports folder, ExportDir); enter runs write as a job labelled label.
func (e *Export) Open(title, suggested, label string, write func(ctx context.Context, path string) (string, error)) tea.Cmd {
	e.label, e.write = label, write
	cmd := e.Prompt.Open(title, e.c.ExportPath(suggested))
	e.relayout()
	return cmd
}

// IsOpen reports whether the prompt shows.
func (e *Export) IsOpen() bool { return e.Prompt.IsOpen() }

// Height is the prompt's height in lines (0 when closed).
func (e *Export) Height() int { return e.Prompt.Height() }

func (e *Export) start(path string) tea.Cmd {
	if e.write == nil {
		return nil
	}
	write, c := e.write, e.c
	var cmd tea.Cmd
	e.job, cmd = Start(e.c.Jobs, e.owner, e.label, func(ctx context.Context, _ func(Progress)) (exported, error) {
		path, err := c.PrepareExport(path)
		if err != nil {
			return "", err
		}
		out, err := write(ctx, path)
		return exported(out), err
	})
	return cmd
}

// Owns reports whether msg is the result of this dialog's export or a completion of its
// prompt (a screen with two dialogs, the Data screen's and its SQL console's, routes by it).
func (e *Export) Owns(msg tea.Msg) bool {
	if d, ok := msg.(Done[exported]); ok {
		return e.job != 0 && d.ID == e.job
	}
	return e.Prompt.Owns(msg)
}

// Update takes the export's result, the prompt's path completions and, while the prompt is
// open, keys and the cursor's blink.
func (e *Export) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case Done[exported]:
		if msg.ID != e.job {
			return nil // another dialog's export
		}
		switch {
		case msg.Cancelled:
			if e.Cancelled != "" {
				return Flash(e.Cancelled)
			}
			return nil
		case msg.Err != nil:
			if e.ErrPrefix != "" {
				return FlashError(fmt.Errorf("%s%w", e.ErrPrefix, msg.Err))
			}
			return FlashError(msg.Err)
		}
		if e.Written != nil {
			return Flash(e.Written(string(msg.Value)))
		}
		return Flash("chart written to " + string(msg.Value))
	case JobMsg:
		return nil
	case tea.KeyMsg:
		if e.Prompt.IsOpen() {
			return e.Prompt.Handle(msg, e.relayout, e.start)
		}
		return nil
	}
	if e.Prompt.Owns(msg) || e.Prompt.IsOpen() {
		_, _, cmd := e.Prompt.Update(msg)
		return cmd
	}
	return nil
}

// View draws the prompt w wide ("" when closed).
func (e *Export) View(th *theme.Theme, w int) string {
	e.Prompt.Footer = e.Footer
	return e.Prompt.View(th, w)
}
