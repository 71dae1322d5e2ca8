package transform

import (
	"strings"
	"testing"
)

// A service declared in a base file whose build: is set again in a variant
// layered on it: the refusal names both files and how they are combined,
// instead of sending the user to the file the finding is in.
func TestSplitRefusesLayeredBuildNamingBothFiles(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"docker-compose.common.yml": "services:\n  web:\n    build:\n      context: api/\n  db:\n    image: postgres:16\n",
		"docker-compose.dev.yml":    "services:\n  web:\n    build:\n      dockerfile: Dockerfile.dev\n  db:\n    container_name: db-dev\n",
		"api/Dockerfile.dev":        "FROM node:22\nWORKDIR /app\nCOPY . .\nCMD [\"npm\", \"run\", \"dev\"]\n",
	})
	t.Chdir(dir)
	ws := load(t)
	var reasons []string
	for _, p := range ws.Projects {
		for _, s := range p.Services {
			if s.Name != "web" || s.Build == nil || s.Build.File.Path == s.Key.File.Path {
				continue
			}
			fix, reason := Split(ws, s, SplitOptions{})
			if fix != nil {
				t.Fatalf("a split across two files was planned: %s", fix.Message)
			}
			reasons = append(reasons, reason)
		}
	}
	want := "the service is declared in docker-compose.common.yml and its build: is set in docker-compose.dev.yml, layered on it (docker compose -f docker-compose.common.yml -f docker-compose.dev.yml)"
	if len(reasons) != 1 || !strings.HasPrefix(reasons[0], want) {
		t.Fatalf("want one refusal starting %q, got %q", want, reasons)
	}
}
