package compose

import (
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/override"
	"github.com/compose-spec/compose-go/v2/paths"
	"github.com/compose-spec/compose-go/v2/transform"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/compose-spec/compose-go/v2/validation"
	"github.com/decouple-dev/decouple/internal/composeschema"
	"go.yaml.in/yaml/v3"
)

// The generic route: service keys without a handler of their own in
// fast.go (labels, env_file, secrets, ports long syntax, deploy, ...), and
// those whose handler met a shape it does not model, are decoded by
// compose-go's own per-file steps (schema validation, unicity, canonical
// form, defaults, validation, relative paths, mapstructure) run on a
// document that holds only them. Only the project-wide steps (include,
// extends, merge, normalisation, consistency) stay in fast.go, which is
// why a key joins genericKeys only when those steps do not touch it or
// fast.go mirrors what they do (see finish and check).

// genericKeys are the service keys the generic route may decode.
var genericKeys = set(
	"annotations", "build", "cap_add", "cap_drop", "cgroup_parent", "configs", "cpu_count",
	"cpu_percent", "cpu_period", "cpu_quota", "cpu_shares", "cpus", "cpuset", "deploy",
	"device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "env_file", "environment",
	"expose", "external_links", "extra_hosts", "group_add", "healthcheck", "init", "ipc",
	"isolation", "labels", "links", "logging", "mac_address", "mem_limit", "mem_reservation",
	"mem_swappiness", "memswap_limit", "networks", "oom_kill_disable", "oom_score_adj", "pid",
	"pids_limit", "platform", "ports", "privileged", "pull_policy", "read_only", "runtime",
	"secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal",
	"storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "userns_mode", "volumes",
)

// RefusedServiceKeys are the service keys the fast path never models:
// rare in real files, or needing what only compose-go does (hooks merged
// with the container spec, models, providers, scale against replicas,
// files read at load time, namespaces shared with another service's uts
// or cgroup, develop and its x-develop alias, the legacy net and
// dockerfile keys of v1 files). Any of them sends the project to
// compose-go.
var RefusedServiceKeys = []string{
	"attach", "blkio_config", "cgroup", "cpu_rt_period", "cpu_rt_runtime", "credential_spec",
	"develop", "dockerfile", "gpus", "label_file", "log_driver", "log_opt", "models", "net",
	"post_start", "pre_start", "pre_stop", "provider", "pull_refresh_after", "scale", "umask",
	"use_api_socket", "uts", "volume_driver", "x-develop",
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// raw is a node's value as compose-go's YAML decoding and interpolation
// would give it, before its own casts.
func (l *fastLoader) raw(n *yaml.Node) any {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if v, ok := l.values[n]; ok {
			return v
		}
		var v any
		if err := n.Decode(&v); err != nil {
			l.fail()
		}
		switch v.(type) {
		case nil, string, bool, int, float64:
			return v
		}
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, l.raw(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for _, kv := range l.pairs(n) {
			if kv[0].Tag != "!!str" {
				l.fail() // keys compose-go would turn into strings its own way
			}
			out[kv[0].Value] = l.raw(kv[1])
		}
		return out
	}
	l.fail()
	return nil
}

// perFile runs the steps compose-go's loader runs on each file once merged
// into the model so far (unicity, schema validation, canonical form), in
// its order.
func (l *fastLoader) perFile(doc map[string]any) map[string]any {
	// compose-go merges even the first file into an empty model, and the
	// merge refuses some shapes.
	l.step("merge", func() (err error) { doc, err = override.Merge(map[string]any{}, doc); return })
	l.step("unicity", func() (err error) { doc, err = override.EnforceUnicity(doc); return })
	l.step("schema", func() error {
		if !composeschema.Valid(doc) {
			return errInvalid
		}
		return nil
	})
	l.step("canonical", func() (err error) { doc, err = transform.Canonical(doc, false); return })
	doc = loader.OmitEmpty(doc)
	l.step("unicity", func() (err error) { doc, err = override.EnforceUnicity(doc); return })
	return doc
}

// errInvalid: the document does not pass the Compose schema.
var errInvalid = errors.New("the document does not pass the Compose schema")

// step runs one of compose-go's loader steps and gives up when it fails.
// Before schema validation some of them panic on malformed values (a
// `secrets: [{target: }]` entry): compose-go's own load, which takes the
// file then, turns that panic into an error (safeLoad).
func (l *fastLoader) step(name string, f func() error) {
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		err = f()
	}()
	if err != nil {
		l.failAt(name)
	}
}

// model runs the steps compose-go runs on the merged model (defaults,
// validation, relative paths, environment, resource names, extensions)
// and decodes it.
func (l *fastLoader) model(doc map[string]any, names bool) *types.Project {
	l.step("defaults", func() (err error) { doc, err = transform.SetDefaultValues(doc); return })
	l.step("validation", func() error { return validation.Validate(doc) })
	l.step("paths", func() error { return paths.ResolveRelativePaths(doc, l.dir, nil) })
	loader.ResolveEnvironment(doc, types.Mapping(l.env))
	if names {
		setNames(doc, l.project)
	}
	for k, v := range doc {
		if m, ok := v.(map[string]any); ok {
			for name, e := range m {
				if em, ok := e.(map[string]any); ok {
					m[name] = extensions(em, k == "services")
				}
			}
		}
	}
	var p types.Project
	l.step("decode", func() error { return loader.Transform(doc, &p) })
	return &p
}

// pipeline is perFile then model, for one file's document.
func (l *fastLoader) pipeline(doc map[string]any, names bool) *types.Project {
	return l.model(l.perFile(doc), names)
}

// deepClone copies a decoded YAML value.
func deepClone(v any) any {
	switch e := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(e))
		for k, x := range e {
			m[k] = deepClone(x)
		}
		return m
	case []any:
		out := make([]any, len(e))
		for i, x := range e {
			out[i] = deepClone(x)
		}
		return out
	}
	return v
}

// failAt gives up in a step of the generic route, naming it.
func (l *fastLoader) failAt(step string) {
	l.key += " " + step
	l.fail()
}

// setNames gives each top-level resource its name, as compose-go's
// normalisation does.
func setNames(doc map[string]any, project string) {
	for _, r := range []string{"networks", "volumes", "configs", "secrets"} {
		top, ok := doc[r].(map[string]any)
		if !ok {
			continue
		}
		for key, v := range top {
			res, _ := v.(map[string]any)
			if res == nil {
				res = map[string]any{}
			}
			if res["name"] == nil {
				if x, ok := res["external"]; ok && fmt.Sprint(x) == "true" {
					res["name"] = key
				} else {
					res["name"] = project + "_" + key
				}
			}
			top[key] = res
		}
	}
}

// extensions moves x- keys into the map compose-go decodes as Extensions,
// at every level (except a service's depends_on, whose keys are names).
func extensions(m map[string]any, service bool) map[string]any {
	extras := map[string]any{}
	for k, v := range m {
		if strings.HasPrefix(k, "x-") {
			extras[k] = v
			delete(m, k)
			continue
		}
		if service && k == "depends_on" {
			continue
		}
		switch e := v.(type) {
		case map[string]any:
			m[k] = extensions(e, false)
		case []any:
			for i, x := range e {
				if xm, ok := x.(map[string]any); ok {
					e[i] = extensions(xm, false)
				}
			}
		}
	}
	if len(extras) > 0 {
		m[consts.Extensions] = extras
	}
	return m
}

// generic decodes a service's keys gathered in rest and sets them on s.
// In an override file they are merged, as compose-go merges files, with
// the generic keys of the service in the first file (kept in canonical
// form in l.canon); otherwise s must not have them yet (an extending
// service would need a merge field by field).
func (l *fastLoader) generic(s *types.ServiceConfig, rest map[string]any) {
	if _, ok := applyCasts(rest, serviceCasts); !ok {
		l.failAt("cast")
	}
	given := make(map[string]any, len(rest)) // the steps below add keys to rest
	for k := range rest {
		given[k] = nil
	}
	doc := map[string]any{"services": map[string]any{s.Name: rest}}
	var allowed map[string]any
	if l.overriding {
		allowed = l.canon[s.Name]
		merged, err := override.Merge(map[string]any{"services": map[string]any{s.Name: deepClone(allowed)}}, doc)
		if err != nil {
			l.failAt("merge")
		}
		doc = merged
	}
	doc = l.perFile(doc)
	if !l.overriding {
		svc, _ := doc["services"].(map[string]any)
		base, _ := svc[s.Name].(map[string]any)
		l.canon[s.Name] = deepClone(base).(map[string]any)
	}
	p := l.model(doc, false)
	g, ok := p.Services[s.Name]
	if !ok {
		l.fail()
	}
	l.normalise(&g)
	g.Name = ""
	mergeFields(reflect.ValueOf(s).Elem(), reflect.ValueOf(&g).Elem(), allowed, given, l)
}

// mergeService merges a service of an override file over the first
// file's wholly through the generic route, as compose-go merges files, when
// the handlers could not.
func (l *fastLoader) mergeService(name string, base, over *yaml.Node) types.ServiceConfig {
	l.key = "(override merge)"
	b, _ := l.raw(base).(map[string]any)
	o, _ := l.raw(over).(map[string]any)
	if b == nil || o == nil {
		l.fail()
	}
	for _, m := range []map[string]any{b, o} {
		if _, ok := applyCasts(m, serviceCasts); !ok {
			l.failAt("cast")
		}
		for k := range m {
			if k == "extends" || slices.Contains(RefusedServiceKeys, k) {
				l.fail()
			}
		}
	}
	doc := l.perFile(map[string]any{"services": map[string]any{name: b}})
	merged, err := override.Merge(doc, map[string]any{"services": map[string]any{name: o}})
	if err != nil {
		l.failAt("merge")
	}
	p := l.model(l.perFile(merged), false)
	g, ok := p.Services[name]
	if !ok {
		l.fail()
	}
	l.normalise(&g)
	g.Name = name
	return g
}

// mergeExtends merges a service over the base it extends in the same file
// wholly through the generic route, with compose-go's extends merge of the
// two raw mappings.
func (l *fastLoader) mergeExtends(name string, base, child *yaml.Node) types.ServiceConfig {
	l.key = "(extends merge)"
	b, _ := l.raw(base).(map[string]any)
	c, _ := l.raw(child).(map[string]any)
	if b == nil || c == nil {
		l.fail()
	}
	delete(c, "extends")
	for _, m := range []map[string]any{b, c} {
		if _, ok := applyCasts(m, serviceCasts); !ok {
			l.failAt("cast")
		}
		for k := range m {
			if k == "extends" || slices.Contains(RefusedServiceKeys, k) {
				l.fail()
			}
		}
	}
	merged, err := override.ExtendService(b, c)
	if err != nil {
		l.failAt("merge")
	}
	p := l.model(l.perFile(map[string]any{"services": map[string]any{name: merged}}), false)
	g, ok := p.Services[name]
	if !ok {
		l.fail()
	}
	l.normalise(&g)
	g.Name = name
	return g
}

// normalise does to a decoded service what compose-go's normalisation and
// consistency check do to the keys of the generic route.
func (l *fastLoader) normalise(g *types.ServiceConfig) {
	for k, v := range g.Environment {
		if v == nil {
			if val, ok := l.env[k]; ok {
				g.Environment[k] = &val
			}
		}
	}
	for i := range g.Volumes {
		g.Volumes[i].Target = path.Clean(g.Volumes[i].Target)
	}
	if g.PullPolicy == types.PullPolicyIfNotPresent {
		g.PullPolicy = types.PullPolicyMissing
	}
	if b := g.Build; b != nil {
		if len(b.AdditionalContexts) > 0 || len(b.Secrets) > 0 || len(b.Platforms) > 0 {
			l.fail() // checked against other services and secrets
		}
		if b.Args != nil {
			args := types.MappingWithEquals{}
			for k, v := range b.Args {
				if v == nil {
					val, ok := l.env[k]
					if !ok {
						continue
					}
					v = &val
				}
				args[k] = v
			}
			b.Args = args
		}
	}
	if h := g.HealthCheck; h != nil && len(h.Test) > 0 {
		switch h.Test[0] {
		case "CMD", "CMD-SHELL", "NONE":
		default:
			l.fail()
		}
	}
	if d := g.Deploy; d != nil && d.Replicas != nil && *d.Replicas < 0 {
		l.fail()
	}
}

// mergeFields copies g's set fields, and those of the keys given (which
// may be set to a zero value: `privileged: false` over true), onto s
// (embedded structs field by field). A field s has already gives up
// unless its key is in merged (decoded from the merge of both files).
func mergeFields(s, g reflect.Value, merged, given map[string]any, l *fastLoader) {
	t := g.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		gv, sv := g.Field(i), s.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			mergeFields(sv, gv, merged, given, l)
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		_, isGiven := given[key]
		if gv.IsZero() && (!isGiven || key == "") {
			continue
		}
		if !sv.IsZero() {
			if _, ok := merged[key]; !ok || key == "" {
				l.fail() // set by both: a merge would be field by field
			}
		}
		sv.Set(gv)
	}
}
