package transform

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// rootAppDir is where the code image puts code the Dockerfile copied to /.
const rootAppDir = "/app"

// systemDirs are top-level folders of an image that hold the system, not
// an app copied to /: a CMD path under them is not a path to the code.
var systemDirs = map[string]bool{
	"bin": true, "sbin": true, "usr": true, "lib": true, "lib32": true, "lib64": true, "libx32": true,
	"etc": true, "dev": true, "proc": true, "sys": true, "tmp": true, "var": true, "run": true,
	"boot": true, "mnt": true, "media": true, "home": true, "root": true, "opt": true, "nix": true,
}

// rootCode is the plan for an image whose code was copied to / (no
// WORKDIR, `COPY dist/index.cjs .`): a volume cannot be mounted over /, so
// the code image copies the same files again under /app, and the runtime
// starts in /app. That only keeps behaviour when the app is found by
// relative paths from where it starts, and when no RUN worked on the code
// after it was copied (what it made would stay behind at /).
type rootCode struct {
	copies []string // the COPY/ADD lines of the code image, rebased
	lines  map[int]bool
}

// moveRootCode judges an image whose code lives at / as if it were under
// /app, where the code image will put it: the plan's service becomes a
// copy with moved facts (the workspace's own stays as it is). It says why
// when the code is at / and also somewhere no one folder holds.
func (p *splitPlan) moveRootCode(contextDir string) string {
	fa := p.s.Facts
	if fa == nil || !fa.HasCode() || fa.CodeRoot() != "" {
		return ""
	}
	rel := p.ws.Rel(p.s.Dockerfile.Path)
	// Code at / beside code a RUN put where decouple cannot tell (a
	// release unpacked and built in place): no one folder holds it.
	for i, dir := range fa.CodeDirs {
		if dir == "" && i < len(fa.Code) {
			return fmt.Sprintf("app code goes to / (%s:%d) and to a folder decouple cannot tell (%s:%d): no one folder holds it, so it cannot be a volume; move it under one WORKDIR first",
				rel, rootLine(fa), rel, fa.Code[i].Line)
		}
	}
	if reason := p.baseWorkdirUnknown(fa); reason != "" {
		// The code went to the base's WORKDIR, not to /: moved under
		// /app, it would start away from what the image has there
		// (nodered/node-red's /usr/src/node-red).
		return reason
	}
	moved := *fa
	moved.Workdir = rootAppDir
	s := *p.s
	s.Facts = &moved
	p.s = &s
	// Planned now, as the runtime's plan must leave out the copies the
	// code image takes (COPY package.json . is no code, but it moves);
	// why it cannot be moved is said after the image's other checks.
	p.root, p.rootRefusal = planRootCode(p.ws, p.s.Dockerfile, p.s.Stage, fa, contextDir)
	if p.root != nil {
		p.rebased = p.root.lines
	}
	return ""
}

// planRoot says why code moved from / (moveRootCode) cannot be moved after
// all, once the rest of the image passed its checks, and notes the move.
func (p *splitPlan) planRoot() string {
	if p.s.Facts == p.orig.Facts {
		return ""
	}
	if p.rootRefusal != "" {
		return p.rootRefusal
	}
	p.unsafe = append([]string{fmt.Sprintf("the code, which %s copies to /, goes under %s in the code image and the runtime starts there (working_dir)",
		p.ws.Rel(p.s.Dockerfile.Path), rootAppDir)}, p.unsafe...)
	return ""
}

// planRootCode reads the stage chain of an image with code at /, or says
// why its code cannot be moved under /app. fa are the stage's own facts.
func planRootCode(ws *workspace.Workspace, f *dockerfile.File, stage *dockerfile.Stage, fa *dockerfile.Facts, contextDir string) (*rootCode, string) {
	rel := ws.Rel(f.Path)
	var chain []*dockerfile.Stage
	for st := stage; st != nil; st = st.BaseStage {
		chain = append([]*dockerfile.Stage{st}, chain...)
	}
	rc := &rootCode{lines: map[int]bool{}}
	tops := map[string]bool{} // top-level names the code has at /
	anyTop := false           // a folder's contents went to /: any name may be code
	firstCopy := 0
	rootManifest := false // package.json went to / itself
	installed := false    // a RUN installed dependencies at / after it
	var cmd, entry []string
	wd := "/"
	for _, st := range chain {
		for _, c := range st.Commands {
			line := dockerfile.InstructionLine(c)
			var sd instructions.SourcesAndDest
			var flags []string
			switch c := c.(type) {
			case *instructions.WorkdirCommand:
				wd = path.Join(wd, c.Path)
				continue
			case *instructions.RunCommand:
				if firstCopy > 0 && wd == "/" && rootManifest && installsOnly(c) {
					// npm install at / after COPY . /: what it made is
					// /node_modules, which the code image takes along from
					// the original's build. (npm 7 in some images failed to
					// install in / — "Tracker idealTree already exists" —
					// but then the original does not build either: the code
					// image builds exactly when it does.)
					installed = true
					continue
				}
				if firstCopy > 0 {
					return nil, fmt.Sprintf("the code is copied to / (%s:%d) and RUN (%s:%d) works on the image after it: what it makes would not move to %s with the code; move the code under a WORKDIR first, so it can be a volume",
						rel, firstCopy, rel, line, rootAppDir)
				}
				continue
			case *instructions.CmdCommand:
				cmd = c.CmdLine
				continue
			case *instructions.EntrypointCommand:
				entry, cmd = c.CmdLine, nil
				continue
			case *instructions.CopyCommand:
				if len(c.ExcludePatterns) > 0 || c.Parents {
					return nil, fmt.Sprintf("the code is copied to / by a COPY with --exclude or --parents (%s:%d), which decouple does not carry over; move the code under a WORKDIR first", rel, line)
				}
				sd = c.SourcesAndDest
				if c.From != "" {
					flags = append(flags, "--from="+c.From)
				}
				flags = append(flags, ownFlags(c.Chown, c.Chmod, c.Link)...)
			case *instructions.AddCommand:
				if len(c.ExcludePatterns) > 0 || c.Checksum != "" || c.KeepGitDir != nil || c.Unpack != nil {
					return nil, fmt.Sprintf("the code is copied to / by an ADD with flags decouple does not carry over (%s:%d); move the code under a WORKDIR first", rel, line)
				}
				sd = c.SourcesAndDest
				flags = ownFlags(c.Chown, c.Chmod, c.Link)
			default:
				continue
			}
			dest := sd.DestPath
			abs := dest
			if !strings.HasPrefix(abs, "/") {
				abs = path.Join(wd, dest)
			}
			abs = path.Clean(abs)
			top := strings.SplitN(strings.TrimPrefix(abs, "/"), "/", 2)[0]
			if abs != "/" && systemDirs[top] {
				continue // configuration of the image, not the app: noted by the split
			}
			if len(sd.SourceContents) > 0 {
				return nil, fmt.Sprintf("the code is copied to / by a heredoc COPY (%s:%d), which decouple does not carry over; move the code under a WORKDIR first", rel, line)
			}
			words := []string{}
			for _, src := range sd.SourcePaths {
				if strings.Contains(src, "$") {
					return nil, fmt.Sprintf("the code is copied to / from %s (%s:%d), a path with a variable decouple does not carry over; move the code under a WORKDIR first", src, rel, line)
				}
				words = append(words, strconv.Quote(src))
				if abs == "/" {
					st, err := ws.Stat(filepath.Join(contextDir, filepath.FromSlash(src)))
					if strings.ContainsAny(src, "*?[") || path.Clean(src) == "." || err == nil && st.IsDir() {
						anyTop = true
						rootManifest = rootManifest || path.Clean(src) == "." || ws.Exists(filepath.Join(contextDir, filepath.FromSlash(src), "package.json"))
					} else {
						tops[path.Base(src)] = true
						rootManifest = rootManifest || path.Base(src) == "package.json"
					}
				}
			}
			if abs != "/" {
				tops[top] = true
				rootManifest = rootManifest || abs == "/package.json"
			}
			target := path.Join(rootAppDir, abs)
			if abs == "/" || strings.HasSuffix(dest, "/") || dest == "." || len(sd.SourcePaths) > 1 {
				target += "/"
			}
			op := "COPY"
			if _, isAdd := c.(*instructions.AddCommand); isAdd {
				op = "ADD"
			}
			words = append(words, strconv.Quote(target))
			rc.copies = append(rc.copies, strings.Join(append(append([]string{op}, flags...), "["+strings.Join(words, ", ")+"]"), " "))
			rc.lines[line] = true
			if firstCopy == 0 {
				firstCopy = line
			}
		}
	}
	for _, w := range append(append([]string{}, entry...), cmd...) {
		for _, word := range strings.Fields(w) {
			if i := strings.LastIndex(word, "="); i >= 0 {
				word = word[i+1:] // --require=/x
			}
			if !strings.HasPrefix(word, "/") {
				continue
			}
			top := strings.SplitN(strings.TrimPrefix(word, "/"), "/", 2)[0]
			if tops[top] || anyTop && !systemDirs[top] && top != "" {
				return nil, fmt.Sprintf("the code is copied to / (%s:%d) and CMD/ENTRYPOINT refers to it by the absolute path %s: under %s it would not be found; refer to it by a path relative to / (or move the code under a WORKDIR first)",
					rel, firstCopy, word, rootAppDir)
			}
		}
	}
	if installed {
		deps, err := hasDependencies(ws, filepath.Join(contextDir, "package.json"))
		if err != nil {
			return nil, fmt.Sprintf("the code is copied to / (%s:%d) and dependencies are installed there, but %s cannot be read to tell whether the install made node_modules: %v", rel, firstCopy, ws.Rel(filepath.Join(contextDir, "package.json")), err)
		}
		if deps {
			// Built by the original's final stage, as the old image was,
			// with the Node and system it had; the runtime finds it in
			// /app/node_modules as the app found /node_modules.
			rc.copies = append(rc.copies, fmt.Sprintf("COPY --from=%s /node_modules %s/node_modules", stage.ID(), rootAppDir))
		}
	}
	if len(rc.copies) == 0 {
		return nil, fmt.Sprintf("the code is copied to / (%s:%d) by no COPY or ADD decouple can carry over; move it under a WORKDIR first, so it can be a volume", rel, fa.Code[0].Line)
	}
	return rc, ""
}

// hasDependencies reports whether a package.json declares packages, so
// that installing it makes a node_modules folder (npm makes none for a
// manifest without any).
func hasDependencies(ws *workspace.Workspace, manifest string) (bool, error) {
	src, err := ws.ReadFile(manifest)
	if err != nil {
		return false, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(src, &m); err != nil {
		return false, err
	}
	for _, k := range []string{"dependencies", "devDependencies", "optionalDependencies"} {
		var deps map[string]any
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &deps) == nil && len(deps) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// installsOnly reports whether a RUN only installs the project's
// dependencies (npm ci, yarn install), whose result the code image can take
// along.
func installsOnly(c *instructions.RunCommand) bool {
	n := 0
	for _, script := range dockerfile.RunScripts(c) {
		if strings.ContainsAny(script, "><") {
			return false
		}
		for _, cmd := range dockerfile.Commands(script) {
			if cmd.Kind != dockerfile.ProjectInstall {
				return false
			}
			n++
		}
	}
	return n > 0
}

// ownFlags renders the COPY/ADD flags that travel with the files.
func ownFlags(chown, chmod string, link bool) []string {
	var out []string
	if chown != "" {
		out = append(out, "--chown="+chown)
	}
	if chmod != "" {
		out = append(out, "--chmod="+chmod)
	}
	if link {
		out = append(out, "--link")
	}
	return out
}

// dockerfileText is the code-only Dockerfile: the original stages (so
// COPY --from of a build stage still works), then the code image, which
// copies again what the original put at /, under /app.
func (rc *rootCode) dockerfileText(p *splitPlan) string {
	var b strings.Builder
	src := p.s.Dockerfile.Src
	b.Write(src)
	if len(src) > 0 && src[len(src)-1] != '\n' {
		b.WriteString("\n")
	}
	name := filepath.Base(p.s.Dockerfile.Path)
	if p.built != nil {
		// Before the code image, which stays the last stage: the code
		// service builds no target.
		b.WriteString("\n" + dockerfile.GeneratedMarker + name + ": the runtime, built as target " + p.built.name + ":\n")
		b.WriteString("# its steps without the app's code. Patch Node here and rebuild only the runtime\n")
		b.WriteString("# service; the code image stays.\n")
		b.WriteString(p.built.text)
	}
	b.WriteString("\n" + dockerfile.GeneratedMarker + name + ": the code-only image.\n")
	b.WriteString("# " + name + " copies the app to /, where no volume can go: this image copies the\n")
	b.WriteString("# same files under " + rootAppDir + " and shares them as a volume that the runtime service\n")
	b.WriteString("# mounts with volumes_from, starting in " + rootAppDir + ".\n")
	b.WriteString("FROM " + p.opts.CodeImage + "\n")
	for _, c := range rc.copies {
		b.WriteString(c + "\n")
	}
	b.WriteString("VOLUME " + rootAppDir + "\n")
	return b.String()
}

// baseWorkdirUnknown says why the code's folder cannot be told when the
// Dockerfile sets no WORKDIR and copies code to a relative destination on
// a base that may set one of its own, or "".
func (p *splitPlan) baseWorkdirUnknown(fa *dockerfile.Facts) string {
	by := p.relativeCodeCopy(fa)
	if by == "" {
		return ""
	}
	if base := p.chainOf(p.s.Stage)[0]; base.BaseStage == nil && !dockerfile.NoWorkdirImage(base.Base) {
		return fmt.Sprintf("the Dockerfile sets no WORKDIR, so %s copies the code into the working folder of its base %s, which decouple cannot see (it may set one): add WORKDIR with the folder the base uses, before the code arrives",
			by, base.BaseRaw)
	}
	return ""
}

// relativeCodeCopy is the first code copy (as evidence text with its line)
// whose destination is a relative path: where it lands is the working
// folder of the base image. "" when every code copy names an absolute
// destination.
func (p *splitPlan) relativeCodeCopy(fa *dockerfile.Facts) string {
	lines := map[int]string{}
	for _, c := range fa.Code {
		lines[c.Line] = c.What
	}
	for _, st := range p.chainOf(p.s.Stage) {
		for _, cmd := range st.Commands {
			var dest string
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				dest = c.DestPath
			case *instructions.AddCommand:
				dest = c.DestPath
			default:
				continue
			}
			line := dockerfile.InstructionLine(cmd)
			if what, ok := lines[line]; ok && !strings.HasPrefix(dest, "/") && !strings.HasPrefix(dest, "$") {
				return fmt.Sprintf("%s (%s:%d)", what, p.ws.Rel(p.s.Dockerfile.Path), line)
			}
		}
	}
	return ""
}
