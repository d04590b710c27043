package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts/deck"
)

func init() { rootCmd.AddCommand(newSimulateCmd()) }

// scenarioFlags are shared by every computing simulate subcommand: --save NAME stores the
// inputs and results in acrm_scenarios.
type scenarioFlags struct {
	save    string
	replace bool
}

func (s *scenarioFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.save, "save", "", "save inputs and results as scenario `NAME` in the workspace")
	cmd.Flags().BoolVar(&s.replace, "replace", false, "with --save: overwrite a scenario of the same name")
}

// store saves the scenario when --save was given.
func (s *scenarioFlags) store(cmd *cobra.Command, kind string, inputs, results any) error {
	if s.save == "" {
		return nil
	}
	sc, err := sim.NewScenario(s.save, kind, inputs, results)
	if err != nil {
		return err
	}
	ws, err := openWorkspace(cmd.Context())
	if err != nil {
		return err
	}
	defer ws.Close()
	if err := sim.SaveScenario(cmd.Context(), ws, sc, s.replace); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "\nsaved scenario %q (%s) in %s\n", sc.Name, kind, ws.Path())
	return nil
}

// outboundFlags are the inputs of a mass and a model-targeted outbound campaign, shared
// by acrm simulate roi and acrm chart roi.
type outboundFlags struct {
	mass, tg sim.Outbound
}

func (o *outboundFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Float64Var(&o.mass.Volume, "volume", 0, "contacts (mailings) of the mass campaign")
	f.Float64Var(&o.mass.Conversion, "conversion", 0, "conversion of the mass campaign, 0–1 (0.015 = 1.5 %)")
	f.Float64Var(&o.mass.Profit, "profit", 0, "profit per contract over its horizon")
	f.Float64Var(&o.mass.CostPerContact, "cost", 0, "cost per contact")
	f.Float64Var(&o.mass.FixedCost, "fixed", 0, "fixed campaign cost")
	f.Float64Var(&o.tg.Volume, "targeted-volume", 0, "contacts of the model-targeted campaign")
	f.Float64Var(&o.tg.Conversion, "targeted-conversion", 0, "conversion of the model-targeted campaign, 0–1")
	f.Float64Var(&o.tg.Profit, "targeted-profit", 0, "profit per contract of the targeted campaign (default --profit)")
	f.Float64Var(&o.tg.CostPerContact, "targeted-cost", 0, "cost per contact of the targeted campaign (default --cost)")
	f.Float64Var(&o.tg.FixedCost, "targeted-fixed", 0, "fixed cost of the targeted campaign (default --fixed)")
}

// check says which required mass input is missing, prefixed with the command's name, and
// whether a targeted campaign was given.
func (o *outboundFlags) check(cmd *cobra.Command, name string) (targeted bool, err error) {
	f := cmd.Flags()
	for _, flag := range []string{"volume", "conversion", "profit"} {
		if !f.Changed(flag) {
			return false, fmt.Errorf("%s: --%s is required", name, flag)
		}
	}
	return f.Changed("targeted-volume") || f.Changed("targeted-conversion") || f.Changed("targeted-profit"), nil
}

// defaultTargeted gives every targeted input that was not set the mass campaign's value.
func (o *outboundFlags) defaultTargeted(cmd *cobra.Command) {
	f := cmd.Flags()
	for _, d := range []struct {
		flag     string
		dst, src *float64
	}{
		{"targeted-volume", &o.tg.Volume, &o.mass.Volume}, {"targeted-conversion", &o.tg.Conversion, &o.mass.Conversion},
		{"targeted-profit", &o.tg.Profit, &o.mass.Profit}, {"targeted-cost", &o.tg.CostPerContact, &o.mass.CostPerContact},
		{"targeted-fixed", &o.tg.FixedCost, &o.mass.FixedCost},
	} {
		if !f.Changed(d.flag) {
			*d.dst = *d.src
		}
	}
}

func newSimulateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Campaign ROI, profit curves, the inbound opportunity and contact-frequency what-ifs",
		Long: `simulate argues with money:
  roi        mass against model-targeted outbound campaigns
  profit     net profit over selection depth, with the optimum and break-even
  inbound    offers made on inbound contacts (call centre, web)
  frequency  response, revenue and opt-outs against contacts per period, and a what-if
  save/list/compare/delete  scenarios kept in the workspace`,
	}
	cmd.AddCommand(newSimROICmd(), newSimProfitCmd(), newSimInboundCmd(), newSimFrequencyCmd(),
		newSimSaveCmd(), newSimListCmd(), newSimCompareCmd(), newSimDeleteCmd())
	return cmd
}

func newSimROICmd() *cobra.Command {
	var ob outboundFlags
	var modelRef string
	var base float64
	var sc scenarioFlags
	cmd := &cobra.Command{
		Use:   "roi --volume N --conversion P --profit M",
		Short: "Outbound campaign: contracts, profit and ROI; mass against model-targeted side by side",
		Example: `  acrm simulate roi --volume 150000 --conversion 0.015 --profit 3000 \
      --targeted-volume 100000 --targeted-conversion 0.025 --targeted-profit 3500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			targeted, err := ob.check(cmd, "simulate roi")
			if err != nil {
				return err
			}
			mass, tg := &ob.mass, &ob.tg
			out := cmd.OutOrStdout()
			if !targeted && modelRef == "" {
				r, err := mass.Calculate()
				if err != nil {
					return fmt.Errorf("simulate roi: %w", err)
				}
				fmt.Fprint(out, "Outbound campaign\n\n"+r.Text())
				return sc.store(cmd, sim.KindROI, map[string]any{"mass": *mass}, map[string]any{"mass": r})
			}
			// Unset targeted inputs default to the mass campaign's; with --model the
			// conversion comes from the model's gains curve instead.
			ob.defaultTargeted(cmd)
			note := ""
			if !cmd.Flags().Changed("targeted-conversion") && modelRef != "" {
				c, n, err := conversionFromModel(cmd, modelRef, base, tg.Volume, mass.Conversion)
				if err != nil {
					return fmt.Errorf("simulate roi: %w", err)
				}
				tg.Conversion = c
				note = n
			}
			c, err := sim.CompareOutbound(*mass, *tg)
			if err != nil {
				return fmt.Errorf("simulate roi: %w", err)
			}
			fmt.Fprint(out, "Outbound campaign: mass against model-targeted\n\n"+c.Text())
			if note != "" {
				fmt.Fprintln(out, "\n"+note)
			}
			return sc.store(cmd, sim.KindROI, map[string]any{"mass": *mass, "targeted": *tg, "model": modelRef}, c)
		},
	}
	ob.register(cmd)
	f := cmd.Flags()
	f.StringVar(&modelRef, "model", "", "read the targeted conversion from this model's holdout gains curve (model id or name in acrm_models)")
	f.Float64Var(&base, "base", 0, "with --model: customers the targeted campaign selects from (default: customers in the workspace)")
	sc.register(cmd)
	return cmd
}

// parseGains parses "0.1:0.35,0.2:0.55" (depth:gain pairs, shares or percentages).
func parseGains(s string) ([]sim.GainPoint, error) {
	var out []sim.GainPoint
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		d, g, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("--gains item %d %q: want depth:gain, e.g. 0.1:0.35", i+1, part)
		}
		dv, err1 := parseShare(d)
		gv, err2 := parseShare(g)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("--gains item %d %q: %w", i+1, part, err)
		}
		out = append(out, sim.GainPoint{Depth: dv, Gain: gv})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--gains: no points given")
	}
	return out, nil
}

// parseShare reads 0.35 or 35%.
func parseShare(s string) (float64, error) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if pct {
		v /= 100
	}
	return v, nil
}

func newSimProfitCmd() *cobra.Command {
	var in sim.ProfitInput
	var gains, modelRef string
	var step float64
	var sc scenarioFlags
	cmd := &cobra.Command{
		Use:   "profit --base N --response P --profit M [--gains d:g,...]",
		Short: "Net profit over selection depth (0–100 % of the base) with the optimum and break-even",
		Long: `profit computes the campaign at every selection depth. With --gains the base is ranked by a
model's score: the gains curve says which share of all responders the top d of the base holds
(from a trained model's holdout gains). Without it the selection is random (a mass mailing).`,
		Example: `  acrm simulate profit --base 100000 --response 0.015 --profit 3000 --cost 12 --fixed 25000 \
      --gains 0.1:0.35,0.2:0.55,0.3:0.68,0.5:0.85`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			if modelRef == "" {
				for _, name := range []string{"base", "response", "profit"} {
					if !f.Changed(name) {
						return fmt.Errorf("simulate profit: --%s is required (or --model NAME, which reads them from the model's product)", name)
					}
				}
			}
			if gains != "" && modelRef != "" {
				return fmt.Errorf("simulate profit: give --gains or --model, not both")
			}
			if modelRef != "" {
				// As the Simulate screen does: base, response, profit and cost per contact
				// from the model's product economics; flags given explicitly win.
				err := withSource(cmd, func(src *deck.Source) error {
					ctx := cmd.Context()
					models, err := src.Models(ctx)
					if err != nil {
						return err
					}
					m, err := deck.Resolve(models, modelRef)
					if err != nil {
						return fmt.Errorf("--model %s: %w", modelRef, err)
					}
					e, err := src.ProductEconomics(ctx, m.ProductID)
					if err != nil {
						if f.Changed("base") && f.Changed("response") && f.Changed("profit") {
							// the economics were given: only the gains come from the model
							mg, gerr := sim.LoadModelGains(ctx, src.WS, modelRef)
							if gerr != nil {
								return gerr
							}
							in.Gains = mg.Gains
							fmt.Fprintf(cmd.OutOrStdout(), "gains curve: holdout of %s (AUC %.3f)\n", mg.ModelID, mg.AUC)
							return nil
						}
						return fmt.Errorf("--model %s: %w (give --base, --response and --profit)", modelRef, err)
					}
					d := deck.ProfitInput(e, m)
					if !f.Changed("base") {
						in.Base = d.Base
					}
					if !f.Changed("response") {
						in.ResponseRate = d.ResponseRate
					}
					if !f.Changed("profit") {
						in.Profit = d.Profit
					}
					if !f.Changed("cost") {
						in.CostPerContact = d.CostPerContact
					}
					in.Gains = d.Gains
					fmt.Fprintf(cmd.OutOrStdout(), "model %s: gains from its holdout (AUC %.3f); base %s eligible customers, response %s, profit %s, cost per contact %.2f (from the product unless given)\n",
						m.ModelID, m.Metrics.AUC, sim.FormatCount(in.Base), sim.FormatPercent(in.ResponseRate), sim.FormatCount(in.Profit), in.CostPerContact)
					return nil
				})
				if err != nil {
					return fmt.Errorf("simulate profit: %w", err)
				}
			}
			if gains != "" {
				g, err := parseGains(gains)
				if err != nil {
					return fmt.Errorf("simulate profit: %w", err)
				}
				in.Gains = g
			}
			c, err := in.Curve()
			if err != nil {
				return fmt.Errorf("simulate profit: %w", err)
			}
			fmt.Fprint(cmd.OutOrStdout(), c.Text(step))
			return sc.store(cmd, sim.KindProfit, map[string]any{"input": in, "model": modelRef}, c)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&in.Base, "base", 0, "customers that could be selected")
	f.Float64Var(&in.ResponseRate, "response", 0, "conversion if the whole base were contacted, 0–1")
	f.Float64Var(&in.Profit, "profit", 0, "profit per contract over its horizon")
	f.Float64Var(&in.CostPerContact, "cost", 0, "cost per contact")
	f.Float64Var(&in.FixedCost, "fixed", 0, "fixed campaign cost")
	f.StringVar(&gains, "gains", "", "cumulative gains curve as depth:gain pairs, e.g. 0.1:0.35,0.2:0.55 (default: random selection)")
	f.StringVar(&modelRef, "model", "", "use this model's holdout gains curve (model id or name in acrm_models)")
	f.Float64Var(&step, "step", 0.1, "depth step of the printed table (the optimum and break-even rows are always shown)")
	sc.register(cmd)
	return cmd
}

func newSimInboundCmd() *cobra.Command {
	var in sim.Inbound
	var modelRef string
	var threshold float64
	var sc scenarioFlags
	cmd := &cobra.Command{
		Use:     "inbound --contacts N --interesting P --close P --margin M",
		Short:   "Offers on inbound contacts: contacts × share worth an offer × close rate × margin",
		Example: `  acrm simulate inbound --contacts 100000 --interesting 0.05 --close 0.10 --margin 3500`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			required := []string{"contacts", "interesting", "close", "margin"}
			note := ""
			if modelRef != "" {
				// The live-scoring hook: the interesting share and close rate follow from the
				// model's scores and the threshold an agent gets an offer at.
				if f.Changed("interesting") || f.Changed("close") {
					return fmt.Errorf("simulate inbound: with --model the interesting share and close rate come from the scores; drop --interesting/--close")
				}
				if !f.Changed("threshold") {
					return fmt.Errorf("simulate inbound: --model needs --threshold (the live-scoring score an offer is made at)")
				}
				ws, err := openWorkspace(cmd.Context())
				if err != nil {
					return err
				}
				i, c, n, err := sim.InboundFromModel(cmd.Context(), ws, modelRef, threshold)
				if err != nil {
					ws.Close()
					return fmt.Errorf("simulate inbound: %w", err)
				}
				in.Interesting, in.Close = i, c
				// contacts and margin from the workspace unless given: inbound contacts a month
				// over the last 12 months of history, the model's product margin.
				derived, err := inboundDefaults(cmd.Context(), ws, modelRef, !f.Changed("contacts"), !f.Changed("margin"), &in)
				ws.Close()
				if err != nil {
					return fmt.Errorf("simulate inbound: %w", err)
				}
				required = nil
				note = derived + fmt.Sprintf("interesting share and close rate from %s: %s of %s scored customers score ≥ %.3f;\n"+
					"close rate = their mean calibrated score %s (a look-alike score stands in for the chance an offer closes)\n\n",
					modelRef, sim.FormatPercent(i), sim.FormatCount(float64(n)), threshold, sim.FormatPercent(c))
			}
			for _, name := range required {
				if !f.Changed(name) {
					return fmt.Errorf("simulate inbound: --%s is required", name)
				}
			}
			r, err := in.Calculate()
			if err != nil {
				return fmt.Errorf("simulate inbound: %w", err)
			}
			fmt.Fprint(cmd.OutOrStdout(), "Inbound opportunity (per month)\n\n"+note+r.Text())
			return sc.store(cmd, sim.KindInbound, in, r)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&in.Contacts, "contacts", 0, "inbound contacts per month")
	f.Float64Var(&in.Interesting, "interesting", 0, "share of contacts worth an offer, 0–1")
	f.Float64Var(&in.Close, "close", 0, "share of offers that close, 0–1")
	f.Float64Var(&in.Margin, "margin", 0, "profit per contract over its horizon")
	f.StringVar(&modelRef, "model", "", "derive --interesting and --close from this model's scores in acrm_scores")
	f.Float64Var(&threshold, "threshold", 0, "with --model: the score at or above which an agent makes the offer")
	sc.register(cmd)
	return cmd
}

func newSimSaveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "save NAME roi|profit|inbound|frequency [flags of that command]",
		Short: "Run a simulation and save it as a named scenario",
		Example: `  acrm simulate save mass-vs-model roi --volume 150000 --conversion 0.015 --profit 3000 \
      --targeted-volume 100000 --targeted-conversion 0.025 --targeted-profit 3500`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flags are parsed by the kind's own command; --db may appear anywhere.
			var rest []string
			for i := 0; i < len(args); i++ {
				a := args[i]
				if a == "-h" || a == "--help" {
					return cmd.Help()
				}
				if a == "--db" && i+1 < len(args) {
					dbPath = args[i+1]
					i++
					continue
				}
				if v, ok := strings.CutPrefix(a, "--db="); ok {
					dbPath = v
					continue
				}
				rest = append(rest, a)
			}
			if len(rest) < 2 {
				return fmt.Errorf("simulate save: want NAME and a kind (roi, profit, inbound or frequency), e.g. acrm simulate save plan-a roi --volume …")
			}
			name, kind := rest[0], rest[1]
			var sub *cobra.Command
			for _, c := range cmd.Parent().Commands() {
				if c.Name() == kind && c.Flags().Lookup("save") != nil {
					sub = c
				}
			}
			if sub == nil {
				return fmt.Errorf("simulate save: unknown kind %q (want roi, profit, inbound or frequency)", kind)
			}
			if err := sub.ParseFlags(append(rest[2:], "--save", name)); err != nil {
				return fmt.Errorf("simulate save %s: %w", kind, err)
			}
			if err := checkFlagRanges(sub); err != nil {
				return err
			}
			sub.SetContext(cmd.Context())
			sub.SetOut(cmd.OutOrStdout())
			return sub.RunE(sub, sub.Flags().Args())
		},
	}
}

func newSimListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the scenarios saved in the workspace",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			list, err := sim.ListScenarios(cmd.Context(), ws)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), sim.ListText(list))
			return nil
		},
	}
}

func newSimCompareCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compare A B",
		Short: "Compare two saved scenarios side by side (inputs, results and differences B − A)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			a, err := sim.GetScenario(cmd.Context(), ws, args[0])
			if err != nil {
				return err
			}
			b, err := sim.GetScenario(cmd.Context(), ws, args[1])
			if err != nil {
				return err
			}
			rows, err := sim.CompareScenarios(a, b)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), sim.ComparisonText(a, b, rows))
			return nil
		},
	}
}

func newSimDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a saved scenario",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			if err := sim.DeleteScenario(cmd.Context(), ws, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted scenario %q\n", args[0])
			return nil
		},
	}
}

func newSimFrequencyCmd() *cobra.Command {
	var segment, period string
	var from, to, boot int
	var seed uint64
	var detail bool
	var sc scenarioFlags
	cmd := &cobra.Command{
		Use:   "frequency --segment S [--from K --to K] [--period 6m]",
		Short: "Response, revenue and opt-outs against contacts per period, the fitted optimum, and a what-if",
		Long: `frequency reads the contact history of a segment and measures response, revenue and opt-outs
against the number of offers a customer gets, with bootstrap confidence intervals. It fits a
rise–saturation–fatigue curve r(n) = A·n^C·exp(−n/B) to the response per offer against offers in
the last 12 months and reports its optimum. With --from and --to it tells what moving the
segment from --from to --to offers per period gives: extra contracts, revenue and opt-outs.

--segment is a saved segment (acrm_segments) or a built-in value segment: top (highest 10 %),
middle (next 40 %), low (the rest), ranked by monthly revenue or by expected value as acrm
segments basis says (the output names it); all = every customer. When the history has randomized frequency cells (campaigns with
selection 'frequency') the curve is estimated on them; otherwise the output says it is only
observational.`,
		Example: `  acrm simulate frequency --db acrm.duckdb --segment top --from 3 --to 4
  acrm simulate frequency --segment low --period 3m --detail`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			months, err := sim.ParsePeriod(period)
			if err != nil {
				return fmt.Errorf("simulate frequency: --period: %w", err)
			}
			f := cmd.Flags()
			whatIf := f.Changed("from") || f.Changed("to")
			if whatIf && !(f.Changed("from") && f.Changed("to")) {
				return fmt.Errorf("simulate frequency: give both --from and --to (offers per %s now and in the what-if)", sim.PeriodName(months))
			}
			names := strings.Split(segment, ",")
			if len(names) > 1 && sc.save != "" {
				// Refused before anything is computed or printed.
				return fmt.Errorf("simulate frequency: --save takes one segment, not %d (%s)", len(names), segment)
			}
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			out := cmd.OutOrStdout()
			if len(names) > 1 {
				// Several segments side by side.
				var fs []*sim.Frequency
				for _, name := range names {
					bar, report := simProgress()
					fr, err := sim.LoadFrequency(ctx, ws, sim.FrequencyOptions{Segment: strings.TrimSpace(name), PeriodMonths: months, Boot: boot, Seed: seed, Report: report})
					bar.done()
					if err != nil {
						return err
					}
					fs = append(fs, fr)
				}
				if !whatIf {
					from, to = 0, 0
				}
				txt, err := sim.SegmentsText(fs, from, to)
				if err != nil {
					return err
				}
				fmt.Fprint(out, txt)
				return nil
			}
			bar, report := simProgress()
			fr, err := sim.LoadFrequency(ctx, ws, sim.FrequencyOptions{Segment: segment, PeriodMonths: months, Boot: boot, Seed: seed, Report: report})
			bar.done()
			if err != nil {
				return err
			}
			inputs := map[string]any{"segment": fr.Segment.Name, "period": period, "boot": boot, "seed": seed}
			if !whatIf {
				fmt.Fprint(out, fr.Text())
				return sc.store(cmd, sim.KindFrequency, inputs, map[string]any{
					"segment": fr.Segment, "randomized": fr.Randomized, "peak": fr.Peak, "best_per_period": fr.BestPerPeriod,
					"curve": fr.Curve, "opt_out_curve": fr.OptOut, "per_period": fr.PerPeriod})
			}
			w, err := fr.WhatIf(from, to)
			if err != nil {
				return err
			}
			if detail {
				fmt.Fprintln(out, fr.Text())
			}
			fmt.Fprint(out, w.Text())
			if fr.Curve.C > 0 {
				fmt.Fprintf(out, "response curve optimum: %.1f offers a year (95 %% CI %.1f … %.1f); most contracts at %.1f per %s\n",
					fr.Peak.Estimate, fr.Peak.Lo, fr.Peak.Hi, fr.BestPerPeriod.Estimate, sim.PeriodName(months))
			}
			inputs["from"], inputs["to"] = from, to
			return sc.store(cmd, sim.KindFrequency, inputs, w)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&segment, "segment", "all", "saved segment name, or top, middle, low, all; several separated by commas to compare them")
	fl.StringVar(&period, "period", "6m", "period the offers are counted in: 3m, 6m or 12m")
	fl.IntVar(&from, "from", 0, "offers per period now")
	fl.IntVar(&to, "to", 0, "offers per period in the what-if")
	fl.IntVar(&boot, "boot", sim.DefaultBoot, "bootstrap resamples of customers for the 95 % intervals")
	fl.Uint64Var(&seed, "seed", sim.DefaultSeed, "bootstrap seed")
	fl.BoolVar(&detail, "detail", false, "with --from/--to: also print the response tables")
	sc.register(cmd)
	return cmd
}

// simProgress is the terminal progress line of the frequency analysis.
func simProgress() (*termProgress, func(sim.Progress)) {
	bar := newTermProgress(os.Stderr)
	return bar, bar.update
}

// conversionFromModel reads the targeted conversion at a volume from a model's gains curve:
// the top volume/base of the base holds G(volume/base) of the responders of a random mailing
// converting at rate.
func conversionFromModel(cmd *cobra.Command, ref string, base, volume, rate float64) (float64, string, error) {
	ctx := cmd.Context()
	ws, err := openWorkspace(ctx)
	if err != nil {
		return 0, "", err
	}
	defer ws.Close()
	mg, err := sim.LoadModelGains(ctx, ws, ref)
	if err != nil {
		return 0, "", err
	}
	if base == 0 {
		n, err := datamart.CustomerCount(ctx, ws)
		if err != nil {
			return 0, "", fmt.Errorf("count customers for --base: %w", err)
		}
		base = float64(n)
	}
	c, err := sim.TargetedConversion(mg.Gains, base, volume, rate)
	if err != nil {
		return 0, "", err
	}
	return c, fmt.Sprintf("targeted conversion %s from %s's holdout gains (AUC %.3f): the top %.1f %% of %s customers", sim.FormatPercent(c),
		mg.ModelID, mg.AUC, 100*volume/base, sim.FormatCount(base)), nil
}

// inboundDefaults fills in.Contacts (inbound contacts a month over the 12 months up to the
// latest contact) and in.Margin (the margin of the model's product) where asked, and says
// what it used.
func inboundDefaults(ctx context.Context, ws *workspace.Workspace, modelRef string, contacts, margin bool, in *sim.Inbound) (string, error) {
	var note string
	if contacts {
		n, err := sim.InboundContactsPerMonth(ctx, ws)
		if err != nil {
			return "", fmt.Errorf("--contacts: not given and no inbound contacts in the workspace's history to count (%v)", err)
		}
		in.Contacts = math.Round(n)
		note += fmt.Sprintf("contacts: %s inbound contacts a month (the last 12 months of history)\n", sim.FormatCount(in.Contacts))
	}
	if margin {
		m, err := sim.ModelMargin(ctx, ws, modelRef)
		if err != nil {
			return "", fmt.Errorf("--margin: not given and model %s has no product margin to use", modelRef)
		}
		in.Margin = m
		note += fmt.Sprintf("margin: %s, the product's margin over its horizon\n", sim.FormatCount(in.Margin))
	}
	if note != "" {
		note += "\n"
	}
	return note, nil
}
