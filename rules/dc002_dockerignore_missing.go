package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

var dockerignoreMissing = &Rule{
	Rule: &analysis.Rule{
		Code: "DC002", Name: "dockerignore-missing", Severity: analysis.Warning,
		Summary: "a build context that feeds a Node image has no .dockerignore excluding node_modules and .git",
		Doc: `## Why
Without a .dockerignore, ` + "`COPY . .`" + ` sends the host's node_modules (built for
another OS or Node major) and the whole .git history into the image: slow
builds, huge images, native modules that crash, and history that may hold
secrets.

## Bad
A context folder with a Dockerfile and package.json but no .dockerignore.

## Good
` + "```" + `
node_modules
.git
npm-debug.log*
` + "```" + `

## Fix (safe)
Creates the .dockerignore, or appends the missing entries to the existing
one, keeping its comments and order. BuildKit's per-Dockerfile ignore file
(` + "`<Dockerfile>.dockerignore`" + `) counts when present.
`,
	},
	Run: runDockerignore,
}

// mustIgnore are the paths a Node build context must keep out.
var mustIgnore = []string{"node_modules", ".git"}

// ignoreAdditions is what the fix appends for each missing path.
var ignoreAdditions = map[string]string{"node_modules": "node_modules", ".git": ".git"}

type buildContext struct {
	dir        string
	dockerfile *dockerfile.File
	pos        analysis.Position
	service    string
}

func runDockerignore(p *Pass) {
	ws := p.WS
	seen := map[string]bool{}
	var contexts []buildContext
	for _, proj := range ws.Projects {
		for _, s := range proj.Services {
			if s.Dockerfile == nil || s.BuiltBy != nil || s.Config.Build == nil || !feedsNode(ws, s.Dockerfile) {
				continue
			}
			contexts = append(contexts, buildContext{dir: s.Config.Build.Context, dockerfile: s.Dockerfile, pos: actPos(ws, s), service: s.Name})
		}
	}
	for _, d := range ws.Dockerfiles {
		if !feedsNode(ws, d.File) {
			continue
		}
		// A standalone Dockerfile's context is taken to be its folder, as
		// `docker build -f X .` from there would use.
		first := d.File.Stages[0]
		contexts = append(contexts, buildContext{dir: filepath.Dir(d.File.Path), dockerfile: d.File, pos: stagePos(ws, d.File, first)})
	}
	for _, c := range contexts {
		key := c.dir + "\x00" + c.dockerfile.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		ignorePath, missing := missingIgnores(c.dir, c.dockerfile.Path)
		if len(missing) == 0 {
			continue
		}
		rel := ws.Rel(ignorePath)
		var msg string
		if _, err := os.Stat(ignorePath); err != nil {
			msg = fmt.Sprintf("build context %s feeds a Node image (%s) but has no .dockerignore: %s would be sent to the build", ws.Rel(c.dir)+"/", ws.Rel(c.dockerfile.Path), strings.Join(missing, " and "))
		} else {
			msg = fmt.Sprintf("%s does not exclude %s, so it is sent into the Node image built from %s", rel, strings.Join(missing, " and "), ws.Rel(c.dockerfile.Path))
		}
		p.Report(analysis.Diagnostic{Pos: c.pos, Message: msg, Service: c.service, Dockerfile: ws.Rel(c.dockerfile.Path), Fix: ignoreFix(ignorePath, missing)})
	}
}

// feedsNode reports whether any stage of a Dockerfile holds Node: its build
// then sees the whole context.
func feedsNode(ws *workspace.Workspace, f *dockerfile.File) bool {
	for _, fa := range f.Analyze(ws.ExtraNodeImages) {
		if fa.Runtime == dockerfile.Node {
			return true
		}
	}
	return false
}

// missingIgnores returns the ignore file that applies (BuildKit prefers
// <Dockerfile>.dockerignore) and which required paths it lets through.
func missingIgnores(contextDir, dockerfilePath string) (string, []string) {
	candidates := []string{dockerfilePath + ".dockerignore", filepath.Join(contextDir, ".dockerignore")}
	path := candidates[1]
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			path = c
			break
		}
	}
	var patterns []string
	if f, err := os.Open(path); err == nil {
		patterns, _ = ignorefile.ReadAll(f)
		_ = f.Close()
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return path, nil // a malformed file is not ours to judge here
	}
	var missing []string
	for _, m := range mustIgnore {
		if ok, _ := pm.MatchesOrParentMatches(m + "/x"); !ok {
			missing = append(missing, m)
		}
	}
	sort.Strings(missing)
	return path, missing
}

// ignoreFix appends the missing entries, creating the file if needed. An
// existing file keeps every byte; a newline is added first if it lacks one.
func ignoreFix(path string, missing []string) *analysis.SuggestedFix {
	old, _ := os.ReadFile(path)
	var b strings.Builder
	if len(old) > 0 && old[len(old)-1] != '\n' {
		b.WriteString(lineEnding(old))
	}
	nl := lineEnding(old)
	if len(old) == 0 {
		b.WriteString("# Keep host dependencies and history out of the image (decouple DC002)." + nl)
	}
	for _, m := range missing {
		b.WriteString(ignoreAdditions[m] + nl)
	}
	return &analysis.SuggestedFix{
		Message: "add " + strings.Join(missing, " and ") + " to " + filepath.Base(path),
		Safe:    true,
		Edits:   []analysis.TextEdit{{File: path, Start: len(old), End: len(old), NewText: []byte(b.String())}},
	}
}

// lineEnding keeps CRLF files CRLF.
func lineEnding(src []byte) string {
	if strings.Contains(string(src), "\r\n") {
		return "\r\n"
	}
	return "\n"
}
