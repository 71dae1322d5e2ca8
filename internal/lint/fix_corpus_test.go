package lint

import (
	"cmp"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
)

// corpusDir is the shared labelled corpus; CI has it beside the clone.
// DECOUPLE_CORPUS_CASES points the corpus tests at another set of cases
// (repositories tried locally) to measure them the same way.
var corpusDir = cmp.Or(os.Getenv("DECOUPLE_CORPUS_CASES"), "../../../shared/corpus/cases")

// TestFixPropertiesOnCorpus applies --fix --unsafe-fixes to every corpus
// case and checks the split's properties: changed compose files still load,
// fixed services are no longer flagged, a second fix changes nothing,
// comments and ${VAR} text survive, and only the keys the split must change
// differ in compose-go's model.
func TestFixPropertiesOnCorpus(t *testing.T) {
	cases, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("corpus not present (%v): the handwritten fixtures cover the fix", err)
	}
	var flagged, fixed, refused int
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(corpusDir, c.Name()))); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			before, err := Run(Options{Rules: rules.Settings{Strategy: "build"}})
			if err != nil {
				t.Fatal(err)
			}
			models := map[string]*types.Project{}
			originals := map[string][]byte{}
			for _, p := range before.WS.Projects {
				if len(p.Files) == 1 {
					models[p.Files[0].Path] = p.Model
				}
			}
			fixedSvc := map[string]bool{}
			for _, d := range before.Diagnostics {
				if d.Rule.Code != "DC001" || d.Service == "" {
					continue
				}
				flagged++
				if d.Fix == nil {
					refused++
					if d.FixRefused == "" {
						t.Errorf("%s: DC001 on %q has neither a fix nor a reason", d.Pos, d.Service)
					}
					continue
				}
				fixed++
			}
			plan, err := PlanFixes(dir, before.Diagnostics, true)
			if err != nil {
				t.Fatal(err)
			}
			// A fix skipped for a clash (two fixes creating one file
			// differently) is not applied by this run.
			for _, d := range plan.Applied {
				if d.Rule.Code == "DC001" && d.Service != "" {
					fixedSvc[d.Pos.File+"\x00"+d.Service] = true
				}
			}
			for _, ch := range plan.Changes {
				originals[ch.Path] = ch.Old
			}
			if err := edit.Commit(dir, plan.Changes); err != nil {
				t.Fatal(err)
			}
			after, err := Run(Options{Rules: rules.Settings{Strategy: "build"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range after.Diagnostics {
				if d.Rule.Code == "DC001" && fixedSvc[d.Pos.File+"\x00"+d.Service] {
					t.Errorf("still flagged after the fix: %s %q", d.Pos, d.Service)
				}
			}
			checkRuntimeContract(t, after.WS)
			for _, d := range before.Diagnostics {
				if d.Rule.Code != "DC001" {
					continue
				}
				switch {
				case d.Fix == nil:
					t.Logf("refused %s %s: %s", d.Pos, d.Service, d.FixRefused)
				case !d.Fix.Safe:
					t.Logf("unsafe  %s %s: %s", d.Pos, d.Service, d.Fix.Message)
				default:
					t.Logf("applied %s %s", d.Pos, d.Service)
				}
			}
			again, err := PlanFixes(dir, after.Diagnostics, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range again.Changes {
				if _, touched := originals[ch.Path]; touched {
					t.Errorf("second --fix changes %s again: not idempotent", ch.Path)
				}
			}
			for path, old := range originals {
				if !strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml") || len(old) == 0 {
					continue
				}
				now, err := os.ReadFile(filepath.Join(dir, path))
				if err != nil {
					t.Fatal(err)
				}
				checkPreserved(t, path, old, now)
				abs := filepath.Join(dir, path)
				prev, loaded := models[abs]
				p, err := compose.LoadLimited([]string{abs}, compose.Limits{})
				if loaded && prev != nil && (err != nil || p.Model == nil) {
					t.Errorf("%s no longer loads: %v", path, err)
					continue
				}
				if prev != nil && p != nil && p.Model != nil {
					compareModels(t, path, prev, p.Model)
				}
			}
		})
	}
	t.Logf("DC001 on compose services: %d flagged, %d with a fix, %d refused with a reason", flagged, fixed, refused)
	// The issue asks for 80%; the split reaches 26 of 30 today. The rest are
	// refused with reasons (Node installed in the same stage as the code, build: only in
	// a layered variant file).
	if flagged > 0 && fixed*100 < flagged*80 {
		t.Errorf("only %d of %d flagged services are fixable; the floor is 80%%", fixed, flagged)
	}
}

var varText = regexp.MustCompile(`\$\{[^}]*\}`)

// checkPreserved: every comment line and every ${VAR} text survives.
func checkPreserved(t *testing.T, path string, old, now []byte) {
	t.Helper()
	for _, line := range strings.Split(string(old), "\n") {
		if c := strings.TrimSpace(line); strings.HasPrefix(c, "#") && !strings.Contains(string(now), c) {
			t.Errorf("%s: comment lost: %q", path, c)
		}
	}
	for _, v := range varText.FindAllString(string(old), -1) {
		if !strings.Contains(string(now), v) {
			t.Errorf("%s: interpolation text lost: %s", path, v)
		}
	}
	if strings.Contains(string(old), "\r\n") && strings.Count(string(now), "\n") != strings.Count(string(now), "\r\n") {
		t.Errorf("%s: CRLF line endings not kept", path)
	}
}

// compareModels checks that a fixed project differs from the original only
// in the keys the split must change, plus the new code services.
func compareModels(t *testing.T, path string, before, after *types.Project) {
	t.Helper()
	for name, b := range before.Services {
		a, ok := after.Services[name]
		if !ok {
			t.Errorf("%s: service %q disappeared", path, name)
			continue
		}
		if !reflect.DeepEqual(splitKeysCleared(b, before), splitKeysCleared(a, before)) {
			t.Errorf("%s: service %q changed beyond the split's keys", path, name)
		}
	}
	for name := range after.Services {
		if _, ok := before.Services[name]; !ok && !strings.HasSuffix(name, "-code") {
			t.Errorf("%s: unexpected new service %q", path, name)
		}
	}
	if !reflect.DeepEqual(before.Networks, after.Networks) {
		t.Errorf("%s: top-level networks changed:\n%#v\n%#v", path, before.Networks, after.Networks)
	}
	// Volumes may only be added: the named volumes that keep an old
	// image's data volumes.
	for name, v := range before.Volumes {
		if !reflect.DeepEqual(after.Volumes[name], v) {
			t.Errorf("%s: top-level volume %q changed", path, name)
		}
	}
}

// splitKeysCleared clears what the split may change: the runtime keys, the
// anonymous volumes inside the code path (moved into the code stage) and
// the named volumes it adds (not declared before).
func splitKeysCleared(s types.ServiceConfig, before *types.Project) types.ServiceConfig {
	s.Build, s.Image, s.VolumesFrom, s.WorkingDir = nil, "", nil, ""
	s.Command, s.Entrypoint, s.Environment, s.User = nil, nil, nil, ""
	s.HealthCheck, s.StopSignal, s.DependsOn, s.Init = nil, "", nil, nil
	var vols []types.ServiceVolumeConfig
	for _, v := range s.Volumes {
		if v.Type == "volume" && v.Source == "" {
			continue
		}
		if _, declared := before.Volumes[v.Source]; v.Type == "volume" && !declared {
			continue
		}
		vols = append(vols, v)
	}
	s.Volumes = vols
	return s
}

// checkRuntimeContract reads the written tree as a reviewer would and holds
// every runtime service (one with volumes_from a -code service) to the
// runtime contract, independently of the planner that wrote it: a valid
// image or a build target that exists, a user the runtime image can
// resolve, no anonymous volume inside the code path, a code image that
// never takes a runtime's name and is only built, unique stage names in
// every generated Dockerfile.
func checkRuntimeContract(t *testing.T, ws *workspace.Workspace) {
	t.Helper()
	for _, p := range ws.Projects {
		images := map[string]string{}
		for _, s := range p.Services {
			if !slices.ContainsFunc(s.Config.VolumesFrom, func(v string) bool { return strings.HasSuffix(v, "-code") }) {
				continue
			}
			where := p.Files[0].Path + ": runtime " + s.Name
			switch {
			case s.Config.Build != nil:
				if s.Stage == nil || s.Config.Build.Target != "" && s.Stage.Name != s.Config.Build.Target {
					t.Errorf("%s builds target %q, which its Dockerfile lacks", where, s.Config.Build.Target)
				}
			case s.Config.Image != "":
				probe := regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(s.Config.Image, "x")
				if _, err := reference.ParseNormalizedNamed(probe); err != nil {
					t.Errorf("%s runs an invalid image %q: %v", where, s.Config.Image, err)
				}
				images[s.Config.Image] = s.Name
				if u, _, _ := strings.Cut(s.Config.User, ":"); u != "" && u != "root" && u != "node" && strings.Trim(u, "0123456789") != "" {
					t.Errorf("%s runs a stock image as user %q, which it may not have", where, s.Config.User)
				}
			default:
				t.Errorf("%s has neither image nor build", where)
			}
			wd := s.Config.WorkingDir
			for _, v := range s.Config.Volumes {
				if v.Type == "volume" && v.Source == "" && wd != "" && strings.HasPrefix(v.Target, strings.TrimSuffix(wd, "/")+"/") {
					t.Errorf("%s has an anonymous volume %s inside its code path %s: it starts empty", where, v.Target, wd)
				}
			}
		}
		for _, s := range p.Services {
			if !strings.HasSuffix(s.Name, "-code") || s.Config.Build == nil {
				continue
			}
			if s.Config.Image != "" {
				if rt, ok := images[s.Config.Image]; ok {
					t.Errorf("%s: code service %s takes the image name of runtime %s", p.Files[0].Path, s.Name, rt)
				}
				if s.Config.PullPolicy != "build" {
					t.Errorf("%s: code service %s has an image name but pull_policy %q, not build", p.Files[0].Path, s.Name, s.Config.PullPolicy)
				}
			}
			if s.Dockerfile != nil {
				names := map[string]int{}
				for _, st := range s.Dockerfile.Stages {
					if st.Name != "" {
						names[st.Name]++
						if names[st.Name] == 2 {
							t.Errorf("%s repeats stage %q", s.Dockerfile.Path, st.Name)
						}
					}
				}
			}
		}
	}
}
