package rules

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/template"
	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/imageref"
	"github.com/decouple-dev/decouple/internal/nodeversion"
	"github.com/decouple-dev/decouple/internal/workspace"
)

var nodeEOL = &Rule{
	Rule: &analysis.Rule{
		Code: "DC003", Name: "node-eol", Severity: analysis.Warning,
		Summary: "a Node version past its end of life, in FROM, an ARG default or a compose image",
		Doc:     docDC003,
	},
	Run: runNodeEOL,
}

const docDC003 = `## Why
A Node.js release line past its end of life gets no security fixes: every
CVE found after that day stays open in the runtime. The release schedule is
public (https://github.com/nodejs/Release), so the date is known in advance.
decouple reports a line from its end-of-life day on (warning), and within a
window before it (90 days by default, at info level) so there is time to
move.

## Bad
` + "```" + `dockerfile
FROM node:carbon AS build      # Node 8, end of life 2019-12-31
ARG NODE_VERSION=14
FROM node:${NODE_VERSION}-alpine
` + "```" + `
` + "```" + `yaml
services:
  app:
    image: quay.io/oddnetworks/alpine-nodejs:4.2.2
` + "```" + `

## Good
` + "```" + `dockerfile
FROM node:22-alpine
` + "```" + `

## What it looks at
Every stage whose FROM is a Node image (builder stages too, since they run
your build scripts), the ARG default a FROM takes its tag from (reported at
the ARG line), and the ` + "`image:`" + ` of every compose service that runs a Node
image. Tags may be versions (` + "`18.19.0-alpine`" + `), old numbering (` + "`0.10`" + `,
` + "`4.2.2`" + `) or codenames (` + "`carbon`" + `, ` + "`lts-gallium`" + `); a dev container image's tag
puts its own version first (` + "`javascript-node:4-24-trixie`" + ` is Node 24), and
` + "`mhart/alpine-node:slim-15`" + ` is Node 15. Floating tags such as
` + "`lts`" + ` are DC004's business. The schedule is embedded in decouple; set the
day with ` + "`--today YYYY-MM-DD`" + ` or ` + "`DECOUPLE_TODAY`" + ` for reproducible runs.

## Fix
Move to a supported LTS line (the message names the oldest one still
supported). For a decoupled runtime service that is
` + "`decouple bump node@<version> --major`" + `; rebuild native modules for the new
major.
`

// nodeImage is an image whose tag (or name) says which Node.js version it
// ships.
type nodeImage struct {
	ref      imageref.Ref
	version  nodeversion.Version
	official bool // the official node image, whatever the registry
	inName   bool // the major is in the name (distroless nodejs20-debian12)
}

// versionedNodeName matches image names whose tag is a Node version: the
// official node, third-party node images (cimg/node, mhart/alpine-node,
// quay.io/oddnetworks/alpine-nodejs, devcontainers javascript-node) and
// names that carry the major (distroless nodejs20-debian12). Images that
// ship Node but version themselves (node-red, cypress, playwright, ghost)
// do not match: their tags are not Node versions.
var versionedNodeName = regexp.MustCompile(`^(?:[a-z0-9]+[-_])*node(?:js)?(?:(\d+)(?:-.*)?)?$`)

// versionedNodePrefixes are the words before -node or -nodejs in the names
// of third-party Node images whose tags are Node versions
// (mhart/alpine-node, oddnetworks/alpine-nodejs, the devcontainers'
// javascript-node and typescript-node). Other names ending in node are
// not judged by their tag.
var versionedNodePrefixes = map[string]bool{"alpine": true, "javascript": true, "typescript": true}

// parseNodeImage reads a reference as a Node image with a version it can
// judge; false when it is not a Node image or its tag names no version.
func parseNodeImage(ref string) (nodeImage, bool) {
	if dockerfile.ImageRuntime(ref) != dockerfile.Node {
		return nodeImage{}, false
	}
	r, ok := imageref.Parse(ref)
	if !ok {
		return nodeImage{}, false
	}
	name := strings.ToLower(r.Name)
	m := versionedNodeName.FindStringSubmatch(name)
	if m == nil {
		return nodeImage{}, false
	}
	if m[1] == "" && name != "node" && name != "nodejs" && !versionedNodePrefixes[strings.TrimSuffix(strings.TrimSuffix(name, "js"), "-node")] {
		// cardano-node, polkadot-node, my-app-node: a name that ends in
		// node says nothing of what its tags count.
		return nodeImage{}, false
	}
	ni := nodeImage{ref: r, official: name == "node"}
	if m[1] != "" {
		v, ok := nodeversion.FromTag(m[1])
		if !ok {
			return nodeImage{}, false
		}
		ni.version, ni.inName = v, true
		return ni, true
	}
	tag := r.Tag
	if strings.HasSuffix(name, "javascript-node") || strings.HasSuffix(name, "typescript-node") {
		// The dev container images put their own version first
		// (javascript-node:4-24-trixie is image 4 with Node 24; 1-18 is
		// Node 18); a tag with one number (24-trixie) is Node's alone.
		if m := devcontainerTag.FindStringSubmatch(tag); m != nil {
			tag = m[1]
		}
	}
	v, ok := nodeversion.FromTag(tag)
	if !ok {
		return nodeImage{}, false
	}
	ni.version = v
	return ni, true
}

// devcontainerTag is a dev container image's tag that starts with the
// image's own version: IMAGE-NODE[-VARIANT]; the group is NODE[-VARIANT].
var devcontainerTag = regexp.MustCompile(`^\d+(?:\.\d+)*-(\d+(?:-.*)?)$`)

// imageSite is where an image is named and how to quote it.
type imageSite struct {
	pos      analysis.Position
	quote    string // the text as written, e.g. node:${NODE_VERSION}-alpine
	resolved string // the reference judged
	via      string // how an interpolated text resolved, for the message; "" when literal
	// hidden says the text resolved through values that are not written
	// in the files (the environment, .env, env_file, build args that
	// interpolate them): the message quotes the text as written and
	// says only the major it resolves to, never the value (SECURITY.md,
	// promise 3).
	hidden  bool
	service string
	file    string // Dockerfile, for the finding's dockerfile field
	stage   string
}

// describe is the image for a message: where it is named, as written, plus
// what it resolved to.
func (s imageSite) describe() string {
	text := s.quote
	if s.via != "" && (!s.hidden || !strings.HasPrefix(s.via, "= ")) {
		text = fmt.Sprintf("%s (%s)", s.quote, s.via)
	}
	if s.service != "" {
		return fmt.Sprintf("service %q image %s", s.service, text)
	}
	return "FROM " + text
}

// is joins the image to what it is: "is", or "resolves to" when the value
// it resolved through is not shown.
func (s imageSite) is() string {
	if s.hidden {
		return "resolves to"
	}
	return "is"
}

// hiddenSite marks a site whose resolved reference may not be printed.
func hiddenSite(site imageSite) imageSite {
	site.hidden = true
	return site
}

// writtenDefaults reports whether text resolves to resolved by the
// defaults written in it alone (${TAG:-18} with TAG unset): then the
// resolved reference is the file's own text and may be quoted. Otherwise
// a value came from the environment, .env or an env_file.
func writtenDefaults(text, resolved string) bool {
	out, err := template.Substitute(text, func(string) (string, bool) { return "", false })
	return err == nil && out == resolved
}

// literalBuildArgs reports whether every build arg named in names that
// a service building f passes is written as a literal in its compose file
// (no ${...}, not taken from the environment by name alone). A value
// interpolated from the environment or .env must not be quoted.
func literalBuildArgs(ws *workspace.Workspace, f *dockerfile.File, names []string) bool {
	found := false
	for _, proj := range ws.Projects {
		for _, s := range proj.Judged() {
			if s.Dockerfile != f || s.BuiltBy != nil || s.Key == nil || s.Key.File == nil {
				continue
			}
			found = true
			_, sv := s.Key.File.ServiceNode(s.Name)
			_, bv := compose.MapGet(sv, "build")
			_, av := compose.MapGet(bv, "args")
			if av == nil {
				// args from an override or extends: not seen here.
				return false
			}
			for _, name := range names {
				if !literalArg(av, name, s.Config.Build != nil && s.Config.Build.Args[name] != nil) {
					return false
				}
			}
		}
	}
	return found
}

// literalArg reports whether the args node gives name a literal value (or
// does not give it at all, when the build has no such arg).
func literalArg(av *yaml.Node, name string, given bool) bool {
	switch av.Kind {
	case yaml.MappingNode:
		_, v := compose.MapGet(av, name)
		if v == nil {
			return !given
		}
		return v.Kind == yaml.ScalarNode && v.Tag != "!!null" && !strings.Contains(v.Value, "$")
	case yaml.SequenceNode:
		for _, item := range av.Content {
			k, v, ok := strings.Cut(item.Value, "=")
			if k != name {
				continue
			}
			return ok && !strings.Contains(v, "$")
		}
		return !given
	}
	return false
}

// fromSite places a stage's base image: its FROM line, or the ARG line
// whose default the FROM takes its tag from.
func fromSite(ws *workspace.Workspace, f *dockerfile.File, st *dockerfile.Stage) imageSite {
	site := imageSite{pos: stagePos(ws, f, st), quote: st.BaseRaw, resolved: st.Base, file: ws.Rel(f.Path), stage: st.ID()}
	if !strings.Contains(st.BaseRaw, "$") {
		return site
	}
	defaults := map[string]string{}
	for k, v := range f.MetaArgs {
		if v != nil {
			defaults[k] = *v
		}
	}
	site.via = "= " + st.Base
	if f.ExpandInStage(st.BaseRaw, defaults) != st.Base {
		site.via += " with the build args"
		if !literalBuildArgs(ws, f, referencedVars(st.BaseRaw)) {
			site.via = "with the build args"
			return hiddenSite(site)
		}
		return site
	}
	for _, name := range referencedVars(st.BaseRaw) {
		v, ok := defaults[name]
		if !ok || v == "" {
			continue
		}
		if line := metaArgLine(f, name); line > 0 {
			site.pos = analysis.Position{File: ws.Rel(f.Path), Line: line, Column: dockerfile.FirstColumn(f.Src, line)}
			site.via = fmt.Sprintf("%s by ARG %s=%s", site.via, name, v)
			return site
		}
	}
	return site
}

var varRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// referencedVars lists the variables a word refers to, in order.
func referencedVars(word string) []string {
	var out []string
	for _, m := range varRef.FindAllStringSubmatch(word, -1) {
		out = append(out, m[1])
	}
	return out
}

// metaArgLine is the line of the last ARG before the first FROM that
// declares name; 0 when none does.
func metaArgLine(f *dockerfile.File, name string) int {
	last := 0
	lines := strings.Split(string(f.Src), "\n")
	for i, l := range lines {
		n := i + 1
		if len(f.Stages) > 0 && n >= f.Stages[0].Line {
			break
		}
		fields := strings.Fields(l)
		if len(fields) < 2 || !strings.EqualFold(fields[0], "ARG") {
			continue
		}
		for _, kv := range fields[1:] {
			if k, _, _ := strings.Cut(kv, "="); k == name {
				last = n
			}
		}
	}
	return last
}

// composeImageSite places a service's image: value, when it has one.
func composeImageSite(ws *workspace.Workspace, s *workspace.Service) (imageSite, bool) {
	if s.Image == nil || s.Config.Image == "" {
		return imageSite{}, false
	}
	site := imageSite{pos: composePos(ws, s.Image), quote: s.ImageText, resolved: s.Config.Image, service: s.Name}
	if _, v := s.Image.File.ServiceNode(s.Name); v != nil {
		if _, iv := compose.MapGet(v, "image"); iv != nil && iv.Kind == yaml.ScalarNode {
			site.pos.Line, site.pos.Column = iv.Line, iv.Column
		}
	}
	if site.quote == "" {
		site.quote = s.Config.Image
	}
	if site.quote != site.resolved {
		site.via = "= " + site.resolved
		if !writtenDefaults(site.quote, site.resolved) {
			return hiddenSite(site), true
		}
	}
	return site, true
}

// runsImage reports whether a service runs its image: as it is, not as the
// name of an image it (or another service) builds.
func runsImage(s *workspace.Service) bool {
	return s.Config.Build == nil && s.BuiltBy == nil
}

// buildFiles are the Dockerfiles the workspace loaded, each once per
// parse: those services build and the standalone ones.
func buildFiles(ws *workspace.Workspace) []*dockerfile.File {
	var out []*dockerfile.File
	seen := map[*dockerfile.File]bool{}
	add := func(f *dockerfile.File) {
		if f != nil && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, p := range ws.Projects {
		for _, s := range p.Judged() {
			add(s.Dockerfile)
		}
	}
	for _, d := range ws.Dockerfiles {
		add(d.File)
	}
	return out
}

// siteKey dedupes findings on the same text.
func siteKey(p analysis.Position, what string) string {
	return fmt.Sprintf("%s:%d:%d:%s", p.File, p.Line, p.Column, what)
}

func runNodeEOL(p *Pass) {
	ws := p.WS
	today := p.Settings.today()
	seen := map[string]bool{}
	for _, f := range buildFiles(ws) {
		for _, st := range f.Stages {
			if st.BaseStage != nil || len(st.Unresolved) > 0 {
				continue
			}
			site := fromSite(ws, f, st)
			checkEOL(p, site, today, seen)
		}
	}
	for _, proj := range ws.Projects {
		for _, s := range proj.Judged() {
			if !runsImage(s) {
				continue
			}
			if site, ok := composeImageSite(ws, s); ok {
				checkEOL(p, site, today, seen)
			}
		}
	}
}

func checkEOL(p *Pass, site imageSite, today time.Time, seen map[string]bool) {
	ni, ok := p.cacheOf().parseNodeImage(site.resolved)
	if !ok || !ni.version.Pinned {
		return
	}
	state, rel := nodeversion.Status(ni.version, today, p.Settings.eolWindow())
	if state != nodeversion.EndOfLife && state != nodeversion.Expiring {
		return
	}
	if rel.End.IsZero() && !ni.official {
		// A major the schedule never had (1, 2, 3): only the official
		// image's tags are sure to be Node versions.
		return
	}
	key := siteKey(site.pos, site.resolved)
	if seen[key] {
		return
	}
	seen[key] = true
	line := "Node " + rel.Major
	if rel.Codename != "" {
		line += fmt.Sprintf(" (%s)", rel.Codename)
	}
	var msg string
	sev := p.Rule.Severity
	switch {
	case state == nodeversion.Expiring:
		days := int(rel.End.Sub(civil(today)).Hours() / 24)
		msg = fmt.Sprintf("%s %s %s, which reaches end of life on %s (in %d days)", site.describe(), site.is(), line, rel.End.Format(time.DateOnly), days)
		sev = analysis.Info
	case rel.End.IsZero():
		msg = fmt.Sprintf("%s %s %s, a line that has been without support for years", site.describe(), site.is(), line)
	default:
		msg = fmt.Sprintf("%s %s %s, which reached end of life on %s", site.describe(), site.is(), line, rel.End.Format(time.DateOnly))
	}
	lts, what := nodeversion.OldestSupportedLTS(today), "the oldest supported LTS"
	if lts.Major == rel.Major {
		lts, what = nextLTS(today, rel), "the next supported LTS"
	}
	if lts.Major != "" {
		msg += fmt.Sprintf("; %s is Node %s", what, lts.Major)
		if lts.Codename != "" {
			msg += fmt.Sprintf(" (%s)", lts.Codename)
		}
		msg += fmt.Sprintf(", supported until %s", lts.End.Format(time.DateOnly))
	} else {
		msg += "; the embedded release schedule knows no other supported LTS on this date"
	}
	p.Report(analysis.Diagnostic{
		Rule: p.Rule.Rule, Severity: sev, Pos: site.pos, Message: msg,
		Service: site.service, Dockerfile: site.file, Stage: site.stage,
	})
}

// nextLTS is the oldest LTS line, in LTS on today, that outlives rel.
func nextLTS(today time.Time, rel nodeversion.Release) nodeversion.Release {
	d := civil(today)
	for _, r := range nodeversion.Releases() {
		if r.IsLTS() && !d.Before(r.LTS) && d.Before(r.End) && r.End.After(rel.End) {
			return r
		}
	}
	return nodeversion.Release{}
}

// civil drops the clock, as the schedule's dates have none.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
