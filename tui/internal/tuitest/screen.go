package tuitest

import (
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
)

// ScreenModel hosts one screen the way the app shell does: job messages are accepted by the
// job table and routed to the screen (stale ones dropped), flashes are recorded.
type ScreenModel struct {
	S         common.Screen
	C         *common.Common
	Flashes   []common.FlashMsg
	Refreshes []common.RefreshMsg // workspace-changed broadcasts the screen sent (also delivered to it)
}

// NewScreen wraps s and returns a driver for it.
func NewScreen(s common.Screen, c *common.Common, w, h int) (*ScreenModel, *Driver) {
	m := &ScreenModel{S: s, C: c}
	s.SetSize(w, h)
	return m, New(m, c.Jobs.Busy)
}

// LastFlash is the most recent flash message ("" if none).
func (m *ScreenModel) LastFlash() common.FlashMsg {
	if len(m.Flashes) == 0 {
		return common.FlashMsg{}
	}
	return m.Flashes[len(m.Flashes)-1]
}

func (m *ScreenModel) Init() tea.Cmd { return m.S.Init() }

func (m *ScreenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.JobMsg:
		deliver, next := m.C.Jobs.Accept(msg)
		if !deliver {
			return m, next
		}
		return m, tea.Batch(next, m.S.Update(msg))
	case common.FlashMsg:
		m.Flashes = append(m.Flashes, msg)
		return m, nil
	case common.RefreshMsg:
		m.Refreshes = append(m.Refreshes, msg)
	}
	return m, m.S.Update(msg)
}

func (m *ScreenModel) View() string { return m.S.View() }

// ExportPNG answers an open path prompt: it clears the suggested name, types path, presses
// submit, waits for the export job, and returns the written file decoded as a PNG. It fails
// the test when no file was written, the file is not a PNG, or the flash does not name it.
func ExportPNG(tb testing.TB, d *Driver, m *ScreenModel, path string, submit key.Binding) image.Image {
	tb.Helper()
	d.Send(Key("ctrl+u"))
	d.Type(path)
	d.Press(submit)
	d.Settle(tb, 20*time.Second)
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("no chart written (flash %+v): %v", m.LastFlash(), err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("%s is not a PNG: %v", path, err)
	}
	if fl := m.LastFlash(); fl.Error || !strings.Contains(fl.Text, path) {
		tb.Errorf("flash %+v does not name the written file", fl)
	}
	return img
}

// Enabled reports whether the short help of km offers key k (by its help text) now.
func Enabled(km interface{ ShortHelp() []key.Binding }, k string) bool {
	for _, b := range km.ShortHelp() {
		if b.Help().Key == k && b.Enabled() {
			return true
		}
	}
	return false
}
