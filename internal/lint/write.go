package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/verify"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
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
		for _, s := range p.Judged() {
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

// PlanEdits confines edits to root (the same check as --fix: nothing is
// ever written outside it), plans them against the files on disk, and
// checks the plan; bump's edits go through it.
func PlanEdits(root string, edits []analysis.TextEdit, check Verifier) ([]edit.Change, error) {
	rel, err := relEdits(root, edits)
	if err != nil {
		return nil, err
	}
	changes, err := edit.Plan(root, rel)
	if err != nil {
		return nil, err
	}
	if err := check(root, changes); err != nil {
		return nil, err
	}
	return changes, nil
}

// Emit is how --fix and bump end, once their changes passed the check:
// with diff set, the unified diff goes to w and changed says whether it is
// empty; otherwise the files are written, all or none.
func Emit(w io.Writer, root string, changes []edit.Change, diff bool) (changed bool, err error) {
	if diff {
		d := edit.UnifiedDiff(changes)
		if _, err := io.WriteString(w, d); err != nil {
			return false, err
		}
		return d != "", nil
	}
	if len(changes) == 0 {
		return false, nil
	}
	if err := edit.Commit(root, changes); err != nil {
		return false, err
	}
	return true, nil
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
		if writes(root, d.Fix, f.Path) {
			ve.Fixes = append(ve.Fixes, d)
		}
	}
	return ve
}

// mergeCreated joins the files that several fixes create at one path into
// one file: each standalone Dockerfile of a folder plans its own
// compose.yaml there (two whole files one after the other would hold two
// services: keys), and the splits of services that build different stages
// of one Dockerfile each plan its code-only Dockerfile. Texts that do not
// merge were kept apart by newFiles.clash.
func mergeCreated(root string, edits []analysis.TextEdit) []analysis.TextEdit {
	texts := map[string][][]byte{}
	for _, e := range edits {
		if e.Start != 0 || e.End != 0 {
			continue
		}
		if !isIgnoreFile(e.File) && verify.KindByName(e.File) == verify.Other {
			continue
		}
		if !slices.ContainsFunc(texts[e.File], func(t []byte) bool { return bytes.Equal(t, e.NewText) }) {
			texts[e.File] = append(texts[e.File], e.NewText)
		}
	}
	merged := map[string][]byte{}
	for file, ts := range texts {
		if len(ts) < 2 {
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(file))); err == nil {
			continue // an insertion at the start of an existing file creates nothing
		}
		if m, ok := mergeTexts(file, ts); ok {
			merged[file] = m
		}
	}
	edits = mergeIgnoreAppends(edits)
	if len(merged) == 0 {
		return edits
	}
	out := make([]analysis.TextEdit, 0, len(edits))
	for _, e := range edits {
		m, ok := merged[e.File]
		switch {
		case !ok || e.Start != 0 || e.End != 0:
			out = append(out, e)
		case m != nil:
			e.NewText = m
			out = append(out, e)
			merged[e.File] = nil // the others are in it
		}
	}
	return out
}

// mergeIgnoreAppends joins the lines several fixes append at the end of
// one existing ignore file (DC002's .git and node_modules, a split's the
// same plus its code Dockerfile) as a set, so none is written twice.
func mergeIgnoreAppends(edits []analysis.TextEdit) []analysis.TextEdit {
	type at struct {
		file  string
		start int
	}
	appends := func(e analysis.TextEdit) bool { return isIgnoreFile(e.File) && e.Start == e.End } // at 0: an empty file
	texts := map[at][][]byte{}
	for _, e := range edits {
		if appends(e) {
			k := at{e.File, e.Start}
			texts[k] = append(texts[k], e.NewText)
		}
	}
	out := make([]analysis.TextEdit, 0, len(edits))
	done := map[at]bool{}
	for _, e := range edits {
		k := at{e.File, e.Start}
		ts := texts[k]
		if !appends(e) || len(ts) < 2 {
			out = append(out, e)
			continue
		}
		if done[k] {
			continue // merged into the first
		}
		done[k] = true
		// A file without a final newline gets one first: kept as is.
		lead := len(ts[0]) - len(bytes.TrimLeft(ts[0], "\r\n"))
		trimmed := make([][]byte, len(ts))
		for i, t := range ts {
			trimmed[i] = bytes.TrimLeft(t, "\r\n")
		}
		e.NewText = append(append([]byte{}, ts[0][:lead]...), transform.MergeCreatedIgnore(trimmed)...)
		out = append(out, e)
	}
	return out
}

// PlanVerified plans the fixes and checks the plan with check. When the
// check fails on a file that a fix skipped for a clash would also have
// written (a v1 file's split and its layout conversion both rewrite it
// whole), the plan is made again without the fixes that write the failing
// file, so that the other one goes first; those are held back with the
// reason, for a later run. Any other failure is returned, with the fixes
// that write the file: nothing may be written.
func PlanVerified(root string, diags []analysis.Diagnostic, unsafe bool, check Verifier) (*FixPlan, error) {
	plan, err := PlanFixes(root, diags, unsafe)
	if err != nil {
		return nil, err
	}
	verr := check(root, plan.Changes)
	if verr == nil {
		return plan, nil
	}
	var f *verify.Failure
	if !errors.As(verr, &f) {
		return nil, verr
	}
	failing := map[*analysis.SuggestedFix]bool{}
	for _, d := range plan.Applied {
		if writes(root, d.Fix, f.Path) {
			failing[d.Fix] = true
		}
	}
	other := false
	for _, d := range plan.Skipped {
		if d.Fix != nil && (d.Fix.Safe || unsafe) && !failing[d.Fix] && writes(root, d.Fix, f.Path) {
			other = true
		}
	}
	if !other {
		return nil, plan.Blame(root, verr)
	}
	rest := make([]analysis.Diagnostic, 0, len(diags))
	var held []analysis.Diagnostic
	for _, d := range diags {
		if d.Fix != nil && failing[d.Fix] {
			held = append(held, d)
			continue
		}
		rest = append(rest, d)
	}
	again, err := PlanFixes(root, rest, unsafe)
	if err != nil {
		return nil, err
	}
	if check(root, again.Changes) != nil {
		return nil, plan.Blame(root, verr)
	}
	again.Held = held
	again.HeldWhy = verr.Error()
	return again, nil
}

// writes reports whether a fix edits the file at a root-relative slash path.
func writes(root string, fix *analysis.SuggestedFix, rel string) bool {
	for _, e := range fix.Edits {
		path := e.File
		if filepath.IsAbs(path) {
			if r, err := filepath.Rel(root, path); err == nil {
				path = r
			}
		}
		if filepath.ToSlash(filepath.Clean(path)) == rel {
			return true
		}
	}
	return false
}

// newFiles tells which files the edits create: an insertion at offset 0
// into a file that does not exist.
type newFiles struct {
	root   string
	exists map[string]bool
}

func (n newFiles) created(e analysis.TextEdit) bool {
	if e.Start != 0 || e.End != 0 {
		return false
	}
	ex, ok := n.exists[e.File]
	if !ok {
		_, err := os.Lstat(filepath.Join(n.root, filepath.FromSlash(e.File)))
		ex = err == nil
		n.exists[e.File] = ex
	}
	return !ex
}

// clash reports whether an edit creates a file that a chosen fix creates
// with other content that does not merge with it (mergeTexts): two whole
// files one after the other are not a file, so the later fix waits for
// another run.
func (n newFiles) clash(chosen map[string][]analysis.TextEdit, edits []analysis.TextEdit) bool {
	for _, e := range edits {
		if !n.created(e) {
			continue
		}
		for _, c := range chosen[e.File] {
			if c.Start != 0 || c.End != 0 || bytes.Equal(c.NewText, e.NewText) {
				continue
			}
			if _, ok := mergeTexts(e.File, [][]byte{c.NewText, e.NewText}); ok {
				continue
			}
			return true
		}
	}
	return false
}

// mergeTexts merges generated files by kind.
// isIgnoreFile tells a .dockerignore, or BuildKit's <Dockerfile>.dockerignore.
func isIgnoreFile(file string) bool { return strings.HasSuffix(path.Base(file), ".dockerignore") }

func mergeTexts(file string, texts [][]byte) ([]byte, bool) {
	if isIgnoreFile(file) {
		return transform.MergeCreatedIgnore(texts), true
	}
	switch verify.KindByName(file) {
	case verify.Compose:
		return transform.MergeCreatedCompose(texts)
	case verify.Dockerfile:
		return transform.MergeCreatedDockerfile(texts)
	}
	return nil, false
}
