package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/baseline"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/report"
	"github.com/decouple-dev/decouple/internal/workspace"
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
		&cli.StringFlag{Name: "runtime", Value: "auto", Usage: "the runtime a split service runs: stock (the base image), built (a code-free stage of the old image's steps) or auto (built when the old image set up something the stock one lacks)"},
		&cli.StringFlag{Name: "code-image", Value: "tianon/true", Usage: "base `IMAGE` of generated code-only images"},
		&cli.BoolFlag{Name: "no-color", Usage: "never colour the text output (NO_COLOR is honoured too)"},
		&cli.StringFlag{Name: "config", Usage: "read settings from `FILE` instead of the .decouple.yaml found upward from the working folder"},
		&cli.StringFlag{Name: "stdin-filename", Usage: "with PATH -, the `FILE` standard input stands in for: it decides compose file or Dockerfile and names the findings, and what is beside it (Dockerfiles, contexts, .env, an override, the config) is read from its folder"},
		&cli.BoolFlag{Name: "no-suppressions", Usage: "ignore # decouple:ignore comments"},
		&cli.StringFlag{Name: "baseline", Usage: "report only findings not recorded in the baseline `FILE`"},
		&cli.StringFlag{Name: "write-baseline", Usage: "record the current findings in the baseline `FILE` (later runs with --baseline report only new ones)"},
		&cli.StringFlag{Name: "max-file-size", Value: "10MiB", Usage: "refuse a compose file or Dockerfile larger than `SIZE` (bytes, or with KiB, MiB, GiB)"},
		&cli.IntFlag{Name: "max-files", Value: discover.DefaultMaxFiles, Usage: "stop searching after `N` compose files and Dockerfiles"},
		&cli.IntFlag{Name: "max-yaml-aliases", Value: compose.DefaultMaxAliasNodes, Usage: "refuse a compose file whose YAML aliases expand to more than `N` nodes (alias bombs)"},
		&cli.IntFlag{Name: "max-depth", Value: compose.DefaultMaxDepth, Usage: "refuse a compose file nested deeper than `N` levels"},
		&cli.IntFlag{Name: "max-command-length", Value: compose.DefaultMaxCommand, Usage: "refuse a compose command, entrypoint or healthcheck test string longer than `N` bytes"},
		&cli.IntFlag{Name: "max-stages", Value: workspace.DefaultMaxStages, Usage: "refuse a Dockerfile with more than `N` stages"},
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
		UsageText:            "decouple [lint] [options] [PATH...]   (options: decouple lint --help)\ndecouple rules | explain CODE | bump | version",
		Version:              version,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideVersion:          true,
		Commands: []*cli.Command{
			lintCmd,
			{Name: "rules", Usage: "list the rule catalogue", Action: rulesAction},
			{Name: "explain", Usage: "explain one rule: why, an example, how the fix works", ArgsUsage: "CODE", Action: explainAction},
			bumpCommand(),
			completionCommand(),
			manCommand(),
			{Name: "version", Usage: "print the version", Action: func(c *cli.Context) error {
				_, err := fmt.Fprintf(c.App.Writer, "decouple %s\n", version)
				return err
			}},
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	app.Reader = stdin
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
//
// It also makes lint the default command: anything that is not another
// command or a request for help runs `lint`. The root command has no flags
// of its own, which halves urfave/cli's per-run work: it looks each flag up
// by name through every flag, with a regexp per name (about 0.4 ms a run
// for the lint flags, measured with BenchmarkRunSingle).
func interspersed(args []string) []string {
	if len(args) < 2 {
		return append(args[:len(args):len(args)], "lint")
	}
	switch args[1] {
	case "lint":
	case "rules", "explain", "version", "help", "h", "bump", "completion", "man",
		"-h", "--help", "--generate-bash-completion":
		return args
	default:
		args = append([]string{args[0], "lint"}, args[1:]...)
	}
	start := 2
	flags, paths := splitArgs(lintFlags(), args[start:])
	out := append([]string{}, args[:start]...)
	out = append(out, flags...)
	if len(paths) > 0 {
		out = append(out, "--")
		out = append(out, paths...)
	}
	return out
}

func rulesAction(c *cli.Context) error {
	for _, r := range lint.Catalogue() {
		fmt.Fprintf(c.App.Writer, "%s  %-22s %-8s %s\n", r.Code, r.Name, r.Severity, r.Summary)
	}
	return nil
}

func explainAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("usage: decouple explain CODE (see `decouple rules`)")
	}
	var r *analysis.Rule
	if code := lint.Resolve(c.Args().First()); code != "" {
		for _, x := range lint.Catalogue() {
			if x.Code == code {
				r = x
			}
		}
	}
	if r == nil {
		return fmt.Errorf("unknown rule %q (see `decouple rules`)", c.Args().First())
	}
	_, err := fmt.Fprintf(c.App.Writer, "%s %s (%s)\n%s\n\n%s", r.Code, r.Name, r.Severity, r.Summary, r.Doc)
	return err
}

func lintAction(c *cli.Context) error {
	cfg, err := loadConfig(c)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "decouple: %v\n", err)
		return exitCode(exitError)
	}
	set := settingsFrom(c, cfg)
	failOn, err := parseFailOn(set.failOn)
	if err != nil {
		return err
	}
	if set.rules.Today, err = todayFrom(c); err != nil {
		return err
	}
	if st := set.strategy; st != "build" && st != "install" {
		return fmt.Errorf("--strategy: want build or install, not %q", st)
	}
	if rt := c.String("runtime"); rt != "auto" && rt != "stock" && rt != "built" {
		return fmt.Errorf("--runtime: want auto, stock or built, not %q", rt)
	} else if rt == "built" && set.strategy != "build" {
		return fmt.Errorf("--runtime built needs --strategy build: the built runtime is a stage of the code Dockerfile, which --strategy install does not keep")
	}
	formats, outputs := c.StringSlice("format"), c.StringSlice("output")
	if len(outputs) > len(formats) {
		return fmt.Errorf("%d --output files but %d --format values: give a format for each output", len(outputs), len(formats))
	}
	for _, f := range formats {
		if !slices.Contains(report.Formats(), f) {
			return fmt.Errorf("unknown format %q (want one of %s)", f, strings.Join(report.Formats(), ", "))
		}
	}
	limits, err := limitsFrom(c)
	if err != nil {
		return err
	}
	var base *baseline.File
	if file := c.String("baseline"); file != "" && c.String("write-baseline") == "" {
		if base, err = baseline.Read(file); err != nil {
			return err
		}
	}
	budget := newMemoryBudget()
	opts := lint.Options{
		Load: workspace.Options{
			Paths:           c.Args().Slice(),
			ComposeFiles:    c.StringSlice("file"),
			ExtraNodeImages: set.nodeImages,
			Limits:          limits,
			// The re-lint after --fix reuses every Dockerfile it left as is.
			Parsed: workspace.NewParseCache(),
			Read:   budget.add,
		},
		Rules:          set.rules,
		Select:         splitList(c.StringSlice("select")),
		Ignore:         splitList(c.StringSlice("ignore")),
		NoSuppressions: c.Bool("no-suppressions"),
	}
	opts.Rules.Strategy, opts.Rules.CodeImage = set.strategy, set.codeImage
	opts.Rules.Runtime = strings.TrimPrefix(c.String("runtime"), "auto")
	if err := applyRuleSettings(cfg, &opts); err != nil {
		fmt.Fprintf(c.App.ErrWriter, "decouple: %v\n", err)
		return exitCode(exitError)
	}
	in, err := readStdin(c, &opts)
	if err != nil {
		return err
	}
	if in != nil {
		defer in.cleanup()
	}
	// collect runs the rules and the filters that decide what is reported;
	// after --fix it runs again, so the report shows what is left.
	collect := func() (*lint.Result, error) {
		res, err := lint.Run(opts)
		if err != nil {
			return nil, err
		}
		if in != nil {
			in.rename(res)
		}
		if cfg != nil {
			kept := res.Diagnostics[:0]
			for _, d := range res.Diagnostics {
				if !cfg.Ignored(d.Pos.File, res.WS.Cwd) {
					kept = append(kept, d)
				}
			}
			res.Diagnostics = kept
		}
		if base != nil {
			res.Diagnostics = base.Filter(res.Diagnostics)
		}
		return res, nil
	}
	res, err := collect()
	if err != nil {
		return err
	}
	if file := c.String("write-baseline"); file != "" {
		if err := baseline.Write(file, res.Diagnostics); err != nil {
			return err
		}
		fmt.Fprintf(c.App.ErrWriter, "decouple: recorded %d finding(s) in %s\n", len(res.Diagnostics), file)
		res.Diagnostics = nil
	}
	status := exitOK
	if c.Bool("fix") || c.Bool("diff") {
		st, changed, err := applyFixes(c, res)
		if err != nil {
			return err
		}
		status = st
		if changed {
			// Re-lint the written tree: the report shows what is left, and
			// a fix that broke a file shows up as an error here.
			res = nil
			budget.release()
			if res, err = collect(); err != nil {
				return err
			}
		}
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

// splitArgs separates flags (with the values of those that take one) from
// positional arguments, which may come in any order, as linters allow
// (decouple lint . --fix); everything after "--" is positional.
func splitArgs(known []cli.Flag, args []string) (flags, positional []string) {
	takesValue := map[string]bool{}
	for _, f := range known {
		if _, isBool := f.(*cli.BoolFlag); !isBool {
			for _, n := range f.Names() {
				takesValue[n] = true
			}
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case a == "-" || !strings.HasPrefix(a, "-"):
			positional = append(positional, a)
		default:
			flags = append(flags, a)
			if name := strings.TrimLeft(a, "-"); takesValue[name] && !strings.Contains(a, "=") && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	return flags, positional
}
