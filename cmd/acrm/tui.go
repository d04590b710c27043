package main

import (
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/tui/app"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// runTUI opens the workbench on --db: full screen, mouse wheel on.
func runTUI(cmd *cobra.Command, _ []string) error {
	ws, err := openWorkspace(cmd.Context())
	if err != nil {
		return err
	}
	defer ws.Close()
	theme.ApplyEnv()
	m := app.New(services.New(ws), app.Options{})
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(cmd.Context()))
	go quitWhenTerminalGoes(p)
	_, err = p.Run()
	return err
}

// quitWhenTerminalGoes quits the program when its terminal hangs up (the window is closed,
// tmux is killed). Bubble Tea v1 stops reading at EOF but keeps running, which would leave
// an invisible process holding the workspace lock.
func quitWhenTerminalGoes(p *tea.Program) {
	fd := os.Stdin.Fd()
	if !term.IsTerminal(fd) {
		return
	}
	for range time.Tick(time.Second) {
		if !term.IsTerminal(fd) {
			p.Quit()
			return
		}
	}
}
