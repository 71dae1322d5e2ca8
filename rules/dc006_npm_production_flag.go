package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/nodeversion"
	"github.com/decouple-dev/decouple/internal/workspace"
)

var npmProductionFlag = &Rule{
	Rule: &analysis.Rule{
		Code: "DC006", Name: "npm-production-flag", Severity: analysis.Info,
		Summary: "npm install --production (deprecated) instead of npm ci --omit=dev",
		Doc:     docDC006,
	},
	Run: runNPMProductionFlag,
}

const docDC006 = `## Why
Since npm 7 (bundled from Node 15 on), ` + "`--production`" + ` and ` + "`--only=production`" + `
are deprecated spellings of ` + "`--omit=dev`" + ` and print a warning on every
install. And when the project has a lockfile, ` + "`npm install`" + ` may still
resolve versions differently from it; ` + "`npm ci`" + ` installs exactly what the
lockfile says, or fails.

## Bad
` + "```" + `dockerfile
FROM node:22-alpine
COPY package.json package-lock.json ./
RUN npm install --production
` + "```" + `

## Good
` + "```" + `dockerfile
FROM node:22-alpine
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
` + "```" + `

## What it looks at
` + "`npm install`/`npm i`/`npm ci`" + ` with ` + "`--production`" + `, ` + "`--only=production`" + ` or
` + "`--only=prod`" + ` in a Dockerfile RUN, or in a compose ` + "`command:`" + `/` + "`entrypoint:`" + `.
The npm in question is the one the Node image ships, judged from its tag:
on npm 6 and older (Node 14 and older) the flag is the right one and
nothing is reported. A lockfile counts when package-lock.json or
npm-shrinkwrap.json is in the build context (not kept out by its
.dockerignore) and reaches the image before
the install (COPY of it or of the whole context, or a RUN bind mount), or,
for a compose command, is in the code mounted into the runtime service.

## Fix (safe)
Rewrites only the npm command's words: ` + "`npm ci --omit=dev`" + ` with a
lockfile, ` + "`npm install --omit=dev`" + ` without one. Other flags and everything
around the command keep their bytes. An install of named packages
(` + "`npm install --production express`" + `) keeps ` + "`install`" + `.
`

// npmContext is what decides the replacement: the Node line of the image
// and whether a lockfile is there.
type npmContext struct {
	major    string // "" for a floating tag
	image    string // for the message
	lockfile bool
	where    string // where the lockfile was found, for the message
}

// report judges one call and reports it with its fix.
func (nc npmContext) report(p *Pass, file string, src []byte, c npmCall, d analysis.Diagnostic) {
	npm := nodeversion.NPMFor(nc.major)
	if !npm.OmitDev {
		return // npm 6 or older: --production is its flag
	}
	already := npmSubcommands[c.words[c.sub].text] == "ci"
	ci := already || (nc.lockfile && npm.CI && !c.packages)
	newText, now := c.rewrite(src, ci)
	old := c.written()
	node := "Node " + nc.major
	if nc.major == "" {
		node = "a current Node"
	}
	d.Message = fmt.Sprintf("%s: %s is deprecated on npm 7+ (%s, from %s, ships npm %s); use %s", oneLine(old), c.words[c.flag].text, node, nc.image, npmVersion(npm), now)
	switch {
	case already:
	case ci:
		d.Message += fmt.Sprintf(", which installs exactly what %s pins", nc.where)
	case c.packages:
		d.Message += " (named packages: kept as an install)"
	default:
		d.Message += " (no package-lock.json reaches it, so not npm ci)"
	}
	d.Fix = &analysis.SuggestedFix{
		Message: fmt.Sprintf("replace %q with %q", oneLine(old), now),
		Safe:    true,
		Edits:   []analysis.TextEdit{{File: file, Start: c.words[0].start, End: c.words[len(c.words)-1].end, NewText: []byte(newText)}},
	}
	p.Report(d)
}

func npmVersion(n nodeversion.NPM) string {
	switch {
	case !n.Known:
		return "7 or newer"
	case n.First == n.Last:
		return fmt.Sprint(n.First)
	}
	return fmt.Sprintf("%d to %d", n.First, n.Last)
}

// imageMajor is the Node line a reference ships ("" when it floats) and
// whether it could be told.
func imageMajor(c *runCache, ref string) (string, bool) {
	ni, ok := c.parseNodeImage(ref)
	if !ok {
		return "", false
	}
	if ni.version.Pinned {
		return ni.version.Major, true
	}
	return "", true
}

func runNPMProductionFlag(p *Pass) {
	ws := p.WS
	seen := map[string]bool{}
	emit := func(file string, src []byte, c npmCall, nc npmContext, d analysis.Diagnostic) {
		key := fmt.Sprintf("%s:%d", file, c.words[0].start)
		if seen[key] {
			return
		}
		seen[key] = true
		nc.report(p, file, src, c, d)
	}
	// Dockerfiles, with the build context each is built from.
	contexts := map[*dockerfile.File]string{}
	var files []*dockerfile.File
	for _, proj := range ws.Projects {
		for _, s := range proj.Judged() {
			if s.Dockerfile == nil || s.BuiltBy != nil || contexts[s.Dockerfile] != "" {
				continue
			}
			if s.Config.Build != nil && compose.DockerfilePath(s.Config) != "" {
				contexts[s.Dockerfile] = s.Config.Build.Context
				files = append(files, s.Dockerfile)
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		if contexts[d.File] == "" {
			contexts[d.File] = filepath.Dir(d.File.Path)
			files = append(files, d.File)
		}
	}
	for _, f := range files {
		checkDockerfileNPM(p.cacheOf(), ws, f, contexts[f], emit)
	}
	for _, proj := range ws.Projects {
		for _, s := range proj.Services {
			checkComposeNPM(p.cacheOf(), ws, proj, s, emit)
		}
	}
}

type npmEmit func(file string, src []byte, c npmCall, nc npmContext, d analysis.Diagnostic)

// checkDockerfileNPM scans each RUN of each stage whose image is a Node
// image with a known tag.
func checkDockerfileNPM(cache *runCache, ws *workspace.Workspace, f *dockerfile.File, contextDir string, emit npmEmit) {
	ctxLock := contextLockfile(cache, ws, contextDir, f.Path)
	for si, st := range f.Stages {
		root := st.Root()
		major, ok := imageMajor(cache, root.Base)
		if !ok || len(root.Unresolved) > 0 {
			continue
		}
		for ci, cmd := range st.Commands {
			run, isRun := cmd.(*instructions.RunCommand)
			if !isRun {
				continue
			}
			from, to := runRegion(f, si, ci)
			if from < 0 {
				continue
			}
			calls := scanNPM(f.Src, from, to)
			if len(calls) == 0 {
				continue
			}
			line := dockerfile.InstructionLine(run)
			nc := npmContext{major: major, image: root.BaseRaw}
			if ctxLock && (lockCopiedBefore(f, st, line) || lockMounted(f.Src[from:to])) {
				nc.lockfile, nc.where = true, "the lockfile"
			}
			for _, c := range calls {
				emit(f.Path, f.Src, c, nc, analysis.Diagnostic{
					Pos:        analysis.Position{File: cache.Rel(f.Path), Line: lineOfOffset(f.Src, c.words[0].start), Column: columnOfOffset(f.Src, c.words[0].start)},
					Dockerfile: cache.Rel(f.Path), Stage: st.ID(),
				})
			}
		}
	}
}

// runRegion is the byte range of a RUN instruction: from its line to the
// line before the next instruction (or stage), so heredoc bodies count.
func runRegion(f *dockerfile.File, si, ci int) (int, int) {
	st := f.Stages[si]
	start := dockerfile.InstructionLine(st.Commands[ci])
	if start == 0 {
		return -1, -1
	}
	next := 0
	if ci+1 < len(st.Commands) {
		next = dockerfile.InstructionLine(st.Commands[ci+1])
	} else if si+1 < len(f.Stages) {
		next = f.Stages[si+1].Line
	}
	from := dockerfile.LineStart(f.Src, start)
	to := len(f.Src)
	if next > start {
		if o := dockerfile.LineStart(f.Src, next); o >= 0 {
			to = o
		}
	}
	if from < 0 || from > to {
		return -1, -1
	}
	return from, to
}

// checkComposeNPM scans a service's command and entrypoint when the image
// it runs is a Node image with a known tag.
func checkComposeNPM(cache *runCache, ws *workspace.Workspace, proj *workspace.Project, s *workspace.Service, emit npmEmit) {
	var major, image string
	switch {
	case runsImage(s):
		m, ok := imageMajor(cache, s.Config.Image)
		if !ok {
			return
		}
		// Quoted as written: an image inherited through extends has no
		// text here, and its value may come from .env.
		major, image = m, "the image it inherits"
		if s.ImageText != "" {
			image = s.ImageText
		}
	case s.Stage != nil:
		root := s.Stage.Root()
		m, ok := imageMajor(cache, root.Base)
		if !ok || len(root.Unresolved) > 0 {
			return
		}
		major, image = m, root.BaseRaw
	default:
		return
	}
	nc := npmContext{major: major, image: image}
	nc.lockfile, nc.where = serviceLockfile(cache, ws, proj, s)
	for _, key := range []string{"command", "entrypoint"} {
		file, node := serviceValue(proj, s.Name, key)
		if node == nil {
			continue
		}
		var scalars []*yaml.Node
		switch node.Kind {
		case yaml.ScalarNode:
			scalars = append(scalars, node)
		case yaml.SequenceNode:
			for _, item := range node.Content {
				if item.Kind == yaml.ScalarNode {
					scalars = append(scalars, item)
				}
			}
		}
		for _, sc := range scalars {
			from, to := scalarRegion(file, sc)
			if from < 0 {
				continue
			}
			for _, c := range scanNPM(file.Src, from, to) {
				if !strings.Contains(oneLine(sc.Value), oneLine(c.written())) {
					continue // matched text that is not in the value (a comment)
				}
				off := c.words[0].start
				emit(file.Path, file.Src, c, nc, analysis.Diagnostic{
					Pos:     analysis.Position{File: cache.Rel(file.Path), Line: lineOfOffset(file.Src, off), Column: columnOfOffset(file.Src, off)},
					Service: s.Name,
				})
			}
		}
	}
}

// serviceValue finds the key's value node in the last of the project's
// files that sets it, as Compose merges them.
func serviceValue(proj *workspace.Project, name, key string) (*compose.File, *yaml.Node) {
	var file *compose.File
	var node *yaml.Node
	for _, f := range proj.Files {
		_, sv := f.ServiceNode(name)
		if sv == nil {
			continue
		}
		if _, v := compose.MapGet(sv, key); v != nil {
			for v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			file, node = f, v
		}
	}
	return file, node
}

// scalarRegion is the byte range of a scalar's text in the file: inside
// the quotes of a quoted scalar, the rest of the line for a plain one, the
// indented lines of a block scalar.
func scalarRegion(f *compose.File, n *yaml.Node) (int, int) {
	src := f.Src
	start := f.Offset(n.Line, n.Column)
	if start < 0 || start >= len(src) {
		return -1, -1
	}
	eol := func(i int) int {
		for i < len(src) && src[i] != '\n' {
			i++
		}
		return i
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		i := start + 1
		for i < len(src) && src[i] != '"' {
			if src[i] == '\\' {
				i++
			}
			i++
		}
		return start + 1, min(i, len(src))
	case n.Style&yaml.SingleQuotedStyle != 0:
		i := start + 1
		for i < len(src) {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i += 2
					continue
				}
				break
			}
			i++
		}
		return start + 1, i
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The indicator line, then every line indented past the key.
		keyIndent := n.Column - 1
		if ls := dockerfile.LineStart(src, n.Line); ls >= 0 {
			keyIndent = 0
			for ls+keyIndent < len(src) && src[ls+keyIndent] == ' ' {
				keyIndent++
			}
		}
		from := eol(start) + 1
		to := from
		for to < len(src) {
			end := eol(to)
			line := src[to:end]
			if len(bytes.TrimSpace(line)) > 0 {
				ind := len(line) - len(bytes.TrimLeft(line, " "))
				if ind <= keyIndent {
					break
				}
			}
			to = min(end+1, len(src))
			if end >= len(src) {
				break
			}
		}
		return min(from, len(src)), to
	}
	return start, eol(start)
}

func relDir(ws *workspace.Workspace, dir string) string {
	r := ws.Rel(dir)
	if r == "." {
		return "./"
	}
	return r + "/"
}
