package workspace

import (
	"os"
	"path/filepath"
	"testing"
)

// TestParseCache: a second load with the same cache reuses the parse of a
// Dockerfile whose bytes did not change, and parses a changed one again,
// so the re-lint after --fix sees exactly what is on disk.
func TestParseCache(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("api/Dockerfile", "FROM node:22\nCOPY . .\nCMD [\"node\", \"a.js\"]\n")
	write("web/Dockerfile", "FROM node:22\nCOPY . .\nCMD [\"node\", \"b.js\"]\n")
	write("compose.yaml", "services:\n  api:\n    build: ./api\n")

	cache := NewParseCache()
	load := func() (web *Dockerfile, api *Service) {
		t.Helper()
		ws, err := Load(Options{Parsed: cache})
		if err != nil {
			t.Fatal(err)
		}
		if len(ws.Errors) > 0 {
			t.Fatalf("errors: %v", ws.Errors)
		}
		if len(ws.Projects) != 1 || len(ws.Projects[0].Services) != 1 || len(ws.Dockerfiles) != 1 {
			t.Fatalf("want one service and one standalone Dockerfile, got %+v", ws)
		}
		return ws.Dockerfiles[0], ws.Projects[0].Services[0]
	}
	web1, api1 := load()
	write("web/Dockerfile", "FROM node:24\nCOPY . .\nCMD [\"node\", \"b.js\"]\n")
	web2, api2 := load()
	if api1.Dockerfile != api2.Dockerfile {
		t.Error("unchanged api/Dockerfile was parsed again")
	}
	if web1.File == web2.File {
		t.Fatal("changed web/Dockerfile was not parsed again")
	}
	if got := web2.File.Stages[0].Base; got != "node:24" {
		t.Errorf("second load sees base %q, want node:24", got)
	}
	// Without a cache every load parses anew.
	ws1, _ := Load(Options{})
	ws2, _ := Load(Options{})
	if ws1.Dockerfiles[0].File == ws2.Dockerfiles[0].File {
		t.Error("loads without a cache share a parse")
	}
}
