package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/units"
)

func init() { rootCmd.AddCommand(newServeCmd()) }

func newServeCmd() *cobra.Command {
	var addr, token, cpuProfile string
	index := true
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--token T]",
		Short: "Serve live next best offers over HTTP (the same decisions as acrm nbo and the Offers screen)",
		Long: `Serve one customer's live offers to other channels (web, IVR, a call-centre system):

  GET  /v1/customers/{id}/offers[?channel=C]  ranked offers, reasons and decision trace
  POST /v1/customers/{id}/offers              the same with live facts: {"facts": {"locations": 2}, "channel": "phone"}
  POST /v1/outcomes                           {"customer_id": 16, "product_id": 7, "channel": "phone", "outcome": "declined"}
  GET  /healthz   GET /metrics (Prometheus text)   GET /openapi.json

The JSON is acrm nbo --format json's. Bad input is a 4xx with {"error": …} and writes nothing;
bodies over 1 MB are refused (413). Loopback by default; bound to any other address it refuses
to start without --token, and then every route but /healthz needs "Authorization: Bearer T".
SIGTERM or ctrl+c stops it gracefully (requests in flight finish, then the workspace closes).

At start serve reads every customer into memory (the customer view, contacts, opt-outs, planned
offers, segments: about 300 MB for 1,000,000 customers), so a request costs no query; an outcome
recorded through serve makes its customer read from the workspace from then on, so the cap and
cool-down apply at once. --index=false skips that and reads each customer per request.

One process owns a workspace: DuckDB lets one process write a file. While acrm serve runs,
acrm (the workbench) or acrm nbo on the same --db stops at once with "workspace is locked by
another process"; record outcomes through POST /v1/outcomes meanwhile, or stop serve first.
Nothing waits and nothing is lost: an outcome is either committed by the one writer or refused.

  acrm serve --db acrm.duckdb
  curl -s localhost:8080/v1/customers/16/offers
  curl -s -d '{"facts": {"locations": 3}}' localhost:8080/v1/customers/16/offers`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return fmt.Errorf("serve: --addr %q: want host:port (%v)", addr, err)
			}
			if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
				return fmt.Errorf("serve: --addr %s: port %q out of range; expected 0 to 65,535 (0 = any free port)", addr, port)
			}
			if !loopbackHost(host) && token == "" {
				return fmt.Errorf("serve: --addr %s is not a loopback address: refusing to start without --token (clients then send Authorization: Bearer <token>)", addr)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			l, err := nbo.NewLive(ctx, ws)
			if err != nil {
				return err
			}
			if index {
				bar := newTermProgress(cmd.ErrOrStderr())
				st, err := l.BuildIndex(ctx, bar.update)
				bar.done()
				if err != nil {
					return fmt.Errorf("serve: %w", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "indexed %s customers and %s contacts in memory (%s MB) in %s\n", units.Int(int64(st.Customers)),
					units.Int(int64(st.Contacts)), units.Int(st.Bytes>>20), st.Took.Round(time.Millisecond))
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return fmt.Errorf("serve: --cpuprofile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("serve: --cpuprofile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			// A client that trickles its request or idles holds a connection at most this long.
			srv := &http.Server{Handler: nbo.NewServer(l, token).Handler(), ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(cmd.ErrOrStderr(), "serving live offers of %s on http://%s (scoring run %d, as of %s); SIGTERM or ctrl+c stops\n",
				ws.Path(), ln.Addr(), l.Scoring.RunID, l.At.Format("2006-01-02"))
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return fmt.Errorf("serve: %w", err)
			case <-ctx.Done():
			}
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				return fmt.Errorf("serve: shutdown: %w", err)
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serve: %w", err)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "host:port to listen on (loopback unless --token is given)")
	cmd.Flags().BoolVar(&index, "index", true, "read every customer into memory at start (answers in microseconds); --index=false reads each request's customer from the workspace")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the serving (after the index is built) to this file at shutdown (go tool pprof)")
	cmd.Flags().StringVar(&token, "token", "", "bearer token every request but /healthz must send (required off loopback)")
	return cmd
}

// loopbackHost reports whether host names only this machine ("" — every interface — does not).
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
