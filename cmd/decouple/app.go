package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/report"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit statuses, as documented in the README.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// exitCode carries a status out of an urfave/cli action.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func lintFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "fix", Usage: "apply fixes that keep behaviour"},
		&cli.BoolFlag{Name: "unsafe-fixes", Usage: "with --fix or --diff, also apply fixes that may change behaviour"},
		&cli.BoolFlag{Name: "diff", Usage: "print the fixes as a unified diff and write nothing"},
		&cli.BoolFlag{Name: "exit-non-zero-on-fix", Usage: "with --fix, exit 1 when a file was changed"},
		&cli.StringSliceFlag{Name: "format", Value: cli.NewStringSlice("text"), Usage: "output format: " + strings.Join(report.Formats(), ", ") + " (repeatable, paired with --output)"},
		&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of standard output (repeatable)"},
		&cli.StringFlag{Name: "fail-on", Value: "warning", Usage: "lowest severity that makes the exit status 1: error, warning, info or never"},
		&cli.StringSliceFlag{Name: "select", Usage: "only run these rules (codes or names, comma-separated)"},
		&cli.StringSliceFlag{Name: "ignore", Usage: "do not run these rules"},
		&cli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, Usage: "compose `FILE`s to combine into one project, as docker compose -f does"},
		&cli.StringSliceFlag{Name: "node-image", Usage: "extra image names to treat as Node runtimes (company base images)"},
		&cli.StringFlag{Name: "strategy", Value: "build", Usage: "how --fix splits a service: build (dependencies installed at build time) or install (the runtime installs them at start)"},
		&cli.StringFlag{Name: "code-image", Value: "tianon/true", Usage: "base `IMAGE` of generated code-only images"},
		&cli.BoolFlag{Name: "no-color", Usage: "never colour the text output (NO_COLOR is honoured too)"},
		todayFlag(),
	}
}

func newApp(stdout, stderr io.Writer) *cli.App {
	lintCmd := &cli.Command{
		Name:      "lint",
		Usage:     "check compose files and Dockerfiles (the default command)",
		ArgsUsage: "[PATH...]",
		Flags:     lintFlags(),
		Action:    lintAction,
	}
	return &cli.App{
		Name:                 "decouple",
		Usage:                "keep the Node runtime out of your app images",
		UsageText:            "decouple [lint] [options] [PATH...]\ndecouple rules | explain CODE | version",
		Version:              version,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideVersion:          true,
		Flags:                lintFlags(),
		Action:               lintAction,
		Commands: []*cli.Command{
			lintCmd,
			{Name: "rules", Usage: "list the rule catalogue", Action: rulesAction},
			{Name: "explain", Usage: "explain one rule: why, an example, how the fix works", ArgsUsage: "CODE", Action: explainAction},
			bumpCommand(),
			{Name: "version", Usage: "print the version", Action: func(c *cli.Context) error {
				_, err := fmt.Fprintf(c.App.Writer, "decouple %s\n", version)
				return err
			}},
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

func run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(interspersed(args))
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "decouple: %v\n", err)
		return exitError
	}
}

// interspersed moves lint flags given after paths in front of them:
// urfave/cli stops reading flags at the first argument, but users of ruff
// or hadolint expect `decouple lint . --fix` to work.
func interspersed(args []string) []string {
	if len(args) < 2 {
		return args
	}
	start := 1
	switch args[1] {
	case "lint":
		start = 2
	case "rules", "explain", "version", "help", "h", "bump":
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range lintFlags() {
		if _, isBool := f.(*cli.BoolFlag); isBool {
			continue
		}
		for _, n := range f.Names() {
			takesValue[n] = true
		}
	}
	var flags, paths []string
	rest := args[start:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			paths = append(paths, rest[i+1:]...)
			i = len(rest)
		case a == "-" || !strings.HasPrefix(a, "-"):
			paths = append(paths, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if takesValue[name] && !strings.Contains(a, "=") && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		}
	}
	out := append([]string{}, args[:start]...)
	out = append(out, flags...)
	if len(paths) > 0 {
		out = append(out, "--")
		out = append(out, paths...)
	}
	return out
}

func rulesAction(c *cli.Context) error {
	for _, r := range rules.All() {
		fmt.Fprintf(c.App.Writer, "%s  %-22s %-8s %s\n", r.Code, r.Name, r.Severity, r.Summary)
	}
	return nil
}

func explainAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("usage: decouple explain CODE (see `decouple rules`)")
	}
	r := rules.Lookup(strings.ToUpper(c.Args().First()))
	if r == nil {
		r = rules.Lookup(c.Args().First())
	}
	if r == nil {
		return fmt.Errorf("unknown rule %q (see `decouple rules`)", c.Args().First())
	}
	_, err := fmt.Fprintf(c.App.Writer, "%s %s (%s)\n%s\n\n%s", r.Code, r.Name, r.Severity, r.Summary, r.Doc)
	return err
}

func lintAction(c *cli.Context) error {
	failOn, err := parseFailOn(c.String("fail-on"))
	if err != nil {
		return err
	}
	if st := c.String("strategy"); st != "build" && st != "install" {
		return fmt.Errorf("--strategy: want build or install, not %q", st)
	}
	formats, outputs := c.StringSlice("format"), c.StringSlice("output")
	if len(outputs) > len(formats) {
		return fmt.Errorf("%d --output files but %d --format values: give a format for each output", len(outputs), len(formats))
	}
	for _, f := range formats {
		if !contains(report.Formats(), f) {
			return fmt.Errorf("unknown format %q (want one of %s)", f, strings.Join(report.Formats(), ", "))
		}
	}
	opts := lint.Options{
		Load: workspace.Options{
			Paths:           c.Args().Slice(),
			ComposeFiles:    c.StringSlice("file"),
			ExtraNodeImages: splitList(c.StringSlice("node-image")),
			Strategy:        c.String("strategy"),
			CodeImage:       c.String("code-image"),
		},
		Select: splitList(c.StringSlice("select")),
		Ignore: splitList(c.StringSlice("ignore")),
	}
	res, err := lint.Run(opts)
	if err != nil {
		return err
	}
	status := exitOK
	fixing := c.Bool("fix") || c.Bool("diff")
	if fixing {
		st, err := applyFixes(c, res)
		if err != nil {
			return err
		}
		status = st
	}
	if err := writeReports(c, res, formats, outputs); err != nil {
		return err
	}
	for _, e := range res.WS.Errors {
		if e.Fatal {
			return exitCode(exitError)
		}
	}
	if status != exitOK {
		return exitCode(status)
	}
	for _, d := range res.Diagnostics {
		if failOn >= 0 && d.Severity >= analysis.Severity(failOn) {
			return exitCode(exitFindings)
		}
	}
	return nil
}

// applyFixes writes (or, with --diff, prints) the chosen fixes and drops
// the fixed findings from what is reported.
func applyFixes(c *cli.Context, res *lint.Result) (int, error) {
	plan, err := lint.PlanFixes(res.WS.Cwd, res.Diagnostics, c.Bool("unsafe-fixes"))
	if err != nil {
		return exitError, err
	}
	if c.Bool("diff") {
		diff := edit.UnifiedDiff(plan.Changes)
		if _, err := io.WriteString(c.App.Writer, diff); err != nil {
			return exitError, err
		}
		if diff != "" {
			return exitFindings, nil
		}
		return exitOK, nil
	}
	if len(plan.Changes) == 0 {
		return exitOK, nil
	}
	if err := edit.Commit(res.WS.Cwd, plan.Changes); err != nil {
		return exitError, fmt.Errorf("no file was changed: %w", err)
	}
	fixed := map[*analysis.SuggestedFix]bool{}
	for _, d := range plan.Applied {
		fixed[d.Fix] = true
	}
	kept := res.Diagnostics[:0]
	for _, d := range res.Diagnostics {
		if !fixed[d.Fix] || d.Fix == nil {
			kept = append(kept, d)
		}
	}
	res.Diagnostics = kept
	w := c.App.ErrWriter
	fmt.Fprintf(w, "decouple: fixed %d finding(s) in %d file(s):\n", len(plan.Applied), len(plan.Changes))
	for _, ch := range plan.Changes {
		verb := "changed"
		if !ch.Exists {
			verb = "created"
		}
		fmt.Fprintf(w, "  %s %s\n", verb, ch.Path)
	}
	if c.Bool("exit-non-zero-on-fix") {
		return exitFindings, nil
	}
	return exitOK, nil
}

func writeReports(c *cli.Context, res *lint.Result, formats, outputs []string) error {
	in := report.Input{Diagnostics: res.Diagnostics, Version: version, Root: res.WS.Cwd}
	for _, r := range rules.All() {
		in.Rules = append(in.Rules, r.Rule)
	}
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

// parseFailOn returns the threshold severity, or -1 for "never".
func parseFailOn(s string) (int, error) {
	if s == "never" {
		return -1, nil
	}
	sev, err := analysis.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("--fail-on: %w", err)
	}
	return int(sev), nil
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
