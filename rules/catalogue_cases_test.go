package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/workspace"
)

func TestCatalogue(t *testing.T) {
	code := regexp.MustCompile(`^DC\d{3}$`)
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	all := All()
	for i, r := range all {
		if !code.MatchString(r.Code) || !kebab.MatchString(r.Name) {
			t.Errorf("rule %q %q: code must be DCnnn and name kebab-case", r.Code, r.Name)
		}
		if seen[r.Code] || seen[r.Name] {
			t.Errorf("rule %s/%s declared twice", r.Code, r.Name)
		}
		seen[r.Code], seen[r.Name] = true, true
		if i > 0 && all[i-1].Code >= r.Code {
			t.Errorf("catalogue not in code order at %s", r.Code)
		}
		if r.Summary == "" || r.Doc == "" || r.Run == nil {
			t.Errorf("rule %s lacks a summary, doc or run function", r.Code)
		}
	}
	for _, c := range []string{"DC001", "DC002", "DC007"} {
		r := lookup(c)
		if r == nil {
			t.Fatalf("%s missing from the catalogue", c)
		}
		for _, h := range []string{"## Why", "## Bad", "## Good"} {
			if !strings.Contains(r.Doc, h) {
				t.Errorf("%s doc lacks %q", c, h)
			}
		}
	}
	if lookup("DC001").Severity != analysis.Error || lookup("DC007").Severity >= analysis.Error {
		t.Errorf("DC001 must be an error and DC007 (Bun/Deno) below it")
	}
}

// lookup finds a rule of the catalogue by code.
func lookup(code string) *Rule {
	for _, r := range All() {
		if r.Code == code {
			return r
		}
	}
	return nil
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lintTree loads files in a temporary folder (as the working folder) and
// runs the given rules; it returns the findings as "file:line:col CODE svc".
func lintTree(t *testing.T, files map[string]string, codes ...string) ([]analysis.Diagnostic, []string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, files)
	t.Chdir(root)
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ws.Errors {
		if e.Fatal {
			t.Fatalf("load error: %v", e)
		}
	}
	var rs []*Rule
	for _, c := range codes {
		rs = append(rs, lookup(c))
	}
	diags := Run(ws, rs, Settings{})
	var lines []string
	for _, d := range diags {
		lines = append(lines, fmt.Sprintf("%s %s %s", d.Pos, d.Rule.Code, d.Service))
	}
	sort.Strings(lines)
	return diags, lines
}

const bundledDockerfile = "FROM node:22-alpine\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"npm\", \"start\"]\n"

func TestBundleJudgement(t *testing.T) {
	diags, lines := lintTree(t, map[string]string{
		"compose.yaml": `services:
  app:
    build: .
    volumes:
      - .:/usr/src/app
      - /usr/src/app/node_modules
  sub:
    build: .
    volumes:
      - ./src:/usr/src/app/src
  same-image:
    build: .
    image: shop/app:dev
  migrate:
    image: shop/app:dev
    command: ["npx", "knex", "migrate:latest"]
  dev:
    image: node:22
    volumes:
      - .:/usr/src/app
  bun:
    build:
      context: .
      dockerfile: bun.Dockerfile
  company:
    build:
      context: .
      dockerfile: company.Dockerfile
    command: ["node", "server.js"]
  company-quiet:
    build:
      context: .
      dockerfile: company.Dockerfile
`,
		"Dockerfile":         bundledDockerfile,
		"bun.Dockerfile":     "FROM oven/bun:1\nWORKDIR /app\nCOPY . .\nCMD [\"bun\", \"index.ts\"]\n",
		"company.Dockerfile": "FROM registry.acme.internal/platform/runtime:3\nWORKDIR /srv\nCOPY . .\n",
		".dockerignore":      "node_modules\n.git\n",
	}, "DC001", "DC007")
	want := []string{
		"compose.yaml:12:5 DC001 same-image",
		"compose.yaml:15:5 DC001 migrate",
		"compose.yaml:26:5 DC001 company",
		"compose.yaml:3:5 DC001 app",
		"compose.yaml:8:5 DC001 sub",
		"compose.yaml:22:5 DC007 bun",
	}
	sort.Strings(want)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, d := range diags {
		switch d.Service {
		case "app":
			if !strings.Contains(d.Message, "bind mount over /usr/src/app hides the baked code") {
				t.Errorf("app: message does not say the mount hides the code: %s", d.Message)
			}
		case "sub":
			// A mount over a subfolder does not hide the whole code.
			if strings.Contains(d.Message, "bind mount") {
				t.Errorf("sub: message claims a hiding mount: %s", d.Message)
			}
		case "migrate":
			if !strings.Contains(d.Message, `built by service "same-image"`) {
				t.Errorf("migrate: message does not name the building service: %s", d.Message)
			}
		case "company":
			if !strings.Contains(d.Message, "does not know to hold Node") {
				t.Errorf("company: the unknown base is not called unknown: %s", d.Message)
			}
		}
		if d.Dockerfile == "" || d.Stage == "" || len(d.Related) == 0 {
			t.Errorf("%s: missing dockerfile/stage/related: %+v", d.Service, d)
		}
	}
}
