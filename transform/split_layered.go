package transform

// The layered split: a service declared in a base file whose build: a
// variant layered on it (docker compose -f base.yml -f dev.yml) sets again.
// The split is written into the variant, where the build that runs is; the
// build the base file gives the service is dropped there with Compose's
// `build: !reset`, so the merged runtime pulls the stock image instead of
// building the base's app image under its name. The base file is not
// touched: the projects that do not layer this variant keep their build.
// The tag needs Compose 2.24 or later, so the fix is unsafe and says so.
// It is not gated on the files' version: key, which DC005 removes in the
// same run (the gate would flip, and a second run would split).

import (
	"fmt"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/compose"
)

// layeredBaseKeys are the keys of the base file's service that the split
// cannot leave there: the runtime it writes into the variant decides them
// (the command, the working folder, the user, the volumes), and the checks
// that keep them read the variant alone. The base may set the others
// (image, ports, environment, depends_on and the like), which the merge
// keeps on the runtime.
var layeredBaseKeys = []string{
	"command", "entrypoint", "working_dir", "user", "init", "stop_signal", "healthcheck",
	"volumes", "volumes_from", "env_file", "profiles", "extends",
}

// checkLayered says why the layered split cannot be made, or "", and
// records the base file's service for the plan.
func (p *splitPlan) checkLayered() string {
	s, rel := p.s, p.ws.Rel
	base, variant := s.Key.File, s.Build.File
	byHand := fmt.Sprintf("split it by hand (docker compose -f %s -f %s), as `decouple explain DC001` shows", rel(base.Path), rel(variant.Path))
	if base.Legacy || variant.Legacy {
		return fmt.Sprintf("the service is declared in %s and its build: is set in %s, layered on it, and one of them is a Compose v1 file without services:; %s", rel(base.Path), rel(variant.Path), byHand)
	}
	if filepath.Dir(base.Path) != filepath.Dir(variant.Path) {
		return fmt.Sprintf("the service is declared in %s and its build: is set in %s, layered on it from another folder, where the base's relative paths mean something else; %s", rel(base.Path), rel(variant.Path), byHand)
	}
	_, bv := base.ServiceNode(s.Name)
	if bv == nil || bv.Kind != yaml.MappingNode {
		return fmt.Sprintf("the service is not a block mapping in %s; %s", rel(base.Path), byHand)
	}
	for _, key := range layeredBaseKeys {
		if k, _ := compose.MapGet(bv, key); k != nil {
			return fmt.Sprintf("the service is declared in %s, which also sets %s: for it (%s:%d), and its build: is set in %s, layered on it; the split of the variant cannot carry that key over; %s",
				rel(base.Path), key, rel(base.Path), k.Line, rel(variant.Path), byHand)
		}
	}
	_, build := compose.MapGet(bv, "build")
	if build != nil && build.Kind != yaml.ScalarNode && (build.Kind != yaml.MappingNode || build.Style&yaml.FlowStyle != 0) {
		return fmt.Sprintf("the service's build: in %s is not a string or a block mapping; %s", rel(base.Path), byHand)
	}
	_, vs := variant.ServiceNode(s.Name)
	_, vb := compose.MapGet(vs, "build")
	if build != nil && build.Kind == yaml.MappingNode && vb != nil && vb.Kind == yaml.MappingNode {
		// Both set a map or a list (args, labels): Compose merges them by
		// key, the code service would hold only the variant's.
		for i := 0; i+1 < len(build.Content); i += 2 {
			key := build.Content[i].Value
			if _, v := compose.MapGet(vb, key); v != nil && v.Kind != yaml.ScalarNode && build.Content[i+1].Kind != yaml.ScalarNode {
				return fmt.Sprintf("both %s and %s set build.%s for the service, which Compose merges; %s", rel(base.Path), rel(variant.Path), key, byHand)
			}
		}
	}
	if k, _ := base.ServiceNode(p.codeSvc); k != nil {
		return fmt.Sprintf("a service named %q already exists in %s", p.codeSvc, rel(base.Path))
	}
	p.layerBase, p.layerBuild = base, build
	// Older Compose v2 releases reject the tag: the file would not load.
	p.unsafe = append(p.unsafe, fmt.Sprintf("%s drops the build %s gives the service with `build: !reset null`, which Compose reads from 2.24 on", rel(variant.Path), rel(base.Path)))
	return ""
}
