package edit

import (
	"bytes"
	"errors"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// decodeEdits turns fuzz bytes into edits on a file of n bytes: per edit,
// two bytes of start, one of length, one of text length, then the text.
// Offsets stray one byte past either end so that range errors occur too.
func decodeEdits(n int, spec []byte) []analysis.TextEdit {
	var edits []analysis.TextEdit
	for len(spec) >= 4 && len(edits) < 16 {
		start := (int(spec[0])|int(spec[1])<<8)%(n+3) - 1
		end := start + int(spec[2]%6) - 1
		size := min(int(spec[3]%5), len(spec)-4)
		edits = append(edits, analysis.TextEdit{File: "f", Start: start, End: end, NewText: bytes.Clone(spec[4 : 4+size])})
		spec = spec[4+size:]
	}
	return edits
}

func same(a, b *analysis.TextEdit) bool {
	return a.Start == b.Start && a.End == b.End && bytes.Equal(a.NewText, b.NewText)
}

func noop(e *analysis.TextEdit) bool { return e.Start == e.End && len(e.NewText) == 0 }

// conflict reports, by a rule written independently of Apply's sort, whether
// two edits cannot both be applied.
func conflict(a, b *analysis.TextEdit) bool {
	if noop(a) || noop(b) || same(a, b) {
		return false
	}
	strictlyInside := func(ins, r *analysis.TextEdit) bool {
		return ins.Start == ins.End && r.Start < ins.Start && ins.Start < r.End
	}
	return max(a.Start, b.Start) < min(a.End, b.End) || strictlyInside(a, b) || strictlyInside(b, a)
}

// referenceApply applies valid edits one position at a time: at each offset
// first the insertions there, in order, then a replacement starting there.
func referenceApply(src []byte, edits []analysis.TextEdit) []byte {
	var kept []analysis.TextEdit
	for i := range edits {
		if noop(&edits[i]) {
			continue
		}
		dup := false
		for j := range kept {
			dup = dup || same(&kept[j], &edits[i])
		}
		if !dup {
			kept = append(kept, edits[i])
		}
	}
	out := []byte{}
	for p := 0; p <= len(src); {
		for _, e := range kept {
			if e.Start == p && e.End == p {
				out = append(out, e.NewText...)
			}
		}
		if p == len(src) {
			break
		}
		replaced := false
		for _, e := range kept {
			if e.Start == p && e.End > p {
				out = append(out, e.NewText...)
				p, replaced = e.End, true
				break
			}
		}
		if !replaced {
			out = append(out, src[p])
			p++
		}
	}
	return out
}

func FuzzApply(f *testing.F) {
	f.Add([]byte("services:\n  web:\n    image: node\n"), []byte{0, 0, 1, 4, 'a', 'b', '\n', 'c', 12, 0, 3, 2, 'x', '\n'})
	f.Add([]byte(""), []byte{1, 0, 1, 2, 'h', 'i'})
	f.Add([]byte("a\r\nb\r\nc"), []byte{3, 0, 2, 3, 'B', '\r', '\n', 7, 0, 1, 1, '\n'})
	f.Add([]byte("0123456789"), []byte{4, 0, 3, 1, 'x', 5, 0, 1, 1, 'y'})                  // overlap
	f.Add([]byte("0123456789"), []byte{6, 0, 1, 1, 'i', 6, 0, 1, 1, 'j', 6, 0, 1, 1, 'i'}) // insertions, a duplicate
	f.Add([]byte("x\ny\nz\n"), []byte{0, 0, 0, 0, 200, 0, 7, 0})                           // end before start, out of range
	f.Fuzz(func(t *testing.T, src, spec []byte) {
		edits := decodeEdits(len(src), spec)
		inRange, disjoint := true, true
		for i := range edits {
			e := &edits[i]
			inRange = inRange && 0 <= e.Start && e.Start <= e.End && e.End <= len(src)
			for j := range i {
				disjoint = disjoint && !conflict(&edits[j], e)
			}
		}
		got, err := Apply(src, edits)
		switch {
		case !inRange:
			if !errors.Is(err, ErrRange) {
				t.Fatalf("edits out of range: got %q, %v", got, err)
			}
			return
		case !disjoint:
			if !errors.Is(err, ErrOverlap) {
				t.Fatalf("conflicting edits: got %q, %v", got, err)
			}
			return
		case err != nil:
			t.Fatalf("valid edits %v: %v", edits, err)
		}
		if want := referenceApply(src, edits); !bytes.Equal(got, want) {
			t.Fatalf("edits %v: got %q, want %q", edits, got, want)
		}
		sorted, err := normalize(len(src), edits)
		if err != nil {
			t.Fatal(err)
		}
		size := len(src)
		for _, e := range sorted {
			size += len(e.NewText) - (e.End - e.Start)
		}
		if len(got) != size {
			t.Fatalf("length %d, want %d", len(got), size)
		}
		checkDiff(t, src, got, true)
	})
}

// linePieces turns each fuzz byte into a line, to fuzz diffs of texts made
// of few distinct lines: repeats are what make hunks hard to get right.
var linePieces = []string{"a\n", "b\n", "a\r\n", "\n", "c", "\r\n", "--- x\n", "\\ y\n", "a", "b\r"}

func expandLines(b []byte) []byte {
	var out []byte
	for _, c := range b {
		out = append(out, linePieces[int(c)%len(linePieces)]...)
	}
	return out
}

func FuzzUnifiedDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"), true, false)
	f.Add([]byte("a\nb"), []byte("a\nb\n"), true, false)
	f.Add([]byte(""), []byte("new\nfile"), false, false)
	f.Add([]byte("x\r\ny\r\n"), []byte("x\ny\r\n"), true, false)
	f.Add([]byte(numbered(40)), []byte(numbered(45)[8:]), true, false)
	f.Add([]byte{0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4}, []byte{0, 1, 2, 9, 1, 2, 0, 1, 2, 8}, true, true)
	f.Add([]byte{}, []byte{}, false, false)
	f.Fuzz(func(t *testing.T, old, nw []byte, exists, lines bool) {
		if lines {
			old, nw = expandLines(old), expandLines(nw)
		}
		if !exists {
			old = nil
		}
		checkDiff(t, old, nw, exists)
	})
}

// checkDiff diffs old and new and applies the diff with the in-test
// applier, which also checks line numbers, counts and context.
func checkDiff(t *testing.T, old, nw []byte, exists bool) {
	t.Helper()
	changes := []Change{{Path: "f", Old: old, New: nw, Exists: exists, Mode: 0o644}}
	diff := UnifiedDiff(changes)
	if exists && bytes.Equal(old, nw) {
		if diff != "" {
			t.Fatalf("diff of equal texts: %q", diff)
		}
		return
	}
	if again := UnifiedDiff(changes); again != diff {
		t.Fatalf("diff is not deterministic")
	}
	files := map[string]string{}
	if exists {
		files["f"] = string(old)
	}
	got, err := applyPatch(diff, files)
	if err != nil {
		t.Fatalf("old %q new %q:\n%s\n%v", old, nw, diff, err)
	}
	if got["f"] != string(nw) {
		t.Fatalf("old %q new %q: patched into %q\n%s", old, nw, got["f"], diff)
	}
}
