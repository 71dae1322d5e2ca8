package compose

// The fast path's services: a service read from its file, extends
// resolved, an override file applied over it, and the checks and
// normalisation compose-go runs on each.

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// resolve reads a service of a file, following `extends` as compose-go
// does: the base (from this file or another, whose relative paths are
// its own) is merged under the service like an override file.
func (l *fastLoader) resolve(p *Project, file string, nodes map[string]*yaml.Node, name string, depth int) types.ServiceConfig {
	node := nodes[name]
	if node == nil || node.Kind != yaml.MappingNode || depth > 8 {
		l.fail()
	}
	var ext *yaml.Node
	for _, kv := range l.pairs(node) {
		if kv[0].Value == "extends" {
			ext = resolveAlias(kv[1])
		}
	}
	if ext == nil {
		return l.service(name, node)
	}
	if !l.extends {
		l.fail()
	}
	ref, other := "", ""
	switch ext.Kind {
	case yaml.ScalarNode:
		ref = l.str(ext)
	case yaml.MappingNode:
		for _, kv := range l.pairs(ext) {
			switch kv[0].Value {
			case "service":
				ref = l.str(kv[1])
			case "file":
				other = l.str(kv[1])
			default:
				l.fail()
			}
		}
	default:
		l.fail()
	}
	var base types.ServiceConfig
	if other == "" {
		base = l.resolve(p, file, nodes, ref, depth+1)
	} else {
		path := other
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(file), path)
		}
		f := p.fileAt(path)
		if f == nil || f.Root == nil || f.Legacy {
			l.fail()
		}
		l.interpolate(f.Root, map[*yaml.Node]bool{})
		otherNodes := map[string]*yaml.Node{}
		for _, kv := range l.pairs(f.Root) {
			switch key := kv[0].Value; {
			case key == "services":
				sv := resolveAlias(kv[1])
				if sv.Kind != yaml.MappingNode {
					l.fail()
				}
				for _, skv := range l.pairs(sv) {
					otherNodes[skv[0].Value] = resolveAlias(skv[1])
				}
			case key == "version" || key == "name" || strings.HasPrefix(key, "x-"):
			default:
				l.fail()
			}
		}
		saved := l.dir
		l.dir = filepath.Dir(path)
		base = l.resolve(p, path, otherNodes, ref, depth+1)
		l.dir = saved
		if base.Build != nil && base.Build.Context == "" {
			l.fail() // where its default context resolves is not ours to guess
		}
	}
	base.Name = name
	if other != "" {
		l.apply(&base, node, true)
		return base
	}
	merged := base
	if l.attempt(func() { l.apply(&merged, node, true) }) {
		return merged
	}
	// What the handlers cannot merge, compose-go's extends merge can, for
	// a base of the same file that extends nothing itself.
	baseNode := nodes[ref]
	for _, kv := range l.pairs(baseNode) {
		if kv[0].Value == "extends" {
			l.fail()
		}
	}
	return l.mergeExtends(name, baseNode, node)
}

// attempt runs f and says whether it went through without giving up.
func (l *fastLoader) attempt(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, giving := r.(giveUp); !giving {
				panic(r)
			}
			ok = false
		}
	}()
	f()
	return true
}

func (l *fastLoader) service(name string, n *yaml.Node) types.ServiceConfig {
	s := types.ServiceConfig{Name: name}
	l.apply(&s, n, false)
	return s
}

// overrideOrMerge applies a second file's service over the first's with
// the handlers, or else merges the two through the generic route.
func (l *fastLoader) overrideOrMerge(prev types.ServiceConfig, base, over *yaml.Node) (s types.ServiceConfig) {
	done := false
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(giveUp); !ok {
					panic(r)
				}
			}
		}()
		l.overriding = true
		defer func() { l.overriding = false }()
		s = l.override(prev, over)
		done = true
	}()
	if done {
		return s
	}
	if base == nil {
		l.fail()
	}
	return l.mergeService(prev.Name, base, over)
}

// override applies a second file's service over the first's, for the keys
// whose merge is a plain replacement or a merge by key.
func (l *fastLoader) override(s types.ServiceConfig, n *yaml.Node) types.ServiceConfig {
	l.apply(&s, n, true)
	return s
}

func (l *fastLoader) apply(s *types.ServiceConfig, n *yaml.Node, over bool) {
	rest := map[string]any{}
	for _, kv := range l.pairs(n) {
		key, v := kv[0].Value, resolveAlias(kv[1])
		l.key = key
		if nullPanics[key] && isNull(v) {
			l.fail() // compose-go's normalisation panics on it
		}
		if l.tryHandle(s, key, v, over) {
			continue
		}
		if genericKeys[key] || strings.HasPrefix(key, "x-") && key != "x-develop" {
			rest[key] = l.raw(v)
			continue
		}
		l.fail()
	}
	if len(rest) > 0 {
		keys := make([]string, 0, len(rest))
		for k := range rest {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		l.key = "(generic: " + strings.Join(keys, ",") + ")"
		l.generic(s, rest)
	}
}

// tryHandle reads a key with its own handler and says whether it did; a
// key the generic route also decodes goes there when its handler gives up.
func (l *fastLoader) tryHandle(s *types.ServiceConfig, key string, v *yaml.Node, over bool) (ok bool) {
	if genericKeys[key] {
		defer func() {
			if r := recover(); r != nil {
				if _, giving := r.(giveUp); !giving {
					panic(r)
				}
				ok = false
			}
		}()
	}
	return l.handle(s, key, v, over)
}

// check mirrors, in its order, compose-go's consistency check of one
// service: a broken reference is returned as the error compose-go would
// give (it then loads without the check, as Degraded says), anything else
// it would reject gives up.
func (l *fastLoader) check(s types.ServiceConfig, declared map[string]func(string) bool) error {
	if err := serviceConsistency(s, declared); err != nil {
		return err
	}
	// The rest compose-go checks: conflicting values and mount targets.
	if d := s.Deploy; d != nil {
		if d.Replicas != nil && *d.Replicas < 0 {
			l.fail()
		}
		if lim := d.Resources.Limits; lim != nil {
			if s.CPUS != 0 && lim.NanoCPUs.Value() != s.CPUS || s.MemLimit != 0 && lim.MemoryBytes != s.MemLimit ||
				s.PidsLimit != 0 && lim.Pids != s.PidsLimit {
				l.fail()
			}
		}
		if r := d.Resources.Reservations; r != nil && s.MemReservation != 0 && r.MemoryBytes != s.MemReservation {
			l.fail()
		}
	}
	if s.GetScale() > 1 && s.ContainerName != "" {
		l.fail()
	}
	mounts := map[string]bool{}
	for _, t := range s.Tmpfs {
		p, _, _ := strings.Cut(t, ":")
		if mounts[p] {
			l.fail()
		}
		mounts[p] = true
	}
	for _, v := range s.Volumes {
		if mounts[v.Target] {
			l.fail()
		}
		mounts[v.Target] = true
	}
	for _, vf := range s.VolumesFrom {
		if !strings.HasPrefix(vf, types.ContainerPrefix) && !l.serviceSet[strings.Split(vf, ":")[0]] {
			l.fail() // an implicit dependency on no service: compose-go's error names it its own way
		}
	}
	return nil
}

// finish applies defaults and path resolution once overrides are merged.
func (l *fastLoader) finish(s *types.ServiceConfig) {
	switch {
	case s.NetworkMode != "" && s.Networks != nil:
		// compose-go refuses a service with both: leave that to it.
		l.fail()
	case s.NetworkMode != "":
		// compose-go attaches no network to such a service.
	case len(s.Networks) == 0:
		// networks: [] too, as compose-go's normalisation has it.
		s.Networks = map[string]*types.ServiceNetworkConfig{"default": nil}
	}
	// Implicit dependencies, as compose-go's normalisation adds them.
	addDep := func(dep string, restart bool) {
		if _, ok := s.DependsOn[dep]; ok {
			return
		}
		deps := types.DependsOnConfig{}
		for k, v := range s.DependsOn {
			deps[k] = v
		}
		deps[dep] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Restart: restart, Required: true}
		s.DependsOn = deps
	}
	// compose-go's order: links, then the shared namespaces, then
	// volumes_from; an earlier one wins.
	for _, link := range s.Links {
		if parts := strings.Split(link, ":"); len(parts) == 2 {
			link = parts[0]
		}
		addDep(link, true)
	}
	for _, ref := range []string{s.NetworkMode, s.Ipc, s.Pid} {
		if shared, ok := strings.CutPrefix(ref, types.ServicePrefix); ok {
			addDep(shared, true)
		}
	}
	for _, vf := range s.VolumesFrom {
		if strings.HasPrefix(vf, types.ContainerPrefix) {
			continue
		}
		addDep(strings.Split(vf, ":")[0], false)
	}
	if s.Build == nil {
		return
	}
	bc := *s.Build
	b := &bc
	s.Build = b
	if b.Context == "" {
		b.Context = "."
	}
	if b.Dockerfile == "" && b.DockerfileInline == "" {
		b.Dockerfile = "Dockerfile"
	}
	b.Context = l.absContext(b.Context)
}
