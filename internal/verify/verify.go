// Package verify checks planned file changes before anything is written:
// every compose file a plan changes or creates must load with compose-go
// (and with `docker compose config -q` when a Compose v2 binary is on
// PATH), and every Dockerfile it changes or creates must parse with
// BuildKit's parser. `lint --fix` and `bump` both go through Check, so a
// plan that would leave a broken file is refused whole.
//
// A changed file is held to what it was: a compose project that already
// failed to load before the plan (a missing env_file, a variant that only
// loads on top of its base) does not fail the plan for the same reason. A
// created file has no such excuse.
package verify

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/par"
	"github.com/decouple-dev/decouple/internal/safefile"
)

// Kind is what a planned file is checked as.
type Kind int

// Kinds of files.
const (
	Other Kind = iota
	Compose
	Dockerfile
)

// KindByName is the kind a file's name gives it, by the patterns discovery
// uses.
func KindByName(path string) Kind {
	switch name := filepath.Base(path); {
	case discover.IsComposeName(name):
		return Compose
	case discover.IsDockerfileName(name):
		return Dockerfile
	}
	return Other
}

// Options say how to judge a plan.
type Options struct {
	// Kind tells an absolute path's kind; nil means KindByName. Callers
	// that loaded the files pass what they were loaded as: a compose file
	// named on the command line may be called anything.
	Kind func(abs string) Kind
	// Projects are the compose projects the changed files may belong to,
	// each as its files' absolute paths in load order: a changed override
	// is checked with its base, as Compose loads it.
	Projects [][]string
	// Limits bound what a compose file may cost to load.
	Limits compose.Limits
	// Docker is a docker binary whose `compose config -q` judges compose
	// files too; "" skips it. DockerCompose finds one.
	Docker string
}

// Failure is a planned file that does not pass.
type Failure struct {
	// Path is the file, relative to the root, slash-separated.
	Path string
	// With lists the other files of the compose project it was loaded
	// with, relative to the root; empty when it was loaded alone.
	With []string
	// Tool is what refused it: "compose-go", "docker compose config" or
	// "BuildKit's Dockerfile parser".
	Tool string
	Err  error
}

func (f *Failure) Error() string {
	with := ""
	if len(f.With) > 0 {
		with = " (loaded with " + strings.Join(f.With, ", ") + ")"
	}
	return fmt.Sprintf("%s%s does not pass %s: %v", f.Path, with, f.Tool, f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

// unit is one check: a compose project (or a file alone) or a Dockerfile.
type unit struct {
	kind    Kind
	files   []string // absolute, load order
	changed string   // the first changed file among them, absolute
	created bool     // some file of the unit does not exist yet
}

// Check judges changes (paths relative to root, as edit.Plan makes them).
// It returns nil, or the *Failure of the first file, by path, that does
// not pass.
func Check(root string, changes []edit.Change, opts Options) error {
	kindOf := opts.Kind
	if kindOf == nil {
		kindOf = KindByName
	}
	after := map[string][]byte{}
	var units []*unit
	byKey := map[string]*unit{}
	add := func(kind Kind, files []string, changed string, created bool) {
		key := strings.Join(files, "\x00")
		if u, ok := byKey[key]; ok {
			u.created = u.created || created
			return
		}
		u := &unit{kind: kind, files: files, changed: changed, created: created}
		byKey[key] = u
		units = append(units, u)
	}
	for _, ch := range changes {
		abs := filepath.Join(root, filepath.FromSlash(ch.Path))
		after[abs] = ch.New
	}
	for _, ch := range changes {
		abs := filepath.Join(root, filepath.FromSlash(ch.Path))
		switch kindOf(abs) {
		case Dockerfile:
			add(Dockerfile, []string{abs}, abs, !ch.Exists)
		case Compose:
			// A file is loaded as Compose loads it: with the rest of its
			// project (an override alone is no project). One load per
			// project, however many of its files changed: compose-go takes
			// tens of milliseconds for each.
			inProject := false
			for _, proj := range opts.Projects {
				if slices.Contains(proj, abs) {
					add(Compose, proj, abs, !ch.Exists)
					inProject = true
				}
			}
			if !inProject {
				add(Compose, []string{abs}, abs, !ch.Exists)
			}
		}
	}
	failures := make([]*Failure, len(units))
	par.For(len(units), func(i int) {
		failures[i] = check(root, *units[i], after, opts)
	})
	var first *Failure
	for _, f := range failures {
		if f != nil && (first == nil || f.Path < first.Path) {
			first = f
		}
	}
	if first == nil {
		return nil
	}
	return first
}

// check runs one unit after the plan; a failure counts only when the
// unit passed the same check before it.
func check(root string, u unit, after map[string][]byte, opts Options) *Failure {
	fail := func(tool string, err error) *Failure {
		f := &Failure{Path: rel(root, u.changed), Tool: tool, Err: err}
		for _, p := range u.files {
			if p != u.changed {
				f.With = append(f.With, rel(root, p))
			}
		}
		return f
	}
	if u.kind == Dockerfile {
		_, err := dockerfile.Parse(u.changed, after[u.changed], nil)
		if err != nil && (u.created || parsedBefore(u.changed)) {
			return fail("BuildKit's Dockerfile parser", errorsWithoutPath(err))
		}
		return nil
	}
	if err := compose.Check(u.files, after, opts.Limits); err != nil {
		if u.created || compose.Check(u.files, nil, opts.Limits) == nil {
			return fail("compose-go", relMsg(root, err))
		}
		// It failed before the plan too, and docker compose would refuse
		// it just the same. A file that loads as Compose v1 read it (a
		// key given twice, the last kept) must still load that way.
		v1 := opts.Limits
		v1.KeepDuplicateKeys = true
		if compose.Check(u.files, nil, v1) == nil {
			if err := compose.Check(u.files, after, v1); err != nil {
				return fail("compose-go", relMsg(root, err))
			}
		}
		return nil
	}
	if opts.Docker == "" {
		return nil
	}
	if err := dockerConfig(opts.Docker, u.files, after); err != nil {
		if u.created || dockerConfig(opts.Docker, u.files, nil) == nil {
			return fail("docker compose config", relMsg(root, err))
		}
	}
	return nil
}

// parsedBefore reports whether the Dockerfile on disk, as it is before
// the plan, parses.
func parsedBefore(abs string) bool {
	src, err := safefile.Read(abs, 0)
	if err != nil {
		return false
	}
	_, err = dockerfile.Parse(abs, src, nil)
	return err == nil
}

// errorsWithoutPath keeps a Dockerfile parse error's line and message; the
// Failure names the file already.
func errorsWithoutPath(err error) error {
	var pe *dockerfile.ParseError
	if errors.As(err, &pe) {
		if pe.Line > 0 {
			return fmt.Errorf("line %d: %w", pe.Line, pe.Err)
		}
		return pe.Err
	}
	return err
}

// relMsg shows the root's absolute paths in a message relative to it.
func relMsg(root string, err error) error {
	msg := strings.ReplaceAll(err.Error(), root+string(filepath.Separator), "")
	return errors.New(msg)
}

func rel(root, abs string) string {
	r, err := filepath.Rel(root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}
