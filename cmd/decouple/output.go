package main

// Output: fixes written or shown, their summary, and the reports.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/report"
	"github.com/decouple-dev/decouple/internal/safefile"
	"github.com/decouple-dev/decouple/transform"
)

// applyFixes writes (or, with --diff, prints) the chosen fixes and drops
// the fixed findings from what is reported.
func applyFixes(c *cli.Context, res *lint.Result) (status int, changed bool, err error) {
	// Every file the plan changes or creates is checked before anything
	// is written (or shown as a diff): a plan with a broken file is
	// refused whole.
	plan, err := lint.PlanVerified(res.WS.Cwd, res.Diagnostics, c.Bool("unsafe-fixes"), lint.VerifierFor(res.WS))
	if err != nil {
		return exitError, false, fmt.Errorf("no file was changed: %w", err)
	}
	changed, err = lint.Emit(c.App.Writer, res.WS.Cwd, plan.Changes, c.Bool("diff"))
	if err != nil {
		return exitError, false, fmt.Errorf("no file was changed: %w", err)
	}
	if c.Bool("diff") {
		if changed {
			return exitFindings, false, nil
		}
		return exitOK, false, nil
	}
	if !changed {
		return exitOK, false, nil
	}
	printFixSummary(c.App.ErrWriter, plan, res.Diagnostics)
	if c.Bool("exit-non-zero-on-fix") {
		return exitFindings, true, nil
	}
	return exitOK, true, nil
}

// printFixSummary tells what --fix did: the files written, what each fix
// did, what was left for --unsafe-fixes, what was refused and why, and how
// to roll out a split.
func printFixSummary(w io.Writer, plan *lint.FixPlan, remaining []analysis.Diagnostic) {
	fmt.Fprintf(w, "decouple: fixed %d finding(s) in %d file(s):\n", len(plan.Applied), len(plan.Changes))
	for _, ch := range plan.Changes {
		verb := "changed"
		if !ch.Exists {
			verb = "created"
		}
		fmt.Fprintf(w, "  %s %s\n", verb, ch.Path)
	}
	// One line per fix: findings that share one (a service that runs
	// another's build, services that merge one x- extension's build:)
	// carry it as one object or as equal copies.
	said := map[string]bool{}
	// One rollout command per project, as its -f arguments select it.
	type rollout struct {
		project         string
		files, services []string
	}
	var rollouts []*rollout
	for _, d := range plan.Applied {
		key := d.Rule.Code + "\x00" + d.Fix.Message
		for _, e := range d.Fix.Edits {
			key += "\x00" + e.File
		}
		if said[key] {
			continue
		}
		said[key] = true
		fmt.Fprintf(w, "  %s %s: %s\n", d.Rule.Code, d.Pos, d.Fix.Message)
		if len(d.Fix.Renew) == 0 {
			continue
		}
		i := slices.IndexFunc(rollouts, func(r *rollout) bool {
			return r.project == d.Fix.RenewProject && slices.Equal(r.files, d.Fix.RenewFiles)
		})
		if i < 0 {
			rollouts = append(rollouts, &rollout{project: d.Fix.RenewProject, files: d.Fix.RenewFiles})
			i = len(rollouts) - 1
		}
		for _, name := range d.Fix.Renew {
			if !slices.Contains(rollouts[i].services, name) {
				rollouts[i].services = append(rollouts[i].services, name)
			}
		}
	}
	for _, d := range plan.Skipped {
		if d.Fix != nil && !d.Fix.Safe {
			fmt.Fprintf(w, "  not applied (needs --unsafe-fixes): %s %s: %s\n", d.Rule.Code, d.Pos, d.Fix.Message)
		} else {
			fmt.Fprintf(w, "  skipped (its edits overlap another fix; run --fix again if it is still reported): %s %s\n", d.Rule.Code, d.Pos)
		}
	}
	for _, d := range plan.Held {
		fmt.Fprintf(w, "  held back for the next --fix (applied first, it would leave %s): %s %s\n", plan.HeldWhy, d.Rule.Code, d.Pos)
	}
	for _, d := range remaining {
		if d.Fix == nil && d.FixRefused != "" {
			fmt.Fprintf(w, "  refused: %s %s: %s\n", d.Rule.Code, d.Pos, d.FixRefused)
		}
	}
	for _, r := range rollouts {
		fmt.Fprintf(w, "  roll out new code with %s: without -V (--renew-anon-volumes) Compose keeps the old code volume; naming the services keeps -V off the others' volumes\n", transform.RenewCommandIn(r.project, r.files, r.services))
	}
}

func writeReports(c *cli.Context, res *lint.Result, formats, outputs []string) error {
	in := report.Input{Diagnostics: res.Diagnostics, Version: version, Root: res.WS.Cwd, Rules: lint.Catalogue(), Files: res.Files,
		Source: func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(res.WS.Cwd, p)
			}
			if src, ok := res.WS.Source(p); ok {
				return src, nil
			}
			return safefile.Read(p, 0)
		}}
	for _, e := range res.WS.Errors {
		if !e.Fatal {
			// Notes say what could not be judged; they go to stderr so
			// that machine formats on stdout stay clean.
			fmt.Fprintf(c.App.ErrWriter, "decouple: note: %s\n", e)
			continue
		}
		in.Errors = append(in.Errors, report.FileError{Pos: analysis.Position{File: e.File, Line: e.Line}, Message: e.Msg})
	}
	for i, format := range formats {
		w := c.App.Writer
		color := false
		if i < len(outputs) && outputs[i] != "-" {
			f, err := os.Create(outputs[i])
			if err != nil {
				return err
			}
			if err := report.Write(f, format, in, report.Options{}); err != nil {
				_ = f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			continue
		}
		if format == "text" {
			color = useColor(c, w)
		}
		if c.Bool("diff") && format == "text" {
			continue // the diff is the output
		}
		if err := report.Write(w, format, in, report.Options{Color: color}); err != nil {
			return err
		}
	}
	return nil
}

func useColor(c *cli.Context, w io.Writer) bool {
	if c.Bool("no-color") || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
