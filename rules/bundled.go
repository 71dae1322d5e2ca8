package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/par"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
)

// bundle is the shared judgement behind DC001 and DC007: does the image a
// service or Dockerfile runs hold a JS runtime and app code?
type bundle struct {
	runtime  dockerfile.Runtime
	inferred bool // the base is unknown; the runtime is inferred from what it runs
	// command is the compose command or entrypoint the inference came
	// from, "" when it came from the Dockerfile's CMD/ENTRYPOINT.
	command string
}

// judge decides from a stage's facts; launched is the JS runtime the
// service's compose command or entrypoint starts, which counts as evidence
// when the base image is one decouple cannot see into. The compose command
// replaces the image's CMD, so it wins: `bun run` on an unknown base is Bun
// even when the Dockerfile's CMD says node.
func judge(f *dockerfile.Facts, launched launch) (bundle, bool) {
	if f == nil || !f.HasCode() {
		return bundle{}, false
	}
	if f.TemplateCopies {
		// An ONBUILD base (ONBUILD COPY . /app): the app arrives when an
		// image is built FROM it, and that image is the one judged; what
		// this one copies is build tooling for it.
		return bundle{}, false
	}
	if f.Runtime != dockerfile.NoRuntime {
		return bundle{runtime: f.Runtime}, true
	}
	if !f.UnknownBase || f.TemplateNode {
		// ONBUILD triggers install Node (ONBUILD RUN install-node.sh):
		// Node comes only with a build FROM this image, so what the image
		// runs proves nothing about this one.
		return bundle{}, false
	}
	if launched.rt != dockerfile.NoRuntime {
		return bundle{runtime: launched.rt, inferred: true, command: launched.what}, true
	}
	if f.RunsRuntime == dockerfile.NoRuntime {
		return bundle{}, false
	}
	return bundle{runtime: f.RunsRuntime, inferred: true}, true
}

// launch is the JS runtime a service's compose command or entrypoint
// starts, and that command as the message quotes it.
type launch struct {
	rt   dockerfile.Runtime
	what string
}

func launchedBy(s *workspace.Service) launch {
	if rt := dockerfile.LaunchesJS(s.Config.Entrypoint); rt != dockerfile.NoRuntime {
		return launch{rt, "entrypoint: " + strings.Join(s.Config.Entrypoint, " ")}
	}
	if rt := dockerfile.LaunchesJS(s.Config.Command); rt != dockerfile.NoRuntime {
		return launch{rt, "command: " + strings.Join(s.Config.Command, " ")}
	}
	return launch{}
}

// evidence describes the runtime and the code for a message, and lists the
// same places as related locations.
func evidence(ws relater, df *dockerfile.File, f *dockerfile.Facts, b bundle) (string, []analysis.Related) {
	// at is where a line of the Dockerfile is written: in its file, or
	// inside the compose file for a dockerfile_inline.
	at := func(line int) string {
		path, l, _ := df.Place(line, 0)
		return fmt.Sprintf("%s:%d", ws.Rel(path), l)
	}
	var related []analysis.Related
	var runtime string
	with := " with"
	switch {
	case b.inferred:
		// "<base> (Dockerfile:1), a base decouple does not know to hold
		// Node, run with <what starts Node>, with app code copied by …"
		name := runtimeName(b.runtime)
		runtime = fmt.Sprintf("%s (%s), a base decouple does not know to hold %s, run with ", f.RootBase, at(f.RootBaseLine), name)
		switch {
		case b.command != "":
			runtime += "its compose " + dockerfile.Shorten(b.command) + ","
		case f.Runs != nil:
			runtime += fmt.Sprintf("%s (%s),", f.Runs.What, at(f.Runs.Line))
			related = append(related, analysis.Related{Pos: evidencePos(ws, df, f.Runs.Line), Message: "starts " + name + ": " + f.Runs.What})
		}
	case f.RuntimeBy.Line != f.RootBaseLine && f.RootBase != "":
		// Node installed on another base: "debian:12 with Node from
		// curl … nodesource … (Dockerfile:3)", not a command that reads
		// like what the service runs.
		runtime = fmt.Sprintf("%s (%s) with %s from %s (%s)", f.RootBase, at(f.RootBaseLine), runtimeName(f.Runtime), f.RuntimeBy.What, at(f.RuntimeBy.Line))
		with = " and"
		related = append(related, analysis.Related{Pos: evidencePos(ws, df, f.RuntimeBy.Line), Message: string(f.Runtime) + " runtime: " + f.RuntimeBy.What})
	default:
		runtime = fmt.Sprintf("%s (%s)", f.RuntimeBy.What, at(f.RuntimeBy.Line))
		related = append(related, analysis.Related{Pos: evidencePos(ws, df, f.RuntimeBy.Line), Message: string(f.Runtime) + " runtime: " + f.RuntimeBy.What})
	}
	code := f.Code[0]
	msg := fmt.Sprintf("%s%s app code copied by %s (%s)", runtime, with, code.What, at(code.Line))
	if len(f.Code) > 1 {
		msg += fmt.Sprintf(" and %d more", len(f.Code)-1)
	}
	for _, c := range f.Code {
		related = append(related, analysis.Related{Pos: evidencePos(ws, df, c.Line), Message: "app code: " + c.What})
	}
	return msg, related
}

// evidencePos is a Dockerfile line given as evidence, at its first
// non-blank column so that related locations are 1-based like findings.
func evidencePos(ws relater, df *dockerfile.File, line int) analysis.Position {
	if line <= 0 {
		return dfPos(ws, df, line)
	}
	path, l, c := df.Place(line, dockerfile.FirstColumn(df.Src, line))
	return analysis.Position{File: ws.Rel(path), Line: l, Column: c}
}

// hidingMount returns the bind mount that covers the baked code, if any.
func hidingMount(s *workspace.Service, facts *dockerfile.Facts) string {
	dirs := facts.CodeDirs
	inCode := func(d string) bool {
		return slices.ContainsFunc(facts.CodeDirs, func(c string) bool { return c != "/" && (d == c || strings.HasPrefix(d, c+"/")) })
	}
	if len(dirs) == 0 || slices.Contains(dirs, "") || inCode(facts.Workdir) {
		// The WORKDIR is where the app is when code went to a folder not
		// told, or when it lies in the code (code at /app, WORKDIR
		// /app/apps/web: a mount there hides that app's code). Not
		// otherwise: COPY --from=build /app . before WORKDIR /app puts
		// the code at /, which a mount over /app does not hide; a global
		// package's code is in Node's own folder.
		dirs = append([]string{facts.Workdir}, dirs...)
	}
	for _, v := range s.Config.Volumes {
		if v.Type != "bind" || v.Target == "" {
			continue
		}
		for _, d := range dirs {
			if d != "" && d != "/" && (d == v.Target || strings.HasPrefix(d, strings.TrimSuffix(v.Target, "/")+"/")) {
				return path.Clean(v.Target)
			}
		}
	}
	return ""
}

// checkBundles reports services and standalone Dockerfiles whose image
// bundles a runtime accepted by want, each with the split as its fix, or,
// when noFix is set, with noFix as the reason it has none.
func checkBundles(p *Pass, want func(dockerfile.Runtime) bool, what string, noFix string) {
	ws := p.WS
	rel := p.cacheOf()
	var found []finding
	for _, proj := range ws.Projects {
		for _, s := range proj.Judged() {
			facts := s.Facts
			if app := facts.WithGlobalApp(append(slices.Clone(s.Config.Entrypoint), s.Config.Command...)); app != nil {
				// The compose command starts a package the image installed
				// globally: that package is the app.
				facts = app
			}
			b, ok := judge(facts, launchedBy(s))
			if !ok || !want(b.runtime) {
				continue
			}
			msg, related := evidence(rel, s.Dockerfile, facts, b)
			head := fmt.Sprintf("service %q runs %s", s.Name, msg)
			if s.OverriddenBy != "" {
				head = fmt.Sprintf("service %q, as %s alone builds it (%s replaces that build when both load), runs %s", s.Name, rel.Rel(s.Key.File.Path), s.OverriddenBy, msg)
			}
			if s.BuiltBy != nil {
				head = fmt.Sprintf("service %q runs image %s, built by service %q: %s", s.Name, s.ImageText, s.BuiltBy.Name, msg)
			}
			if t := hidingMount(s, facts); t != "" {
				head += fmt.Sprintf("; a bind mount over %s hides the baked code at run time, but the image still ships it", t)
			}
			head += "; " + what
			d := analysis.Diagnostic{
				Pos: actPos(rel, s), Message: head, Service: s.Name,
				Dockerfile: rel.Rel(s.Dockerfile.Path), Stage: s.Stage.ID(), Related: related,
			}
			found = append(found, finding{d: d, s: s})
		}
	}
	for _, d := range ws.Dockerfiles {
		final := d.File.Final()
		f := d.Facts[final.Index]
		b, ok := judge(f, launch{})
		if !ok || !want(b.runtime) {
			continue
		}
		msg, related := evidence(rel, d.File, f, b)
		stage := "the final stage"
		if final.Name != "" {
			stage = fmt.Sprintf("the final stage %q", final.ID())
		}
		diag := analysis.Diagnostic{
			Pos: stagePos(rel, d.File, final), Message: stage + " runs " + msg + "; " + what,
			Dockerfile: rel.Rel(d.File.Path), Stage: final.ID(), Related: related,
		}
		found = append(found, finding{d: diag, df: d})
	}
	if noFix != "" {
		for i := range found {
			found[i].d.FixRefused = noFix
		}
	} else {
		// Planning a split is the heaviest part of a lint; each plan only
		// reads the workspace, so they run side by side.
		opts := transform.SplitOptions{Strategy: p.Settings.Strategy, Runtime: p.Settings.Runtime, CodeImage: p.Settings.CodeImage, MissingIgnores: rel.missingIgnores}
		par.For(len(found), func(i int) {
			f := &found[i]
			if f.s != nil {
				f.d.Fix, f.d.FixRefused = transform.Split(ws, f.s, opts)
			} else {
				f.d.Fix, f.d.FixRefused = transform.SplitStandalone(ws, f.df, opts)
			}
		})
	}
	for _, f := range found {
		p.Report(f.d)
	}
}

// finding is one finding of checkBundles, about a service or a standalone
// Dockerfile, waiting for its fix.
type finding struct {
	d  analysis.Diagnostic
	s  *workspace.Service
	df *workspace.Dockerfile
}

// runtimeName is how messages name a runtime.
func runtimeName(rt dockerfile.Runtime) string {
	switch rt {
	case dockerfile.Bun:
		return "Bun"
	case dockerfile.Deno:
		return "Deno"
	}
	return "Node"
}
