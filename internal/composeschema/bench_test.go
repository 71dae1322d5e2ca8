package composeschema

import (
	"os"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
)

// benchDocs decodes the compose files at hand (see composeFiles).
func benchDocs(b *testing.B) []map[string]any {
	var docs []map[string]any
	for _, p := range composeFiles(nil) {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if doc, ok := decode(b, src); ok {
			docs = append(docs, doc)
		}
	}
	return docs
}

// BenchmarkCompile: what generating table.go costs (compose-go's first
// schema.Validate compiles with jsonschema, about 10 ms here, in every
// process); BenchmarkTable: what a process pays once for the table.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := compile(schema.Schema); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTable(b *testing.B) {
	for b.Loop() {
		if buildTable() == nil {
			b.Fatal("no table")
		}
	}
}

// BenchmarkValid and BenchmarkComposeGoValidate judge every compose file
// of testdata and the corpus once per iteration.
func BenchmarkValid(b *testing.B) {
	docs := benchDocs(b)
	table()
	for b.Loop() {
		for _, d := range docs {
			Valid(d)
		}
	}
}

func BenchmarkComposeGoValidate(b *testing.B) {
	docs := benchDocs(b)
	_ = schema.Validate(map[string]any{})
	for b.Loop() {
		for _, d := range docs {
			_ = schema.Validate(d)
		}
	}
}
