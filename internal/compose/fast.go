package compose

import (
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/decouple-dev/decouple/internal/composeschema"
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
	// What compose-go's schema refuses, compose-go loads without the
	// refused values (or not at all): such a file is compose-go's to load.
	// Checked on the text as written, so a variable in a typed field sends
	// the file there too, which is slower but never wrong; checked by
	// composeschema, which gives compose-go's answer without compiling the
	// schema with jsonschema (10 ms a process).
	for _, f := range p.Files {
		var doc map[string]any
		var err error
		if f.Legacy {
			doc, err = legacyConfig(f)
		} else if m, ok := plainMap(f.Root); ok {
			doc = m
		} else {
			err = f.Root.Decode(&doc)
		}
		if err != nil || !composeschema.Valid(doc) {
			l.key = "(schema)"
			l.fail()
		}
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
	declared := map[string]func(string) bool{
		"network": inMap(l.networks), "service": inMap(l.serviceSet), "volume": inMap(l.volumes),
		"config": inMap(l.configs), "secret": inMap(l.secrets),
	}
	for name, s := range services {
		l.finish(&s)
		l.key = "(consistency)"
		if err := l.check(s, declared); err != nil {
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
