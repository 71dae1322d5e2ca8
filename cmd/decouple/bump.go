package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/verify"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
	"github.com/decouple-dev/decouple/transform"
)

// todayFlag is --today, shared by lint and bump: the day Node end-of-life
// dates are judged on. DECOUPLE_TODAY sets it too, for reproducible runs.
func todayFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    "today",
		EnvVars: []string{"DECOUPLE_TODAY"},
		Usage:   "judge Node end-of-life dates as of `DATE` (YYYY-MM-DD) instead of the clock",
	}
}

// todayFrom is the day --today names; zero (the clock) when unset.
func todayFrom(c *cli.Context) (time.Time, error) {
	v := c.String("today")
	if v == "" {
		return time.Time{}, nil
	}
	return rules.ParseDay(v)
}

func bumpFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "major", Usage: "allow moving to another major version (native modules must then be rebuilt)"},
		&cli.BoolFlag{Name: "drop-digest", Usage: "replace digest-pinned images too, dropping the old digest"},
		&cli.BoolFlag{Name: "diff", Usage: "print the change as a unified diff and write nothing"},
		&cli.BoolFlag{Name: "dry-run", Usage: "list what would change and write nothing"},
		&cli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, Usage: "compose `FILE`s to combine into one project, as docker compose -f does"},
		todayFlag(),
	}
}

func bumpCommand() *cli.Command {
	return &cli.Command{
		Name:  "bump",
		Usage: "move runtime services to another Node version; code images are not touched",
		Description: "Changes the image tag of every runtime service: a compose service that runs a Node image\n" +
			"(it has no build:) and takes its code from volumes_from, a volume or a bind mount. The registry,\n" +
			"the image path and the variant suffix (-alpine, -bookworm-slim) are kept; a ${VAR:-default} tag\n" +
			"gets its default changed. Every file is written, or none.",
		ArgsUsage: "node@VERSION [PATH...]",
		Flags:     bumpFlags(),
		// Flags may follow the version and the paths (decouple bump
		// node@20.11.1 --diff), which urfave/cli does not allow: bumpAction
		// parses them itself.
		SkipFlagParsing: true,
		Action:          bumpAction,
	}
}

// bumpContext parses bump's arguments, flags anywhere before a "--".
func bumpContext(c *cli.Context) (*cli.Context, error) {
	flags := bumpFlags()
	set := flag.NewFlagSet("bump", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	for _, f := range flags {
		if err := f.Apply(set); err != nil {
			return nil, err
		}
	}
	opts, positional := splitArgs(flags, c.Args().Slice())
	if err := set.Parse(append(append(opts, "--"), positional...)); err != nil {
		return nil, err
	}
	return cli.NewContext(c.App, set, c), nil
}

func bumpAction(parent *cli.Context) error {
	c, err := bumpContext(parent)
	if errors.Is(err, flag.ErrHelp) {
		return cli.ShowCommandHelp(parent.Lineage()[1], "bump")
	}
	if err != nil {
		return fmt.Errorf("bump: %w (see decouple bump --help)", err)
	}
	if c.NArg() < 1 {
		return fmt.Errorf("usage: decouple bump node@VERSION [PATH...]")
	}
	version, err := transform.ParseBumpTarget(c.Args().First())
	if err != nil {
		return err
	}
	ws, err := workspace.Load(workspace.Options{Paths: c.Args().Tail(), ComposeFiles: c.StringSlice("file")})
	if err != nil {
		return err
	}
	stderr, stdout := c.App.ErrWriter, c.App.Writer
	fatal := false
	for _, e := range ws.Errors {
		fmt.Fprintf(stderr, "decouple: %s\n", e)
		fatal = fatal || e.Fatal
	}
	if fatal {
		return exitCode(exitError)
	}
	today, err := todayFrom(c)
	if err != nil {
		return err
	}
	if today.IsZero() {
		today = time.Now()
	}
	plan, err := transform.Bump(ws, transform.BumpOptions{
		Version: version, Major: c.Bool("major"), DropDigest: c.Bool("drop-digest"), Today: today,
	})
	if err != nil {
		return err
	}
	current, digests := 0, 0
	for _, s := range plan.Skipped {
		switch {
		case s.Current:
			current++
		case s.Digest:
			digests++
		}
		fmt.Fprintf(stderr, "decouple: left service %q (%s:%d): %s\n", s.Service, s.File, s.Line, s.Reason)
	}
	if c.Bool("dry-run") {
		printBumpList(stdout, plan)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "decouple: warning: %s\n", w)
	}
	if plan.Refused != "" {
		fmt.Fprintf(stderr, "decouple: refused: %s\n", plan.Refused)
		return exitCode(exitFindings)
	}
	if len(plan.Changes) == 0 {
		if current > 0 && digests == 0 {
			fmt.Fprintf(stderr, "decouple: every runtime service already runs node %s\n", version)
			return nil
		}
		fmt.Fprintf(stderr, "decouple: no runtime service to move to node %s (a runtime service runs a Node image, has no build: and mounts its code)\n", version)
		return exitCode(exitFindings)
	}
	if c.Bool("dry-run") && !c.Bool("diff") {
		return nil
	}
	changes, err := lint.PlanEdits(ws.Cwd, plan.Edits, lint.VerifierFor(ws))
	if err != nil {
		return fmt.Errorf("no file was changed: %w", blameBump(ws.Cwd, plan, err))
	}
	changed, err := lint.Emit(stdout, ws.Cwd, changes, c.Bool("diff"))
	if err != nil {
		return fmt.Errorf("no file was changed: %w", err)
	}
	if c.Bool("diff") {
		if changed {
			return exitCode(exitFindings)
		}
		return nil
	}
	// One command per project and kind: a stock runtime is recreated on
	// its new image, a built one rebuilds its image.
	type apply struct {
		files    []string
		build    bool
		services []string
	}
	var applies []*apply
	for _, ch := range plan.Changes {
		fmt.Fprintf(stderr, "decouple: service %q now runs %s (%s:%d)\n", ch.Service, ch.New, ch.File, ch.Line)
		for _, n := range ch.Notes {
			fmt.Fprintf(stderr, "decouple:   note: %s\n", n)
		}
		build := discover.KindOf(ch.File) == discover.Dockerfile
		i := slices.IndexFunc(applies, func(a *apply) bool { return a.build == build && slices.Equal(a.files, ch.ProjectFiles) })
		if i < 0 {
			applies = append(applies, &apply{files: ch.ProjectFiles, build: build})
			i = len(applies) - 1
		}
		applies[i].services = append(applies[i].services, ch.Service)
	}
	for _, a := range applies {
		cmd := "docker compose "
		for _, f := range a.files {
			cmd += "-f " + f + " "
		}
		cmd += "up -d "
		if a.build {
			cmd += "--build "
		}
		fmt.Fprintf(stderr, "decouple: apply with: %s%s\n", cmd, strings.Join(a.services, " "))
	}
	return nil
}

// printBumpList is --dry-run's output: one line per service that would move.
func printBumpList(w io.Writer, plan *transform.BumpPlan) {
	for _, ch := range plan.Changes {
		fmt.Fprintf(w, "%s:%d: service %q: %s -> %s\n", ch.File, ch.Line, ch.Service, ch.Old, ch.New)
		for _, n := range ch.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
}

// blameBump names the services whose bump changes the file that failed
// the check.
func blameBump(root string, plan *transform.BumpPlan, err error) error {
	var f *verify.Failure
	if !errors.As(err, &f) {
		return err
	}
	var names []string
	for _, ch := range plan.Changes {
		if ch.File == f.Path {
			names = append(names, fmt.Sprintf("%q", ch.Service))
		}
	}
	if len(names) == 0 {
		return err
	}
	return fmt.Errorf("%w; the file is changed by the bump of service %s", err, strings.Join(names, ", "))
}
