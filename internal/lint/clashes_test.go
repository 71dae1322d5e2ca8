package lint

import (
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

func TestClashes(t *testing.T) {
	ed := func(start, end int, text string) analysis.TextEdit {
		return analysis.TextEdit{File: "a", Start: start, End: end, NewText: []byte(text)}
	}
	chosen := map[string][]analysis.TextEdit{"a": {ed(10, 20, "x"), ed(30, 30, "ins")}}
	for _, tt := range []struct {
		name string
		e    analysis.TextEdit
		want bool
	}{
		{"identical edit is the same edit", ed(10, 20, "x"), false},
		{"same range, other text", ed(10, 20, "y"), true},
		{"overlapping range", ed(15, 25, ""), true},
		{"adjacent before", ed(5, 10, "z"), false},
		{"adjacent after", ed(20, 22, "z"), false},
		{"insertion inside a replacement", ed(12, 12, "z"), true},
		{"insertion at a replacement's edge", ed(20, 20, "z"), false},
		{"insertion at the same offset as an insertion", ed(30, 30, "other"), false},
		{"replacement around an insertion", ed(25, 35, "z"), true},
		{"other file", analysis.TextEdit{File: "b", Start: 10, End: 20}, false},
	} {
		if got := clashes(chosen, []analysis.TextEdit{tt.e}); got != tt.want {
			t.Errorf("%s: clashes = %v, want %v", tt.name, got, tt.want)
		}
	}
}
