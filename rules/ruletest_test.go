package rules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/ruletest"
	"github.com/decouple-dev/decouple/rules"
)

// TestRuleCases runs each rule over its folder of txtar projects,
// testdata/<code>/*.txtar, whose files carry the expected diagnostics in
// `# want` comments (see package ruletest).
func TestRuleCases(t *testing.T) {
	for _, r := range rules.All() {
		t.Run(r.Code, func(t *testing.T) {
			ruletest.Run(t, filepath.Join("testdata", strings.ToLower(r.Code)), r)
		})
	}
}
