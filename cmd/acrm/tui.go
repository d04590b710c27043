package main

import (
	tea "github.com/charmbracelet/bubbletea"
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
	_, err = p.Run()
	return err
}
