package workspace

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStageFactsOnBuiltBase: a split plans from every stage of the
// Dockerfile, so a service keeps the facts of each stage as the workspace
// judged them, a stage FROM an image another service builds included (not
// as a Dockerfile read alone would see it: an unknown base).
func TestStageFactsOnBuiltBase(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"compose.yaml":    "services:\n  base:\n    image: acme/base:1\n    build: ./base\n  web:\n    build: ./web\n",
		"base/Dockerfile": "FROM node:22-alpine\nWORKDIR /app\nONBUILD COPY . /app\n",
		"web/Dockerfile":  "FROM acme/base:1 AS builder\nRUN npm ci\n\nFROM node:22-alpine\nWORKDIR /app\nCOPY --from=builder /app /app\nCMD [\"node\", \"server.js\"]\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	ws, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ws.Projects {
		for _, s := range p.Services {
			if s.Name != "web" {
				continue
			}
			if len(s.StageFacts) != 2 || s.StageFacts[0].BaseBuiltBy != "base" {
				t.Fatalf("web's builder stage facts = %+v, want its base built by service base", s.StageFacts)
			}
			if s.Facts != s.StageFacts[1] && s.Facts.BuiltStage == "" {
				t.Errorf("web's facts are neither its stage's nor marked as needing a built stage")
			}
			return
		}
	}
	t.Fatal("service web not loaded")
}
