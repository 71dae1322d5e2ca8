package main

// Settings: configuration file, flags and limits, merged into lint options.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/config"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
)

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
