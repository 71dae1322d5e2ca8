package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/decouple-dev/decouple/bench/gen"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestFastPathDifferential runs the compose fast path and compose-go over
// every compose file of the script archives, the shared corpus (when
// present) and small generated trees (plain and long-tail), and requires the same services,
// fields, notes and lint findings.
func TestFastPathDifferential(t *testing.T) {
	var dirs []string
	archives, _ := filepath.Glob("../testdata/script/*.txtar")
	for _, a := range archives {
		dir := t.TempDir()
		if n := extractTxtar(t, a, dir); n > 0 {
			dirs = append(dirs, dir)
		}
	}
	if cases, err := os.ReadDir("../../shared/corpus/cases"); err == nil {
		for _, c := range cases {
			if c.IsDir() {
				abs, _ := filepath.Abs(filepath.Join("../../shared/corpus/cases", c.Name()))
				dirs = append(dirs, abs)
			}
		}
	}
	genDir := t.TempDir()
	if _, err := gen.Generate(genDir, gen.Config{Seed: 7, Compose: 40, Dockerfiles: 5}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, genDir)
	longDir := t.TempDir()
	if _, err := gen.Generate(longDir, gen.Config{Seed: 8, Compose: 40, Dockerfiles: 2, LongTail: true}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, longDir)
	fast, total := 0, 0
	for _, dir := range dirs {
		slow, slowModels := runBoth(t, dir, false)
		quick, quickModels := runBoth(t, dir, true)
		for path, m := range slowModels {
			q := quickModels[path]
			if m == nil || q == nil {
				continue
			}
			for name, svc := range m.Services {
				if !reflect.DeepEqual(svc, q.Services[name]) {
					t.Errorf("%s: service %q: models differ:\n%#v\n%#v", path, name, svc, q.Services[name])
				}
			}
			if !reflect.DeepEqual(m.Networks, q.Networks) || !reflect.DeepEqual(m.Volumes, q.Volumes) ||
				!reflect.DeepEqual(m.Secrets, q.Secrets) || !reflect.DeepEqual(m.Configs, q.Configs) {
				t.Errorf("%s: top-level networks, volumes, secrets or configs differ:\n%#v %#v %#v %#v\n%#v %#v %#v %#v", path,
					m.Networks, m.Volumes, m.Secrets, m.Configs, q.Networks, q.Volumes, q.Secrets, q.Configs)
			}
		}
		if slow != quick {
			sl, ql := strings.Split(slow, "\n"), strings.Split(quick, "\n")
			var diff []string
			for i := 0; i < len(sl) || i < len(ql); i++ {
				var a, c string
				if i < len(sl) {
					a = sl[i]
				}
				if i < len(ql) {
					c = ql[i]
				}
				if a != c {
					diff = append(diff, "- "+a, "+ "+c)
				}
			}
			t.Errorf("%s: fast path differs from compose-go (- compose-go, + fast):\n%s", dir, strings.Join(diff, "\n"))
		}
		f, n := countFast(dir)
		fast += f
		total += n
	}
	t.Logf("%d dirs; fast path took %d of %d projects", len(dirs), fast, total)
	if fast == 0 {
		t.Error("the fast path loaded no project")
	}
}

// countFast counts the projects the fast path loads alone.
func countFast(dir string) (fast, total int) {
	ws, err := workspace.Load(workspace.Options{Paths: []string{dir}})
	if err != nil {
		return 0, 0
	}
	for _, p := range ws.Projects {
		total++
		if p.Fast {
			fast++
		}
	}
	return fast, total
}

// undefinedName matches compose-go's consistency error, which names
// whichever undefined network or volume its map iteration met first: two
// loads of one file may name different ones.
var undefinedName = regexp.MustCompile(`(refers to undefined (?:network|volume|secret|config)|depends on undefined service) \S+`)

// runBoth loads and lints dir with the fast path on or off and renders
// what decouple reads.
func runBoth(t *testing.T, dir string, fast bool) (string, map[string]*types.Project) {
	t.Helper()
	models := map[string]*types.Project{}
	var b strings.Builder
	res, err := lint.Run(lint.Options{Load: workspace.Options{Paths: []string{dir}, Limits: workspace.Limits{NoFastPath: !fast}}})
	if err != nil {
		return "error: " + err.Error(), nil
	}
	for _, e := range res.WS.Errors {
		fmt.Fprintf(&b, "note %s fatal=%v\n", undefinedName.ReplaceAllString(e.Error(), "$1"), e.Fatal)
	}
	for _, p := range res.WS.Projects {
		fmt.Fprintf(&b, "project %s unresolved=%v degraded=%q\n", p.Dir, p.Unresolved, undefinedName.ReplaceAllString(p.Degraded, "$1"))
		var key []string
		for _, f := range p.Files {
			key = append(key, f.Path)
		}
		models[strings.Join(key, ",")] = p.Model
		if p.Model != nil {
			// The whole model, not only what the rules read: the fix
			// checks compare it before and after an edit.
			names := make([]string, 0, len(p.Model.Services))
			for n := range p.Model.Services {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				j, _ := json.Marshal(p.Model.Services[n])
				fmt.Fprintf(&b, "  model %s %s\n", n, j)
			}
			nj, _ := json.Marshal(p.Model.Networks)
			vj, _ := json.Marshal(p.Model.Volumes)
			fmt.Fprintf(&b, "  networks %s\n  volumes %s\n", nj, vj)
		}
		for _, s := range p.Services {
			c := s.Config
			fmt.Fprintf(&b, "  service %s image=%q workdir=%q profiles=%v volumes_from=%v\n", s.Name, c.Image, c.WorkingDir, c.Profiles, c.VolumesFrom)
			fmt.Fprintf(&b, "    command=%q entrypoint=%q\n", []string(c.Command), []string(c.Entrypoint))
			var keys []string
			for k, v := range c.Environment {
				val := "<nil>"
				if v != nil {
					val = *v
				}
				keys = append(keys, k+"="+val)
			}
			sort.Strings(keys)
			fmt.Fprintf(&b, "    environment=%q\n", keys)
			for _, v := range c.Volumes {
				fmt.Fprintf(&b, "    volume %s %s -> %s ro=%v\n", v.Type, v.Source, v.Target, v.ReadOnly)
			}
			if bc := c.Build; bc != nil {
				var args []string
				for k, v := range bc.Args {
					val := "<nil>"
					if v != nil {
						val = *v
					}
					args = append(args, k+"="+val)
				}
				sort.Strings(args)
				fmt.Fprintf(&b, "    build context=%q dockerfile=%q inline=%q target=%q args=%q\n", bc.Context, bc.Dockerfile, bc.DockerfileInline, bc.Target, args)
			}
			if s.BuiltBy != nil {
				fmt.Fprintf(&b, "    built by %s\n", s.BuiltBy.Name)
			}
			fmt.Fprintf(&b, "    unjudged=%q\n", s.Unjudged)
		}
	}
	for _, d := range res.Diagnostics {
		d.Rule = nil
		j, _ := json.Marshal(d)
		fmt.Fprintf(&b, "diag %s\n", j)
	}
	return b.String(), models
}

// extractTxtar writes the files of a txtar archive under dir and returns
// how many compose-like files it held.
func extractTxtar(t *testing.T, archive, dir string) int {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name, ".yml") || strings.HasSuffix(f.Name, ".yaml") {
			n++
		}
	}
	return n
}
