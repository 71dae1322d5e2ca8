package lint

import (
	"bytes"
	"testing"

	"github.com/decouple-dev/decouple/internal/suppress"
)

// applySuppressions skips files without directiveMark: every text
// suppress.Parse takes for a directive must hold it.
func TestDirectiveMark(t *testing.T) {
	for _, line := range []string{
		"# decouple:ignore DC001 -- why", "#decouple:ignore-file DC002 -- why", "FROM node # decouple:ignore",
		"  #   decouple:ignore node-eol", "x\t#decouple:ignore-file",
	} {
		if len(suppress.Parse("f", []byte(line), Resolve)) == 0 {
			t.Errorf("%q: suppress.Parse finds no directive", line)
		}
		if !bytes.Contains([]byte(line), directiveMark) {
			t.Errorf("%q: a directive without %q", line, directiveMark)
		}
	}
	for _, line := range []string{"# Decouple:ignore DC001 -- why", "# DECOUPLE:IGNORE DC001 -- why", "# decouple ignore DC001"} {
		if len(suppress.Parse("f", []byte(line), Resolve)) != 0 && !bytes.Contains([]byte(line), directiveMark) {
			t.Errorf("%q: suppress.Parse finds a directive the mark misses", line)
		}
	}
}
