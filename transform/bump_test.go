package transform

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// bumpTestRun writes files into a fresh working folder, plans a bump and
// returns the plan with every edited file's new content (slash paths
// relative to the folder).
func bumpTestRun(t *testing.T, files map[string]string, opts BumpOptions) (*BumpPlan, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ws.Errors {
		if e.Fatal {
			t.Fatalf("load: %v", e)
		}
	}
	plan, err := Bump(ws, opts)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]analysis.TextEdit{}
	for _, e := range plan.Edits {
		rel, err := filepath.Rel(ws.Cwd, e.File)
		if err != nil {
			t.Fatal(err)
		}
		e.File = filepath.ToSlash(rel)
		byFile[e.File] = append(byFile[e.File], e)
	}
	out := map[string]string{}
	for file, edits := range byFile {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := edit.Apply(src, edits)
		if err != nil {
			t.Fatal(err)
		}
		out[file] = string(got)
	}
	return plan, out
}

func skipped(plan *BumpPlan) []string {
	var out []string
	for _, s := range plan.Skipped {
		out = append(out, s.Service+": "+s.Reason)
	}
	sort.Strings(out)
	return out
}

const articleCompose = `code:
  build: .
app:
  image: quay.io/oddnetworks/alpine-nodejs:4.2.2
  volumes_from:
    - code
  ports:
    - "8080:3000"
  working_dir: /app
  command: /bin/ash -c "npm install --production && npm run start"
`

func TestBumpArticle(t *testing.T) {
	plan, out := bumpTestRun(t, map[string]string{
		"docker-compose.yml": articleCompose,
		"Dockerfile":         "FROM tianon/true\nADD . /app\nVOLUME /app\n",
		".dockerignore":      "node_modules\n.git\n",
	}, BumpOptions{Version: "4.2.3", Today: time.Date(2016, 1, 10, 0, 0, 0, 0, time.UTC)})
	want := strings.Replace(articleCompose, "alpine-nodejs:4.2.2", "alpine-nodejs:4.2.3", 1)
	if len(out) != 1 || out["docker-compose.yml"] != want {
		t.Fatalf("got %q", out)
	}
	if plan.Refused != "" || len(plan.Warnings) != 0 || len(plan.Skipped) != 0 {
		t.Errorf("refused %q, warnings %q, skipped %q", plan.Refused, plan.Warnings, skipped(plan))
	}
	c := plan.Changes[0]
	if c.Service != "app" || c.File != "docker-compose.yml" || c.Line != 4 || c.FromMajor != "4" || c.Crosses ||
		c.Old != "quay.io/oddnetworks/alpine-nodejs:4.2.2" || c.New != "quay.io/oddnetworks/alpine-nodejs:4.2.3" ||
		strings.Join(c.Code, ",") != "code" {
		t.Errorf("change %+v", c)
	}
}

func TestBumpTags(t *testing.T) {
	tests := []struct {
		name, image, version, want string
		notes                      []string
	}{
		{"variant kept", "node:20.11.1-alpine3.19", "20.12.2", "node:20.12.2-alpine3.19", nil},
		{"registry with a port", "registry.example.com:5000/library/node:20-bookworm-slim", "20.12.2", "registry.example.com:5000/library/node:20.12.2-bookworm-slim", nil},
		{"codename", "node:iron-slim", "20.12.2", "node:20.12.2-slim", nil},
		{"lts codename", "node:lts-iron-alpine", "20.12.2", "node:20.12.2-alpine", nil},
		{"third party", "cimg/node:20.11", "20.12", "cimg/node:20.12", nil},
		{"quoted", `"node:20.11.1"`, "20.12.2", `"node:20.12.2"`, nil},
		{"single quoted", `'node:20'`, "20.12.2", `'node:20.12.2'`, nil},
		{"default of a variable", "node:${NODE_VERSION:-20.11.1}-alpine", "20.12.2", "node:${NODE_VERSION:-20.12.2}-alpine", nil},
		{"default with the variant", "node:${NODE_TAG-20.11.1-bookworm}", "20.12.2", "node:${NODE_TAG-20.12.2-bookworm}", nil},
		{"floating tag pinned", "node:lts-alpine", "26.1.0", "node:26.1.0-alpine", []string{`the floating tag "lts-alpine" (Node 26 today) becomes a pinned version`}},
		{"variant only", "node:alpine", "26.1.0", "node:26.1.0-alpine", []string{`the floating tag "alpine" (Node 26 today) becomes a pinned version`}},
		{"no tag", "node", "26.1.0", "node:26.1.0", []string{`the floating tag "" (Node 26 today) becomes a pinned version`}},
		{"comment after the value", "node:20 # runtime", "20.12.2", "node:20.12.2 # runtime", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "services:\n  app:\n    image: " + tt.image + "\n    volumes:\n      - ./src:/app\n"
			plan, out := bumpTestRun(t, map[string]string{"compose.yaml": src},
				BumpOptions{Version: tt.version, Today: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
			if plan.Refused != "" {
				t.Fatalf("refused: %s", plan.Refused)
			}
			want := strings.Replace(src, tt.image, tt.want, 1)
			if out["compose.yaml"] != want {
				t.Fatalf("got\n%s\nwant\n%s\nskipped %q", out["compose.yaml"], want, skipped(plan))
			}
			if got := plan.Changes[0].Notes; strings.Join(got, "|") != strings.Join(tt.notes, "|") {
				t.Errorf("notes %q, want %q", got, tt.notes)
			}
		})
	}
}

func TestBumpVariableSetElsewhere(t *testing.T) {
	plan, out := bumpTestRun(t, map[string]string{
		"compose.yaml": "services:\n  app:\n    image: node:${NODE_VERSION:-20.11.1}\n    volumes_from: [code]\n  code:\n    build: .\n",
		"Dockerfile":   "FROM scratch\nCOPY . /app\n",
		".env":         "NODE_VERSION=20.10.0\n",
	}, BumpOptions{Version: "20.12.2"})
	if !strings.Contains(out["compose.yaml"], "image: node:${NODE_VERSION:-20.12.2}\n") {
		t.Fatalf("got %q", out["compose.yaml"])
	}
	if n := plan.Changes[0].Notes; len(n) != 1 || !strings.HasPrefix(n[0], "NODE_VERSION is set in the environment or .env (the tag in effect is 20.10.0)") {
		t.Errorf("notes %q", n)
	}
}

func TestBumpDigest(t *testing.T) {
	const digest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	files := map[string]string{
		"compose.yaml": "services:\n  app:\n    image: node:20.11.1-alpine" + digest + "\n    volumes: [app:/app]\nvolumes:\n  app: {}\n",
	}
	plan, out := bumpTestRun(t, files, BumpOptions{Version: "20.12.2"})
	if len(out) != 0 || len(plan.Changes) != 0 || len(plan.Skipped) != 1 || !plan.Skipped[0].Digest {
		t.Fatalf("without --drop-digest: out %q, skipped %q", out, skipped(plan))
	}
	if !strings.Contains(plan.Skipped[0].Reason, "--drop-digest") {
		t.Errorf("reason %q", plan.Skipped[0].Reason)
	}
	plan, out = bumpTestRun(t, files, BumpOptions{Version: "20.12.2", DropDigest: true})
	if !strings.Contains(out["compose.yaml"], "    image: node:20.12.2-alpine\n") {
		t.Fatalf("with --drop-digest: %q", out["compose.yaml"])
	}
	if len(plan.Changes[0].Notes) != 1 {
		t.Errorf("notes %q", plan.Changes[0].Notes)
	}
}

func TestBumpMajor(t *testing.T) {
	files := map[string]string{
		"docker-compose.yml": articleCompose,
		"Dockerfile":         "FROM tianon/true\nADD . /app\nVOLUME /app\n",
	}
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	plan, out := bumpTestRun(t, files, BumpOptions{Version: "22.11.0", Today: today})
	if len(out) != 0 || plan.Edits != nil {
		t.Fatalf("wrote without --major: %q", out)
	}
	want := `node@22.11.0 is Node 22, a different major for service "app" (docker-compose.yml:4, on Node 4): a new major can break the app and its native modules; rerun with --major to move anyway`
	if plan.Refused != want {
		t.Errorf("refused\n%s\nwant\n%s", plan.Refused, want)
	}
	plan, out = bumpTestRun(t, files, BumpOptions{Version: "22.11.0", Major: true, Today: today})
	if !strings.Contains(out["docker-compose.yml"], "alpine-nodejs:22.11.0\n") || plan.Refused != "" {
		t.Fatalf("with --major: %q, refused %q", out, plan.Refused)
	}
	if len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], "built for Node 4 will not load on Node 22") ||
		!strings.Contains(plan.Warnings[0], "docker compose build code") {
		t.Errorf("warnings %q", plan.Warnings)
	}
	// An end-of-life target is said so.
	plan, _ = bumpTestRun(t, files, BumpOptions{Version: "4.2.3", Today: today})
	if len(plan.Warnings) != 1 || !strings.HasPrefix(plan.Warnings[0], "Node 4 reached end of life on 2018-04-30: 4.2.3 gets no security fixes; the oldest supported LTS is Node 22") {
		t.Errorf("warnings %q", plan.Warnings)
	}
}

func TestBumpLeavesAlone(t *testing.T) {
	plan, out := bumpTestRun(t, map[string]string{
		"compose.yaml": `x-node: &node
  image: node:20
  volumes: [./:/app]
x-copy:
  base: *node # used other than as a service's merge key
services:
  code:
    build: .
    image: acme/app-node:1.0
  twin:
    image: acme/app-node:1.0
    volumes_from: [code]
  builds:
    build: ./web
    image: acme/web-node:2
  tool:
    image: node:20
    command: npx prettier --check .
  e2e:
    image: cypress/included:13.6.0
    volumes: [./:/e2e]
  distroless:
    image: gcr.io/distroless/nodejs20-debian12
    volumes: [./:/app]
  merged:
    <<: *node
  aliased:
    image: &img node:20
    volumes: [./:/app]
  db:
    image: postgres:16
    volumes: [db:/var/lib/postgresql/data]
  current:
    image: node:20.12.2
    volumes: [./:/app]
  unset:
    image: node:${NODE_VERSION}
    volumes: [./:/app]
volumes:
  db: {}
`,
		"Dockerfile":     "FROM scratch\nCOPY . /app\n",
		"web/Dockerfile": "FROM node:20\nCOPY . /app\n",
	}, BumpOptions{Version: "20.12.2"})
	if len(out) != 0 {
		t.Fatalf("changed %q", out)
	}
	want := []string{
		"aliased: its image: is a YAML anchor (&img) that other services may share; change it by hand",
		"builds: it builds its image: bump moves runtime services on a stock Node image, not images built from a Dockerfile",
		"code: it builds its image: bump moves runtime services on a stock Node image, not images built from a Dockerfile",
		"current: it already runs node:20.12.2",
		"distroless: gcr.io/distroless/nodejs20-debian12 carries its Node major in the name, not the tag; change the image by hand",
		"e2e: the tag of cypress/included:13.6.0 is not a Node version",
		"merged: its image: comes from a YAML merge key (<<) that other services may share; change the anchor by hand",
		"tool: it mounts no code (no volumes_from, volume or bind mount), so it is not the runtime of a decoupled app",
		`twin: its image is built by service "code"`,
		"unset: its image node:${NODE_VERSION} takes a variable that has no value here; set the new version where the variable is defined",
	}
	if got := skipped(plan); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBumpOverrideFile(t *testing.T) {
	_, out := bumpTestRun(t, map[string]string{
		"compose.yaml":          "services:\n  app:\n    image: node:20.11.1\n    volumes: [./:/app]\n",
		"compose.override.yaml": "services:\n  app:\n    image: node:20.11.1-slim\n",
	}, BumpOptions{Version: "20.12.2"})
	if len(out) != 1 || out["compose.override.yaml"] != "services:\n  app:\n    image: node:20.12.2-slim\n" {
		t.Fatalf("got %q", out)
	}
}

func TestParseBumpTarget(t *testing.T) {
	for arg, want := range map[string]string{
		"node@20.11.1": "20.11.1", "node@20": "20", "NODE@v18.19.0": "18.19.0", "node@0.10.48": "0.10.48", "node@4.2.3": "4.2.3",
	} {
		if got, err := ParseBumpTarget(arg); err != nil || got != want {
			t.Errorf("ParseBumpTarget(%q) = %q, %v; want %q", arg, got, err, want)
		}
	}
	for _, arg := range []string{"20.11.1", "node@", "node@lts", "node@iron", "node@20.x", "node@020", "bun@1.0", "node@20.1.2.3", "node@0"} {
		if got, err := ParseBumpTarget(arg); err == nil {
			t.Errorf("ParseBumpTarget(%q) = %q, want an error", arg, got)
		}
	}
}
