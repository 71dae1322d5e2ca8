// Package gen writes a deterministic, seeded monorepo for decouple's
// benchmarks: compose projects (one compose file each, 3 to 20 services)
// with the Dockerfiles, package.json files and sources their services
// build, plus standalone Dockerfiles. It returns its own ground truth: the
// services and standalone Dockerfiles whose image bundles the Node runtime
// with app code, which is exactly what DC001 must report.
//
// The same Config always writes the same bytes: every choice comes from one
// PCG stream seeded by Config.Seed, and nothing depends on map order, time
// or the environment.
package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Config says what to generate.
type Config struct {
	Seed int64
	// Compose is the number of compose projects, one compose file each.
	Compose int
	// Dockerfiles is the number of standalone Dockerfiles (built by no
	// compose service), each in its own folder.
	Dockerfiles int
	// Files, when > 0, overrides Compose and Dockerfiles: compose projects
	// are added until they hold half of Files linted files (compose files
	// plus their Dockerfiles), and standalone Dockerfiles make up the rest,
	// so the tree holds exactly Files files that decouple lints (or a few
	// more for tiny values, when one project alone overshoots).
	Files int
	// MinServices and MaxServices bound the services per compose file;
	// zero means 3 and 20.
	MinServices, MaxServices int
	// Single writes the smallest real project instead: one compose file
	// (a bundled Node web service, postgres, redis) and its one Dockerfile.
	Single bool
	// LongTail adds the keys compose files written by others carry
	// (labels, env_file, secrets, long ports, ...; see longTail) at
	// realistic rates. Off, the tree is the same as before it existed.
	LongTail bool
}

// Manifest describes a generated tree. Paths are slash paths relative to
// the tree root.
type Manifest struct {
	Seed int64 `json:"seed"`
	// ComposeFiles are the compose files decouple discovers, one per project.
	ComposeFiles []string `json:"compose_files"`
	// ExtendsBases are the common.yml files that services extend: compose
	// files too, found by their content, each a project of its own.
	ExtendsBases []string `json:"extends_bases,omitempty"`
	// Dockerfiles are every Dockerfile written, in projects and standalone.
	Dockerfiles []string `json:"dockerfiles"`
	// Standalone are the Dockerfiles no compose file refers to.
	Standalone []string `json:"standalone"`
	// Services counts the services of all compose files.
	Services int `json:"services"`
	// Kinds counts services and standalone Dockerfiles by kind (see the
	// Kind constants), to show the mix.
	Kinds map[string]int `json:"kinds"`
	// Written counts every file written, sources and manifests included.
	Written int `json:"written"`
	// Bundled is the ground truth for DC001, sorted: "DIR#SERVICE" for a
	// compose service (DIR is the folder of its compose file, "." for the
	// root) and the Dockerfile path for a Dockerfile judged on its own.
	Bundled []string `json:"bundled"`
}

// Linted is the number of files decouple lints: compose files and
// Dockerfiles.
func (m *Manifest) Linted() int { return len(m.ComposeFiles) + len(m.Dockerfiles) }

// ServiceKey is the ground-truth key of a compose service.
func ServiceKey(composeDir, service string) string { return composeDir + "#" + service }

// Kinds of services and standalone Dockerfiles.
const (
	// Compose services.
	KindNodeBundled    = "node-bundled"        // single stage node + COPY . . (bundled)
	KindNodeBundledBM  = "node-bundled-mount"  // the same with a bind mount over the code (bundled)
	KindNodeMulti      = "node-multistage"     // node builder -> node runtime stage (bundled)
	KindNodeNginx      = "node-nginx"          // node builder -> nginx final stage (not bundled)
	KindNodeTarget     = "node-target-dev"     // build.target of the node dev stage of a nginx Dockerfile (bundled)
	KindNodeTargetProd = "node-target-prod"    // build.target naming the nginx final stage (not bundled)
	KindNodeDevfile    = "node-dockerfile-dev" // dockerfile: Dockerfile.dev, single stage (bundled)
	KindNodeRuntime    = "node-runtime-mount"  // image: node + bind-mounted code (not bundled)
	KindExtends        = "extends"             // extends a service of the same file
	KindExtendsFile    = "extends-file"        // extends a service of common.yml
	KindBuiltBy        = "image-built-by"      // runs the image another service builds
	KindPython         = "python"              // python image + COPY . . (not Node)
	KindGo             = "go"                  // golang builder -> distroless (not Node)
	KindPostgres       = "postgres"            // image only
	KindRedis          = "redis"               // image only
	KindInfra          = "infra"               // other image-only services
	KindDFBundled      = "dockerfile-node-bundled"
	KindDFMulti        = "dockerfile-node-multistage"
	KindDFDistroless   = "dockerfile-node-distroless"
	KindDFApt          = "dockerfile-node-apt"
	KindDFNginx        = "dockerfile-node-nginx"
	KindDFDeps         = "dockerfile-node-deps-only"
	KindDFPython       = "dockerfile-python"
	KindDFGo           = "dockerfile-go"
)

// Generate writes a tree under root (created if missing; it should be
// empty) and returns its manifest.
func Generate(root string, cfg Config) (*Manifest, error) {
	if cfg.MinServices <= 0 {
		cfg.MinServices = 3
	}
	if cfg.MaxServices <= 0 {
		cfg.MaxServices = 20
	}
	if cfg.MinServices < 3 {
		return nil, fmt.Errorf("gen: at least 3 services per compose file, not %d", cfg.MinServices)
	}
	if cfg.MaxServices < cfg.MinServices {
		return nil, fmt.Errorf("gen: MaxServices %d < MinServices %d", cfg.MaxServices, cfg.MinServices)
	}
	if cfg.Compose < 0 || cfg.Dockerfiles < 0 || cfg.Files < 0 {
		return nil, fmt.Errorf("gen: negative size")
	}
	g := &generator{
		root:    root,
		cfg:     cfg,
		rng:     rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x9e3779b97f4a7c15)),
		m:       &Manifest{Seed: cfg.Seed, Kinds: map[string]int{}},
		bundled: map[string]bool{},
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	g.write(".gitignore", "node_modules/\n*.log\n.DS_Store\ncoverage/\n")
	switch {
	case cfg.Single:
		g.single()
	case cfg.Files > 0:
		for i := 0; g.m.Linted() < cfg.Files/2 || i == 0; i++ {
			g.project(i)
		}
		for i := 0; g.m.Linted() < cfg.Files; i++ {
			g.standalone(i)
		}
	default:
		for i := 0; i < cfg.Compose; i++ {
			g.project(i)
		}
		for i := 0; i < cfg.Dockerfiles; i++ {
			g.standalone(i)
		}
	}
	if g.err != nil {
		return nil, g.err
	}
	for k := range g.bundled {
		g.m.Bundled = append(g.m.Bundled, k)
	}
	sort.Strings(g.m.Bundled)
	sort.Strings(g.m.ComposeFiles)
	sort.Strings(g.m.Dockerfiles)
	sort.Strings(g.m.Standalone)
	return g.m, nil
}

// WriteManifest saves a manifest as indented JSON.
func WriteManifest(path string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

type generator struct {
	root    string
	cfg     Config
	rng     *rand.Rand
	m       *Manifest
	bundled map[string]bool
	err     error
}

// write creates a file (and its folders) under the root; the first error
// sticks and later writes do nothing.
func (g *generator) write(rel, content string) {
	if g.err != nil {
		return
	}
	p := filepath.Join(g.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.err = err
		return
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		g.err = err
		return
	}
	g.m.Written++
}

func (g *generator) intn(n int) int { return g.rng.IntN(n) }

// between is uniform in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// weighted picks an index with the given weights.
func (g *generator) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := g.rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for range n {
		b.WriteByte(digits[g.rng.IntN(16)])
	}
	return b.String()
}

// markDockerfile records a Dockerfile written at rel.
func (g *generator) markDockerfile(rel string) { g.m.Dockerfiles = append(g.m.Dockerfiles, rel) }

// markBundled records a ground-truth finding.
func (g *generator) markBundled(key string) { g.bundled[key] = true }

func join(elem ...string) string { return path.Join(elem...) }
