package compose

// The fast path's key handlers: each service key the fast path reads
// itself, to the value compose-go would decode.

import (
	"net"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/paths"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

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
