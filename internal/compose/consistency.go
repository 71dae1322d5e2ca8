package compose

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/types"
)

// serviceConsistency runs, for one service, the reference checks of
// compose-go's consistency check (loader/validate.go) with its messages:
// an image or a build, and networks, services, volumes, configs and
// secrets that exist (declared holds, per kind, whether a name is).
// compose-go's own check is unexported and walks the services in map
// order, so that a project with several broken services names a different
// one on each run; decouple names the first in file order (stableDegraded).
func serviceConsistency(s types.ServiceConfig, declared map[string]func(string) bool) error {
	has := func(kind, name string) bool {
		// compose-go adds the default network to a project that uses it.
		return kind == "network" && name == "default" || declared[kind](name)
	}
	if s.Build == nil && s.Image == "" && s.Provider == nil {
		return fmt.Errorf("service %q has neither an image nor a build context specified: %w", s.Name, errdefs.ErrInvalid)
	}
	if b := s.Build; b != nil && b.Dockerfile != "" && b.DockerfileInline != "" {
		return fmt.Errorf("service %q declares mutualy exclusive dockerfile and dockerfile_inline: %w", s.Name, errdefs.ErrInvalid)
	}
	for _, n := range sortedKeys(s.Networks) {
		if !has("network", n) {
			return fmt.Errorf("service %q refers to undefined network %s: %w", s.Name, n, errdefs.ErrInvalid)
		}
	}
	for _, dep := range sortedKeys(s.DependsOn) {
		if !has("service", dep) {
			return fmt.Errorf("service %q depends on undefined service %q: %w", s.Name, dep, errdefs.ErrInvalid)
		}
	}
	if shared, ok := strings.CutPrefix(s.NetworkMode, types.ServicePrefix); ok && !has("service", shared) {
		return fmt.Errorf("service %q not found for network_mode 'service:%s'", shared, shared)
	}
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source != "" && !has("volume", v.Source) {
			return fmt.Errorf("service %q refers to undefined volume %s: %w", s.Name, v.Source, errdefs.ErrInvalid)
		}
	}
	for _, c := range s.Configs {
		if !has("config", c.Source) {
			return fmt.Errorf("service %q refers to undefined config %s: %w", s.Name, c.Source, errdefs.ErrInvalid)
		}
	}
	for _, sc := range s.Secrets {
		if !has("secret", sc.Source) {
			return fmt.Errorf("service %q refers to undefined secret %s: %w", s.Name, sc.Source, errdefs.ErrInvalid)
		}
	}
	return nil
}

// stableDegraded replaces compose-go's consistency error about one service
// by the same check's answer for the first broken service in file order,
// so that identical input gives an identical note. Errors of another kind,
// or when no service fails these checks, are kept.
func stableDegraded(err error, model *types.Project, files []*File) error {
	if err == nil || model == nil || !strings.HasPrefix(err.Error(), "service ") {
		return err
	}
	declared := map[string]func(string) bool{
		"network": inMap(model.Networks),
		"service": func(n string) bool { return inMap(model.Services)(n) || inMap(model.DisabledServices)(n) },
		"volume":  inMap(model.Volumes),
		"config":  inMap(model.Configs),
		"secret":  inMap(model.Secrets),
	}
	seen := map[string]bool{}
	var order []string
	for _, f := range files {
		for _, name := range f.ServiceNames() {
			if !seen[name] {
				seen[name] = true
				order = append(order, name)
			}
		}
	}
	for _, name := range sortedKeys(model.Services) {
		if !seen[name] {
			order = append(order, name)
		}
	}
	for _, name := range order {
		if s, ok := model.Services[name]; ok {
			if e := serviceConsistency(s, declared); e != nil {
				return e
			}
		}
	}
	return err
}

func sortedKeys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }

// inMap is a map's key set as a predicate.
func inMap[M ~map[string]V, V any](m M) func(string) bool {
	return func(k string) bool { _, ok := m[k]; return ok }
}
