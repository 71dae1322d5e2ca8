package compose

import (
	"strconv"
	"strings"
)

// compose-go casts the strings it finds at some paths, after
// interpolation, to the number or boolean the field holds (its
// interpolateTypeCastMapping); the generic route must hand its steps the
// same values. Paths are relative to a service ("*" any key, "[]" any list
// item) or, in topCasts, to the document.
type castFunc func(string) (any, bool)

var (
	castInt = func(v string) (any, bool) {
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	castInt64 = func(v string) (any, bool) {
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	castFloat = func(v string) (any, bool) {
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	castFloat32 = func(v string) (any, bool) {
		f, err := strconv.ParseFloat(v, 32)
		return float32(f), err == nil
	}
	castBool = func(v string) (any, bool) {
		switch strings.ToLower(v) {
		case "true", "y", "yes", "on":
			return true, true
		case "false", "n", "no", "off":
			return false, true
		}
		return nil, false
	}
)

var serviceCasts = map[string]castFunc{
	"cpu_count": castInt64, "cpu_percent": castFloat, "cpu_period": castInt64, "cpu_quota": castInt64,
	"cpus": castFloat32, "cpu_shares": castInt64, "init": castBool,
	"networks.*.use_service_name_alias": castBool, "oom_kill_disable": castBool, "oom_score_adj": castInt64,
	"pids_limit": castInt64, "privileged": castBool, "read_only": castBool,
	"ulimits.*": castInt, "ulimits.*.hard": castInt, "ulimits.*.soft": castInt,
	"volumes.[].read_only": castBool, "volumes.[].volume.nocopy": castBool,
	"depends_on.*.required": castBool, "depends_on.*.restart": castBool,
	"healthcheck.retries": castInt, "healthcheck.disable": castBool, "ports.[].target": castInt,
	"stdin_open": castBool, "tty": castBool, "deploy.replicas": castInt,
	"deploy.update_config.parallelism": castInt, "deploy.update_config.max_failure_ratio": castFloat,
	"deploy.rollback_config.parallelism": castInt, "deploy.rollback_config.max_failure_ratio": castFloat,
	"deploy.restart_policy.max_attempts": castInt, "deploy.placement.max_replicas_per_node": castInt,
}

var topCasts = map[string]castFunc{
	"networks.*.external": castBool, "networks.*.internal": castBool, "networks.*.attachable": castBool,
	"networks.*.enable_ipv4": castBool, "networks.*.enable_ipv6": castBool,
	"volumes.*.external": castBool, "secrets.*.external": castBool, "configs.*.external": castBool,
}

// applyCasts casts, in place, the strings of v found at the paths of
// casts; ok is false when one does not parse (compose-go fails the load).
func applyCasts(v any, casts map[string]castFunc) (any, bool) {
	return castWalk(v, nil, casts)
}

func castWalk(v any, path []string, casts map[string]castFunc) (any, bool) {
	switch e := v.(type) {
	case string:
		if len(path) == 0 {
			return v, true
		}
		for pattern, c := range casts {
			if matchPath(pattern, path) {
				return c(e)
			}
		}
	case map[string]any:
		for k, x := range e {
			c, ok := castWalk(x, append(path, k), casts)
			if !ok {
				return nil, false
			}
			e[k] = c
		}
	case []any:
		for i, x := range e {
			c, ok := castWalk(x, append(path, "[]"), casts)
			if !ok {
				return nil, false
			}
			e[i] = c
		}
	}
	return v, true
}

// matchPath matches a dotted pattern ("*" any key) against a path.
func matchPath(pattern string, path []string) bool {
	parts := strings.Split(pattern, ".")
	if len(parts) != len(path) {
		return false
	}
	for i, p := range parts {
		if p != "*" && p != path[i] && !(p == "*" && path[i] == "[]") {
			return false
		}
	}
	return true
}
