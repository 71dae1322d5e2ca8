package transform

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// contextChoice is the build context of a standalone Dockerfile's split.
type contextChoice struct {
	dir string // absolute
	// missing says which sources the chosen folder lacks, for the fix's
	// message: the build fails until they exist.
	missing []string
}

// copySource is one COPY/ADD source read from the build context.
type copySource struct {
	path string // slash path relative to the context, cleaned
	// implied: no COPY names it, but an install after COPY . reads it
	// (package.json; the lockfile of a frozen yarn or pnpm install).
	implied bool
}

// installReads lists the files a project install reads from the folder it
// runs in: package.json, and the lockfile when the install insists on it.
func installReads(c dockerfile.Command) []string {
	if c.Kind != dockerfile.ProjectInstall {
		return nil
	}
	if _, moved := dockerfile.InstallDirFlag(c.Name, c.Rest()); moved {
		return nil // an install in a folder of its own (npm ci --prefix server)
	}
	out := []string{"package.json"}
	rest := c.Rest()
	frozen := slices.ContainsFunc(rest, func(a string) bool {
		return a == "--frozen-lockfile" || a == "--immutable" || a == "--ci"
	})
	// npm ci takes package-lock.json or npm-shrinkwrap.json: neither is
	// implied by name.
	switch {
	case c.Name == "yarn" && frozen:
		out = append(out, "yarn.lock")
	case c.Name == "pnpm" && frozen:
		out = append(out, "pnpm-lock.yaml")
	}
	return out
}

// sourceList names sources for a message, the first few only.
func sourceList(srcs []copySource) string {
	var list []string
	for i, s := range srcs {
		if i == 3 {
			return strings.Join(list, ", ") + fmt.Sprintf(" and %d more", len(srcs)-3)
		}
		if s.implied {
			list = append(list, s.path+", read by its install")
			continue
		}
		list = append(list, s.path)
	}
	return strings.Join(list, ", ")
}

// buildContext chooses the folder a standalone Dockerfile is built from:
// the one, from the Dockerfile's own folder up to the project root (the
// working folder), in which most of the files it copies from its context
// exist; the nearest on a tie. Nothing tells which folder `docker build`
// was given, but a Dockerfile in infra/docker/ that copies apps/ and
// package.json was built from where those are. When none of them exists
// anywhere and there was a choice, the split is refused: a wrong context
// is a build that fails.
func buildContext(ws *workspace.Workspace, d *workspace.Dockerfile) (contextChoice, string) {
	dir := filepath.Dir(d.File.Path)
	srcs := copySources(d.File)
	candidates := []string{dir}
	if inside(ws.Cwd, dir) {
		for c := dir; c != ws.Cwd; {
			c = filepath.Dir(c)
			candidates = append(candidates, c)
		}
	}
	best, bestScore := dir, -1
	scores := make([]int, len(candidates))
	for i, c := range candidates {
		// A pattern is optional to COPY (pnpm-lock.yaml* matches nothing
		// in most projects): named files decide, and patterns count only
		// where no named file is found (COPY package*.json ./ alone).
		named, globbed := 0, 0
		for _, s := range srcs {
			if exists(ws, c, s.path) {
				if strings.ContainsAny(s.path, "*?[") {
					globbed = 1
				} else {
					named++
				}
			}
		}
		score := 2 * named
		if named == 0 {
			score = globbed
		}
		scores[i] = score
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	// A Dockerfile that runs a monorepo's own tool (turbo prune web
	// --docker, pnpm --filter web deploy) reads the monorepo's config at
	// its context root: it is built from the nearest monorepo root that
	// has as many of its sources. COPY . . alone tells nothing.
	if runsMonorepoTool(d.File) {
		for i, c := range candidates {
			if scores[i] >= bestScore && isMonorepoRoot(ws, c) {
				best = c
				break
			}
		}
	}
	// With the Dockerfile at the project root there is no other folder to
	// choose: its sources may be build outputs not made yet (dist/).
	if len(srcs) > 0 && bestScore == 0 && len(candidates) > 1 {
		return contextChoice{}, fmt.Sprintf("none of the files it copies from its build context (%s) exists in %s or in a folder above it up to %s, so the build context cannot be told: build from a context that has them, or name it in a compose service that builds this Dockerfile",
			sourceList(srcs), ws.Rel(dir), ws.Rel(candidates[len(candidates)-1]))
	}
	choice := contextChoice{dir: best}
	var missing []copySource
	for _, s := range srcs {
		// A pattern that matches nothing copies nothing, and BuildKit
		// lets it (COPY package.json pnpm-lock.yaml* ./ is the idiom for
		// an optional file).
		if !exists(ws, best, s.path) && !strings.ContainsAny(s.path, "*?[") {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		choice.missing = append(choice.missing, fmt.Sprintf("the build context %s lacks %s, which the build reads: the build fails until they are there", ws.Rel(best), sourceList(missing)))
	}
	return choice, ""
}

// StandaloneContext is the folder a Dockerfile no compose file builds is
// taken to be built from, as its split builds it (buildContext); false
// when that cannot be told (none of the files it copies is found).
func StandaloneContext(ws *workspace.Workspace, d *workspace.Dockerfile) (string, bool) {
	c, reason := buildContext(ws, d)
	return c.dir, reason == ""
}

// copySources lists the sources the final stage's image copies from the
// build context, through the stages it is built from (FROM and COPY
// --from). Sources that name the whole context, URLs, and paths whose
// ARGs have no value are left out: they say nothing about the folder.
func copySources(f *dockerfile.File) []copySource {
	var out []copySource
	seen := map[string]bool{}
	whole := false // a COPY . of the whole context
	for _, s := range f.Needed(f.Final()) {
		env := metaDefaults(f.MetaArgs)
		for _, c := range s.Commands {
			var paths []string
			switch c := c.(type) {
			case *instructions.RunCommand:
				// COPY . . then npm ci: the context holds what the install
				// reads, though no COPY names it.
				if whole {
					for _, script := range dockerfile.RunScripts(c) {
						cmds := dockerfile.Commands(script)
						if slices.ContainsFunc(cmds, func(c dockerfile.Command) bool { return c.Name == "cd" }) {
							continue // cd server && npm ci: read below the root
						}
						for _, cmd := range cmds {
							for _, need := range installReads(cmd) {
								if !seen[need] {
									seen[need] = true
									out = append(out, copySource{path: need, implied: true})
								}
							}
						}
					}
				}
			case *instructions.ArgCommand:
				for _, a := range c.Args {
					if a.Value != nil {
						env[a.Key] = *a.Value
					}
				}
			case *instructions.CopyCommand:
				if c.From == "" {
					paths = c.SourcePaths
				}
			case *instructions.AddCommand:
				for _, p := range c.SourcePaths {
					if !strings.Contains(p, "://") && !strings.HasPrefix(p, "git@") {
						paths = append(paths, p)
					}
				}
			}
			for _, p := range paths {
				p = f.ExpandInStage(p, env)
				if strings.Contains(p, "$") {
					continue
				}
				p = filepath.ToSlash(filepath.Clean("/" + p))[1:]
				if p == "" {
					whole = true
				}
				if p == "" || seen[p] {
					continue
				}
				seen[p] = true
				out = append(out, copySource{path: p})
			}
		}
	}
	return out
}

// exists reports whether a context-relative source (a glob pattern, as
// COPY takes) names something in dir.
func exists(fsys FS, dir, src string) bool {
	p := filepath.Join(dir, filepath.FromSlash(src))
	if strings.ContainsAny(src, "*?[") {
		return len(fsys.Glob(p)) > 0
	}
	_, err := fsys.Lstat(p)
	return err == nil
}

// inside reports whether path is dir or lies under it.
func inside(dir, path string) bool {
	r, err := filepath.Rel(dir, path)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// runsMonorepoTool reports whether a RUN of the Dockerfile runs a tool that
// works on a whole monorepo: turbo, nx or lerna, or a package manager's
// workspace selection (pnpm --filter, yarn workspace, npm --workspace).
func runsMonorepoTool(f *dockerfile.File) bool {
	for _, s := range f.Stages {
		for _, c := range s.Commands {
			run, ok := c.(*instructions.RunCommand)
			if !ok {
				continue
			}
			scripts := []string{strings.Join(run.CmdLine, " ")}
			for _, hd := range run.Files {
				scripts = append(scripts, hd.Data)
			}
			for _, script := range scripts {
				for _, args := range dockerfile.SimpleCommands(script) {
					if monorepoCommand(dockerfile.StripWrappers(args)) {
						return true
					}
				}
			}
		}
	}
	return false
}

func monorepoCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	name, rest := filepath.Base(args[0]), args[1:]
	// npx turbo, yarn turbo, pnpm dlx turbo, pnpm exec nx: the tool is
	// the first word that is not the runner's own.
	for _, w := range rest {
		if strings.HasPrefix(w, "-") || w == "dlx" || w == "exec" {
			continue
		}
		if (name == "npx" || name == "yarn" || name == "pnpm" || name == "bunx") && (w == "turbo" || w == "nx" || w == "lerna") {
			return true
		}
		break
	}
	switch name {
	case "turbo", "nx", "lerna":
		return true
	case "pnpm":
		for _, w := range rest {
			if w == "--filter" || w == "-F" || strings.HasPrefix(w, "--filter=") || w == "-r" || w == "--recursive" || w == "deploy" {
				return true
			}
		}
	case "yarn":
		return len(rest) > 0 && (rest[0] == "workspace" || rest[0] == "workspaces")
	case "npm":
		for _, w := range rest {
			if w == "-w" || w == "--workspace" || strings.HasPrefix(w, "--workspace=") || w == "--workspaces" {
				return true
			}
		}
	}
	return false
}

// isMonorepoRoot reports whether dir holds a monorepo's config: turbo,
// nx, lerna or pnpm workspace files, or a package.json with workspaces.
func isMonorepoRoot(fsys FS, dir string) bool {
	for _, name := range []string{"turbo.json", "nx.json", "lerna.json", "pnpm-workspace.yaml"} {
		if fsys.Exists(filepath.Join(dir, name)) {
			return true
		}
	}
	b, err := fsys.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return false
	}
	var pkg struct {
		Workspaces json.RawMessage `json:"workspaces"`
	}
	return json.Unmarshal(b, &pkg) == nil && len(pkg.Workspaces) > 0 && string(pkg.Workspaces) != "null"
}
