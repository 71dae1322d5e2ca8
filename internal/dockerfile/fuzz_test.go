package dockerfile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyze feeds arbitrary Dockerfiles to the parser and the facts: no
// input may panic or hang, and every stage gets facts whose evidence lines
// lie inside the file.
func FuzzAnalyze(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/*/Dockerfile")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\",\"a.js\"]\n",
		"ARG V=20\nFROM node:${V}-alpine AS base\nFROM base\nCOPY --from=base /usr/local/bin/node /n\n",
		"# syntax=docker/dockerfile:1.4\nFROM alpine\nRUN <<EOF\napk add nodejs\nEOF\nCOPY . /srv\n",
		"# escape=`\nFROM node\nRUN echo a `\n  && git clone https://x/y.git /app\n",
		"FROM ubuntu\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs\nADD https://github.com/a/b/archive/main.tar.gz /app\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := Parse("Dockerfile", src, map[string]string{"X": "1"})
		if err != nil {
			return
		}
		facts := df.Analyze(nil)
		if len(facts) != len(df.Stages) {
			t.Fatalf("%d facts for %d stages", len(facts), len(df.Stages))
		}
		lines := 1
		for _, b := range src {
			if b == '\n' {
				lines++
			}
		}
		for _, fa := range facts {
			for _, e := range fa.Code {
				if e.Line < 0 || e.Line > lines {
					t.Fatalf("code evidence at line %d of a %d-line file", e.Line, lines)
				}
			}
		}
	})
}
