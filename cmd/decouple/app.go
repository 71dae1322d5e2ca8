package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/baseline"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/config"
	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/report"
	"github.com/decouple-dev/decouple/internal/safefile"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
	"github.com/decouple-dev/decouple/transform"
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

// limitsFrom reads the --max-* flags.
func limitsFrom(c *cli.Context) (workspace.Limits, error) {
	size, err := parseSize(c.String("max-file-size"))
	if err != nil {
		return workspace.Limits{}, fmt.Errorf("--max-file-size: %w", err)
	}
	lim := workspace.Limits{MaxFileSize: size, MaxFiles: c.Int("max-files"), MaxAliasNodes: c.Int("max-yaml-aliases"),
		MaxDepth: c.Int("max-depth"), MaxStages: c.Int("max-stages"), MaxCommand: c.Int("max-command-length")}
	for name, v := range map[string]int{"max-files": lim.MaxFiles, "max-yaml-aliases": lim.MaxAliasNodes, "max-depth": lim.MaxDepth, "max-stages": lim.MaxStages, "max-command-length": lim.MaxCommand} {
		if v <= 0 {
			return workspace.Limits{}, fmt.Errorf("--%s: want a positive number, not %d", name, v)
		}
	}
	return lim, nil
}

// parseSize reads a byte count: 1048576, 512KiB, 10MiB, 1GiB (K, M, G,
// KB, MB and GB are read as the same powers of two).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("want a positive size such as 10MiB, not %q", s)
	}
	return n * mult, nil
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

// settings are the options the config file and flags both set; a flag
// given on the command line wins.
type settings struct {
	failOn, strategy, codeImage string
	nodeImages                  []string
	rules                       rules.Settings
}

func settingsFrom(c *cli.Context, cfg *config.Config) settings {
	s := settings{
		failOn:     c.String("fail-on"),
		strategy:   c.String("strategy"),
		codeImage:  c.String("code-image"),
		nodeImages: splitList(c.StringSlice("node-image")),
	}
	if cfg == nil {
		return s
	}
	if cfg.FailOn != "" && !c.IsSet("fail-on") {
		s.failOn = cfg.FailOn
	}
	if cfg.FixStrategy != "" && !c.IsSet("strategy") {
		s.strategy = cfg.FixStrategy
	}
	if cfg.FixCodeImage != "" && !c.IsSet("code-image") {
		s.codeImage = cfg.FixCodeImage
	}
	// Node images add up: both lists name runtimes.
	s.nodeImages = append(append([]string{}, cfg.NodeImages...), s.nodeImages...)
	if cfg.EOLWarningDays != nil {
		w := time.Duration(*cfg.EOLWarningDays) * 24 * time.Hour
		s.rules.EOLWindow = &w
	}
	return s
}

// loadConfig reads --config, or the .decouple.yaml found upward from the
// working folder; nil when there is none.
func loadConfig(c *cli.Context) (*config.Config, error) {
	file := c.String("config")
	if file == "" {
		// Standard input named with --stdin-filename takes the settings
		// of the folder it names, as that file on disk would.
		from := "."
		if name := c.String("stdin-filename"); name != "" && c.Args().Len() == 1 && c.Args().First() == "-" {
			from = filepath.Dir(name)
		}
		var err error
		if file, err = config.Find(from); err != nil || file == "" {
			return nil, err
		}
	}
	cfg, err := config.Load(file)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			ce.File = displayPath(ce.File)
		}
		return nil, err
	}
	return cfg, nil
}

// applyRuleSettings turns the config's rules mapping into ignored rules and
// severity overrides. A rule turned off in the config still runs when
// --select names it: the command line wins.
func applyRuleSettings(cfg *config.Config, opts *lint.Options) error {
	if cfg == nil {
		return nil
	}
	selected := map[string]bool{}
	for _, id := range opts.Select {
		selected[lint.Resolve(id)] = true
	}
	for _, r := range cfg.Rules {
		code := lint.Resolve(r.ID)
		if code == "" {
			return &config.Error{File: displayPath(cfg.Path), Line: r.Line, Msg: fmt.Sprintf("rules: unknown rule %q (see `decouple rules`)", r.ID)}
		}
		if r.Value == "off" {
			if !selected[code] {
				opts.Ignore = append(opts.Ignore, code)
			}
			continue
		}
		sev, err := analysis.ParseSeverity(r.Value)
		if err != nil {
			return &config.Error{File: displayPath(cfg.Path), Line: r.Line, Msg: err.Error()}
		}
		if opts.Severity == nil {
			opts.Severity = map[string]analysis.Severity{}
		}
		opts.Severity[code] = sev
	}
	return nil
}

// displayPath shows a path relative to the working folder when under it.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// stdinFile is standard input without --stdin-filename, copied to a
// temporary folder outside the project so the loaders can read it like any
// file; findings are renamed back to "-" afterwards.
type stdinFile struct {
	dir, path string // the temporary copy
	name      string // what findings call it
}

// readStdin reads standard input when the only PATH is "-": with
// --stdin-filename it stands in for that file (opts.Load.Buffer), without
// it it is copied to a temporary file.
func readStdin(c *cli.Context, opts *lint.Options) (*stdinFile, error) {
	paths := opts.Load.Paths
	hasDash := slices.Contains(paths, "-")
	if !hasDash {
		if c.String("stdin-filename") != "" {
			return nil, fmt.Errorf("--stdin-filename: give - as the PATH to read standard input")
		}
		return nil, nil
	}
	if len(paths) > 1 || len(opts.Load.ComposeFiles) > 0 {
		return nil, fmt.Errorf("- (standard input) must be the only PATH")
	}
	if c.Bool("fix") || c.Bool("diff") {
		return nil, fmt.Errorf("--fix and --diff cannot rewrite standard input; name the file instead")
	}
	src, err := io.ReadAll(c.App.Reader)
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if name := c.String("stdin-filename"); name != "" {
		// The text stands in for that file, read where it is: its
		// Dockerfiles, contexts, .env and override beside it are read
		// from its folder. Nothing is written (--fix is refused above).
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err == nil && st.IsDir() {
			return nil, fmt.Errorf("--stdin-filename: %s is a folder; name the file standard input stands for", name)
		}
		opts.Load.Buffer = &compose.Overlay{Path: abs, Src: src}
		opts.Load.Paths = nil
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "decouple-stdin-")
	if err != nil {
		return nil, err
	}
	// Its kind is guessed from the content.
	in := &stdinFile{dir: dir, path: filepath.Join(dir, "stdin"), name: "-"}
	if err := os.WriteFile(in.path, src, 0o600); err != nil {
		in.cleanup()
		return nil, err
	}
	// The .dockerignore of the working folder decides DC002 for a
	// Dockerfile; copy it next to the temporary copy.
	if ign, err := safefile.Read(".dockerignore", 0); err == nil {
		if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), ign, 0o600); err != nil {
			in.cleanup()
			return nil, err
		}
	}
	opts.Load.Paths = []string{in.path}
	return in, nil
}

func (in *stdinFile) cleanup() { _ = os.RemoveAll(in.dir) }

// rename makes findings and errors name the stdin filename instead of the
// temporary copy.
func (in *stdinFile) rename(res *lint.Result) {
	// The temporary folder is shown relative to the working folder when
	// TMPDIR lies under it, else absolute; replace either form.
	forms := []string{filepath.ToSlash(in.dir), res.WS.Rel(in.dir)}
	fix := func(s string) string {
		for _, dir := range forms {
			s = strings.ReplaceAll(s, dir+"/"+path.Base(filepath.ToSlash(in.path)), in.name)
			s = strings.ReplaceAll(s, dir+"/", path.Dir(in.name)+"/")
			s = strings.ReplaceAll(s, dir, path.Dir(in.name))
		}
		return s
	}
	for i := range res.Files {
		res.Files[i] = fix(res.Files[i])
	}
	for i := range res.Diagnostics {
		d := &res.Diagnostics[i]
		d.Pos.File = fix(d.Pos.File)
		d.Message = fix(d.Message)
		d.Dockerfile = fix(d.Dockerfile)
		d.FixRefused = fix(d.FixRefused)
		d.Fix = nil // a fix cannot be applied to standard input
		for j := range d.Related {
			d.Related[j].Pos.File = fix(d.Related[j].Pos.File)
			d.Related[j].Message = fix(d.Related[j].Message)
		}
	}
	notes := false
	for _, e := range res.WS.Errors {
		e.File = fix(e.File)
		e.Msg = fix(e.Msg)
		notes = notes || !e.Fatal
	}
	if notes {
		res.WS.Errors = append(res.WS.Errors, &workspace.FileError{File: in.name,
			Msg: "standard input is linted from a temporary copy: Dockerfiles and build contexts it refers to by relative path are not read (name the file with --stdin-filename to read them)"})
	}
}

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
	seen := map[*analysis.SuggestedFix]bool{}
	// One rollout command per project, as its -f arguments select it.
	type rollout struct{ files, services []string }
	var rollouts []*rollout
	for _, d := range plan.Applied {
		if seen[d.Fix] {
			continue
		}
		seen[d.Fix] = true
		fmt.Fprintf(w, "  %s %s: %s\n", d.Rule.Code, d.Pos, d.Fix.Message)
		if len(d.Fix.Renew) == 0 {
			continue
		}
		i := slices.IndexFunc(rollouts, func(r *rollout) bool { return slices.Equal(r.files, d.Fix.RenewFiles) })
		if i < 0 {
			rollouts = append(rollouts, &rollout{files: d.Fix.RenewFiles})
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
		fmt.Fprintf(w, "  roll out new code with %s: without -V (--renew-anon-volumes) Compose keeps the old code volume; naming the services keeps -V off the others' volumes\n", transform.RenewCommand(r.files, r.services))
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
