package transform

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestRunParts: how a RUN after the code arrived splits between what the
// built runtime replays (sys), what stays with the code, and what it
// cannot tell (unknown). The code is in /app, the RUN works in /app.
func TestRunParts(t *testing.T) {
	inCode := func(p string) bool { return p == "/app" || strings.HasPrefix(p, "/app/") }
	tests := []struct {
		run                string
		sys, code, unknown string // sys and code joined by " ; "
		chain              bool
	}{
		{run: "apk add --no-cache git && npm ci --omit=dev", sys: "apk add --no-cache git", code: "npm ci --omit=dev", chain: true},
		{run: "install_packages curl && npm run build", sys: "install_packages curl", code: "npm run build", chain: true},
		{run: "npm install -g pm2 && yarn global add serve", sys: "npm install -g pm2 ; yarn global add serve", chain: true},
		{run: "npm config set loglevel warn && yarn cache clean", sys: "npm config set loglevel warn ; yarn cache clean", chain: true},
		{run: "sh -c 'npx prisma generate && chown -R node /app'", code: "npx prisma generate ; chown -R node /app"},
		{run: "bundle install && node build.js", code: "node build.js", unknown: "bundle", chain: true},
		// A chain is replayed as written, wrappers included.
		{run: "sudo -E env CI=1 npm test", code: "sudo -E env CI=1 npm test", chain: true},
	}
	for _, tt := range tests {
		res, err := parser.Parse(strings.NewReader("FROM node:22\nRUN " + tt.run + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		stages, _, err := instructions.Parse(res.AST, nil)
		if err != nil {
			t.Fatal(err)
		}
		run := stages[0].Commands[0].(*instructions.RunCommand)
		sys, code, unknown, chain, _ := runParts(run, "/app", inCode, true)
		if got := strings.Join(sys, " ; "); got != tt.sys {
			t.Errorf("RUN %s: sys = %q, want %q", tt.run, got, tt.sys)
		}
		if got := strings.Join(code, " ; "); got != tt.code {
			t.Errorf("RUN %s: code = %q, want %q", tt.run, got, tt.code)
		}
		if unknown != tt.unknown || chain != tt.chain {
			t.Errorf("RUN %s: unknown, chain = %q, %v; want %q, %v", tt.run, unknown, chain, tt.unknown, tt.chain)
		}
	}
}
