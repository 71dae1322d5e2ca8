package workspace

import (
	"testing"

	"github.com/decouple-dev/decouple/internal/compose"
)

// The note on unset variables names them (never their values), and reads
// as a sentence for one variable or several, with or without an example
// file standing in for .env.
func TestUnsetNote(t *testing.T) {
	for _, tc := range []struct {
		fallback   string
		unresolved []string
		want       string
	}{
		{"", []string{"PORT"}, "variable PORT is unset: judged with stand-in values where a field needs one"},
		{".env.template", []string{"P"}, "no .env; variables read from .env.template; variable P is unset, or its example value does not fit the field: judged with stand-in values where a field needs one"},
		{".env.example", []string{"A", "B"}, "no .env; variables read from .env.example; variables A, B are unset, or their example value does not fit the field: judged with stand-in values where a field needs one"},
	} {
		if got := unsetNote(&compose.Project{EnvFallback: tc.fallback, Unresolved: tc.unresolved}); got != tc.want {
			t.Errorf("unsetNote(%q, %q) =\n%q\nwant\n%q", tc.fallback, tc.unresolved, got, tc.want)
		}
	}
}
