package rules

import (
	"os"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/edit"
)

// npmFixed applies every DC006 fix to the files they name and returns the
// new contents by name (relative to the working folder).
func npmFixed(t *testing.T, diags []analysis.Diagnostic) map[string]string {
	t.Helper()
	byFile := map[string][]analysis.TextEdit{}
	for _, d := range diags {
		if d.Fix == nil || !d.Fix.Safe {
			t.Fatalf("finding without a safe fix: %s", nvBrief(d))
		}
		for _, e := range d.Fix.Edits {
			byFile[e.File] = append(byFile[e.File], e)
		}
	}
	wd, _ := os.Getwd()
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
		out[strings.TrimPrefix(strings.TrimPrefix(file, wd), "/")] = string(got)
	}
	return out
}

func TestNPMProductionFlag(t *testing.T) {
	const lock = `{"lockfileVersion": 3}`
	tests := []struct {
		name  string
		files map[string]string
		want  []string          // findings: "file:line:col severity message-prefix"
		fixed map[string]string // files after the fixes
	}{
		{
			name: "lockfile in the context but not in the image yet: npm install",
			files: map[string]string{
				"Dockerfile":        "FROM node:20\nCOPY package.json ./\nRUN npm i --only=production\nCOPY . .\n",
				"package-lock.json": lock,
			},
			want:  []string{"Dockerfile:3:5 info npm i --only=production: --only=production is deprecated on npm 7+ (Node 20, from node:20, ships npm 9 to 10); use npm i --omit=dev (no package-lock.json reaches it, so not npm ci)"},
			fixed: map[string]string{"Dockerfile": "FROM node:20\nCOPY package.json ./\nRUN npm i --omit=dev\nCOPY . .\n"},
		},
		{
			name: "no lockfile, continuation lines, other flags kept byte for byte",
			files: map[string]string{
				"Dockerfile": "FROM node:lts-slim\nCOPY . /app\nRUN cd /app \\\n && npm install  --no-audit \\\n      --only=prod   --no-fund ; echo ok\n",
			},
			want:  []string{"Dockerfile:4:5 info npm install --no-audit --only=prod --no-fund: --only=prod is deprecated on npm 7+ (a current Node, from node:lts-slim, ships npm 7 or newer); use npm install --no-audit --omit=dev --no-fund"},
			fixed: map[string]string{"Dockerfile": "FROM node:lts-slim\nCOPY . /app\nRUN cd /app \\\n && npm install  --no-audit \\\n      --omit=dev   --no-fund ; echo ok\n"},
		},
		{
			name: "heredoc and a builder stage through FROM <stage>",
			files: map[string]string{
				"Dockerfile": "# syntax=docker/dockerfile:1\nFROM node:22 AS deps\nFROM deps\nRUN <<EOF\nset -e\nnpm install --production\nEOF\n",
			},
			want:  []string{"Dockerfile:6:1 info npm install --production"},
			fixed: map[string]string{"Dockerfile": "# syntax=docker/dockerfile:1\nFROM node:22 AS deps\nFROM deps\nRUN <<EOF\nset -e\nnpm install --omit=dev\nEOF\n"},
		},
		{
			name: "compose exec form, entrypoint, block scalar; the article's node 4 is left alone",
			files: map[string]string{
				"compose.yaml": "services:\n" +
					"  a:\n    image: node:20\n    volumes: [\"./src:/app\"]\n    command: [\"sh\", \"-c\", \"npm i --production; node .\"]\n" +
					"  b:\n    image: node:20\n    entrypoint: 'npm install --only=production && exec node server.js'\n" +
					"  c:\n    image: node:20\n    command:\n      - sh\n      - -c\n      - |\n        npm install --production\n        node server.js\n" +
					"  old:\n    image: quay.io/oddnetworks/alpine-nodejs:4.2.2\n    command: /bin/ash -c \"npm install --production && npm run start\"\n",
			},
			want: []string{
				"compose.yaml:5:28 info npm i --production",
				"compose.yaml:8:18 info npm install --only=production",
				"compose.yaml:15:9 info npm install --production",
			},
			fixed: map[string]string{
				"compose.yaml": "services:\n" +
					"  a:\n    image: node:20\n    volumes: [\"./src:/app\"]\n    command: [\"sh\", \"-c\", \"npm i --omit=dev; node .\"]\n" +
					"  b:\n    image: node:20\n    entrypoint: 'npm install --omit=dev && exec node server.js'\n" +
					"  c:\n    image: node:20\n    command:\n      - sh\n      - -c\n      - |\n        npm install --omit=dev\n        node server.js\n" +
					"  old:\n    image: quay.io/oddnetworks/alpine-nodejs:4.2.2\n    command: /bin/ash -c \"npm install --production && npm run start\"\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := nvRun(t, npmProductionFlag, "2026-11-27", tt.files)
			var got []string
			for _, d := range diags {
				got = append(got, nvBrief(d))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("finding %d:\ngot  %s\nwant %s…", i, got[i], tt.want[i])
				}
			}
			if len(diags) == 0 {
				return
			}
			fixed := npmFixed(t, diags)
			for name, want := range tt.fixed {
				if fixed[name] != want {
					t.Errorf("%s after the fix:\n%s\nwant:\n%s", name, fixed[name], want)
				}
			}
			if len(fixed) != len(tt.fixed) {
				t.Errorf("fixes touch %d files, want %d", len(fixed), len(tt.fixed))
			}
		})
	}
}

func TestScanNPM(t *testing.T) {
	tests := []struct {
		src  string
		want []string // the npm commands found, words joined
	}{
		{"npm install --production", []string{"npm install --production"}},
		{"NODE_ENV=production /usr/local/bin/npm --silent install --production", []string{"/usr/local/bin/npm --silent install --production"}},
		{"npm run build --production", nil},
		{"npm install", nil},
		{"echo 'npm install --production'", nil},
		{"bash -lc 'npm install --production' && echo \"npm i --production\"", []string{"npm install --production"}},
		{"sh -c \"cd /app && npm install --production\"", []string{"npm install --production"}},
		{"npm install\n--production", nil},
		{"npm install \\\n  --production", []string{"npm install --production"}},
		{"a && npm ci --only=production || b; npm i --production=true", []string{"npm ci --only=production", "npm i --production=true"}},
		{"npm install --production=false", nil},
		{"npm install --omit=dev --production", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range scanNPM([]byte(tt.src), 0, len(tt.src)) {
			got = append(got, c.written())
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("scanNPM(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}
