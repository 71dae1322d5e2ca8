package transform

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/imageref"
	"github.com/decouple-dev/decouple/internal/nodeversion"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// BumpOptions say where `decouple bump` moves the runtime services.
type BumpOptions struct {
	// Version is the Node.js version to move to, as an image tag names
	// it: "20.11.1", "20.11" or "20".
	Version string
	// Major allows moving to another major version.
	Major bool
	// DropDigest allows replacing a digest-pinned reference; the digest
	// is removed, since it names the old image.
	DropDigest bool
	// Today is the day the target version is judged on for the
	// end-of-life warning and floating tags are resolved on; the zero
	// time skips both.
	Today time.Time
}

// BumpChange is one runtime service moved to the new version.
type BumpChange struct {
	Service string
	File    string // slash path relative to the working folder
	Line    int
	Column  int
	// Old and New are the image: value as written, before and after.
	Old, New string
	// FromMajor is the line the service was on ("" when unknown); Crosses
	// says whether the move changes the major.
	FromMajor string
	Crosses   bool
	// Code lists the services the runtime takes its code from.
	Code []string
	// Notes are things the user should know about this change.
	Notes []string
	// ProjectFiles are the -f arguments that select the service's project
	// from the working folder (ComposeFiles); nil for the default one.
	ProjectFiles []string
}

// BumpSkip is a Node image service left alone, and why.
type BumpSkip struct {
	Service string
	File    string
	Line    int
	Reason  string
	// Current is set when the service already runs the target version.
	Current bool
	// Digest is set when the service was left because of a digest pin.
	Digest bool
}

// BumpPlan is what a bump would do. It is computed without writing
// anything; the caller applies Edits with internal/edit (all or nothing).
type BumpPlan struct {
	Version string // the target, as given
	Major   string // its release line
	// Edits change the image tags, on the compose files' original bytes
	// (File is the absolute path). Nil when Refused.
	Edits   []analysis.TextEdit
	Changes []BumpChange
	Skipped []BumpSkip
	// Warnings concern the whole bump: an end-of-life target, native
	// modules to rebuild after a major change.
	Warnings []string
	// Refused says why nothing may be written: a major version is crossed
	// without BumpOptions.Major.
	Refused string
}

var bumpVersion = regexp.MustCompile(`^v?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){0,2}$`)

// ParseBumpTarget reads `node@<version>` and returns the version as an
// image tag writes it ("v20.1.0" becomes "20.1.0", as the node images are
// tagged).
func ParseBumpTarget(arg string) (string, error) {
	runtime, version, ok := strings.Cut(arg, "@")
	if !ok || !strings.EqualFold(runtime, "node") {
		return "", fmt.Errorf("want node@<version>, such as node@20.11.1, not %q", arg)
	}
	if !bumpVersion.MatchString(version) {
		return "", fmt.Errorf("%q is not a Node version: want MAJOR[.MINOR[.PATCH]], such as 20.11.1", version)
	}
	version = strings.TrimPrefix(version, "v")
	if v, ok := nodeversion.FromTag(version); !ok || !v.Pinned {
		return "", fmt.Errorf("%q names no Node release line", version)
	}
	return version, nil
}

// Bump plans moving every runtime service of the workspace to a Node
// version. A runtime service runs a Node image (not one it builds) and
// takes its code from volumes_from, a named or anonymous volume, or a bind
// mount; only its image tag changes, keeping the registry, the path and
// the variant suffix (-alpine, -bookworm-slim). A tag given as
// ${VAR:-default} gets its default changed. Code-only images and services
// that build are never touched.
func Bump(ws *workspace.Workspace, opts BumpOptions) (*BumpPlan, error) {
	target, err := ParseBumpTarget("node@" + opts.Version)
	if err != nil {
		return nil, err
	}
	tv, _ := nodeversion.FromTag(target)
	plan := &BumpPlan{Version: target, Major: tv.Major}
	seen := map[string]bool{}
	var edits []analysis.TextEdit
	for _, proj := range ws.Projects {
		for _, s := range proj.Judged() {
			b := bumper{ws: ws, proj: proj, s: s, opts: opts, target: target, targetMajor: tv.Major}
			edit, ch, skip := b.plan()
			switch {
			case skip != nil:
				key := fmt.Sprintf("skip\x00%s\x00%d\x00%s", skip.File, skip.Line, skip.Service)
				if !seen[key] {
					seen[key] = true
					plan.Skipped = append(plan.Skipped, *skip)
				}
			case ch != nil:
				key := fmt.Sprintf("%s\x00%d", edit.File, edit.Start)
				if seen[key] {
					continue
				}
				seen[key] = true
				edits = append(edits, *edit)
				var files []string
				for _, f := range proj.Files {
					files = append(files, f.Path)
				}
				ch.ProjectFiles = ComposeFiles(ws, ws.Cwd, files)
				plan.Changes = append(plan.Changes, *ch)
			}
		}
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool {
		a, b := plan.Changes[i], plan.Changes[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	plan.Warnings = bumpWarnings(plan, tv, opts)
	var crossing []string
	for _, c := range plan.Changes {
		if c.Crosses {
			from := "an unknown major"
			if c.FromMajor != "" {
				from = "Node " + c.FromMajor
			}
			crossing = append(crossing, fmt.Sprintf("service %q (%s:%d, on %s)", c.Service, c.File, c.Line, from))
		}
	}
	if len(crossing) > 0 && !opts.Major {
		plan.Refused = fmt.Sprintf("node@%s is Node %s, a different major for %s: a new major can break the app and its native modules; rerun with --major to move anyway",
			target, tv.Major, strings.Join(crossing, ", "))
		return plan, nil
	}
	plan.Edits = edits
	return plan, nil
}

// bumpWarnings are the notes on the whole move.
func bumpWarnings(plan *BumpPlan, tv nodeversion.Version, opts BumpOptions) []string {
	var out []string
	if !opts.Today.IsZero() {
		switch st, r := nodeversion.Status(tv, opts.Today, 0); st {
		case nodeversion.EndOfLife:
			msg := fmt.Sprintf("Node %s is past its end of life", tv.Major)
			if !r.End.IsZero() {
				msg = fmt.Sprintf("Node %s reached end of life on %s", tv.Major, r.End.Format(time.DateOnly))
			}
			msg += fmt.Sprintf(": %s gets no security fixes", plan.Version)
			if lts := nodeversion.OldestSupportedLTS(opts.Today); lts.Major != "" {
				msg += fmt.Sprintf("; the oldest supported LTS is Node %s", lts.Major)
			}
			out = append(out, msg)
		case nodeversion.Prerelease:
			out = append(out, fmt.Sprintf("Node %s is not released yet (it starts %s)", tv.Major, r.Start.Format(time.DateOnly)))
		}
	}
	var code []string
	seen := map[string]bool{}
	crosses := false
	from := map[string]bool{}
	for _, c := range plan.Changes {
		if !c.Crosses {
			continue
		}
		crosses = true
		if c.FromMajor != "" {
			from["Node "+c.FromMajor] = true
		}
		for _, n := range c.Code {
			if !seen[n] {
				seen[n] = true
				code = append(code, n)
			}
		}
	}
	if crosses {
		olds := make([]string, 0, len(from))
		for f := range from {
			olds = append(olds, f)
		}
		sort.Strings(olds)
		old := "the old major"
		if len(olds) > 0 {
			old = strings.Join(olds, " and ")
		}
		msg := fmt.Sprintf("a new major: native modules (node_modules with compiled addons) built for %s will not load on Node %s; rebuild them", old, tv.Major)
		if len(code) > 0 {
			msg += fmt.Sprintf(": rebuild the code image (docker compose build %s) and recreate with docker compose up -d --renew-anon-volumes, so the new code volume replaces the old one", strings.Join(code, " "))
		} else {
			msg += " in the mounted code (reinstall dependencies)"
		}
		out = append(out, msg)
	}
	return out
}

// bumper plans one service.
type bumper struct {
	ws          *workspace.Workspace
	proj        *workspace.Project
	s           *workspace.Service
	opts        BumpOptions
	target      string
	targetMajor string
}

func (b *bumper) skip(reason string) (*analysis.TextEdit, *BumpChange, *BumpSkip) {
	sk := &BumpSkip{Service: b.s.Name, Reason: reason}
	if p := b.s.Image; p != nil {
		sk.File, sk.Line = b.ws.Rel(p.File.Path), p.Line
	} else if p := b.s.Key; p != nil {
		sk.File, sk.Line = b.ws.Rel(p.File.Path), p.Line
	}
	return nil, nil, sk
}

// versionedNodeName matches names whose tag is a Node version (node,
// cimg/node, alpine-node, alpine-nodejs, javascript-node); the digits of
// nodejs20-debian12 put the major in the name instead.
var versionedNodeName = regexp.MustCompile(`^(?:[a-z0-9]+[-_])*node(?:js)?(\d+(?:-.*)?)?$`)

// interpolatedTag is a tag taken from a variable with a default:
// ${NODE_VERSION:-20.11.1} or ${NODE_VERSION-20}-alpine.
var interpolatedTag = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}$]*)\}(.*)$`)

func (b *bumper) plan() (*analysis.TextEdit, *BumpChange, *BumpSkip) {
	s := b.s
	cfg := s.Config
	if cfg.Build != nil && s.Dockerfile != nil && s.Stage != nil && isBuiltRuntime(s) {
		return b.planFrom()
	}
	if cfg.Image == "" || dockerfile.ImageRuntime(cfg.Image) != dockerfile.Node {
		return nil, nil, nil // not a Node image: nothing to say
	}
	switch {
	case cfg.Build != nil:
		return b.skip("it builds its image: bump moves runtime services on a stock Node image, not images built from a Dockerfile")
	case s.BuiltBy != nil:
		return b.skip(fmt.Sprintf("its image is built by service %q", s.BuiltBy.Name))
	}
	code := codeSources(s)
	if code == nil {
		return b.skip("it mounts no code (no volumes_from, volume or bind mount), so it is not the runtime of a decoupled app")
	}
	ref, ok := imageref.Parse(cfg.Image)
	if !ok {
		if strings.Contains(s.ImageText, "$") {
			return b.skip(fmt.Sprintf("its image %s takes a variable that has no value here; set the new version where the variable is defined", s.ImageText))
		}
		return b.skip("its image reference cannot be parsed")
	}
	m := versionedNodeName.FindStringSubmatch(strings.ToLower(ref.Name))
	shown := cfg.Image // as written: a value from .env is never printed
	if s.ImageText != "" {
		shown = s.ImageText
	}
	switch {
	case m == nil:
		return b.skip(fmt.Sprintf("the tag of %s is not a Node version", shown))
	case m[1] != "":
		return b.skip(fmt.Sprintf("%s carries its Node major in the name, not the tag; change the image by hand", shown))
	case s.Image == nil:
		return b.skip("its image: is inherited (extends); bump the service it comes from")
	}
	file := s.Image.File
	node, why := directScalar(file, s.Name, "image")
	if node == nil {
		return b.skip(why)
	}
	start, raw, why := scalarText(file, node)
	if start < 0 {
		return b.skip(why)
	}
	written, ok := imageref.Parse(raw)
	if !ok {
		return b.skip(fmt.Sprintf("image %s cannot be parsed as written", raw))
	}
	if strings.Contains(written.Name, "$") || (written.TagStart < 0 && ref.Tag != "") {
		return b.skip("its image name comes from a variable; set the new version where it is defined")
	}
	var tagStart, tagEnd int // bytes of the text to replace, in raw
	var tagText string       // the version-bearing tag text now there
	var notes []string
	insert := false
	switch {
	case written.TagStart >= 0 && strings.Contains(written.Tag, "$"):
		sm := interpolatedTag.FindStringSubmatch(written.Tag)
		if sm == nil || strings.Contains(sm[4], "$") {
			return b.skip(fmt.Sprintf("its tag %s comes from a variable with no default; set the new version where the variable is defined", written.Tag))
		}
		if written.Digest != "" {
			return b.skip("its tag comes from a variable and it is pinned by digest; change it by hand")
		}
		defStart := written.TagStart + len("${") + len(sm[1]) + len(sm[2])
		tagStart, tagEnd, tagText = defStart, defStart+len(sm[3]), sm[3]
		if effective := ref.Tag; effective != sm[3]+sm[4] {
			notes = append(notes, fmt.Sprintf("%s is set in the environment or .env (the tag in effect is %s): the default changes, but set the variable too", sm[1], effective))
		}
	case written.TagStart >= 0:
		tagStart, tagEnd, tagText = written.TagStart, written.TagEnd, written.Tag
	default:
		// No tag: insert one after the path.
		end := len(raw)
		if written.Digest != "" {
			end -= len(written.Digest) + 1
		}
		tagStart, tagEnd, tagText, insert = end, end, "", true
	}
	v, ok := nodeversion.FromTag(tagText)
	if !ok {
		return b.skip(fmt.Sprintf("its tag %q names no Node version decouple understands", tagText))
	}
	newTag := newVersionTag(v, b.target)
	if newTag == tagText {
		return nil, nil, &BumpSkip{Service: s.Name, File: b.ws.Rel(file.Path), Line: node.Line, Current: true,
			Reason: fmt.Sprintf("it already runs %s", raw)}
	}
	replaceEnd := tagEnd
	if written.Digest != "" {
		if !b.opts.DropDigest {
			sk := &BumpSkip{Service: s.Name, File: b.ws.Rel(file.Path), Line: node.Line, Digest: true,
				Reason: fmt.Sprintf("%s is pinned by digest, which names the old image; rerun with --drop-digest to replace it (then pin the new digest)", raw)}
			return nil, nil, sk
		}
		replaceEnd = len(raw)
		notes = append(notes, "the digest of the old image was dropped; pin the new one once pulled")
	}
	newText := newTag
	if insert {
		newText = ":" + newTag
	}
	newRaw := raw[:tagStart] + newText + raw[replaceEnd:]
	fromMajor := ""
	if v.Pinned {
		fromMajor = v.Major
	} else if !b.opts.Today.IsZero() {
		if r, ok := nodeversion.Resolve(v, b.opts.Today); ok {
			fromMajor = r.Major
			notes = append(notes, fmt.Sprintf("the floating tag %q (Node %s today) becomes a pinned version", tagText, r.Major))
		}
	}
	ch := &BumpChange{
		Service: s.Name, File: b.ws.Rel(file.Path), Line: node.Line, Column: node.Column,
		Old: raw, New: newRaw, FromMajor: fromMajor, Crosses: fromMajor != b.targetMajor,
		Code: code, Notes: notes,
	}
	ed := &analysis.TextEdit{File: file.Path, Start: start + tagStart, End: start + replaceEnd, NewText: []byte(newText)}
	return ed, ch, nil
}

// isBuiltRuntime recognises a runtime that builds the code-free runtime
// stage decouple generated into a code Dockerfile.
func isBuiltRuntime(s *workspace.Service) bool {
	name := s.Stage.Name
	return codeSources(s) != nil && dockerfile.IsGenerated(s.Dockerfile.Path, s.Dockerfile.Src) &&
		(strings.HasPrefix(name, "runtime") || strings.HasPrefix(name, "decouple-runtime"))
}

// planFrom moves a built runtime: the FROM line of its generated stage.
// Only that image is rebuilt (docker compose up -d --build <runtime>); the
// code image stays as it is.
func (b *bumper) planFrom() (*analysis.TextEdit, *BumpChange, *BumpSkip) {
	s, st, df := b.s, b.s.Stage, b.s.Dockerfile
	rel := b.ws.Rel(df.Path)
	skip := func(reason string) (*analysis.TextEdit, *BumpChange, *BumpSkip) {
		return nil, nil, &BumpSkip{Service: s.Name, File: rel, Line: st.Line, Reason: reason}
	}
	if st.BaseStage != nil {
		return skip(fmt.Sprintf("its runtime stage starts from stage %s; bump the FROM there by hand", st.BaseStage.ID()))
	}
	raw := st.BaseRaw
	if strings.Contains(raw, "$") {
		return skip(fmt.Sprintf("its runtime stage's FROM %s takes an ARG; set the new version where the ARG is defined", raw))
	}
	if dockerfile.ImageRuntime(raw) != dockerfile.Node {
		return nil, nil, nil // Node installed on another base: no tag to move
	}
	lineStart := dockerfile.LineStart(df.Src, st.Line)
	lineEnd := bytes.IndexByte(df.Src[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(df.Src) - lineStart
	}
	at := bytes.Index(df.Src[lineStart:lineStart+lineEnd], []byte(raw))
	written, ok := imageref.Parse(raw)
	if at < 0 || !ok || written.TagStart < 0 {
		return skip(fmt.Sprintf("the tag of FROM %s cannot be found", raw))
	}
	v, ok := nodeversion.FromTag(written.Tag)
	if !ok {
		return skip(fmt.Sprintf("its tag %q names no Node version decouple understands", written.Tag))
	}
	newTag := newVersionTag(v, b.target)
	if newTag == written.Tag {
		return nil, nil, &BumpSkip{Service: s.Name, File: rel, Line: st.Line, Current: true, Reason: fmt.Sprintf("it already runs %s", raw)}
	}
	if written.Digest != "" {
		return skip(fmt.Sprintf("FROM %s is pinned by digest; change it by hand", raw))
	}
	fromMajor := ""
	if v.Pinned {
		fromMajor = v.Major
	} else if !b.opts.Today.IsZero() {
		if r, ok := nodeversion.Resolve(v, b.opts.Today); ok {
			fromMajor = r.Major
		}
	}
	start := lineStart + at + written.TagStart
	ch := &BumpChange{
		Service: s.Name, File: rel, Line: st.Line, Column: at + 1,
		Old: raw, New: raw[:written.TagStart] + newTag + raw[written.TagEnd:], FromMajor: fromMajor, Crosses: fromMajor != b.targetMajor,
		Code:  codeSources(s),
		Notes: []string{fmt.Sprintf("the runtime builds its image: roll out with docker compose up -d --build %s (the code image is not rebuilt)", s.Name)},
	}
	return &analysis.TextEdit{File: df.Path, Start: start, End: start + len(written.Tag), NewText: []byte(newTag)}, ch, nil
}

// newVersionTag puts the target version in place of the tag's version,
// keeping the variant.
func newVersionTag(v nodeversion.Version, target string) string {
	switch {
	case v.Embedded != "":
		// 3.2.0-node24.19.0: the Node part, the image's own version kept.
		prefix := strings.TrimRight(v.Embedded, "0123456789.")
		return strings.Replace(v.Text, v.Embedded, prefix+target, 1)
	case v.Variant == "":
		return target
	case v.VariantFirst:
		return v.Variant + target // "slim-15"
	case v.Text == "" && !strings.HasPrefix(v.Variant, "-"):
		return target + "-" + v.Variant // "alpine" selects a variant only
	}
	return target + v.Variant
}

// codeSources lists where a service takes its code from: volumes_from
// services (and containers), and mounts. It returns nil when there is
// none, and an empty non-nil list for mounts only.
func codeSources(s *workspace.Service) []string {
	var out []string
	found := false
	for _, vf := range s.Config.VolumesFrom {
		found = true
		if strings.HasPrefix(vf, "container:") {
			continue
		}
		name, _, _ := strings.Cut(vf, ":")
		out = append(out, name)
	}
	for _, v := range s.Config.Volumes {
		switch v.Type {
		case "bind", "volume", "image":
			found = true
		}
	}
	if !found {
		return nil
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// directScalar finds a service's key written in the service itself (not
// through a merge key or an alias, which other services may share) with a
// scalar value.
func directScalar(f *compose.File, service, key string) (*yaml.Node, string) {
	_, sv := f.ServiceNode(service)
	if sv == nil || sv.Kind != yaml.MappingNode {
		return nil, "its definition could not be found in " + f.Path
	}
	for i := 0; i+1 < len(sv.Content); i += 2 {
		if sv.Content[i].Value != key || sv.Content[i].Tag == "!!merge" {
			continue
		}
		v := sv.Content[i+1]
		if v.Kind == yaml.AliasNode {
			return nil, fmt.Sprintf("its %s: is a YAML alias (*%s) that other services may share; change the anchor by hand", key, v.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Sprintf("its %s: is not a plain value", key)
		}
		if v.Anchor != "" {
			return nil, fmt.Sprintf("its %s: is a YAML anchor (&%s) that other services may share; change it by hand", key, v.Anchor)
		}
		return v, ""
	}
	if v := sharedScalar(f, sv, key); v != nil {
		return v, ""
	}
	return nil, fmt.Sprintf("its %s: comes from a YAML merge key (<<) that other services may share; change the anchor by hand", key)
}

// sharedScalar finds a key the service merges from a top-level x-
// extension (x-app: &app, <<: *app: the shape the split of a shared build
// writes) when every use of that extension is a service's merge key: the
// one line is then every such service's setting, and a bump moves them
// all, as it would each of them. nil otherwise.
func sharedScalar(f *compose.File, sv *yaml.Node, key string) *yaml.Node {
	k, v := compose.MapGet(sv, key)
	if k == nil || v.Kind != yaml.ScalarNode || v.Anchor != "" {
		return nil
	}
	if _, ext := extensionHolding(f, k); ext == nil || ext.Anchor == "" || !mergesFrom(sv, ext) || strayAlias(f, ext) != nil {
		return nil
	}
	return v
}

// scalarText returns where a one-line scalar's text starts in src and the
// text, which must read exactly as the value (no escapes, no folding):
// only then is an offset into the value an offset into the file.
func scalarText(f *compose.File, n *yaml.Node) (int, string, string) {
	src := f.Src
	off := f.Offset(n.Line, n.Column)
	if off < 0 {
		return -1, "", "its position in the file could not be found"
	}
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		off++
	case 0, yaml.FlowStyle:
	default:
		return -1, "", "its image: is written as a block scalar; change it by hand"
	}
	end := off + len(n.Value)
	if end > len(src) || string(src[off:end]) != n.Value || strings.ContainsAny(n.Value, "\n\r") {
		return -1, "", "its image: is written with escapes or over several lines; change it by hand"
	}
	return off, n.Value, ""
}
