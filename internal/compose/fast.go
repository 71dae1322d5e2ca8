package compose

import (
	"fmt"
	"net"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/paths"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// The fast path loads the common, simple project without compose-go's
// generic machinery (schema compile and validation, tree-path matching for
// interpolation, transform and merge, mapstructure decoding), which costs
// 15-30 ms a project. It reads the yaml.Node tree already parsed for
// positions (anchors and merge keys resolved as yaml.v3 does), interpolates
// with compose-go's template.Substitute through tolerantSubstitute, and
// builds the same types.Project compose-go would: not only what the rules
// read (image, build, volumes, command, entrypoint, environment, profiles,
// volumes_from, working_dir) but every field of the keys it accepts, since
// the fix checks compare whole models before and after an edit.
//
// Three tiers read a service's keys. Handlers (apply, and the directKeys
// table in direct.go) build the common keys in their plain shapes: image,
// build, command, entrypoint, environment, working_dir, profiles,
// volumes_from, volumes, depends_on (long form too), networks, ports and
// expose, healthcheck, logging, deploy.resources, container_name, restart,
// user, hostname, tty, stdin_open, init, network_mode, labels, env_file,
// extra_hosts, sysctls, ulimits, cap_add/cap_drop, security_opt, dns,
// tmpfs, sizes, flags and the plain strings (platform, pull_policy, ipc,
// pid, stop_signal, ...). A key a handler cannot read, and the rarer keys
// of genericKeys (secrets, configs, long ports and networks, all of
// deploy, x- extensions, ...), go to the generic route (generic.go), which
// runs compose-go's own per-file steps on a document of those keys alone.
// An override file's service, or a same-file extends, that the handlers
// cannot merge is merged whole by compose-go's merge on the raw mappings.
// Project-wide steps stay here: override files (two files at most),
// extends, compose-go's normalisation (default network, implicit
// depends_on from links, network_mode, ipc, pid and volumes_from, build
// defaults) and its consistency check (check), where a single broken
// reference loads as compose-go's retry without the check would, with the
// same Degraded note. What is left gives up (RefusedServiceKeys, include,
// !reset/!override, more than one broken service, a dependency cycle, an
// unknown key or shape), and compose-go, which stays the authority, loads
// the project. bench/differential_test.go (every fixture, the corpus,
// generated trees), fast_test.go and FuzzFastPathDifferential hold both
// paths to identical models, notes and findings; bench/coverage_test.go
// measures the share of real projects the fast path takes.

// fastLoader holds one fast load.
type fastLoader struct {
	dir        string
	env        map[string]string
	sub        func(string, template.Mapping) (string, error)
	lookup     template.Mapping
	values     map[*yaml.Node]string // interpolated scalar values
	volumes    map[string]string     // top-level resource names
	networks   map[string]string
	secrets    map[string]string
	configs    map[string]string
	serviceSet map[string]bool
	key        string                    // the key being read, for Project.FastMiss
	project    string                    // the project name
	top        map[string]map[string]any // top-level resources for the generic route
	canon      map[string]map[string]any // a service's generic keys in the first file, canonical
	overriding bool                      // reading an override file
	extends    bool                      // whether an extends key may be read
}

// giveUp carries the key the fast path could not model.
type giveUp struct{ key string }

func (l *fastLoader) fail() {
	panic(giveUp{l.key})
}

// fastLoad returns the project's model, or nil when compose-go must load it.
func (p *Project) fastLoad(env map[string]string, lookup template.Mapping, unresolved map[string]bool, kinds *standIns) (model *types.Project) {
	if len(p.Files) == 0 || len(p.Files) > 2 {
		return nil
	}
	for _, f := range p.Files {
		if f.Root == nil {
			return nil
		}
		// A document indented as a whole is where yaml.v3, which parsed
		// it here, and compose-go's yaml.v4 part ways on continuation
		// lines; real files start at the first column.
		if r := resolveAlias(f.Root); r.Kind == yaml.MappingNode && len(r.Content) > 0 && r.Content[0].Column != 1 {
			p.FastMiss = "(indented document)"
			return nil
		}
	}
	l := &fastLoader{dir: p.Dir, env: env, lookup: lookup, values: map[*yaml.Node]string{},
		volumes: map[string]string{}, networks: map[string]string{}, secrets: map[string]string{},
		configs: map[string]string{}, serviceSet: map[string]bool{},
		project: projectName(p.Dir), top: map[string]map[string]any{}, canon: map[string]map[string]any{}}
	tmp := map[string]bool{}
	l.sub = tolerantSubstitute(tmp, kinds)
	defer func() {
		if r := recover(); r != nil {
			g, ok := r.(giveUp)
			if !ok {
				panic(r)
			}
			p.FastMiss, p.fastDegraded = g.key, nil
			if p.FastMiss == "" {
				p.FastMiss = "?"
			}
			model = nil
		}
	}()
	// Interpolate every value first, as compose-go does, so that required
	// variables and lookups are the same whichever path loads.
	for _, f := range p.Files {
		l.interpolate(f.Root, map[*yaml.Node]bool{})
	}
	type decl struct {
		name string
		node *yaml.Node
	}
	var perFile [][]decl
	content := false // compose-go refuses a model with nothing but version
	for _, f := range p.Files {
		for _, kv := range l.pairs(f.Root) {
			content = content || kv[0].Value != "version"
		}
	}
	if !content {
		l.fail()
	}
	for _, f := range p.Files {
		var decls []decl
		for _, kv := range l.pairs(f.Root) {
			key, val := kv[0].Value, resolveAlias(kv[1])
			l.key = key
			switch {
			case f.Legacy && !topLevelKeys[key] && !strings.HasPrefix(key, "x-"):
				// A v1 service at the top level; legacyConfig drops
				// what is not a mapping.
				if val.Kind == yaml.MappingNode {
					if !serviceName.MatchString(key) {
						l.fail()
					}
					decls = append(decls, decl{key, val})
					l.serviceSet[key] = true
				}
			case key == "version" || key == "name":
				if !f.Legacy || key != "version" { // legacyConfig drops version
					_ = l.str(val) // the schema wants a string
				}
			case strings.HasPrefix(key, "x-"):
			case key == "services":
				if val.Kind != yaml.MappingNode {
					l.fail()
				}
				for _, s := range l.pairs(val) {
					if !serviceName.MatchString(s[0].Value) {
						l.fail() // the schema's pattern
					}
					decls = append(decls, decl{s[0].Value, resolveAlias(s[1])})
					l.serviceSet[s[0].Value] = true
				}
			case key == "volumes" || key == "networks" || key == "secrets" || key == "configs":
				if val.Kind != yaml.MappingNode {
					l.fail()
				}
				set := l.volumes
				switch key {
				case "networks":
					set = l.networks
				case "secrets":
					set = l.secrets
				case "configs":
					set = l.configs
				}
				if l.top[key] == nil {
					l.top[key] = map[string]any{}
				}
				for _, kv := range l.pairs(val) {
					if _, dup := set[kv[0].Value]; dup {
						l.fail() // declared in both files: merged field by field
					}
					set[kv[0].Value] = ""
					l.top[key][kv[0].Value] = l.raw(kv[1])
				}
			default:
				l.fail()
			}
		}
		perFile = append(perFile, decls)
	}
	services := types.Services{}
	firstNodes := map[string]*yaml.Node{}
	for _, d := range perFile[0] {
		firstNodes[d.name] = d.node
	}
	for i, decls := range perFile {
		nodes := map[string]*yaml.Node{}
		for _, d := range decls {
			nodes[d.name] = d.node
		}
		for _, d := range decls {
			if d.node.Kind != yaml.MappingNode {
				l.fail()
			}
			prev, exists := services[d.name]
			if i > 0 && exists {
				services[d.name] = l.overrideOrMerge(prev, firstNodes[d.name], d.node)
				continue
			}
			l.extends = i == 0
			services[d.name] = l.resolve(p, p.Files[i].Path, nodes, d.name, 0)
			l.extends = false
		}
	}
	usesDefault := false
	var broken []error
	for name, s := range services {
		l.finish(&s)
		l.key = "(consistency)"
		if err := l.check(s); err != nil {
			broken = append(broken, err)
		}
		if _, ok := s.Networks["default"]; ok {
			usesDefault = true
		}
		services[name] = s
	}
	// compose-go names the first broken service its map iteration meets:
	// with one, the message is known.
	switch len(broken) {
	case 0:
	case 1:
		p.fastDegraded = broken[0]
	default:
		l.fail()
	}
	for k := range tmp {
		unresolved[k] = true
	}
	l.key = "(top-level resources)"
	doc := map[string]any{}
	for k, m := range l.top {
		if len(m) > 0 {
			doc[k] = m
		}
	}
	if _, ok := l.networks["default"]; !ok && usesDefault {
		if doc["networks"] == nil {
			doc["networks"] = map[string]any{}
		}
		doc["networks"].(map[string]any)["default"] = nil
	}
	top := &types.Project{}
	if _, ok := applyCasts(doc, topCasts); !ok {
		l.fail()
	}
	if plain, ok := plainResources(doc, l.project, p.Dir); ok {
		top = plain
	} else if len(doc) > 0 {
		top = l.pipeline(doc, true)
	}
	for _, sc := range top.Secrets {
		if !sc.External && sc.File == "" && sc.Environment == "" {
			l.fail()
		}
	}
	model = &types.Project{Name: l.project, WorkingDir: p.Dir, Services: services, Networks: top.Networks, Volumes: top.Volumes,
		Secrets: top.Secrets, Configs: top.Configs, Environment: types.Mapping(env)}
	l.key = "(dependency cycle)"
	if p.fastDegraded == nil && !acyclic(services) && graph.CheckCycle(model) != nil {
		l.fail()
	}
	return model
}

// acyclic reports whether every depends_on names a service and no
// dependency cycle exists: then compose-go's CheckCycle, which copies
// every service into a graph, has nothing to say. Otherwise it decides.
func acyclic(services types.Services) bool {
	const (
		unseen = iota
		visiting
		done
	)
	state := make(map[string]int, len(services))
	var visit func(name string) bool
	visit = func(name string) bool {
		switch state[name] {
		case visiting:
			return false
		case done:
			return true
		}
		state[name] = visiting
		for dep := range services[name].DependsOn {
			if _, ok := services[dep]; !ok || !visit(dep) {
				return false
			}
		}
		state[name] = done
		return true
	}
	for name := range services {
		if !visit(name) {
			return false
		}
	}
	return true
}

// plainResources builds the top-level volumes and networks when each is
// declared by name alone or with a string driver, and the secrets and
// configs read from a file (dir is the project's), the common cases,
// without the generic route.
func plainResources(doc map[string]any, project, dir string) (*types.Project, bool) {
	top := &types.Project{}
	for kind, v := range doc {
		if kind == "secrets" || kind == "configs" {
			for name, decl := range v.(map[string]any) {
				m, ok := decl.(map[string]any)
				if !ok || len(m) != 1 {
					return nil, false
				}
				file, ok := m["file"].(string)
				// A home, Windows or empty path is left to compose-go's
				// own resolution.
				if !ok || file == "" || strings.HasPrefix(file, "~") || strings.ContainsAny(file, `\:`) {
					return nil, false
				}
				if !path.IsAbs(file) {
					file = filepath.Join(dir, file)
				}
				if kind == "secrets" {
					if top.Secrets == nil {
						top.Secrets = types.Secrets{}
					}
					top.Secrets[name] = types.SecretConfig{Name: project + "_" + name, File: file}
				} else {
					if top.Configs == nil {
						top.Configs = types.Configs{}
					}
					top.Configs[name] = types.ConfigObjConfig{Name: project + "_" + name, File: file}
				}
			}
			continue
		}
		if kind != "volumes" && kind != "networks" {
			return nil, false
		}
		for name, decl := range v.(map[string]any) {
			driver := ""
			if decl != nil {
				m, ok := decl.(map[string]any)
				if !ok || len(m) > 1 {
					return nil, false
				}
				if d, ok := m["driver"].(string); ok {
					driver = d
				} else if len(m) > 0 {
					return nil, false
				}
			}
			if kind == "volumes" {
				if top.Volumes == nil {
					top.Volumes = types.Volumes{}
				}
				top.Volumes[name] = types.VolumeConfig{Name: project + "_" + name, Driver: driver}
			} else {
				if top.Networks == nil {
					top.Networks = types.Networks{}
				}
				top.Networks[name] = types.NetworkConfig{Name: project + "_" + name, Driver: driver}
			}
		}
	}
	return top, true
}

// interpolate substitutes variables in every scalar value, like compose-go
// (keys are not interpolated).
func (l *fastLoader) interpolate(n *yaml.Node, seen map[*yaml.Node]bool) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	if t := n.Tag; strings.HasPrefix(t, "!") && !strings.HasPrefix(t, "!!") {
		l.fail() // !reset, !override, custom tags
	}
	switch n.Kind {
	case yaml.AliasNode:
		l.interpolate(n.Alias, seen)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if t := n.Content[i].Tag; strings.HasPrefix(t, "!") && !strings.HasPrefix(t, "!!") {
				l.fail()
			}
			l.interpolate(n.Content[i+1], seen)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			l.interpolate(c, seen)
		}
	case yaml.ScalarNode:
		if n.Tag == "!!str" && strings.Contains(n.Value, "$") {
			out, err := l.sub(n.Value, l.lookup)
			if err != nil {
				l.fail()
			}
			l.values[n] = out
		}
	}
}

// pairs lists a mapping's key/value pairs with `<<` merges applied as
// yaml.v3 decodes them: explicit keys win, then earlier merge sources.
func (l *fastLoader) pairs(m *yaml.Node) [][2]*yaml.Node {
	m = resolveAlias(m)
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	var merged [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Tag == "!!merge" {
			src := resolveAlias(m.Content[i+1])
			var srcs []*yaml.Node
			if src.Kind == yaml.SequenceNode {
				srcs = src.Content
			} else {
				srcs = []*yaml.Node{src}
			}
			for _, s := range srcs {
				s = resolveAlias(s)
				if s.Kind != yaml.MappingNode {
					l.fail()
				}
				merged = append(merged, l.pairs(s)...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || seen[k.Value] {
			l.fail() // compose-go refuses a key that is no string
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, m.Content[i+1]})
	}
	for _, kv := range merged {
		if !seen[kv[0].Value] {
			seen[kv[0].Value] = true
			out = append(out, kv)
		}
	}
	return out
}

// str is a scalar's string value after interpolation.
func (l *fastLoader) str(n *yaml.Node) string {
	n = resolveAlias(n)
	if n.Kind != yaml.ScalarNode {
		l.fail()
	}
	if v, ok := l.values[n]; ok {
		return v
	}
	if n.Tag == "!!str" {
		return n.Value
	}
	l.fail()
	return ""
}

// nullPanics are the service keys whose null value compose-go's
// normalisation type-asserts and panics on (the load then fails).
var nullPanics = map[string]bool{
	"build": true, "volumes": true, "links": true, "volumes_from": true, "depends_on": true,
	"networks": true, "network_mode": true, "ipc": true, "pid": true, "uts": true, "cgroup": true,
}

// serviceName is the schema's pattern for a service name.
var serviceName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// The patterns compose-go's schema holds for values the fast path reads
// itself (unanchored where the schema's is).
var (
	containerName = regexp.MustCompile(`[a-zA-Z0-9][a-zA-Z0-9_.-]+`)
	pullPolicy    = regexp.MustCompile(`^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+)$`)
)

var plainScalar = regexp.MustCompile(`^(0|-?[1-9][0-9]*|true|false)$`)

// anyValue converts a node to the plain value compose-go would decode,
// for the few shapes the fast path accepts.
func (l *fastLoader) anyValue(n *yaml.Node) any {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!str":
			return l.str(n)
		case "!!int", "!!bool":
			if plainScalar.MatchString(n.Value) {
				return n.Value
			}
		}
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, l.anyValue(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for _, kv := range l.pairs(n) {
			out[kv[0].Value] = l.anyValue(kv[1])
		}
		return out
	}
	l.fail()
	return nil
}

func (l *fastLoader) strings(n *yaml.Node) []string {
	n = resolveAlias(n)
	if n.Kind != yaml.SequenceNode {
		l.fail()
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, l.str(c))
	}
	return out
}

func isNull(n *yaml.Node) bool {
	n = resolveAlias(n)
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

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

// handle reads a key with its own handler; false when it has none.
func (l *fastLoader) handle(s *types.ServiceConfig, key string, v *yaml.Node, over bool) bool {
	if h, ok := directKeys[key]; ok {
		if over && !directFieldZero(s, key) {
			if m, ok := directMerges[key]; ok {
				m(l, s, v)
				return true
			}
			l.fail() // merged by the generic route
		}
		h(l, s, v)
		return true
	}
	{
		switch key {
		case "extends":
			if !l.extends {
				l.fail()
			}
		case "image":
			s.Image = l.str(v)
		case "working_dir":
			s.WorkingDir = l.str(v)
		case "build":
			l.build(s, v)
		case "command", "entrypoint":
			var c types.ShellCommand
			if !isNull(v) {
				val := l.anyValue(v)
				if _, ok := val.(map[string]any); ok {
					l.fail()
				}
				if list, ok := val.([]any); ok {
					for _, e := range list {
						if _, ok := e.(string); !ok {
							l.fail()
						}
					}
				}
				if err := c.DecodeMapstructure(val); err != nil {
					l.fail()
				}
			}
			if key == "command" {
				s.Command = c
			} else {
				s.Entrypoint = c
			}
		case "environment":
			env := l.mapping(v, true)
			if over && s.Environment != nil {
				merged := types.MappingWithEquals{}
				for k, val := range s.Environment {
					merged[k] = val
				}
				for k, val := range env {
					merged[k] = val
				}
				s.Environment = merged
			} else {
				s.Environment = env
			}
		case "profiles":
			if over {
				l.fail()
			}
			s.Profiles = l.strings(v)
		case "volumes_from":
			if over {
				l.fail()
			}
			s.VolumesFrom = l.strings(v)
		case "volumes":
			if over {
				l.fail()
			}
			s.Volumes = l.volumeList(v)
		case "depends_on":
			prev := s.DependsOn
			l.dependsOn(s, v)
			if over && prev != nil {
				// Merged by name; a name in both would merge field by field.
				merged := types.DependsOnConfig{}
				for k, d := range prev {
					merged[k] = d
				}
				for k, d := range s.DependsOn {
					if _, dup := merged[k]; dup {
						l.fail()
					}
					merged[k] = d
				}
				s.DependsOn = merged
			}
		case "healthcheck":
			if over || v.Kind != yaml.MappingNode {
				l.fail()
			}
			h := &types.HealthCheckConfig{}
			for _, kv := range l.pairs(v) {
				hv := resolveAlias(kv[1])
				switch kv[0].Value {
				case "test":
					val := l.anyValue(hv)
					if list, ok := val.([]any); ok {
						if len(list) == 0 {
							l.fail()
						}
						for _, e := range list {
							if _, ok := e.(string); !ok {
								l.fail()
							}
						}
						if first := list[0].(string); first != "CMD" && first != "CMD-SHELL" && first != "NONE" {
							l.fail()
						}
					} else if _, ok := val.(string); !ok {
						l.fail()
					}
					if err := h.Test.DecodeMapstructure(val); err != nil {
						l.fail()
					}
				case "interval", "timeout", "start_period", "start_interval":
					d := new(types.Duration)
					if err := d.DecodeMapstructure(l.str(hv)); err != nil {
						l.fail()
					}
					switch kv[0].Value {
					case "interval":
						h.Interval = d
					case "timeout":
						h.Timeout = d
					case "start_period":
						h.StartPeriod = d
					default:
						h.StartInterval = d
					}
				case "retries":
					n, err := strconv.ParseUint(hv.Value, 10, 64)
					if hv.Tag != "!!int" || err != nil {
						l.fail()
					}
					h.Retries = &n
				default:
					l.fail()
				}
			}
			s.HealthCheck = h
		case "networks":
			if over {
				l.fail()
			}
			nets := map[string]*types.ServiceNetworkConfig{}
			switch v.Kind {
			case yaml.SequenceNode:
				for _, n := range l.strings(v) {
					nets[n] = nil
				}
			case yaml.MappingNode:
				for _, kv := range l.pairs(v) {
					if !isNull(kv[1]) {
						l.fail()
					}
					nets[kv[0].Value] = nil
				}
			default:
				l.fail()
			}
			if len(nets) == 0 {
				l.fail()
			}
			s.Networks = nets
		case "deploy":
			if over || v.Kind != yaml.MappingNode {
				l.fail()
			}
			d := &types.DeployConfig{}
			for _, kv := range l.pairs(v) {
				if kv[0].Value != "resources" {
					l.fail()
				}
				r := resolveAlias(kv[1])
				if r.Kind != yaml.MappingNode {
					l.fail()
				}
				for _, rkv := range l.pairs(r) {
					res := &types.Resource{}
					switch rkv[0].Value {
					case "limits":
						d.Resources.Limits = res
					case "reservations":
						d.Resources.Reservations = res
					default:
						l.fail()
					}
					lim := resolveAlias(rkv[1])
					if lim.Kind != yaml.MappingNode {
						l.fail()
					}
					for _, lkv := range l.pairs(lim) {
						val := resolveAlias(lkv[1])
						if val.Kind != yaml.ScalarNode || val.Tag != "!!str" && val.Tag != "!!int" {
							l.fail()
						}
						text := val.Value
						if val.Tag == "!!str" {
							text = l.str(val)
						}
						var err error
						switch lkv[0].Value {
						case "cpus":
							err = res.NanoCPUs.DecodeMapstructure(text)
						case "memory":
							err = res.MemoryBytes.DecodeMapstructure(text)
						default:
							l.fail()
						}
						if err != nil {
							l.fail()
						}
					}
				}
			}
			s.Deploy = d
		case "container_name":
			if s.ContainerName = l.str(v); !containerName.MatchString(s.ContainerName) {
				l.fail() // compose-go's schema refuses it
			}
		case "restart":
			s.Restart = l.str(v)
		case "user":
			s.User = l.str(v)
		case "network_mode":
			// The split's code service has network_mode: none; without it
			// here every fixed project would fall back to compose-go.
			s.NetworkMode = l.str(v)
		case "hostname":
			s.Hostname = l.str(v)
		case "tty", "stdin_open", "init":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				l.fail()
			}
			b := v.Value == "true"
			switch key {
			case "tty":
				s.Tty = b
			case "stdin_open":
				s.StdinOpen = b
			default:
				s.Init = &b
			}
		case "expose":
			if over || v.Kind != yaml.SequenceNode {
				l.fail()
			}
			ex := types.StringOrNumberList{} // [] stays a non-nil empty list, as in compose-go
			for _, e := range v.Content {
				ex = append(ex, l.portText(e))
			}
			s.Expose = ex
		case "ports":
			if over || v.Kind != yaml.SequenceNode {
				l.fail()
			}
			ports := []types.ServicePortConfig{}
			for _, e := range v.Content {
				if e = resolveAlias(e); e.Kind == yaml.MappingNode {
					ports = append(ports, l.longPort(e))
					continue
				}
				pc, err := types.ParsePortConfig(l.portText(e))
				if err != nil {
					l.fail()
				}
				for _, c := range pc {
					if c.Target == 0 {
						l.fail() // compose-go's validation wants a target port
					}
				}
				ports = append(ports, pc...)
			}
			type portKey struct {
				host, published, protocol string
				target                    uint32
			}
			seen := map[portKey]bool{}
			for _, pc := range ports {
				k := portKey{pc.HostIP, pc.Published, pc.Protocol, pc.Target}
				if seen[k] {
					l.fail() // compose-go's unicity would merge them
				}
				seen[k] = true
			}
			s.Ports = ports
		case "logging":
			if over || v.Kind != yaml.MappingNode {
				l.fail()
			}
			lc := &types.LoggingConfig{}
			for _, kv := range l.pairs(v) {
				switch kv[0].Value {
				case "driver":
					lc.Driver = l.str(kv[1])
				case "options":
					o := resolveAlias(kv[1])
					if o.Kind != yaml.MappingNode {
						l.fail()
					}
					lc.Options = types.Options{}
					for _, okv := range l.pairs(o) {
						ov := l.anyValue(okv[1])
						str, ok := ov.(string)
						if !ok {
							l.fail()
						}
						lc.Options[okv[0].Value] = str
					}
				default:
					l.fail()
				}
			}
			s.Logging = lc
		default:
			return false
		}
	}
	return true
}

// longPort reads a port in the long syntax ({target, published, host_ip,
// protocol, mode, name, app_protocol}) with compose-go's defaults
// (protocol tcp, mode ingress); a target that is not a plain number, a
// host_ip that is no IP address and x- keys give up.
func (l *fastLoader) longPort(n *yaml.Node) types.ServicePortConfig {
	pc := types.ServicePortConfig{Protocol: "tcp", Mode: "ingress"}
	for _, kv := range l.pairs(n) {
		v := resolveAlias(kv[1])
		switch kv[0].Value {
		case "target":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || !plainScalar.MatchString(v.Value) {
				l.fail()
			}
			t, err := strconv.Atoi(v.Value)
			if err != nil || t <= 0 || t > 65535 {
				l.fail()
			}
			pc.Target = uint32(t)
		case "published":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!int" && strings.HasPrefix(v.Value, "-") {
				l.fail()
			}
			pc.Published = l.portText(v)
		case "host_ip":
			if pc.HostIP = l.str(v); net.ParseIP(pc.HostIP) == nil {
				l.fail() // compose-go's validation
			}
		case "protocol":
			pc.Protocol = l.str(v)
		case "mode":
			pc.Mode = l.str(v)
		case "name":
			pc.Name = l.str(v)
		case "app_protocol":
			pc.AppProtocol = l.str(v)
		default:
			l.fail()
		}
	}
	if pc.Target == 0 {
		l.fail()
	}
	return pc
}

// portText is a port or exposed port as text; numbers are kept as written.
func (l *fastLoader) portText(n *yaml.Node) string {
	n = resolveAlias(n)
	if n.Kind != yaml.ScalarNode {
		l.fail()
	}
	switch n.Tag {
	case "!!str":
		return l.str(n)
	case "!!int":
		if plainScalar.MatchString(n.Value) {
			return n.Value
		}
	}
	l.fail()
	return ""
}

func (l *fastLoader) dependsOn(s *types.ServiceConfig, v *yaml.Node) {
	deps := types.DependsOnConfig{}
	switch v.Kind {
	case yaml.SequenceNode:
		for _, n := range l.strings(v) {
			deps[n] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
		}
	case yaml.MappingNode:
		for _, kv := range l.pairs(v) {
			c := resolveAlias(kv[1])
			if c.Kind != yaml.MappingNode {
				l.fail()
			}
			d := types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
			for _, ckv := range l.pairs(c) {
				cv := resolveAlias(ckv[1])
				switch ckv[0].Value {
				case "condition":
					d.Condition = l.str(cv)
					switch d.Condition {
					case types.ServiceConditionStarted, types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully:
					default:
						l.fail()
					}
				case "restart", "required":
					if cv.Tag != "!!bool" {
						l.fail()
					}
					if ckv[0].Value == "restart" {
						d.Restart = cv.Value == "true"
					} else {
						d.Required = cv.Value == "true"
					}
				default:
					l.fail()
				}
			}
			deps[kv[0].Value] = d
		}
	default:
		l.fail()
	}
	s.DependsOn = deps
}

// mapping reads a list (K=V, K) or map into compose-go's shape, resolving
// keys without a value from the environment as compose-go's normalisation
// does (kept empty for environment, dropped for build args).
func (l *fastLoader) mapping(v *yaml.Node, keepEmpty bool) types.MappingWithEquals {
	if v.Kind == yaml.SequenceNode {
		for _, e := range v.Content {
			if e = resolveAlias(e); e.Kind != yaml.ScalarNode || e.Tag != "!!str" {
				l.fail() // compose-go's unicity check refuses a list item that is no string
			}
		}
	}
	val := l.anyValue(v)
	switch m := val.(type) {
	case map[string]any:
		for k, e := range m {
			if e == nil {
				if s, ok := l.env[k]; ok {
					m[k] = s
				} else if !keepEmpty {
					delete(m, k)
				}
			}
		}
	case []any:
		kept := m[:0]
		for _, e := range m {
			s, ok := e.(string)
			if !ok {
				l.fail()
			}
			if !strings.Contains(s, "=") {
				if val, ok := l.env[s]; ok {
					s = s + "=" + val
				} else if !keepEmpty {
					continue
				}
			}
			kept = append(kept, s)
		}
		val = kept
	default:
		l.fail()
	}
	var out types.MappingWithEquals
	if err := out.DecodeMapstructure(val); err != nil {
		l.fail()
	}
	return out
}

func (l *fastLoader) build(s *types.ServiceConfig, v *yaml.Node) {
	b := s.Build
	if b == nil {
		b = &types.BuildConfig{}
	} else {
		c := *b
		b = &c
	}
	switch v.Kind {
	case yaml.ScalarNode:
		b.Context = l.absContext(l.str(v))
	case yaml.MappingNode:
		for _, kv := range l.pairs(v) {
			switch kv[0].Value {
			case "context":
				b.Context = l.absContext(l.str(kv[1]))
			case "dockerfile":
				b.Dockerfile = l.str(kv[1])
			case "dockerfile_inline":
				b.DockerfileInline = l.str(kv[1])
			case "target":
				b.Target = l.str(kv[1])
			case "args":
				args := l.mapping(resolveAlias(kv[1]), false)
				if b.Args != nil {
					merged := types.MappingWithEquals{}
					for k, v := range b.Args {
						merged[k] = v
					}
					for k, v := range args {
						merged[k] = v
					}
					args = merged
				}
				b.Args = args
			default:
				l.fail()
			}
		}
	default:
		l.fail()
	}
	s.Build = b
}

func (l *fastLoader) volumeList(v *yaml.Node) []types.ServiceVolumeConfig {
	if v.Kind != yaml.SequenceNode {
		l.fail()
	}
	out := []types.ServiceVolumeConfig{}
	for _, e := range v.Content {
		e = resolveAlias(e)
		var vol types.ServiceVolumeConfig
		switch e.Kind {
		case yaml.ScalarNode:
			parsed, err := format.ParseVolume(l.str(e))
			if err != nil {
				l.fail()
			}
			vol = parsed
			if vol.Bind != nil {
				// compose-go's defaults give every bind block, even a
				// named volume's ":Z", create_host_path: true.
				vol.Bind.CreateHostPath = true
			}
		case yaml.MappingNode:
			for _, kv := range l.pairs(e) {
				switch kv[0].Value {
				case "type":
					vol.Type = l.str(kv[1])
				case "source":
					vol.Source = l.str(kv[1])
				case "target":
					vol.Target = l.str(kv[1])
				case "read_only":
					if resolveAlias(kv[1]).Tag != "!!bool" {
						l.fail()
					}
					vol.ReadOnly = resolveAlias(kv[1]).Value == "true"
				default:
					l.fail()
				}
			}
			switch vol.Type {
			case types.VolumeTypeBind, types.VolumeTypeVolume, types.VolumeTypeTmpfs:
			default:
				l.fail()
			}
			if vol.Type == types.VolumeTypeBind && vol.Source == "" {
				l.fail()
			}
		default:
			l.fail()
		}
		if vol.Target == "" {
			l.fail()
		}
		vol.Target = path.Clean(vol.Target)
		if vol.Type == types.VolumeTypeBind {
			src := paths.ExpandUser(vol.Source)
			if !path.IsAbs(src) && !paths.IsWindowsAbs(src) && !filepath.IsAbs(src) {
				src = filepath.Join(l.dir, src)
			}
			vol.Source = src
		}
		out = append(out, vol)
	}
	return out
}

// check mirrors, in its order, compose-go's consistency check of one
// service: a broken reference is returned as the error compose-go would
// give (it then loads without the check, as Degraded says), anything else
// it would reject gives up.
func (l *fastLoader) check(s types.ServiceConfig) error {
	if s.Build == nil && s.Image == "" {
		return fmt.Errorf("service %q has neither an image nor a build context specified: %w", s.Name, errdefs.ErrInvalid)
	}
	if b := s.Build; b != nil && b.Dockerfile != "" && b.DockerfileInline != "" {
		return fmt.Errorf("service %q declares mutualy exclusive dockerfile and dockerfile_inline: %w", s.Name, errdefs.ErrInvalid)
	}
	for n := range s.Networks {
		if _, ok := l.networks[n]; !ok && n != "default" {
			return fmt.Errorf("service %q refers to undefined network %s: %w", s.Name, n, errdefs.ErrInvalid)
		}
	}
	for dep := range s.DependsOn {
		if !l.serviceSet[dep] {
			return fmt.Errorf("service %q depends on undefined service %q: %w", s.Name, dep, errdefs.ErrInvalid)
		}
	}
	if shared, ok := strings.CutPrefix(s.NetworkMode, types.ServicePrefix); ok && !l.serviceSet[shared] {
		return fmt.Errorf("service %q not found for network_mode 'service:%s'", shared, shared)
	}
	for _, v := range s.Volumes {
		if _, ok := l.volumes[v.Source]; v.Type == types.VolumeTypeVolume && v.Source != "" && !ok {
			return fmt.Errorf("service %q refers to undefined volume %s: %w", s.Name, v.Source, errdefs.ErrInvalid)
		}
	}
	for _, c := range s.Configs {
		if _, ok := l.configs[c.Source]; !ok {
			return fmt.Errorf("service %q refers to undefined config %s: %w", s.Name, c.Source, errdefs.ErrInvalid)
		}
	}
	for _, sc := range s.Secrets {
		if _, ok := l.secrets[sc.Source]; !ok {
			return fmt.Errorf("service %q refers to undefined secret %s: %w", s.Name, sc.Source, errdefs.ErrInvalid)
		}
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

func (l *fastLoader) absContext(v string) string {
	if strings.Contains(v, "://") || strings.HasPrefix(v, types.ServicePrefix) || isRemote(v) {
		return v
	}
	v = paths.ExpandUser(v)
	if filepath.IsAbs(v) || v == "" {
		return v
	}
	return filepath.Join(l.dir, v)
}
