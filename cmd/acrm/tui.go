package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// runTUI opens the workbench. Placeholder until tui/ lands.
func runTUI(cmd *cobra.Command, _ []string) error {
	ws, err := openWorkspace(cmd.Context())
	if err != nil {
		return err
	}
	defer ws.Close()
	fmt.Fprintf(cmd.OutOrStdout(), "acrm workspace %s opened; the TUI is not built yet\n", ws.Path())
	return nil
}
