// Command acrm is a terminal workbench for analytical CRM: one DuckDB workspace file, propensity
// profiles per product, next-best-offer scoring, campaign simulation and deck charts.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// dbPath is the global --db flag.
var dbPath string

var rootCmd = &cobra.Command{
	Use:   "acrm",
	Short: "acrm — a terminal workbench for analytical CRM",
	Long: `acrm loads CRM exports into one DuckDB workspace, profiles customers per product,
merges the profiles into next-best offers, simulates campaigns and exports deck charts.

Run without a subcommand to open the workbench (TUI) on --db.`,
	SilenceUsage:  true,
	SilenceErrors: true,
	RunE:          runTUI,
}

func init() {
	rootCmd.PersistentFlags().StringVar(&dbPath, "db", "acrm.duckdb", "workspace file (DuckDB); :memory: for a throw-away one")
	rootCmd.Version = version()
	rootCmd.SetVersionTemplate("acrm {{.Version}}\n")
}

// version is the module version go install recorded, else the VCS revision the binary was
// built from (with "+dirty" for local changes), else "(devel)".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := bi.Main.Version
	var rev, dirty, at string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		case "vcs.time":
			at = s.Value
		}
	}
	if v == "" || v == "(devel)" {
		v = "(devel)"
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			v = "devel " + rev + dirty
			if at != "" {
				v += " " + at
			}
		}
	}
	return v + " " + bi.GoVersion
}

// openWorkspace opens --db for a subcommand that reads a workspace: a missing file is an
// error, never a new empty workspace.
func openWorkspace(ctx context.Context) (*workspace.Workspace, error) {
	ws, err := workspace.OpenExisting(ctx, dbPath)
	if errors.Is(err, workspace.ErrNoWorkspace) {
		return nil, fmt.Errorf("no workspace at %s — `acrm sample --db %s` creates one", dbPath, dbPath)
	}
	reportRemoved(ws)
	return ws, err
}

// reportRemoved says on stderr which staging tables of a killed run opening removed.
func reportRemoved(ws *workspace.Workspace) {
	if ws == nil || len(ws.Removed()) == 0 {
		return
	}
	r := ws.Removed()
	fmt.Fprintf(os.Stderr, "acrm: removed %d staging table(s) left by an interrupted run: %s\n", len(r), strings.Join(r, ", "))
}

// createWorkspace opens --db, creating the workspace when the file does not exist: only
// acrm sample and acrm import make one.
func createWorkspace(ctx context.Context) (*workspace.Workspace, error) {
	ws, err := workspace.Open(ctx, dbPath)
	reportRemoved(ws)
	return ws, err
}

func main() {
	defer crashGuard()
	if limit, ok := goMemoryLimit(os.Getenv("GOMEMLIMIT")); ok {
		debug.SetMemoryLimit(limit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := rootCmd.ExecuteContext(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "acrm: cancelled")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "acrm:", userMessage(err))
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			os.Exit(ec.ExitCode()) // e.g. acrm monitor: a threshold crossed
		}
		os.Exit(1)
	}
}

// defaultGoMemoryLimit is the soft limit of Go's own heap, beside DuckDB's cap in a workspace
// (workspace.DefaultMemoryLimit, 4 GB): the collector runs more often as the heap nears it
// instead of letting garbage double a large live heap (training on a 1,000,000-row sample of
// ten million customers peaked at 9.3 GB without it). It is a soft limit: a larger live heap
// still fits, at the cost of more collection.
const defaultGoMemoryLimit = 4 << 30

// goMemoryLimit is the limit main sets on Go's heap: the default unless GOMEMLIMIT is set, in
// which case the runtime has already applied the user's value (ok false).
func goMemoryLimit(env string) (limit int64, ok bool) {
	if strings.TrimSpace(env) != "" {
		return 0, false
	}
	return defaultGoMemoryLimit, true
}

// internalPrefixes are package names errors start with inside acrm; a user never typed them.
var internalPrefixes = []string{"sampledata: ", "profiles: ", "workspace: ", "features: ", "sim: ", "deck: ", "nbo: ", "monitor: ", "model: "}

// userMessage is err's text without the leading package names ("sampledata: x.duckdb: …"
// → "x.duckdb: …"), so an error names what the user typed, not where the code sits.
func userMessage(err error) string {
	msg := err.Error()
	for again := true; again; {
		again = false
		for _, p := range internalPrefixes {
			if strings.HasPrefix(msg, p) {
				msg, again = strings.TrimPrefix(msg, p), true
			}
		}
	}
	return msg
}
