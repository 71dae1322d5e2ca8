package edit

import (
	"errors"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

func ed(start, end int, text string) analysis.TextEdit {
	return analysis.TextEdit{File: "f", Start: start, End: end, NewText: []byte(text)}
}

func TestApply(t *testing.T) {
	const src = "0123456789"
	for _, tc := range []struct {
		name  string
		edits []analysis.TextEdit
		want  string
	}{
		{"none", nil, src},
		{"replace middle", []analysis.TextEdit{ed(3, 5, "abc")}, "012abc56789"},
		{"insert at start", []analysis.TextEdit{ed(0, 0, "x")}, "x0123456789"},
		{"insert at end", []analysis.TextEdit{ed(10, 10, "x")}, "0123456789x"},
		{"delete all", []analysis.TextEdit{ed(0, 10, "")}, ""},
		{"unsorted", []analysis.TextEdit{ed(8, 9, "E"), ed(1, 2, "A"), ed(4, 6, "")}, "0A2367E9"},
		{"duplicates applied once", []analysis.TextEdit{ed(1, 2, "A"), ed(5, 5, "i"), ed(1, 2, "A"), ed(5, 5, "i")}, "0A234i56789"},
		{"insertions keep their order", []analysis.TextEdit{ed(5, 5, "b"), ed(5, 5, "a"), ed(5, 5, "c")}, "01234bac56789"},
		{"non-adjacent duplicate insertion", []analysis.TextEdit{ed(5, 5, "a"), ed(5, 5, "b"), ed(5, 5, "a")}, "01234ab56789"},
		{"insertion before a replacement", []analysis.TextEdit{ed(3, 5, "R"), ed(3, 3, "i")}, "012iR56789"},
		{"insertion after a replacement", []analysis.TextEdit{ed(5, 5, "i"), ed(3, 5, "R")}, "012Ri56789"},
		{"adjacent replacements", []analysis.TextEdit{ed(2, 4, "X"), ed(4, 6, "Y")}, "01XY6789"},
		{"empty edit inside a replacement", []analysis.TextEdit{ed(2, 6, "X"), ed(4, 4, "")}, "01X6789"},
	} {
		got, err := Apply([]byte(src), tc.edits)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	const src = "0123456789"
	for _, tc := range []struct {
		name  string
		edits []analysis.TextEdit
		want  error
	}{
		{"negative start", []analysis.TextEdit{ed(-1, 2, "")}, ErrRange},
		{"end before start", []analysis.TextEdit{ed(5, 4, "")}, ErrRange},
		{"end past the file", []analysis.TextEdit{ed(5, 11, "")}, ErrRange},
		{"insertion past the file", []analysis.TextEdit{ed(11, 11, "x")}, ErrRange},
		{"overlap", []analysis.TextEdit{ed(2, 5, "a"), ed(4, 7, "b")}, ErrOverlap},
		{"same range, other text", []analysis.TextEdit{ed(2, 5, "a"), ed(2, 5, "b")}, ErrOverlap},
		{"insertion inside a replacement", []analysis.TextEdit{ed(2, 5, "a"), ed(3, 3, "b")}, ErrOverlap},
		{"nested", []analysis.TextEdit{ed(1, 8, "a"), ed(3, 4, "b")}, ErrOverlap},
	} {
		got, err := Apply([]byte(src), tc.edits)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %q, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestApplyDoesNotAlias(t *testing.T) {
	src := []byte("abc")
	out, err := Apply(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	out[0] = 'X'
	if string(src) != "abc" {
		t.Errorf("Apply returned src itself")
	}
	edits := []analysis.TextEdit{ed(2, 3, "C"), ed(0, 1, "A")}
	if _, err := Apply(src, edits); err != nil {
		t.Fatal(err)
	}
	if edits[0].Start != 2 {
		t.Errorf("Apply reordered the caller's slice")
	}
}
