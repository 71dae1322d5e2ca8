package rules

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
	"go.yaml.in/yaml/v3"
)

var composeLegacyFormat = &Rule{
	Rule: &analysis.Rule{
		Code: "DC005", Name: "compose-legacy-format", Severity: analysis.Warning,
		Summary: "Compose v1 layout (no services:), fig.yml, an obsolete version: key, v1-only service keys, a key given twice",
		Doc: `## Why
Compose v2 and later read the Compose Specification. A v1 file (services at
the top level, no ` + "`services:`" + `) fails its validation, ` + "`fig.yml`" + ` is not
found unless named with -f, ` + "`version:`" + ` is ignored with a warning, and the
v1 keys ` + "`net:`" + ` and a service-level ` + "`dockerfile:`" + ` are rejected. Two
services with the same ` + "`container_name`" + ` cannot both run. A key given twice
in one mapping was read by Compose v1 (PyYAML) as its last, and Compose v2
refuses the whole file; decouple reads it as v1 did.

## Bad
` + "```yaml" + `
web:
  build: .
  dockerfile: Dockerfile.dev
  net: host
` + "```" + `

## Good
` + "```yaml" + `
services:
  web:
    build:
      context: .
      dockerfile: Dockerfile.dev
    network_mode: host
` + "```" + `

## Fix (safe)
Moves a v1 file under ` + "`services:`" + `, keeping every comment and blank line,
as one edit over the whole file; deletes the ` + "`version:`" + ` line (a comment
after its value is kept on its own line); renames ` + "`net:`" + ` to
` + "`network_mode:`" + ` (the values mean the same); turns ` + "`build: ctx`" + ` plus
` + "`dockerfile: X`" + ` into a ` + "`build:`" + ` mapping; deletes the pair of a duplicate key given first, with
its value and the comments inside it (the comment lines right above the next
key are that key's and stay; a flow mapping is left to the user). Moving ` + "`dockerfile:`" + ` into an
existing ` + "`build:`" + ` mapping is unsafe. A file cannot be renamed by an edit:
rename ` + "`fig.yml`" + ` to ` + "`compose.yaml`" + ` by hand; duplicate container names
have no fix. A Swarm stack file (a name or folder with the word stack or
swarm: ` + "`docker-stack.yml`" + `, ` + "`docker-swarm/docker-compose.yml`" + `) keeps its
` + "`version:`" + `, unreported: ` + "`docker stack deploy`" + ` reads it, and before Docker
23 refuses a file without it. ` + "`links`" + `, ` + "`external_links`" + ` and ` + "`volumes_from`" + ` (service or
` + "`container:`" + ` entries, with ` + "`:ro`/`:rw`" + `) are valid in the specification and
are not reported.
`,
	},
	Run: runComposeLegacy,
}

// legacyPart is one finding of a file and the edits that fix it.
type legacyPart struct {
	diag    analysis.Diagnostic
	edits   []analysis.TextEdit
	safe    bool
	refused string
	line    int
}

func runComposeLegacy(p *Pass) {
	seen := map[string]bool{}
	for _, proj := range p.WS.Projects {
		for _, f := range proj.Files {
			if seen[f.Path] || f.Root == nil {
				continue
			}
			seen[f.Path] = true
			legacyFile(p, f)
		}
		duplicateContainerNames(p, proj)
	}
}

// swarmStack reports a file named as a Swarm stack file (docker-stack.yml,
// a stack.yml, or any file of a folder named for Swarm:
// docker-swarm/docker-compose.yml): `docker stack deploy` reads version:,
// and before Docker 23 refuses a file without it. Only the file's own name
// and its folder's count, so the answer is the same from any working
// folder (mern-stack/docker-compose.yml is no stack file).
func swarmStack(file string) bool {
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < '0' || r > '9')
		})
	}
	for _, w := range words(filepath.Base(file)) {
		if w == "stack" || w == "swarm" {
			return true
		}
	}
	return slices.Contains(words(filepath.Base(filepath.Dir(file))), "swarm")
}

func legacyFile(p *Pass, f *compose.File) {
	ws := p.WS
	rel := ws.Rel(f.Path)
	at := func(n *yaml.Node) analysis.Position {
		return analysis.Position{File: rel, Line: n.Line, Column: n.Column}
	}
	var parts []legacyPart
	add := func(pt legacyPart) { parts = append(parts, pt) }

	for i := 0; i+1 < len(f.Root.Content); i += 2 {
		k, v := f.Root.Content[i], f.Root.Content[i+1]
		if k.Value != "version" || k.Tag == "!!merge" || swarmStack(f.Path) {
			continue
		}
		e, why := transform.VersionEdit(f, k, v)
		pt := legacyPart{line: k.Line, safe: true, refused: why,
			diag: analysis.Diagnostic{Pos: at(k), Message: fmt.Sprintf("version: %q is obsolete: Compose ignores it (the Compose Specification has no versions) and warns on every run", v.Value)}}
		if why == "" {
			pt.edits = []analysis.TextEdit{e}
		} else {
			pt.refused = "delete the version: line by hand: " + why
		}
		add(pt)
	}

	for _, d := range f.Duplicates {
		// What v1 dropped goes either way; a block of entries (a whole
		// services: mapping) is deleted only when the user says so.
		safe := d.Value.Kind == yaml.ScalarNode || len(d.Value.Content) == 0
		pt := legacyPart{line: d.Key.Line, safe: safe,
			diag: analysis.Diagnostic{Pos: at(d.Key), Message: fmt.Sprintf("key %q is given again at line %d in the same mapping: Compose v1 kept the last and dropped this one, and Compose v2 refuses the file (mapping key already defined); decouple reads it as v1 did", d.Key.Value, d.Kept.Line)}}
		if e, why := transform.DuplicateEdit(f, d); why != "" {
			pt.refused = "delete one of the two by hand: " + why
		} else {
			pt.edits = []analysis.TextEdit{e}
		}
		add(pt)
	}

	for _, name := range f.ServiceNames() {
		sk, sv := f.ServiceNode(name)
		if sk == nil || sv == nil || sv.Kind != yaml.MappingNode {
			continue
		}
		var netK, dfK, dfV *yaml.Node
		hasMode := false
		for i := 0; i+1 < len(sv.Content); i += 2 {
			switch sv.Content[i].Value {
			case "net":
				netK = sv.Content[i]
			case "dockerfile":
				dfK, dfV = sv.Content[i], sv.Content[i+1]
			case "network_mode":
				hasMode = true
			}
		}
		if netK != nil {
			pt := legacyPart{line: netK.Line, safe: true,
				diag: analysis.Diagnostic{Pos: at(netK), Service: name, Message: fmt.Sprintf("service %q: net: is the Compose v1 key; the Compose Specification calls it network_mode: (same values)", name)}}
			switch {
			case hasMode:
				pt.refused = "the service also sets network_mode:; delete one of the two by hand"
			case sv.Style&yaml.FlowStyle != 0:
				pt.refused = "the service is written in flow style; rename net: to network_mode: by hand"
			default:
				e, why := transform.RenameKeyEdit(f, netK, "network_mode")
				if why != "" {
					pt.refused = "rename net: to network_mode: by hand: " + why
				} else {
					pt.edits = []analysis.TextEdit{e}
				}
			}
			add(pt)
		}
		if dfK != nil {
			pt := legacyPart{line: dfK.Line,
				diag: analysis.Diagnostic{Pos: at(dfK), Service: name, Message: fmt.Sprintf("service %q: dockerfile: at service level is Compose v1; the Compose Specification reads it under build:", name)}}
			if sv.Style&yaml.FlowStyle != 0 {
				pt.refused = "the service is written in flow style; move dockerfile: under build: by hand"
			} else {
				edits, safe, why := transform.DockerfileEdits(f, sk, sv, dfK, dfV)
				pt.edits, pt.safe, pt.refused = edits, safe, why
			}
			add(pt)
		}
	}

	sort.SliceStable(parts, func(i, j int) bool { return parts[i].line < parts[j].line })

	if names := f.ServiceNames(); f.Legacy && len(names) > 0 {
		first, _ := f.ServiceNode(names[0])
		legacy := analysis.Diagnostic{Pos: at(first),
			Message: fmt.Sprintf("Compose v1 layout: %s has its services at the top level, with no services: key; Compose v2 and later reject it", filepath.Base(f.Path))}
		var safeEdits []analysis.TextEdit
		for _, pt := range parts {
			if pt.safe && pt.refused == "" {
				safeEdits = append(safeEdits, pt.edits...)
			}
		}
		whole, err := transform.LegacyWhole(f, safeEdits)
		if err != nil {
			legacy.FixRefused = "cannot move the file to the Compose Spec layout: " + err.Error()
			p.Report(legacy)
		} else {
			fix := &analysis.SuggestedFix{Safe: true, Message: "move the services under services:" + foldedInto(parts), Edits: []analysis.TextEdit{whole}}
			legacy.Fix = fix
			p.Report(legacy)
			// The parts folded into the whole-file edit share its fix, so
			// they never overlap it and are marked fixed with it.
			for i := range parts {
				if parts[i].safe && parts[i].refused == "" {
					parts[i].edits = nil
					parts[i].diag.Fix = fix
				}
			}
		}
	}
	for _, pt := range parts {
		d := pt.diag
		if d.Fix == nil && len(pt.edits) > 0 {
			d.Fix = &analysis.SuggestedFix{Safe: pt.safe, Message: partFixMessage(pt), Edits: pt.edits}
		}
		if d.Fix == nil {
			d.FixRefused = pt.refused
		}
		p.Report(d)
	}

	if base := strings.ToLower(filepath.Base(f.Path)); (base == "fig.yml" || base == "fig.yaml") && len(f.Root.Content) > 0 {
		k := f.Root.Content[0]
		if names := f.ServiceNames(); len(names) > 0 {
			k, _ = f.ServiceNode(names[0])
		}
		name := filepath.Base(f.Path)
		p.Report(analysis.Diagnostic{Pos: at(k),
			Message:    fmt.Sprintf("%s is the file name of Fig, Compose's predecessor: docker compose does not find it unless named with -f; rename it to compose.yaml (--fix converts its content in place)", name),
			FixRefused: fmt.Sprintf("rename %s to compose.yaml by hand (`git mv %s compose.yaml`)", name, name)})
	}
}

func partFixMessage(pt legacyPart) string {
	m := pt.diag.Message
	switch {
	case strings.HasPrefix(m, "version:"):
		return "delete the version: line"
	case strings.Contains(m, "net:"):
		return "rename net: to network_mode:"
	case strings.HasPrefix(m, "key "):
		return "delete the key given first, with its value"
	}
	return "move dockerfile: under build:"
}

// foldedInto names what the whole-file fix also does.
func foldedInto(parts []legacyPart) string {
	var did []string
	seen := map[string]bool{}
	for _, pt := range parts {
		if pt.safe && pt.refused == "" {
			m := partFixMessage(pt)
			if !seen[m] {
				seen[m] = true
				did = append(did, m)
			}
		}
	}
	if len(did) == 0 {
		return ""
	}
	return "; also " + strings.Join(did, ", ")
}

// duplicateContainerNames reports services of one project that set the
// same container_name: the second cannot be created. Names are read as
// written (the last file that sets one wins, as in an override); a name
// with a ${VARIABLE} is not judged.
func duplicateContainerNames(p *Pass, proj *workspace.Project) {
	type named struct {
		svc string
		pos analysis.Position
	}
	byName := map[string][]named{}
	for _, s := range proj.Services {
		var name string
		var pos analysis.Position
		for _, f := range proj.Files {
			_, v := f.ServiceNode(s.Name)
			if k, cv := compose.MapGet(v, "container_name"); k != nil && cv.Kind == yaml.ScalarNode {
				name, pos = cv.Value, analysis.Position{File: p.WS.Rel(f.Path), Line: k.Line, Column: k.Column}
			}
		}
		if name != "" && !strings.Contains(name, "$") {
			byName[name] = append(byName[name], named{s.Name, pos})
		}
	}
	cnames := make([]string, 0, len(byName))
	for cname := range byName {
		cnames = append(cnames, cname)
	}
	sort.Strings(cnames)
	for _, cname := range cnames {
		svcs := byName[cname]
		sort.Slice(svcs, func(i, j int) bool { return svcs[i].svc < svcs[j].svc })
		for _, n := range svcs[1:] {
			p.Report(analysis.Diagnostic{Pos: n.pos, Service: n.svc,
				Message:    fmt.Sprintf("service %q: container_name %q is also set by service %q; container names are unique per engine, so the two cannot both run", n.svc, cname, svcs[0].svc),
				FixRefused: "choose another container_name, or drop it and let Compose name the container"})
		}
	}
}
