package transform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/workspace"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A Dockerfile no compose file builds gets, as an unsafe fix, a new
// compose.yaml beside it that loads and runs the code from a volume.
func TestSplitStandaloneCreatesCompose(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"web/Dockerfile": "FROM node:24-alpine\nWORKDIR /srv\nENV PORT=8080\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"index.js\"]\n",
	})
	t.Chdir(dir)
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Dockerfiles) != 1 {
		t.Fatalf("want one standalone Dockerfile, got %d", len(ws.Dockerfiles))
	}
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	if fix.Safe {
		t.Error("a new compose file must be an unsafe fix")
	}
	changes, err := edit.Plan(dir, relTo(t, dir, fix))
	if err != nil {
		t.Fatal(err)
	}
	if err := edit.Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "web/compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  web:\n    image: node:24-alpine\n    volumes_from:\n      - web-code\n    working_dir: /srv\n",
		"    command: [\"node\", \"index.js\"]\n", "    user: node\n", "      PORT: \"8080\"\n",
		"  web-code:\n    build:\n      context: .\n      dockerfile: Dockerfile.code\n    network_mode: none\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("compose.yaml lacks %q:\n%s", want, got)
		}
	}
	p, err := compose.Load([]string{filepath.Join(dir, "web/compose.yaml")})
	if err != nil || p.Degraded != "" {
		t.Fatalf("generated compose.yaml does not load cleanly: %v %s", err, p.Degraded)
	}
	if svc := p.Model.Services["web"]; svc.Build != nil || len(svc.VolumesFrom) != 1 {
		t.Errorf("runtime service: build %v, volumes_from %v", svc.Build, svc.VolumesFrom)
	}
}

func TestSplitStandaloneRefusesBesideACompose(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":   "FROM node:24\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"a.js\"]\n",
		"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
	})
	t.Chdir(dir)
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix != nil || !strings.Contains(reason, "does not build this Dockerfile") {
		t.Fatalf("want a refusal naming the compose file, got fix=%v reason=%q", fix, reason)
	}
}

// relTo makes a fix's absolute edit paths relative to the root, as the
// driver does before planning.
func relTo(t *testing.T, dir string, fix *analysis.SuggestedFix) []analysis.TextEdit {
	t.Helper()
	out := make([]analysis.TextEdit, len(fix.Edits))
	for i, e := range fix.Edits {
		rel, err := filepath.Rel(dir, e.File)
		if err != nil {
			t.Fatal(err)
		}
		e.File = rel
		out[i] = e
	}
	return out
}
