package workspace

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/decouple-dev/decouple/internal/safefile"
)

// scriptNames are the files whose lines show how a project runs compose:
// a Makefile target, an npm script, a shell script, the README's
// instructions.
var scriptNames = []string{"Makefile", "makefile", "GNUmakefile", "justfile", "package.json", "README.md", "readme.md"}

// projectDirFlag looks for the project directory a project's own scripts
// give compose (`docker compose --project-directory . -f
// docker/docker-compose.yml`, in package.json beside the docker folder):
// a line that names one of files with -f or --file, resolved from the
// script's folder, and --project-directory. It looks in the first file's
// folder and the folders above it, up to the working folder. It returns
// the directory (absolute) and the file that says so, or "" when none
// does. The search reads a few small files per folder, through the
// workspace's memoised reads; only projects whose Dockerfiles are not
// found from their own folder ask (see loadProject).
func (ws *Workspace) projectDirFlag(files []string) (dir, from string) {
	want := map[string]bool{}
	for _, f := range files {
		want[filepath.Clean(f)] = true
	}
	for d := filepath.Dir(files[0]); ; d = filepath.Dir(d) {
		candidates := make([]string, 0, len(scriptNames)+2)
		for _, name := range scriptNames {
			candidates = append(candidates, filepath.Join(d, name))
		}
		candidates = append(candidates, ws.Glob(filepath.Join(d, "*.sh"))...)
		for _, c := range candidates {
			src, err := ws.ReadFile(c)
			if err != nil || !bytes.Contains(src, []byte("--project-directory")) {
				continue
			}
			for _, line := range strings.Split(string(src), "\n") {
				if pd, ok := lineProjectDir(line, d, want); ok && ws.beneath(pd) {
					return pd, c
				}
			}
		}
		if d == ws.Cwd || !strings.HasPrefix(d, ws.Cwd+string(filepath.Separator)) || filepath.Dir(d) == d {
			return "", ""
		}
	}
}

// lineProjectDir reads one command line run in folder dir: the folder
// --project-directory names, when the line also gives one of want to -f.
func lineProjectDir(line, dir string, want map[string]bool) (string, bool) {
	if !strings.Contains(line, "--project-directory") {
		return "", false
	}
	fields := strings.Fields(line)
	value := func(i int, flag string) (string, bool) {
		f := fields[i]
		if f == flag && i+1 < len(fields) {
			return unquoteArg(fields[i+1]), true
		}
		if v, ok := strings.CutPrefix(f, flag+"="); ok {
			return unquoteArg(v), true
		}
		return "", false
	}
	resolve := func(v string) (string, bool) {
		for _, pwd := range []string{"${PWD}", "$PWD", "$(pwd)", "$$(pwd)", "$(CURDIR)", "${CURDIR}"} {
			if rest, ok := strings.CutPrefix(v, pwd); ok {
				v = "." + rest
			}
		}
		if v == "" || strings.ContainsAny(v, "$`~") {
			return "", false // a variable decouple cannot tell
		}
		if filepath.IsAbs(v) {
			return filepath.Clean(v), true
		}
		return filepath.Join(dir, v), true
	}
	var pd string
	named := false
	for i := range fields {
		if v, ok := value(i, "--project-directory"); ok {
			pd, _ = resolve(v)
		}
		for _, flag := range []string{"-f", "--file"} {
			if v, ok := value(i, flag); ok {
				if p, ok := resolve(v); ok && want[p] {
					named = true
				}
			}
		}
	}
	if pd == "" || !named {
		return "", false
	}
	if st, err := os.Stat(pd); err != nil || !st.IsDir() {
		return "", false
	}
	return pd, true
}

// unquoteArg strips the quoting a command line word carries in a script
// or a JSON string ("./docker/compose.yml", 'x', docker-compose.yml",).
func unquoteArg(s string) string {
	return strings.Trim(s, `"',;\`)
}

// beneath reports a folder inside the working folder, reached through no
// symlink that leads out of it: a project directory a script names is
// read only there, as every other file decouple reads.
func (ws *Workspace) beneath(dir string) bool {
	rel, err := filepath.Rel(ws.Cwd, dir)
	if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return false
	}
	return safefile.Check(dir) == nil
}
