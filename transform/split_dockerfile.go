package transform

// The Dockerfile side of the split: the code Dockerfile (the original
// stages once, a code stage per target, the built runtimes), its layout
// and its stage names. split_edit.go holds the compose side.

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// codeTarget is one code stage of the generated code Dockerfile: the code
// of one stage of the original that services run.
type codeTarget struct {
	stage *dockerfile.Stage
	wd    string
	name  string // the code stage's name when there are several
	vols  []string
	mods  []string // node_modules outside wd the app finds, which the image also carries (modulesAbove)
}

// codeTargets lists the stages of this Dockerfile that services of the
// project run with code in them, in stage order. Every plan for the same
// Dockerfile renders the same code Dockerfile from this list, so the fixes
// of several services create one file, not one appended per service.
func (p *splitPlan) codeTargets() []codeTarget {
	facts := stageFacts(p.ws, p.s)
	seen := map[int]bool{}
	var out []codeTarget
	add := func(st *dockerfile.Stage) {
		if seen[st.Index] {
			return
		}
		fa := facts[st.Index]
		if !fa.HasCode() || fa.CodeRoot() == "" {
			return
		}
		if st != p.s.Stage && fa.Runtime != dockerfile.Node {
			// Another service's stage that bundles no Node (nginx
			// serving the build) is never split: no stages for it.
			return
		}
		seen[st.Index] = true
		wd := p.codePath(fa)
		var nodePath []string
		for _, s := range p.ws.ServicesBuilding(p.s.Dockerfile.Path) {
			// A NODE_PATH the compose service sets (environment:).
			if v := s.Config.Environment["NODE_PATH"]; v != nil && s.Stage != nil && s.Stage.Index == st.Index {
				nodePath = append(nodePath, *v)
			}
		}
		// Generated stage names are lower case: BuildKit warns on others
		// (StageNameCasing), and an AS PRD stage is quoted as written.
		name := freeStageName(p.s.Dockerfile, "code-"+strings.ToLower(st.ID()))
		out = append(out, codeTarget{stage: st, wd: wd, name: name, mods: modulesAbove(fa, wd, nodePath...)})
	}
	add(p.s.Stage)
	// A final stage no service runs is split as a standalone Dockerfile
	// too, into the same code Dockerfile: both plans lay out its stages.
	if final := p.s.Dockerfile.Final(); slices.ContainsFunc(p.ws.StandaloneIn(filepath.Dir(p.s.Dockerfile.Path)), func(d *workspace.Dockerfile) bool { return d.File == p.s.Dockerfile }) {
		add(final)
	}
	// Every project that builds this Dockerfile (a base file and its dev
	// variant, say) writes the same code Dockerfile.
	for _, s := range p.ws.ServicesBuilding(p.s.Dockerfile.Path) {
		if s.BuiltBy == nil && s.Stage != nil && s.Config.Build != nil && s.Config.Build.Context == p.s.Config.Build.Context {
			add(p.s.Dockerfile.Stages[s.Stage.Index])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].stage.Index < out[j].stage.Index })
	for i := range out {
		saved := p.wd
		p.wd = out[i].wd
		out[i].vols = p.codeVolumesOf(out[i].stage)
		p.wd = saved
	}
	return out
}

// codeLayout is the shape of the generated code Dockerfile: its code
// targets, and the built runtime of each (needed or not). Code stages are
// named when there are several, or when runtime stages follow them (the
// code image must not build the last stage then).
func (p *splitPlan) codeLayout() ([]codeTarget, []builtRuntime, bool) {
	if l := p.layout; l != nil {
		return l.ts, l.rts, l.named
	}
	ts := p.codeTargets()
	rts := make([]builtRuntime, len(ts))
	named := len(ts) > 1
	for i, t := range ts {
		rts[i] = p.runtimeFor(t.stage, t.wd, len(ts) > 1)
		named = named || rts[i].needed
	}
	if len(ts) == 1 && named {
		ts[0].name = freeStageName(p.s.Dockerfile, "code")
	}
	p.layout = &codeLayout{ts, rts, named}
	return ts, rts, named
}

// codeLayout memoises splitPlan.codeLayout: the compose edits and the code
// Dockerfile both read it, and it walks every project's services.
type codeLayout struct {
	ts    []codeTarget
	rts   []builtRuntime
	named bool
}

// codeStageName is the target the code service builds, "" when the code
// Dockerfile ends with its one code stage.
func (p *splitPlan) codeStageName() string {
	if p.opts.Strategy != StrategyBuild {
		return ""
	}
	ts, _, named := p.codeLayout()
	if !named {
		return ""
	}
	for _, t := range ts {
		if t.stage == p.s.Stage {
			return t.name
		}
	}
	return ""
}

// codeDockerfileEdit creates the code Dockerfile. With the build strategy
// it starts with the original's bytes, and says so: fixes to the original
// in the same run are made in the copy too.
func (p *splitPlan) codeDockerfileEdit() analysis.TextEdit {
	e := analysis.TextEdit{File: p.codeDockerfile(), NewText: []byte(p.codeDockerfileText())}
	if p.root != nil {
		e.NewText = []byte(p.root.dockerfileText(p))
	}
	if p.opts.Strategy == StrategyBuild {
		e.Mirrors, e.MirrorLen = p.s.Dockerfile.Path, len(p.s.Dockerfile.Src)
	}
	return e
}

// codeDockerfileText is the generated Dockerfile of the code-only image.
func (p *splitPlan) codeDockerfileText() string {
	rel := p.ws.Rel(p.s.Dockerfile.Path)
	var b strings.Builder
	if p.opts.Strategy == StrategyBuild {
		b.Write(p.s.Dockerfile.Src)
		if len(p.s.Dockerfile.Src) > 0 && p.s.Dockerfile.Src[len(p.s.Dockerfile.Src)-1] != '\n' {
			b.WriteString("\n")
		}
		ts, rts, named := p.codeLayout()
		for _, t := range ts {
			b.WriteString("\n")
			// The text depends on the Dockerfile alone: every service's
			// fix that writes this file writes the same bytes.
			if !named {
				b.WriteString(dockerfile.GeneratedMarker + filepath.Base(rel) + ": the code-only image of stage " + t.stage.ID() + ".\n")
			} else {
				b.WriteString(dockerfile.GeneratedMarker + filepath.Base(rel) + ": the code-only image of stage " + t.stage.ID() + ", built as target " + t.name + ".\n")
			}
			b.WriteString("# The stages above build the app; this one keeps only " + t.wd + " and shares it as a\n")
			b.WriteString("# volume that the runtime service mounts with volumes_from.\n")
			from := p.opts.CodeImage
			if named {
				from += " AS " + t.name
			}
			fmt.Fprintf(&b, "FROM %s\nCOPY --from=%s %s %s\nVOLUME %s\n", from, t.stage.ID(), t.wd, t.wd, t.wd)
			for _, m := range t.mods {
				fmt.Fprintf(&b, "COPY --from=%s %s %s\nVOLUME %s\n", t.stage.ID(), m, m, m)
			}
			for _, v := range t.vols {
				fmt.Fprintf(&b, "VOLUME %s\n", v)
			}
		}
		for i, t := range ts {
			br := rts[i]
			if !br.needed {
				continue
			}
			b.WriteString("\n" + dockerfile.GeneratedMarker + filepath.Base(rel) + ": the runtime of stage " + t.stage.ID() + ", built as target " + br.name + ":\n")
			b.WriteString("# its steps without the app's code. Patch Node here (or in the ARG that feeds\n")
			b.WriteString("# this FROM) and rebuild only the runtime service; the code image stays.\n")
			b.WriteString(br.text)
		}
		return b.String()
	}
	b.WriteString(dockerfile.GeneratedMarker + filepath.Base(rel) + ": the code-only image.\n")
	b.WriteString("# It holds the sources at " + p.wd + " as a volume; the runtime service installs\n")
	b.WriteString("# dependencies and starts the app from there.\n")
	fmt.Fprintf(&b, "FROM %s\nCOPY . %s\nVOLUME %s\n", p.opts.CodeImage, p.wd, p.wd)
	for _, v := range p.codeVolumesOf(p.s.Stage) {
		fmt.Fprintf(&b, "VOLUME %s\n", v)
	}
	return b.String()
}

// freeStageName is name, or a prefixed form of it that no stage of the
// original Dockerfile uses: the code Dockerfile holds those stages too.
func freeStageName(df *dockerfile.File, name string) string {
	for df.Stage(name) != nil {
		name = "decouple-" + name
	}
	return name
}
