package rules

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
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
(` + "`<Dockerfile>.dockerignore`" + `) counts when present. An entry that a
Dockerfile built from the context copies by name (` + "`COPY node_modules node_modules`" + `,
shipping the host's dependencies on purpose) is not asked for: ignored, that
build would fail. A Dockerfile that copies the whole context and installs no
dependencies after its package.json arrives (` + "`RUN npm install`" + ` before
` + "`COPY . .`" + `, or no install at all) runs on the host's node_modules: the
finding says so, and the fix adds .git alone; install the dependencies in
the image first. The split of DC001 keeps them too. An ignore file whose
name differs in case (.Dockerignore) is named in the finding and not fixed:
rename it. An install in any stage
(a deps stage whose node_modules a later stage copies before its COPY . .)
means the build makes them, and the host's would only overwrite them.
`,
	},
	Run: runDockerignore,
}

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
		for _, s := range proj.Judged() {
			if s.Dockerfile == nil || s.BuiltBy != nil || s.Config.Build == nil || !feedsNode(ws, s.Dockerfile, s.Stage) || !readsContext(ws, s.Dockerfile) {
				continue
			}
			contexts = append(contexts, buildContext{dir: s.ContextDir(), dockerfile: s.Dockerfile, pos: actPos(p.cacheOf(), s), service: s.Name})
		}
	}
	for _, d := range ws.Dockerfiles {
		if !feedsNode(ws, d.File, nil) || !readsContext(ws, d.File) {
			continue
		}
		if len(ws.ServicesBuilding(d.File.Path)) > 0 || len(ws.ComposeBuildsOf(d.File.Path)) > 0 {
			// Compose builds it (another target, say) from a context
			// of its own, judged with its service above: its folder
			// need not be a build context at all.
			continue
		}
		// A standalone Dockerfile's context is the one its split builds
		// from: its own folder, or the folder above where its sources are
		// (infra/docker/Dockerfile that copies apps/; a turbo prune).
		// When that cannot be told (none of the files it copies is
		// found), DC001 says so, and no folder is taken for it.
		dir, ok := transform.StandaloneContext(ws, d)
		if !ok {
			continue
		}
		first := d.File.Stages[0]
		contexts = append(contexts, buildContext{dir: dir, dockerfile: d.File, pos: stagePos(p.cacheOf(), d.File, first)})
	}
	cache := p.cacheOf()
	// What each ignore file serves: an entry one of its Dockerfiles copies
	// by name is not to be ignored.
	builds := map[string][]*dockerfile.File{}
	ignores := make([]string, len(contexts))
	missings := make([][]string, len(contexts))
	for i, c := range contexts {
		ignores[i], missings[i] = cache.missingIgnores(p.WS, c.dir, c.dockerfile.Path)
		builds[ignores[i]] = append(builds[ignores[i]], c.dockerfile)
	}
	for i, c := range contexts {
		// Two Dockerfiles that share a context read one .dockerignore (unless
		// one has its own <Dockerfile>.dockerignore): one problem, one finding.
		ignorePath, missing := ignores[i], missings[i]
		if seen[ignorePath] {
			continue
		}
		seen[ignorePath] = true
		if missing = transform.WithoutCopied(missing, builds[ignorePath]...); len(missing) == 0 {
			continue
		}
		rel := cache.Rel(ignorePath)
		var msg string
		if !cache.exist(ignorePath) {
			msg = fmt.Sprintf("build context %s feeds a Node image (%s) but has no .dockerignore: %s would be sent to the build", cache.Rel(c.dir)+"/", cache.Rel(c.dockerfile.Path), strings.Join(missing, " and "))
		} else {
			msg = fmt.Sprintf("%s does not exclude %s, so it is sent into the Node image built from %s", rel, strings.Join(missing, " and "), cache.Rel(c.dockerfile.Path))
		}
		d := analysis.Diagnostic{Pos: c.pos, Message: msg, Service: c.service, Dockerfile: cache.Rel(c.dockerfile.Path)}
		// A build that runs on the host's node_modules keeps them: the
		// finding says why they matter, the fix leaves them be.
		fixable, host := transform.WithoutHostModules(missing, builds[ignorePath]...)
		if host != nil {
			why := fmt.Sprintf("%s copies the whole context and installs no dependencies after its package.json arrives, so its image runs on the host's node_modules (built for the host's system); install them in the image (RUN npm ci after COPY package*.json) before keeping them out", cache.Rel(host.Path))
			d.Message += "; " + why
			if len(fixable) == 0 {
				d.FixRefused = "node_modules is not added: " + why
			}
		}
		if misnamed := misnamedIgnore(p.WS, ignorePath); misnamed != "" && !cache.exist(ignorePath) {
			// .Dockerignore: Docker reads the name as written only, so
			// the entries the user wrote there are not applied; a new
			// file beside it would leave two that differ in case.
			why := fmt.Sprintf("%s is not read where file names are case-sensitive (Linux, CI): rename it to %s", cache.Rel(misnamed), filepath.Base(ignorePath))
			d.Message += "; " + why
			d.FixRefused, fixable = why, nil
		}
		if len(fixable) > 0 {
			d.Fix = transform.IgnoreFix(p.WS, ignorePath, fixable)
		}
		p.Report(d)
	}
}

// misnamedIgnore is a file beside the ignore file at path whose name
// differs from it in case alone (.Dockerignore), "" when none is.
func misnamedIgnore(ws *workspace.Workspace, path string) string {
	base := filepath.Base(path)
	var pattern strings.Builder
	for _, r := range base {
		if lo, up := unicode.ToLower(r), unicode.ToUpper(r); lo != up {
			pattern.WriteString("[" + string(lo) + string(up) + "]")
		} else if strings.ContainsRune(`*?[\\`, r) {
			return "" // a name no glob can spell
		} else {
			pattern.WriteRune(r)
		}
	}
	for _, m := range ws.Glob(filepath.Join(filepath.Dir(path), pattern.String())) {
		if filepath.Base(m) != base {
			return m
		}
	}
	return ""
}

// feedsNode reports whether a stage the build runs holds Node (any stage
// of the file, or those a build.target needs): its build then sees the
// whole context.
func feedsNode(ws *workspace.Workspace, f *dockerfile.File, target *dockerfile.Stage) bool {
	facts := f.Analyze(ws.ExtraNodeImages)
	stages := f.Stages
	if target != nil {
		// A build.target builds only what it needs (a Python docs stage
		// beside a Node one sends the context to no Node image).
		stages = f.Needed(target)
	}
	for _, st := range stages {
		if facts[st.Index].Runtime == dockerfile.Node {
			return true
		}
	}
	return false
}

// readsContext reports whether a Dockerfile reads anything from its build
// context: a COPY or ADD of a local source, a RUN that bind-mounts the
// context, or an ONBUILD base that copies it. A Dockerfile that downloads
// everything sends nothing an ignore file could keep out.
func readsContext(ws *workspace.Workspace, f *dockerfile.File) bool {
	for _, st := range f.Stages {
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From == "" {
					return true
				}
			case *instructions.AddCommand:
				for _, src := range c.SourcePaths {
					if !strings.Contains(src, "://") && !strings.HasPrefix(src, "git@") {
						return true
					}
				}
			case *instructions.RunCommand:
				for _, m := range dockerfile.RunMounts(c.String()) {
					if m.Type == "bind" && m.From == "" {
						return true
					}
				}
			}
		}
	}
	for _, fa := range f.Analyze(ws.ExtraNodeImages) {
		for _, c := range fa.Code {
			if strings.HasPrefix(c.What, "ONBUILD") || strings.HasPrefix(c.What, "the ONBUILD") {
				return true
			}
		}
	}
	return false
}
