package compose

import (
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/paths"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// directKeys decode the long-tail service keys real files use most in
// their plain shapes, without the generic route's per-node steps (which
// cost as much as compose-go's own load). Each takes only shapes where
// compose-go's canonical form, unicity and defaults change nothing, and
// gives up on anything else (and in an override file), which sends the
// key to the generic route.
var directKeys = map[string]func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node){
	"labels":      func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Labels = l.labels(v) },
	"platform":    func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Platform = l.str(v) },
	"stop_signal": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.StopSignal = l.str(v) },
	"ipc":         func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Ipc = l.str(v) },
	"pid":         func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Pid = l.str(v) },
	"runtime":     func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Runtime = l.str(v) },
	"domainname":  func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.DomainName = l.str(v) },
	"pull_policy": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) {
		s.PullPolicy = l.str(v)
		if !pullPolicy.MatchString(s.PullPolicy) {
			l.fail() // compose-go's schema refuses it
		}
		if s.PullPolicy == types.PullPolicyIfNotPresent {
			s.PullPolicy = types.PullPolicyMissing // compose-go's normalisation
		}
	},
	"privileged":       func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Privileged = l.boolean(v) },
	"read_only":        func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.ReadOnly = l.boolean(v) },
	"oom_kill_disable": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.OomKillDisable = l.boolean(v) },
	"shm_size":         func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.ShmSize = l.bytes(v) },
	"mem_limit":        func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.MemLimit = l.bytes(v) },
	"mem_reservation":  func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.MemReservation = l.bytes(v) },
	"memswap_limit":    func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.MemSwapLimit = l.bytes(v) },
	"stop_grace_period": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) {
		text := l.str(v)
		if !goDuration.MatchString(text) {
			l.fail()
		}
		d := new(types.Duration)
		if err := d.DecodeMapstructure(text); err != nil {
			l.fail()
		}
		s.StopGracePeriod = d
	},
	"cap_add":      func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.CapAdd = l.uniqueList(v) },
	"cap_drop":     func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.CapDrop = l.uniqueList(v) },
	"security_opt": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.SecurityOpt = l.uniqueList(v) },
	"dns_opt":      func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.DNSOpts = l.uniqueList(v) },
	"dns":          func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.DNS = l.stringOrList(v) },
	"dns_search":   func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.DNSSearch = l.stringOrList(v) },
	"tmpfs":        func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Tmpfs = l.stringOrList(v) },
	"extra_hosts":  func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.ExtraHosts = l.extraHosts(v) },
	"sysctls":      func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Sysctls = l.sysctls(v) },
	"ulimits":      func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.Ulimits = l.ulimits(v) },
	"env_file":     func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) { s.EnvFiles = l.envFiles(v) },
	// The short syntax only: a list of names, mounted where compose-go's
	// defaults put them.
	"secrets": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) {
		for _, name := range l.names(v) {
			s.Secrets = append(s.Secrets, types.ServiceSecretConfig{Source: name, Target: "/run/secrets/" + name})
		}
	},
	"configs": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) {
		for _, name := range l.names(v) {
			s.Configs = append(s.Configs, types.ServiceConfigObjConfig{Source: name})
		}
	},
}

// directMerges merge a direct key over a service that sets it too, where
// compose-go's merge is one by key (mergeKeyValueSequence): the new value
// of a key wins. A key holding "=" would be split there, so it gives up.
var directMerges = map[string]func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node){
	"labels": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) {
		s.Labels = mergeByKey(l, s.Labels, l.labels(v))
	},
	"sysctls": func(l *fastLoader, s *types.ServiceConfig, v *yaml.Node) {
		s.Sysctls = mergeByKey(l, s.Sysctls, l.sysctls(v))
	},
}

func mergeByKey[M ~map[string]string](l *fastLoader, base, over M) M {
	out := make(M, len(base)+len(over))
	for _, m := range []M{base, over} {
		for k, v := range m {
			if strings.Contains(k, "=") {
				l.fail()
			}
			out[k] = v
		}
	}
	return out
}

// directFields is the field of types.ServiceConfig (an index path through
// its embedded structs) each of directKeys sets, by its yaml tag.
var directFields = func() map[string][]int {
	out := map[string][]int{}
	var walk func(t reflect.Type, at []int)
	walk = func(t reflect.Type, at []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			index := append(at[:len(at):len(at)], i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, index)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if _, ok := directKeys[name]; ok {
				out[name] = index
			}
		}
	}
	walk(reflect.TypeFor[types.ServiceConfig](), nil)
	return out
}()

// directFieldZero says whether the field a direct key sets is unset in s.
// Over a service (an override file's, or the base an extends names)
// that does not set it, compose-go's merge takes the new value as it is,
// so the handler may read it; a value set on both sides is merged by the
// generic route.
func directFieldZero(s *types.ServiceConfig, key string) bool {
	i, ok := directFields[key]
	return ok && reflect.ValueOf(s).Elem().FieldByIndex(i).IsZero()
}

// goDuration is a duration both compose-go's schema and its decoding read
// alike.
var goDuration = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`)

func (l *fastLoader) boolean(v *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || (v.Value != "true" && v.Value != "false") {
		l.fail()
	}
	return v.Value == "true"
}

func (l *fastLoader) bytes(v *yaml.Node) types.UnitBytes {
	var u types.UnitBytes
	var err error
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!int" && plainScalar.MatchString(v.Value):
		n, ok := l.raw(v).(int)
		if !ok {
			l.fail()
		}
		err = u.DecodeMapstructure(n)
	default:
		err = u.DecodeMapstructure(l.str(v))
	}
	if err != nil {
		l.fail()
	}
	return u
}

// uniqueList is a list of distinct non-empty strings.
func (l *fastLoader) uniqueList(v *yaml.Node) []string {
	list := l.strings(v)
	seen := map[string]bool{}
	for _, e := range list {
		if e == "" || seen[e] {
			l.fail() // compose-go's unicity and omission would change it
		}
		seen[e] = true
	}
	return list
}

// names is a non-empty list of distinct names.
func (l *fastLoader) names(v *yaml.Node) []string {
	list := l.uniqueList(v)
	if len(list) == 0 {
		l.fail()
	}
	return list
}

func (l *fastLoader) stringOrList(v *yaml.Node) types.StringList {
	if v.Kind == yaml.ScalarNode {
		s := l.str(v)
		if s == "" {
			l.fail()
		}
		return types.StringList{s}
	}
	return l.uniqueList(v)
}

// keyValues reads a list of K=V strings with distinct keys, or a map of
// scalars, as the value compose-go decodes.
func (l *fastLoader) keyValues(v *yaml.Node) any {
	switch v.Kind {
	case yaml.SequenceNode:
		seen := map[string]bool{}
		out := make([]any, 0, len(v.Content))
		for _, e := range l.strings(v) {
			k, _, _ := strings.Cut(e, "=")
			if seen[k] {
				l.fail()
			}
			seen[k] = true
			out = append(out, e)
		}
		return out
	case yaml.MappingNode:
		m, ok := l.raw(v).(map[string]any)
		if !ok {
			l.fail()
		}
		for k, e := range m {
			switch e.(type) {
			case string, int, bool, nil:
			default:
				l.fail()
			}
			if strings.HasPrefix(k, "x-") {
				l.fail() // compose-go moves it to extensions
			}
		}
		return m
	}
	l.fail()
	return nil
}

func (l *fastLoader) labels(v *yaml.Node) types.Labels {
	var out types.Labels
	if err := out.DecodeMapstructure(l.keyValues(v)); err != nil {
		l.fail()
	}
	return out
}

func (l *fastLoader) sysctls(v *yaml.Node) types.Mapping {
	var out types.Mapping
	if err := out.DecodeMapstructure(l.keyValues(v)); err != nil {
		l.fail()
	}
	return out
}

func (l *fastLoader) extraHosts(v *yaml.Node) types.HostsList {
	var val any
	switch v.Kind {
	case yaml.SequenceNode:
		list := l.uniqueList(v)
		items := make([]any, len(list))
		for i, e := range list {
			items[i] = e
		}
		val = items
	case yaml.MappingNode:
		m := map[string]any{}
		for _, kv := range l.pairs(v) {
			if strings.HasPrefix(kv[0].Value, "x-") {
				l.fail()
			}
			m[kv[0].Value] = l.str(kv[1])
		}
		val = m
	default:
		l.fail()
	}
	var out types.HostsList
	if err := out.DecodeMapstructure(val); err != nil {
		l.fail()
	}
	return out
}

func (l *fastLoader) ulimits(v *yaml.Node) map[string]*types.UlimitsConfig {
	if v.Kind != yaml.MappingNode {
		l.fail()
	}
	intValue := func(n *yaml.Node) int {
		n = resolveAlias(n)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || !plainScalar.MatchString(n.Value) {
			l.fail()
		}
		i, ok := l.raw(n).(int)
		if !ok {
			l.fail()
		}
		return i
	}
	out := map[string]*types.UlimitsConfig{}
	for _, kv := range l.pairs(v) {
		u := &types.UlimitsConfig{}
		lv := resolveAlias(kv[1])
		switch lv.Kind {
		case yaml.ScalarNode:
			u.Single = intValue(lv)
		case yaml.MappingNode:
			var soft, hard bool
			for _, skv := range l.pairs(lv) {
				switch skv[0].Value {
				case "soft":
					u.Soft, soft = intValue(skv[1]), true
				case "hard":
					u.Hard, hard = intValue(skv[1]), true
				default:
					l.fail()
				}
			}
			if !soft || !hard {
				l.fail() // the schema requires both
			}
		default:
			l.fail()
		}
		if strings.HasPrefix(kv[0].Value, "x-") {
			l.fail()
		}
		out[kv[0].Value] = u
	}
	return out
}

// envFiles reads env_file: a path, a list of paths, or of {path,
// required, format}, distinct, resolved against the project folder.
func (l *fastLoader) envFiles(v *yaml.Node) []types.EnvFile {
	var items []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{v}
	case yaml.SequenceNode:
		items = v.Content
	default:
		l.fail()
	}
	abs := func(p string) string {
		p = paths.ExpandUser(p)
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(l.dir, p)
	}
	seen := map[string]bool{}
	var out []types.EnvFile
	for _, it := range items {
		it = resolveAlias(it)
		f := types.EnvFile{Required: true}
		switch it.Kind {
		case yaml.ScalarNode:
			f.Path = l.str(it)
		case yaml.MappingNode:
			for _, kv := range l.pairs(it) {
				switch kv[0].Value {
				case "path":
					f.Path = l.str(kv[1])
				case "required":
					f.Required = types.OptOut(l.boolean(resolveAlias(kv[1])))
				case "format":
					f.Format = l.str(kv[1])
				default:
					l.fail()
				}
			}
		default:
			l.fail()
		}
		if f.Path == "" || seen[f.Path] {
			l.fail()
		}
		seen[f.Path] = true
		f.Path = abs(f.Path)
		out = append(out, f)
	}
	if len(out) == 0 {
		l.fail()
	}
	return out
}
