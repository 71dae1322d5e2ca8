package transform

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// composeNames are the files `docker compose` reads by default, in the
// order it prefers them.
var composeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// unloadedCompose says why a Dockerfile that looks standalone may not be:
// a compose project that did not load may build it (one in its folder or
// above it, or one whose YAML names its folder as a build context). A
// compose file of its own would then run the app a second way.
func unloadedCompose(ws *workspace.Workspace, d *workspace.Dockerfile) string {
	c := ws.MayBuild(d.File.Path)
	if c == "" {
		return ""
	}
	at := ""
	for _, e := range ws.Errors {
		if e.File == c && e.Line > 0 {
			at = fmt.Sprintf(" (line %d)", e.Line)
			break
		}
	}
	return fmt.Sprintf("%s did not load%s, and it may build this Dockerfile: fix it first, then run decouple again", c, at)
}

// namedByCompose says why a Dockerfile no loaded project builds is not
// standalone after all: a compose file names it as a service's build, and
// the file layered on that one (its override) builds another Dockerfile
// instead. Used alone (docker compose -f docker-compose.yml), that file
// still builds this one, so a compose file of its own would run the app a
// second way.
func namedByCompose(ws *workspace.Workspace, d *workspace.Dockerfile) string {
	if len(ws.ServicesBuilding(d.File.Path)) > 0 {
		return "" // a service builds another stage of it (otherStage)
	}
	// Through the workspace's index: walking every compose file's builds
	// for each standalone Dockerfile is quadratic on a large tree.
	for _, cb := range ws.ComposeBuildsOf(d.File.Path) {
		f, q, b := cb.File, cb.Project, cb.Ref
		var over []string
		for _, o := range q.Files {
			if o != f {
				over = append(over, ws.Rel(o.Path))
			}
		}
		if len(over) == 0 {
			continue
		}
		return fmt.Sprintf("%s names it as a service's build (line %d), which %s, layered on it, replaces: used alone, `docker compose -f %s` still builds this Dockerfile, so a compose file of its own would run the app a second way; split it by hand",
			ws.Rel(f.Path), b.Line, strings.Join(over, ", "), ws.Rel(f.Path))
	}
	return ""
}

// SplitStandalone plans the split of a Dockerfile that no compose file
// builds: a new compose file beside it with the runtime and the code
// service, both named after the Dockerfile. It is always unsafe: the
// Dockerfile was run some other way (docker run, a platform), and that way
// does not read the new file.
//
// The new file is compose.yaml, which every standalone Dockerfile of the
// folder creates: the driver merges those into one file (MergeCreatedCompose).
// When a compose file the folder's `docker compose` would read already sits
// there, the new file is compose.<service>.yaml with a project name of its
// own, so that the existing project is left exactly as it was.
func SplitStandalone(ws *workspace.Workspace, d *workspace.Dockerfile, opts SplitOptions) (*analysis.SuggestedFix, string) {
	if opts.Strategy == "" {
		opts.Strategy = StrategyBuild
	}
	if opts.CodeImage == "" {
		opts.CodeImage = DefaultCodeImage
	}
	if why := unloadedCompose(ws, d); why != "" {
		return nil, why
	}
	if why := namedByCompose(ws, d); why != "" {
		return nil, why
	}
	dir := filepath.Dir(d.File.Path)
	final := d.File.Final()
	name := standaloneName(ws, d)
	composePath, existing := filepath.Join(dir, "compose.yaml"), ""
	for _, n := range composeNames {
		if ws.Exists(filepath.Join(dir, n)) {
			existing = n
			composePath = filepath.Join(dir, "compose."+name+".yaml")
			break
		}
	}
	if ws.Exists(composePath) && existing != "" {
		return nil, fmt.Sprintf("%s already exists; it does not build this Dockerfile", ws.Rel(composePath))
	}
	builtBy := otherStage(ws, d)
	context, reason := buildContext(ws, d)
	if reason != "" {
		return nil, withStage(builtBy, reason)
	}
	cfg := types.ServiceConfig{Name: name}
	cfg.Build = &types.BuildConfig{Context: context.dir, Dockerfile: filepath.Base(d.File.Path)}
	s := &workspace.Service{
		Service:    &compose.Service{Name: name, Config: cfg},
		Project:    &workspace.Project{},
		Dockerfile: d.File, Stage: final, Facts: d.Facts[final.Index], StageFacts: d.Facts,
	}
	p := &splitPlan{ws: ws, s: s, orig: s, opts: opts, codeSvc: name + "-code"}
	if r := relPath(dir, context.dir); r != "." {
		p.genContext = filepath.ToSlash(r)
	}
	if reason := p.moveRootCode(context.dir); reason != "" {
		return nil, withStage(builtBy, reason)
	}
	if reason := p.checkImage(); reason != "" {
		return nil, withStage(builtBy, reason)
	}
	if reason := p.planRoot(); reason != "" {
		return nil, withStage(builtBy, reason)
	}
	const pad, step, nl = "    ", "  ", "\n"
	runtime, _, base, reason := p.runtimeKeys(nil, pad, step, nl)
	if reason != "" {
		return nil, withStage(builtBy, reason)
	}
	if p.img.cmd == nil && p.img.entry == nil && plainNodeImage(p.s.Facts.RootBase) {
		// No service gives it a command either: on a node image it would
		// start the node prompt with no terminal and exit at once.
		return nil, withStage(builtBy, fmt.Sprintf("the image sets no CMD or ENTRYPOINT: what it runs is given where it runs (a deploy's command, or an image built FROM it), and a runtime service with no command would start the node prompt and exit; give %s a CMD, or split the service or image that runs it", ws.Rel(d.File.Path)))
	}
	// Last, so that a second run still says why a split was refused.
	if ws.Exists(p.codeDockerfile()) {
		return nil, withStage(builtBy, ws.Rel(p.codeDockerfile())+" already exists")
	}
	var b strings.Builder
	b.WriteString(generatedHeader + filepath.Base(d.File.Path) + ": the app's runtime and its code, decoupled.\n")
	// Beside another compose file, the new one is a project of its own:
	// the folder's project name would make each file's containers orphans
	// of the other. Compose v2 reads that from name:; Compose v1 refuses
	// the key, so beside a v1-era file (version:, fig.yml) the rollout
	// command names the project with -p instead.
	project := ""
	if existing != "" && legacyCompose(ws, filepath.Join(dir, existing)) {
		project = projectName(dir) + "-" + name
	}
	b.WriteString("# Roll out new code with " + RenewCommandIn(project, ComposeFiles(ws, dir, []string{composePath}), []string{name, p.codeSvc}) + ";\n# patch Node ")
	switch {
	// A built runtime has no image: tag to change: Node is patched in its
	// stage (a FROM tag, or the step that installs Node).
	case p.built != nil:
		b.WriteString("in stage " + p.built.name + " of " + filepath.Base(p.codeDockerfile()) + " and rebuild " + name + "; the code image stays.\n")
	case p.runtimeStage != nil:
		b.WriteString("in stage " + p.runtimeStage.Name + " of " + filepath.Base(p.s.Dockerfile.Path) + " and rebuild " + name + "; the code image stays.\n")
	default:
		b.WriteString("by changing the runtime's image: tag.\n")
	}
	if existing != "" && project == "" {
		b.WriteString("name: " + projectName(dir) + "-" + name + "\n")
	}
	if len(p.contract.dataVolumes) > 0 {
		// The old image's data VOLUMEs, kept by name (the runtime and,
		// for one inside the code path, the code service mount them).
		b.WriteString("volumes:\n")
		for _, d := range p.contract.dataVolumes {
			b.WriteString("  " + p.dataVolumeName(d) + ": {}\n")
		}
	}
	b.WriteString("services:\n")
	b.WriteString("  " + name + ":\n" + runtime)
	b.WriteString(p.codeService(nil, pad, step, nl))
	edits := []analysis.TextEdit{
		{File: composePath, NewText: []byte(b.String())},
		p.codeDockerfileEdit(),
	}
	edits = append(edits, p.ignoreEdits(context.dir)...)
	renew, renewFiles := []string{name, p.codeSvc}, ComposeFiles(ws, ws.Cwd, []string{composePath})
	msg := fmt.Sprintf("create %s with service %q on %s and %q holding the code (strategy %s, build context %s); it replaces however the image was run before; roll out new code with %s",
		ws.Rel(composePath), name, base, p.codeSvc, opts.Strategy, ws.Rel(context.dir), RenewCommandIn(project, renewFiles, renew))
	if builtBy != "" {
		msg = builtBy + "; " + msg
	} else if existing != "" {
		msg += fmt.Sprintf("; %s does not build this Dockerfile and is left as it is: run the new file with %s", existing, UpCommand(project, renewFiles))
	}
	notes := append(append([]string(nil), p.unsafe...), context.missing...)
	if len(notes) > 0 {
		msg += "; also: " + strings.Join(notes, "; ")
	}
	return &analysis.SuggestedFix{Message: msg, Safe: false, Edits: edits, Renew: renew, RenewFiles: renewFiles, RenewProject: project}, ""
}

// legacyCompose reports a compose file of the Compose v1 era, whose users
// may run Compose v1: fig.yml, a top-level version: key, or the v1 layout.
func legacyCompose(ws *workspace.Workspace, path string) bool {
	if strings.HasPrefix(filepath.Base(path), "fig.") {
		return true
	}
	src, err := ws.ReadFile(path)
	if err != nil {
		return false
	}
	f, err := compose.ParseFile(path, src)
	if err != nil || f.Root == nil {
		return false
	}
	k, _ := compose.MapGet(f.Root, "version")
	return k != nil || f.Legacy
}

// withStage puts the stage a compose service builds before a refusal.
func withStage(builtBy, reason string) string {
	if builtBy == "" {
		return reason
	}
	return builtBy + "; " + reason
}

// otherStage says which compose service builds another stage of this
// Dockerfile than its final one (the one DC001 judged), or "".
func otherStage(ws *workspace.Workspace, d *workspace.Dockerfile) string {
	final := d.File.Final()
	for _, s := range ws.ServicesBuilding(d.File.Path) {
		if s.Stage == nil || s.BuiltBy != nil {
			continue
		}
		file := ""
		if s.Key != nil {
			file = ws.Rel(s.Key.File.Path) + ": "
		}
		return fmt.Sprintf("%sservice %q builds stage %s of this Dockerfile, not its final stage %s, which is the one that bundles Node and the code",
			file, s.Name, stageText(s.Stage), stageText(final))
	}
	return ""
}

func stageText(s *dockerfile.Stage) string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("%d (unnamed)", s.Index)
}

// generatedHeader starts every compose file SplitStandalone writes; the
// Dockerfile's name follows.
const generatedHeader = "# Generated by decouple from "

// MergeCreatedCompose joins compose files SplitStandalone generated for the
// same path (one per standalone Dockerfile of a folder) into one file with
// one services: map. It returns false when a text is not such a file.
func MergeCreatedCompose(texts [][]byte) ([]byte, bool) {
	var names, volumes []string
	var header, services strings.Builder
	for i, t := range texts {
		s := string(t)
		first, rest, _ := strings.Cut(s, "\n")
		from, ok := strings.CutPrefix(first, generatedHeader)
		if !ok {
			return nil, false
		}
		from, _, ok = strings.Cut(from, ":")
		if !ok {
			return nil, false
		}
		names = append(names, from)
		head, body, ok := strings.Cut(rest, "services:\n")
		if !ok || strings.Contains(body, "\nservices:") || (head != "" && !strings.HasSuffix(head, "\n")) {
			return nil, false
		}
		// Each file's named volumes join one top-level volumes: block.
		if h, decl, ok := strings.Cut(head, "volumes:\n"); ok && (h == "" || strings.HasSuffix(h, "\n")) {
			head = h
			for _, l := range strings.SplitAfter(decl, "\n") {
				if l != "" && !slices.Contains(volumes, l) {
					volumes = append(volumes, l)
				}
			}
		}
		if i == 0 {
			header.WriteString(head)
		}
		services.WriteString(body)
	}
	if len(volumes) > 0 {
		header.WriteString("volumes:\n" + strings.Join(volumes, ""))
	}
	what := "the app's runtime and its code"
	if len(names) > 1 {
		what = "each app's runtime and its code"
	}
	// The rollout advice names every file's services.
	var renew []string
	for _, t := range texts {
		if m := rolloutServices.FindSubmatch(t); m != nil {
			renew = append(renew, strings.Fields(string(m[1]))...)
		}
	}
	head := header.String()
	if loc := rolloutServices.FindStringSubmatchIndex(head); loc != nil {
		head = head[:loc[2]] + strings.Join(renew, " ") + head[loc[3]:]
	}
	return []byte(generatedHeader + strings.Join(names, ", ") + ": " + what + ", decoupled.\n" +
		head + "services:\n" + services.String()), true
}

// rolloutServices finds the services of a generated file's rollout advice.
var rolloutServices = regexp.MustCompile("up -d --build -V ([^`]*)`")

// standaloneName names the services of a standalone Dockerfile after the
// file: web.Dockerfile and Dockerfile.web give web, a plain Dockerfile gives
// app. Dockerfiles of the same folder whose names clash are told apart by
// a suffix given in the order of their file names, so it is the same on
// every run.
func standaloneName(ws *workspace.Workspace, d *workspace.Dockerfile) string {
	var siblings []string
	for _, o := range ws.StandaloneIn(filepath.Dir(d.File.Path)) {
		siblings = append(siblings, filepath.Base(o.File.Path))
	}
	sort.Strings(siblings)
	taken := map[string]bool{}
	for _, sib := range siblings {
		base := dockerfileStem(sib)
		n := base
		for k := 2; taken[n] || taken[n+"-code"]; k++ {
			n = fmt.Sprintf("%s-%d", base, k)
		}
		taken[n], taken[n+"-code"] = true, true
		if sib == filepath.Base(d.File.Path) {
			return n
		}
	}
	return dockerfileStem(filepath.Base(d.File.Path))
}

var dockerfileWord = regexp.MustCompile(`(?i)^(dockerfile|containerfile)([.-](.+))?$|^(.+)\.(dockerfile|containerfile)$`)

// dockerfileStem is the service name a Dockerfile's file name gives.
func dockerfileStem(base string) string {
	m := dockerfileWord.FindStringSubmatch(base)
	stem := ""
	switch {
	case m == nil:
		stem = strings.TrimSuffix(base, filepath.Ext(base))
	case m[3] != "":
		stem = m[3]
	case m[4] != "":
		stem = m[4]
	}
	return serviceName(stem)
}

var nonName = regexp.MustCompile(`[^a-z0-9_-]+`)

// serviceName makes a compose service name from a name.
func serviceName(s string) string {
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-_")
	if n == "" || n == "." {
		return "app"
	}
	return n
}

// projectName is the name Compose gives a folder's project.
func projectName(dir string) string {
	if n := loader.NormalizeProjectName(filepath.Base(dir)); n != "" {
		return n
	}
	return "app"
}

// relPath is target relative to dir, "." for the same folder.
func relPath(dir, target string) string {
	r, err := filepath.Rel(dir, target)
	if err != nil {
		return target
	}
	return r
}

// rootLine is the line of the first code copy to /.
func rootLine(fa *dockerfile.Facts) int {
	for i, dir := range fa.CodeDirs {
		if dir == "/" && i < len(fa.Code) {
			return fa.Code[i].Line
		}
	}
	return fa.Code[0].Line
}

// plainNodeImage reports the official node image, whose command is the node
// prompt; other images that ship Node may have one of their own
// (cypress/included runs cypress).
func plainNodeImage(ref string) bool {
	name := strings.ToLower(ref)
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	name = strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
	return name == "node"
}
