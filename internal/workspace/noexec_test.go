package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNothingExecuted loads a project whose every string that a shell, a
// package manager or Docker would run tries to create a marker file:
// commands, entrypoints, healthchecks, .env values, interpolation defaults,
// build args, Dockerfile RUN lines (heredocs too) and an inline Dockerfile.
// decouple parses them and runs none, so no marker may appear.
func TestNothingExecuted(t *testing.T) {
	dir := t.TempDir()
	marker := func(name string) string { return filepath.Join(dir, "pwned-"+name) }
	touch := func(name string) string { return "touch " + marker(name) }
	write(t, filepath.Join(dir, ".env"), "A=`"+touch("dotenv-backtick")+"`\nB=$("+touch("dotenv-subst")+")\n")
	write(t, filepath.Join(dir, "compose.yaml"), `services:
  app:
    build:
      context: .
      args:
        X: "$(`+touch("arg")+`)"
    command: "`+"`"+touch("command-backtick")+"`"+` && $(`+touch("command-subst")+`)"
    entrypoint: ["sh", "-c", "`+touch("entrypoint")+`"]
    healthcheck:
      test: "`+touch("healthcheck")+`"
    environment:
      C: "${UNSET:-$(`+touch("default")+`)}"
  inline:
    build:
      context: .
      dockerfile_inline: |
        FROM node:24
        RUN `+touch("inline")+`
`)
	write(t, filepath.Join(dir, "Dockerfile"), "FROM node:24\nRUN "+touch("run")+"\nRUN <<EOF\n"+touch("heredoc")+"\nEOF\nCOPY . .\nCMD "+touch("cmd")+"\n")
	t.Chdir(dir)
	ws, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Projects) != 1 || len(ws.Projects[0].Services) != 2 {
		t.Fatalf("the project did not load: %v", ws.Errors)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "pwned-") {
			t.Errorf("%s exists: something was executed", e.Name())
		}
	}
}

// TestNoProcessStarters: of everything the decouple command links, only
// go-shellwords imports os/exec (compose-go splits command strings with
// it), and it runs a shell only when its ParseBacktick option is set,
// which nothing here sets (TestNothingExecuted checks the effect); and
// internal/verify, which runs the docker binary found on PATH (never in the
// project: exec.LookPath refuses relative PATH entries) as `docker compose
// version` and `docker compose ... config -q` on the files a fix would
// write, before writing them. A new importer of os/exec must be looked at
// and added here deliberately.
func TestNoProcessStarters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", `{{.ImportPath}}: {{join .Imports " "}}`, "github.com/decouple-dev/decouple/cmd/decouple").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	allowed := map[string]bool{"github.com/mattn/go-shellwords": true, "github.com/decouple-dev/decouple/internal/verify": true}
	for _, line := range strings.Split(string(out), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		for _, imp := range strings.Fields(imports) {
			if imp == "os/exec" && !allowed[pkg] {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}
