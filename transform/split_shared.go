package transform

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// sharedBuild is a build: that services merge from an x- extension
// (x-app: &app holding build:, services with <<: *app), the common way to
// share one image's settings. The split edits the extension, the one
// place the build is written: every service that merges it becomes a
// runtime on one code volume, which the first of them declares.
type sharedBuild struct {
	ext   string   // the extension's key (x-app)
	heirs []string // the services that merge it, in file order
}

// sharedBuild plans the split of a build: the service merges from an x-
// extension, or says why it cannot. Other shapes (a build: that an
// anchor inside another service, a nested merge or an alias brings in)
// are left to the user: the edits would reach places this plan does not
// check.
func (p *splitPlan) sharedBuild() string {
	const generic = "build: comes from an anchor or merge key; split the service by hand"
	s := p.s
	if p.file.Legacy || s.Build.File != p.file || p.layerBase != nil || p.file.Root == nil {
		return generic
	}
	root := p.file.Root
	var extKey, ext *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !strings.HasPrefix(k.Value, "x-") || v.Kind != yaml.MappingNode {
			continue
		}
		if bk, _ := compose.MapGet(v, "build"); bk != nil && bk.Line == s.Build.Line && bk.Column == s.Build.Column && directKey(v, bk) {
			extKey, ext = k, v
		}
	}
	if ext == nil || ext.Anchor == "" || !mergesFrom(p.svcVal, ext) {
		return generic
	}
	if ext.Style&yaml.FlowStyle != 0 {
		return fmt.Sprintf("its build: comes from %s, a flow mapping ({...}); write it as a block mapping to split it", extKey.Value)
	}

	// Every use of the anchor must be a service's merge key: the edits
	// change what each of them gets.
	uses := map[*yaml.Node]bool{}
	var heirs []*yaml.Node // service keys
	services := p.file.ServicesNode()
	for i := 0; services != nil && i+1 < len(services.Content); i += 2 {
		k, v := services.Content[i], services.Content[i+1]
		if !mergesFrom(v, ext) {
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			if v.Content[j].Tag != "!!merge" {
				continue
			}
			if m := v.Content[j+1]; m.Kind == yaml.SequenceNode {
				for _, it := range m.Content {
					uses[it] = true
				}
			} else {
				uses[m] = true
			}
		}
		heirs = append(heirs, k)
	}
	if stray := aliasOutside(root, ext, uses); stray != nil {
		return fmt.Sprintf("its build: comes from %s (&%s), which is also used at line %d, not as a service's merge key; split the service by hand", extKey.Value, ext.Anchor, stray.Line)
	}
	sort.Slice(heirs, func(i, j int) bool { return heirs[i].Line < heirs[j].Line })
	names := make([]string, len(heirs))
	for i, k := range heirs {
		names[i] = k.Value
		if o := serviceNamed(s.Project, k.Value); o == nil || o.Build == nil || o.Build.File != p.file || o.Build.Line != s.Build.Line {
			// Its own build: (or build: null) wins over the shared one;
			// after the split it would still merge the runtime's image:,
			// and a build tagged with a stock image's name overwrites it.
			line := k.Line
			if _, v := p.file.ServiceNode(k.Value); v != nil {
				if bk, _ := compose.MapGet(v, "build"); bk != nil {
					line = bk.Line
				}
			}
			return fmt.Sprintf("service %q merges %s (<<: *%s) but sets its own build: (%s:%d); after the split it would merge the runtime's image: and volumes_from: too; split them by hand", k.Value, extKey.Value, ext.Anchor, p.ws.Rel(p.file.Path), line)
		}
	}
	if names[0] != s.Name {
		// The first service that merges it plans the split for all.
		p.sharedOwner = serviceNamed(s.Project, names[0])
		return fmt.Sprintf("its build: comes from %s (<<: *%s), which service %q merges first and whose split covers it", extKey.Value, ext.Anchor, names[0])
	}
	p.svcVal, p.ownerKey = ext, extKey
	p.shared = &sharedBuild{ext: extKey.Value, heirs: names}
	return ""
}

// serviceNamed is the project's service of that name, or nil.
func serviceNamed(pr *workspace.Project, name string) *workspace.Service {
	for _, c := range pr.Services {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// aliasOutside finds an alias of anchor under n that is not one of uses.
func aliasOutside(n, anchor *yaml.Node, uses map[*yaml.Node]bool) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if n.Alias == anchor && !uses[n] {
			return n
		}
		return nil
	}
	for _, c := range n.Content {
		if a := aliasOutside(c, anchor, uses); a != nil {
			return a
		}
	}
	return nil
}

// keepOwn are the runtime keys a service that inherits the split mapping
// may set itself: its own value overrode the old image's setting and
// overrides the runtime's the same way.
var keepOwn = map[string]bool{
	"command": true, "entrypoint": true, "working_dir": true, "user": true,
	"stop_signal": true, "healthcheck": true, "init": true, "platform": true,
}

// checkHeirOverrides says why a service that inherits the split mapping
// (it extends the service or merges its mapping, or, with a shared build,
// is the planned service) would not run as before once its own keys meet
// what the split wrote there, or "". runtime is the text the split wrote in place of build:.
// A merge key is shallow: a service's own environment: or volumes:
// replaces the merged list whole, dropping what the split put there.
func (p *splitPlan) checkHeirOverrides(runtime string) string {
	pad := strings.Repeat(" ", p.s.Build.Column-1)
	wrote := map[string]bool{}
	for k := range p.editedKeys {
		wrote[k] = true
	}
	for _, l := range strings.Split(runtime, "\n") {
		if rest, ok := strings.CutPrefix(l, pad); ok && rest != "" && rest[0] != ' ' && rest[0] != '-' {
			if i := strings.Index(rest, ":"); i > 0 {
				wrote[rest[:i]] = true
			}
		}
	}
	extends, merged := p.heirs()
	if p.shared != nil {
		merged = append([]string{p.s.Name}, merged...)
	}
	isMerged := map[string]bool{}
	for _, name := range merged {
		isMerged[name] = true
	}
	rel := p.ws.Rel(p.file.Path)
	for _, name := range append(merged, extends...) {
		_, v := p.file.ServiceNode(name)
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		own := map[string]*yaml.Node{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k := v.Content[i]
			if k.Tag == "!!merge" {
				if isMerged[name] {
					if reason := p.checkCoMerged(name, v.Content[i+1], wrote); reason != "" {
						return reason
					}
				}
				continue
			}
			own[k.Value] = k
			// extends merges environment: and volumes: by key and target.
			if isMerged[name] && wrote[k.Value] && !keepOwn[k.Value] {
				return fmt.Sprintf("service %q sets its own %s: (%s:%d), which replaces the merged one whole (<<: is shallow), so it would lose what the split puts there; split it by hand", name, k.Value, rel, k.Line)
			}
		}
		if k := own["entrypoint"]; k != nil && own["command"] == nil && wrote["command"] {
			// Its entrypoint: made Docker drop the image's CMD; the
			// command: the split adds would be passed to it.
			return fmt.Sprintf("service %q sets its own entrypoint: (%s:%d) and no command:, so it ran without the image's CMD; it would inherit the command: the split adds; split it by hand", name, rel, k.Line)
		}
		if k := own["command"]; k != nil && p.opts.Strategy == StrategyInstall {
			return fmt.Sprintf("service %q sets its own command: (%s:%d), which would skip the install step the split adds; use --strategy build", name, rel, k.Line)
		}
		if own["volumes"] != nil && name != p.s.Name {
			if t := p.volumeInCode(name); t != "" {
				return fmt.Sprintf("service %q sets its own volumes: (%s:%d) with a volume over %s, inside the code path, which would start empty in the runtime; split it by hand", name, rel, own["volumes"].Line, t)
			}
		}
	}
	return ""
}

// checkCoMerged says why the other mappings a service merges beside the
// split one (<<: [*common, *app]) would undo the split, or "": whichever
// comes first wins a key both set, so one that sets a key the split writes
// there, or image: or volumes_from:, either loses the split's value or
// takes it away from the runtime.
func (p *splitPlan) checkCoMerged(name string, m *yaml.Node, wrote map[string]bool) string {
	items := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		items = m.Content
	}
	for _, it := range items {
		if it.Kind != yaml.AliasNode || it.Alias == p.svcVal || it.Alias == nil || it.Alias.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(it.Alias.Content); i += 2 {
			k := it.Alias.Content[i].Value
			if k == "image" || k == "volumes_from" || k == "build" || wrote[k] && !keepOwn[k] {
				return fmt.Sprintf("service %q also merges *%s, which sets %s: (%s:%d) as the split mapping does; split it by hand", name, it.Alias.Anchor, k, p.ws.Rel(p.file.Path), it.Alias.Content[i].Line)
			}
		}
	}
	return ""
}

// volumeInCode is the first volume (not a bind mount) the named service
// mounts inside the code path, or "".
func (p *splitPlan) volumeInCode(name string) string {
	if o := serviceNamed(p.s.Project, name); o != nil {
		for _, v := range o.Config.Volumes {
			if t := path.Clean(v.Target); v.Type == "volume" && p.inCode(t) {
				return t
			}
		}
	}
	return ""
}
