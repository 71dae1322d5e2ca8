package lint

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/verify"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// Verifier judges planned changes (paths relative to root) before they are
// written; a non-nil error stops the write.
type Verifier func(root string, changes []edit.Change) error

// VerifierFor is the check every write of --fix and bump goes through
// (see package verify): files are judged as what the workspace loaded them
// as, changed compose files with the rest of their project, and with
// `docker compose config -q` too when a Compose v2 binary is on PATH.
func VerifierFor(ws *workspace.Workspace) Verifier {
	kinds := map[string]verify.Kind{}
	var projects [][]string
	for _, p := range ws.Projects {
		var files []string
		for _, f := range p.Files {
			kinds[f.Path] = verify.Compose
			files = append(files, f.Path)
		}
		projects = append(projects, files)
		for _, s := range p.Services {
			if s.Dockerfile != nil {
				kinds[s.Dockerfile.Path] = verify.Dockerfile
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		kinds[d.File.Path] = verify.Dockerfile
	}
	opts := verify.Options{
		Kind: func(abs string) verify.Kind {
			if k, ok := kinds[abs]; ok {
				return k
			}
			return verify.KindByName(abs)
		},
		Projects: projects,
		Limits:   ws.ComposeLimits(),
		Docker:   verify.DockerCompose(),
	}
	return func(root string, changes []edit.Change) error {
		return verify.Check(root, changes, opts)
	}
}

// Write checks changes with check and commits them, all or none; when the
// check fails nothing is written.
func Write(root string, changes []edit.Change, check Verifier) error {
	if err := check(root, changes); err != nil {
		return err
	}
	return edit.Commit(root, changes)
}

// VerifyError is a plan refused before writing: the file that would not
// pass, and the fixes that change it.
type VerifyError struct {
	Err   error
	Fixes []analysis.Diagnostic
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	for i, d := range e.Fixes {
		if i == 0 {
			b.WriteString("; the file is written by ")
		} else {
			b.WriteString(", and by ")
		}
		fmt.Fprintf(&b, "the %s fix at %s (%s)", d.Rule.Code, d.Pos, d.Fix.Message)
	}
	return b.String()
}

func (e *VerifyError) Unwrap() error { return e.Err }

// Blame names, in a verification failure, the applied fixes that edit the
// failing file.
func (p *FixPlan) Blame(root string, err error) error {
	var f *verify.Failure
	if !errors.As(err, &f) {
		return err
	}
	ve := &VerifyError{Err: err}
	for _, d := range p.Applied {
		for _, e := range d.Fix.Edits {
			path := e.File
			if filepath.IsAbs(path) {
				if r, rerr := filepath.Rel(root, path); rerr == nil {
					path = r
				}
			}
			if filepath.ToSlash(filepath.Clean(path)) == f.Path {
				ve.Fixes = append(ve.Fixes, d)
				break
			}
		}
	}
	return ve
}
