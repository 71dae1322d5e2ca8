package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRunSingle is one in-process pre-commit run: a compose file and
// the Dockerfile it builds, linted and reported as JSON. Process start
// (package init, mostly compose-go's JSON Schema package) is not in it;
// bench/run.sh times whole runs.
func BenchmarkRunSingle(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{
		"compose.yaml": "services:\n  web:\n    build: .\n    ports: [\"3000:3000\"]\n    depends_on: [db]\n  db:\n    image: postgres:16\n",
		"Dockerfile":   "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
		"package.json": `{"name":"web","scripts":{"start":"node server.js"}}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Chdir(dir)
	for b.Loop() {
		if code := run([]string{"decouple", "--format", "json", "."}, strings.NewReader(""), io.Discard, io.Discard); code != exitFindings {
			b.Fatalf("exit %d, want %d (the Dockerfile bundles Node)", code, exitFindings)
		}
	}
}
