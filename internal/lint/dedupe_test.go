package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/decouple-dev/decouple/internal/workspace"
)

// TestNoDuplicateFindingsAcrossProjects: a variant file that does not stand
// on its own is loaded on top of its base, so two projects see the same
// service at the same place; the driver reports it once.
func TestNoDuplicateFindingsAcrossProjects(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"docker-compose.yml":      "services:\n  api:\n    build: .\n",
		"docker-compose.prod.yml": "services:\n  api:\n    restart: always\n",
		"Dockerfile":              "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
		".dockerignore":           "node_modules\n.git\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	res, err := Run(Options{Load: workspace.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.WS.Projects) < 2 {
		t.Fatalf("want the base and the layered variant as two projects, got %d: the test no longer shows the case", len(res.WS.Projects))
	}
	var dc001 []string
	for _, d := range res.Diagnostics {
		if d.Rule.Code == "DC001" {
			dc001 = append(dc001, d.Pos.String()+" "+d.Service)
		}
	}
	if len(dc001) != 1 {
		t.Errorf("DC001 findings = %q, want one", dc001)
	}
}
