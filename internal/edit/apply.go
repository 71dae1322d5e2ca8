// Package edit turns the text edits of suggested fixes into file changes:
// Apply splices edits into one file's bytes, Plan reads the files the edits
// name and computes their new contents, UnifiedDiff prints a plan as a
// git-style patch (for --diff), and Commit writes a plan to disk all or
// nothing.
//
// Every file access goes through os.Root, so a path in an edit, or a
// symbolic link met on the way, can never make decouple read or write
// outside the folder it was pointed at.
package edit

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// Errors that callers may want to tell apart with errors.Is, for instance to
// drop one conflicting fix and retry the others.
var (
	// ErrRange means an edit's offsets lie outside the file.
	ErrRange = errors.New("edit out of range")
	// ErrOverlap means two different edits touch the same bytes.
	ErrOverlap = errors.New("edits overlap")
)

// Apply returns a copy of src with edits applied. Offsets are into src; the
// File field is not consulted, so group edits per file first (Plan does).
//
// Edits may come in any order. Exact duplicates (same range, same text) are
// applied once, since two findings can suggest the same fix. Insertions at
// the same offset are applied in the order given, and an insertion at the
// start or end of a replaced range goes before or after it respectively.
// An edit out of range, or overlapping another, is an error.
func Apply(src []byte, edits []analysis.TextEdit) ([]byte, error) {
	sorted, err := normalize(len(src), edits)
	if err != nil {
		return nil, err
	}
	size := len(src)
	for _, e := range sorted {
		size += len(e.NewText) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, e := range sorted {
		out = append(out, src[last:e.Start]...)
		out = append(out, e.NewText...)
		last = e.End
	}
	return append(out, src[last:]...), nil
}

// normalize checks edits against a file of size bytes and returns them
// sorted by position, without duplicates and no-ops.
func normalize(size int, edits []analysis.TextEdit) ([]analysis.TextEdit, error) {
	for i := range edits {
		e := &edits[i]
		if e.Start < 0 || e.End < e.Start || e.End > size {
			return nil, fmt.Errorf("%w: %s on %d bytes", ErrRange, describe(e), size)
		}
	}
	sorted := slices.Clone(edits)
	// Stable, so that insertions at one offset keep the order given.
	slices.SortStableFunc(sorted, func(a, b analysis.TextEdit) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	kept := sorted[:0]
	group := 0 // kept[group:] share the range of the last kept edit
	for _, e := range sorted {
		if e.Start == e.End && len(e.NewText) == 0 {
			continue // inserts nothing, so it can conflict with nothing
		}
		if n := len(kept); n > 0 {
			prev := &kept[n-1]
			if prev.Start != e.Start || prev.End != e.End {
				group = n
			} else if slices.ContainsFunc(kept[group:], func(k analysis.TextEdit) bool {
				return bytes.Equal(k.NewText, e.NewText)
			}) {
				continue
			}
			// Kept edits are sorted and disjoint, so prev ends furthest.
			if e.Start < prev.End {
				return nil, fmt.Errorf("%w: %s and %s", ErrOverlap, describe(prev), describe(&e))
			}
		}
		kept = append(kept, e)
	}
	return kept, nil
}

func describe(e *analysis.TextEdit) string {
	s := fmt.Sprintf("edit [%d,%d)", e.Start, e.End)
	if e.File != "" {
		s = e.File + ": " + s
	}
	return s
}
