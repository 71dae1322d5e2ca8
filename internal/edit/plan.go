package edit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// ErrPath means a path names something outside the root, or is not a
// relative path at all.
var ErrPath = errors.New("path outside the root")

// newFileMode is the mode a created file gets when Change.Mode is zero.
const newFileMode fs.FileMode = 0o644

// Change is the planned new content of one file.
type Change struct {
	// Path is the file's slash path relative to the root, cleaned.
	Path string
	// Old is the content Plan read; Commit refuses to write if the file no
	// longer holds exactly this. Empty when the file does not exist.
	Old []byte
	// New is the content to write.
	New []byte
	// Exists reports whether the file existed when planned; if not, Commit
	// creates it (and any missing folders).
	Exists bool
	// Mode is the existing file's permission bits, or those a new file is
	// created with (0644 when zero). Commit gives an existing file back the
	// mode it has when written, whatever Mode says.
	Mode fs.FileMode
}

// Plan reads, through an os.Root opened on root, each file that edits name
// and applies to it the edits that name it. Paths in edits are relative to
// root, with slash or OS separators. A file that does not exist may only
// receive insertions at offset 0, which create it. Files whose content would
// not change are left out. Changes are sorted by path.
func Plan(root string, edits []analysis.TextEdit) ([]Change, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }() // read-only use: nothing to flush
	return PlanRoot(r, edits)
}

// PlanRoot is Plan for a root the caller has already opened.
func PlanRoot(r *os.Root, edits []analysis.TextEdit) ([]Change, error) {
	byPath := make(map[string][]analysis.TextEdit)
	for i := range edits {
		p, err := cleanPath(edits[i].File)
		if err != nil {
			return nil, err
		}
		byPath[p] = append(byPath[p], edits[i])
	}
	var changes []Change
	for _, p := range slices.Sorted(maps.Keys(byPath)) {
		c, err := planFile(r, p, byPath[p])
		if err != nil {
			return nil, err
		}
		if c.Exists && bytes.Equal(c.Old, c.New) {
			continue
		}
		changes = append(changes, c)
	}
	return changes, nil
}

func planFile(r *os.Root, p string, edits []analysis.TextEdit) (Change, error) {
	c := Change{Path: p}
	fi, err := statTarget(r, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Mode = newFileMode
	case err != nil:
		return c, err
	default:
		// Stat before reading: reading a FIFO would block forever.
		if !fi.Mode().IsRegular() {
			return c, fmt.Errorf("%s: not a regular file", p)
		}
		if c.Old, err = r.ReadFile(p); err != nil {
			return c, err
		}
		c.Exists = true
		c.Mode = keptMode(fi.Mode())
	}
	if c.New, err = Apply(c.Old, edits); err != nil {
		if !c.Exists {
			return c, fmt.Errorf("%s does not exist, so it can only be created by insertions at offset 0: %w", p, err)
		}
		return c, fmt.Errorf("%s: %w", p, err)
	}
	return c, nil
}

// statTarget stats p following symbolic links (inside the root only: os.Root
// refuses the others). It reports fs.ErrNotExist only when nothing is at p:
// a dangling link is an error, since creating the file would write wherever
// the link points.
func statTarget(r *os.Root, p string) (fs.FileInfo, error) {
	fi, err := r.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := r.Lstat(p); lerr == nil {
			return nil, fmt.Errorf("%s: dangling symbolic link", p)
		}
	}
	return fi, err
}

// keptMode is the part of a file's mode that a rewrite preserves.
func keptMode(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

// cleanPath turns a path from an edit into a clean slash path that stays
// inside the root, or fails. os.Root would refuse escapes anyway; checking
// here gives a clearer error and one spelling per file, so that edits to
// "a.yml" and "./a.yml" are grouped together.
func cleanPath(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: empty file name in edit", ErrPath)
	}
	// filepath.IsLocal rejects absolute paths, volume names, ".." escapes
	// and, on Windows, reserved device names.
	native := filepath.Clean(filepath.FromSlash(name))
	if !filepath.IsLocal(native) || native == "." {
		return "", fmt.Errorf("%w: %q must be a file path relative to the root", ErrPath, name)
	}
	return filepath.ToSlash(native), nil
}
