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

// BenchmarkCompile: what a process pays once (compose-go's first
// schema.Validate compiles with jsonschema, about 10 ms here).
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := compile(schema.Schema); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValid and BenchmarkComposeGoValidate judge every compose file
// of testdata and the corpus once per iteration.
func BenchmarkValid(b *testing.B) {
	docs := benchDocs(b)
	Prepare()
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
