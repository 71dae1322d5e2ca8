package transform

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// sharedBuild plans the split of a build: the service merges from an x-
// extension (x-app: &app holding build:, services with <<: *app), the
// common way to share one image's settings, or says why it cannot. The
// split edits the extension, the one place the build is written: every
// service that merges it becomes a runtime on one code volume, which the
// first of them declares. Other shapes (a build: that an
// anchor inside another service, a nested merge or an alias brings in)
// are left to the user: the edits would reach places this plan does not
// check.
func (p *splitPlan) sharedBuild() string {
	const generic = "build: comes from an anchor or merge key; split the service by hand"
	s := p.s
	if p.file.Legacy || s.Build.File != p.file || p.layerBase != nil || p.file.Root == nil {
		return generic
	}
	bk, _ := compose.MapGet(p.svcVal, "build")
	if bk == nil || bk.Line != s.Build.Line {
		return generic
	}
	extKey, ext := extensionHolding(p.file, bk)
	if ext == nil || ext.Anchor == "" || !mergesFrom(p.svcVal, ext) {
		return generic
	}
	if ext.Style&yaml.FlowStyle != 0 {
		return fmt.Sprintf("its build: comes from %s, a flow mapping ({...}); write it as a block mapping to split it", extKey.Value)
	}

	var heirs []*yaml.Node // service keys
	services := p.file.ServicesNode()
	for i := 0; services != nil && i+1 < len(services.Content); i += 2 {
		if k, v := services.Content[i], services.Content[i+1]; mergesFrom(v, ext) {
			heirs = append(heirs, k)
		}
	}
	// Every use of the anchor must be a service's merge key: the edits
	// change what each of them gets.
	if stray := strayAlias(p.file, ext); stray != nil {
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
	// The first service that merges it, and runs without a profile (the
	// rollout names it, and Compose starts a service named on the command
	// line whatever its profiles), plans the split for all.
	owner := names[0]
	for _, n := range names {
		if o := serviceNamed(s.Project, n); o != nil && len(o.Config.Profiles) == 0 {
			owner = n
			break
		}
	}
	if owner != s.Name {
		p.sharedOwner = serviceNamed(s.Project, owner)
		return fmt.Sprintf("its build: comes from %s (<<: *%s), which service %q merges too and whose split covers it", extKey.Value, ext.Anchor, owner)
	}
	p.svcVal, p.ownerKey = ext, extKey
	p.sharedExt = extKey.Value
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

// extensionHolding is the top-level x- extension whose own key k is (key
// and value), or nils.
func extensionHolding(f *compose.File, k *yaml.Node) (*yaml.Node, *yaml.Node) {
	if f.Root == nil {
		return nil, nil
	}
	for i := 0; i+1 < len(f.Root.Content); i += 2 {
		if ek, m := f.Root.Content[i], f.Root.Content[i+1]; strings.HasPrefix(ek.Value, "x-") && m.Kind == yaml.MappingNode && directKey(m, k) {
			return ek, m
		}
	}
	return nil, nil
}

// mergeSources are the items of a merge key's value: the alias of <<: *a,
// or those of <<: [*a, *b].
func mergeSources(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

// strayAlias is an alias of anchor anywhere in the file that is not an
// item of a service's merge key (x-copy: {base: *app}, web: *app), or nil:
// what the split or bump changes in the anchored mapping reaches it too,
// unchecked.
func strayAlias(f *compose.File, anchor *yaml.Node) *yaml.Node {
	uses := map[*yaml.Node]bool{}
	services := f.ServicesNode()
	for i := 0; services != nil && i+1 < len(services.Content); i += 2 {
		v := services.Content[i+1]
		for j := 0; v.Kind == yaml.MappingNode && j+1 < len(v.Content); j += 2 {
			if v.Content[j].Tag == "!!merge" {
				for _, it := range mergeSources(v.Content[j+1]) {
					uses[it] = true
				}
			}
		}
	}
	return aliasOutside(f.Root, anchor, uses)
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
	if others := append(append([]string{}, extends...), merged...); len(others) > 0 && len(p.contract.dataVolumes) > 0 {
		// Each container had an anonymous volume there; one named volume
		// in the inherited keys would be shared by all of them.
		return fmt.Sprintf("the old image's VOLUME %s would become one named volume shared by %s and %s, which each had their own; split them by hand", strings.Join(p.contract.dataVolumes, ", "), p.s.Name, strings.Join(others, ", "))
	}
	if p.sharedExt != "" {
		merged = append([]string{p.s.Name}, merged...)
	}
	if reason := p.checkLayeredHeirs(append(append([]string{p.s.Name}, merged...), extends...), wrote); reason != "" {
		return reason
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
		if k := own["env_file"]; k != nil && wrote["environment"] {
			// Compose lets environment: win over env_file.
			p.unsafe = append(p.unsafe, fmt.Sprintf("service %q's env_file values (%s:%d) used to override the image's ENV; as environment: entries the ENV values now win over them", name, rel, k.Line))
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

// checkLayeredHeirs says why what files layered on the edited one set
// for the service or its heirs would undo the split where the files are
// merged, or "" (checkOverlays looks at the service's own build:, image:,
// volumes_from: and working_dir:). users are the service and its heirs.
func (p *splitPlan) checkLayeredHeirs(users []string, wrote map[string]bool) string {
	rel := p.ws.Rel
	for _, q := range p.ws.ProjectsWithFile(p.file.Path) {
		i := slices.IndexFunc(q.Files, func(f *compose.File) bool { return f.Path == p.file.Path })
		if i < 0 {
			continue
		}
		for _, f := range q.Files[i+1:] {
			for _, name := range users {
				_, v := f.ServiceNode(name)
				if v == nil || v.Kind != yaml.MappingNode {
					continue
				}
				at := func(k *yaml.Node) string { return fmt.Sprintf("%s:%d", rel(f.Path), k.Line) }
				if name != p.s.Name {
					for _, key := range overlayKeys {
						if k, _ := compose.MapGet(v, key); k != nil {
							return fmt.Sprintf("%s, layered on %s, sets %s: for service %q (%s), which inherits the split keys; split both files by hand", rel(f.Path), rel(p.file.Path), key, name, at(k))
						}
					}
					if k, vv := compose.MapGet(v, "volumes"); k != nil && p.volumeItemInCode(vv) != "" {
						return fmt.Sprintf("%s, layered on %s, mounts a volume over %s for service %q (%s), inside the code path: it would start empty in the runtime; split both files by hand", rel(f.Path), rel(p.file.Path), p.volumeItemInCode(vv), name, at(k))
					}
				}
				ek, _ := compose.MapGet(v, "entrypoint")
				ck, _ := compose.MapGet(v, "command")
				if ek != nil && ck == nil && wrote["command"] {
					if _, base := p.file.ServiceNode(name); base != nil && directCommand(base) {
						continue
					}
					return fmt.Sprintf("%s, layered on %s, sets entrypoint: and no command: for service %q (%s), so it ran without the image's CMD; merged, it would get the command: the split adds; split both files by hand", rel(f.Path), rel(p.file.Path), name, at(ek))
				}
			}
		}
	}
	return ""
}

// directCommand reports whether a service mapping sets command: itself.
func directCommand(m *yaml.Node) bool {
	k, _ := compose.MapGet(m, "command")
	return k != nil && directKey(m, k)
}

// volumeItemInCode is the target of the first item of a volumes: list
// that mounts a volume (anonymous or named, not a bind mount) inside the
// code path, or "".
func (p *splitPlan) volumeItemInCode(list *yaml.Node) string {
	if list == nil || list.Kind != yaml.SequenceNode {
		return ""
	}
	for _, it := range list.Content {
		var t string
		switch it.Kind {
		case yaml.ScalarNode:
			// A named source, not a host path (./, /, ~, a variable).
			if src, target, ok := splitVolume(it.Value); !ok || !strings.ContainsAny(src[:min(1, len(src))], "./~$") {
				t = target
			}
		case yaml.MappingNode:
			if _, tv := compose.MapGet(it, "type"); tv != nil && tv.Value == "volume" {
				if _, tg := compose.MapGet(it, "target"); tg != nil {
					t = tg.Value
				}
			}
		}
		if t != "" && path.IsAbs(t) && p.inCode(path.Clean(t)) {
			return path.Clean(t)
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
	for _, it := range mergeSources(m) {
		if it.Kind != yaml.AliasNode || it.Alias == p.svcVal || it.Alias == nil {
			continue
		}
		// Unlike a key the service sets itself, a merged one may come
		// first or last: command: too may win or lose.
		if k := mergedKey(it.Alias, func(k string) bool { return k == "image" || k == "volumes_from" || k == "build" || wrote[k] }); k != nil {
			return fmt.Sprintf("service %q also merges *%s, which sets %s: (%s:%d) as the split mapping does; split it by hand", name, it.Alias.Anchor, k.Value, p.ws.Rel(p.file.Path), k.Line)
		}
	}
	return ""
}

// mergedKey is the first key of mapping m, or of a mapping it merges,
// that match accepts; nil for none.
func mergedKey(m *yaml.Node, match func(string) bool) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag == "!!merge" {
			for _, it := range mergeSources(v) {
				if it.Kind == yaml.AliasNode {
					if found := mergedKey(it.Alias, match); found != nil {
						return found
					}
				}
			}
			continue
		}
		if match(k.Value) {
			return k
		}
	}
	return nil
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

// codeProfiles is the code service's profiles: line: the code service
// must be enabled whenever a runtime on its volume is (volumes_from names
// it), so it gets the profiles of all of them, none when one has none. The
// line is copied as written when they all share the edited mapping's.
func (p *splitPlan) codeProfiles(src []byte, starts []int, pad, nl string) string {
	users := []*workspace.Service{p.s}
	extends, merged := p.heirs()
	for _, n := range append(extends, merged...) {
		if o := serviceNamed(p.s.Project, n); o != nil {
			users = append(users, o)
		}
	}
	set := map[string]bool{}
	for _, u := range users {
		if len(u.Config.Profiles) == 0 {
			return ""
		}
		for _, pr := range u.Config.Profiles {
			set[pr] = true
		}
	}
	k, v := compose.MapGet(p.svcVal, "profiles")
	if k != nil && src != nil && v.Kind == yaml.SequenceNode && len(v.Content) == len(set) {
		same := true
		for _, it := range v.Content {
			same = same && set[it.Value]
		}
		if same {
			return reindent(src, starts, k, len(pad), nl)
		}
	}
	names := make([]string, 0, len(set))
	for pr := range set {
		names = append(names, yamlString(pr))
	}
	sort.Strings(names)
	return pad + "profiles: [" + strings.Join(names, ", ") + "]" + nl
}
