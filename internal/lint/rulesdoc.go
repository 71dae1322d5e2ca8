package lint

import (
	"fmt"
	"strings"
)

//go:generate go test -run TestRulesDocUpToDate -update .

// RulesDoc renders docs/rules.md from the catalogue: each rule's code,
// name, severity, summary and its documentation, under the anchor that
// Rule.URL (and SARIF's helpUri) link to. The catalogue is the one source;
// a test keeps the file in step with it.
func RulesDoc() []byte {
	var b strings.Builder
	b.WriteString("# decouple rules\n\n")
	b.WriteString("<!-- Generated from the rule catalogue by `go generate ./internal/lint`; do not edit. -->\n\n")
	b.WriteString("| code | name | severity | finds |\n|---|---|---|---|\n")
	cat := Catalogue()
	for _, r := range cat {
		fmt.Fprintf(&b, "| [%s](#%s) | `%s` | %s | %s |\n", r.Code, strings.ToLower(r.Code), r.Name, r.Severity, r.Summary)
	}
	for _, r := range cat {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n\n## %s %s\n\n", strings.ToLower(r.Code), r.Code, r.Name)
		fmt.Fprintf(&b, "Severity: %s. %s.\n", r.Severity, upperFirst(r.Summary))
		if doc := strings.TrimSpace(r.Doc); doc != "" {
			// Rule docs use ## headings of their own; here they sit one
			// level below the rule's.
			doc = strings.ReplaceAll("\n"+doc, "\n## ", "\n### ")
			b.WriteString(doc + "\n")
		}
		fmt.Fprintf(&b, "\nSuppress with `# decouple:ignore %s -- <reason>`; see `decouple explain %s`.\n", r.Code, r.Code)
	}
	return []byte(b.String())
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
