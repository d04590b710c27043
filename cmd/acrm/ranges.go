package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/sim"
)

// span is the allowed range of a numeric flag. zero also allows 0 (the flag's "off" or
// "automatic" value) below min.
type span struct {
	min, max float64
	zero     bool
}

func (s span) String() string {
	r := num(s.min) + " to " + num(s.max)
	if s.zero {
		r = "0 or " + r
	}
	return r
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return thousands(int64(v))
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// flagRanges bounds every numeric flag of every command, by flag name; a key of the form
// "command path/flag" (e.g. "acrm chart deck/products") overrides the name for one
// command. checkFlagRanges refuses a value outside its range before the command does any
// work, naming the flag and the range. A numeric flag added without a range here fails
// TestEveryNumericFlagHasARange.
var flagRanges = map[string]span{
	"boot":        {min: 1, max: 10_000},
	"folds":       {min: 2, max: 20, zero: true},
	"sample-rows": {min: 100, max: profiles.MaxSampleRows, zero: true},
	"parallel":    {min: 1, max: 256, zero: true},
	"workers":     {min: 1, max: 256},
	"max-rows":    {min: 1, max: 10_000_000},
	"step":        {min: 0.001, max: 1},
	"products":    {min: 1, max: 100},
	"customers":   {min: 1, max: 50_000_000},
	"campaign":    {min: 1, max: math.MaxInt32},
	"product":     {min: 1, max: math.MaxInt32, zero: true},
	"from":        {min: 0, max: 1_000},
	"to":          {min: 0, max: 1_000},
	"threshold":   {min: 0, max: 1},
	"seed":        {min: 0, max: math.MaxUint64},
	// select / plan
	"size":    {min: 1, max: 100_000_000},
	"budget":  {min: 0.01, max: sim.MaxAmount},
	"control": {min: 0, max: 0.5},
	"weeks":   {min: 1, max: 520},
	// simulate roi / profit / inbound: shares 0–1, counts and money 0 to sim.MaxAmount.
	"conversion":          {min: 0, max: 1},
	"targeted-conversion": {min: 0, max: 1},
	"response":            {min: 0, max: 1},
	"interesting":         {min: 0, max: 1},
	"close":               {min: 0, max: 1},
	"volume":              {min: 0, max: sim.MaxAmount},
	"targeted-volume":     {min: 0, max: sim.MaxAmount},
	"profit":              {min: 0, max: sim.MaxAmount},
	"targeted-profit":     {min: 0, max: sim.MaxAmount},
	"cost":                {min: 0, max: sim.MaxAmount},
	"targeted-cost":       {min: 0, max: sim.MaxAmount},
	"fixed":               {min: 0, max: sim.MaxAmount},
	"targeted-fixed":      {min: 0, max: sim.MaxAmount},
	"base":                {min: 0, max: sim.MaxAmount},
	"contacts":            {min: 0, max: sim.MaxAmount},
	"margin":              {min: 0, max: sim.MaxAmount},
	// monitor
	"acrm monitor/campaign": {min: 1, max: math.MaxInt32, zero: true},
	"follow-days":           {min: 0, max: 3650},
	"psi-moved":             {min: 0.001, max: 10},
	"psi-shifted":           {min: 0.001, max: 10},
	"drift-rows":            {min: 1, max: 100_000, zero: true},
	"organic":               {min: 0.01, max: 100, zero: true},
}

func init() {
	rootCmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return checkFlagRanges(cmd) }
}

// numericFlag reports whether a flag holds a number.
func numericFlag(f *pflag.Flag) bool {
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return true
	}
	return false
}

// rangeOf is the range of flag name on cmd.
func rangeOf(cmd *cobra.Command, name string) (span, bool) {
	if s, ok := flagRanges[cmd.CommandPath()+"/"+name]; ok {
		return s, true
	}
	s, ok := flagRanges[name]
	return s, ok
}

// checkFlagRanges checks every numeric flag the user set on cmd against its range.
func checkFlagRanges(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || !f.Changed || !numericFlag(f) {
			return
		}
		s, ok := rangeOf(cmd, f.Name)
		if !ok {
			err = fmt.Errorf("--%s: no range is declared for this flag (a bug in acrm)", f.Name)
			return
		}
		raw := f.Value.String()
		v, perr := strconv.ParseFloat(raw, 64)
		switch {
		case perr != nil && !strings.Contains(perr.Error(), "range"):
			err = fmt.Errorf("--%s %s: not a number; expected %s", f.Name, raw, s)
		case math.IsNaN(v):
			err = fmt.Errorf("--%s %s: not a number; expected %s", f.Name, raw, s)
		case v == 0 && s.zero:
		case v < s.min || v > s.max:
			err = fmt.Errorf("--%s %s: out of range; expected %s", f.Name, raw, s)
		}
	})
	return err
}
