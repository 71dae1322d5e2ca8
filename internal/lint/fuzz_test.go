package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// FuzzFixPipeline runs lint and --fix --unsafe-fixes over an arbitrary
// compose file and Dockerfile: nothing may panic, every compose file the fix
// writes must still parse when it parsed before, and a second --fix must
// change nothing (idempotence).
func FuzzFixPipeline(f *testing.F) {
	f.Add([]byte("app:\n  build: .\n  ports:\n    - \"8080:3000\"\n"),
		[]byte("FROM node:4.2.2\nADD . /app\nWORKDIR /app\nRUN npm install --production\nCMD npm run start\n"))
	f.Add([]byte("# c\nservices:\n  api:\n    image: x/api:${TAG:-1}\n    build:\n      context: .\n      args:\n        V: ${V:-22}\n    environment:\n      - A=1\n  db:\n    image: postgres\n"),
		[]byte("ARG V=20\nFROM node:${V}-alpine\nWORKDIR /srv\nENV B=$V\nCOPY . .\nUSER node\nCMD [\"node\",\"s.js\"]\n"))
	f.Add([]byte("version: \"2\"\nservices:\n  web:\n    build: .\n    net: host\n  job:\n    image: web\n"),
		[]byte("FROM node:22 AS b\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nFROM nginx\nCOPY --from=b /app/dist /usr/share/nginx/html\n"))
	f.Fuzz(func(t *testing.T, composeSrc, dockerfileSrc []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), composeSrc, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfileSrc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		_, parseErr := compose.ParseFile("compose.yaml", composeSrc)
		res, err := Run(Options{Load: workspace.Options{}})
		if err != nil {
			return
		}
		plan, err := PlanFixes(dir, res.Diagnostics, true)
		if err != nil {
			return // a fix whose edits do not apply is refused whole
		}
		if err := edit.Commit(dir, plan.Changes); err != nil {
			t.Fatalf("commit: %v", err)
		}
		if parseErr == nil {
			now, _ := os.ReadFile(filepath.Join(dir, "compose.yaml"))
			if _, err := compose.ParseFile("compose.yaml", now); err != nil {
				t.Fatalf("fixed compose file no longer parses: %v\n--- before\n%s\n--- after\n%s", err, composeSrc, now)
			}
		}
		// Fixes of different rules may land over two runs (a clash is
		// retried next time); by the third nothing may change.
		for range 2 {
			again, err := Run(Options{Load: workspace.Options{}})
			if err != nil {
				return
			}
			p2, err := PlanFixes(dir, again.Diagnostics, true)
			if err != nil || len(p2.Changes) == 0 {
				return
			}
			if err := edit.Commit(dir, p2.Changes); err != nil {
				t.Fatalf("commit: %v", err)
			}
		}
		last, err := Run(Options{Load: workspace.Options{}})
		if err != nil {
			return
		}
		if p3, err := PlanFixes(dir, last.Diagnostics, true); err == nil && len(p3.Changes) > 0 {
			t.Fatalf("not idempotent: a third --fix still changes %s", p3.Changes[0].Path)
		}
	})
}
