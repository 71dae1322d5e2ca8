package lint

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md from the catalogue")

// TestRulesDocUpToDate keeps docs/rules.md, where every finding's URL and
// SARIF helpUri point, in step with the catalogue.
func TestRulesDocUpToDate(t *testing.T) {
	const path = "../../docs/rules.md"
	want := RulesDoc()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/lint", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the rule catalogue: run go generate ./internal/lint", path)
	}
	for _, r := range Catalogue() {
		anchor := r.URL()[strings.Index(r.URL(), "#")+1:]
		if !bytes.Contains(got, []byte(`<a id="`+anchor+`"></a>`)) {
			t.Errorf("docs/rules.md has no anchor %q for %s, which its URL names", anchor, r.Code)
		}
	}
}
