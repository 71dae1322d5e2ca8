package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
)

// legacyFixed applies the chosen DC005 fixes (safe ones, plus unsafe ones
// when asked) per file, the way the driver does: a fix that clashes with
// one already chosen is left out whole.
func legacyFixed(t *testing.T, diags []analysis.Diagnostic, unsafe bool) map[string]string {
	t.Helper()
	byFile := map[string][]analysis.TextEdit{}
	taken := map[*analysis.SuggestedFix]bool{}
	for _, d := range diags {
		if d.Fix == nil || (!d.Fix.Safe && !unsafe) || taken[d.Fix] {
			continue
		}
		taken[d.Fix] = true
		clash := false
		for _, e := range d.Fix.Edits {
			if _, err := edit.Apply(make([]byte, 1<<16), append(append([]analysis.TextEdit(nil), byFile[e.File]...), e)); err != nil {
				clash = true
			}
		}
		if clash {
			continue
		}
		for _, e := range d.Fix.Edits {
			byFile[e.File] = append(byFile[e.File], e)
		}
	}
	wd, _ := os.Getwd()
	out := map[string]string{}
	for file, edits := range byFile {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := edit.Apply(src, edits)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(strings.TrimPrefix(file, wd), "/")] = string(got)
	}
	return out
}

// loadsClean loads fixed compose bytes with compose-go from a temporary
// file: it must load with full validation, in the spec layout.
func loadsClean(t *testing.T, name, content string, services int) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	// compose-go itself, with its schema validation, not the fast path.
	p, err := compose.LoadLimited([]string{path}, compose.Limits{NoFastPath: true})
	if err != nil {
		t.Fatalf("%s: fixed file does not load: %v\n%s", name, err, content)
	}
	if p.Degraded != "" {
		t.Fatalf("%s: fixed file loads only degraded: %s\n%s", name, p.Degraded, content)
	}
	if p.Files[0].Legacy {
		t.Fatalf("%s: fixed file is still in the v1 layout\n%s", name, content)
	}
	if got := len(p.Model.Services); got != services {
		t.Fatalf("%s: fixed file has %d services, want %d\n%s", name, got, services, content)
	}
}

func TestComposeLegacyFormat(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		want     []string // "file:line:col message-prefix [fix: safe|unsafe|refused: reason-prefix]"
		unsafe   bool
		fixed    map[string]string
		services int // in the fixed compose file
	}{
		{
			name:     "version 2 file",
			files:    map[string]string{"compose.yaml": "version: \"2\"\nservices:\n  web:\n    image: nginx\n"},
			want:     []string{`compose.yaml:1:1 version: "2" is obsolete [fix: safe]`},
			fixed:    map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n"},
			services: 1,
		},
		{
			name:     "CRLF file",
			files:    map[string]string{"compose.yaml": "version: \"3\" # x\r\nservices:\r\n  web:\r\n    image: nginx\r\n"},
			want:     []string{`compose.yaml:1:1 version: "3" is obsolete [fix: safe]`},
			fixed:    map[string]string{"compose.yaml": "# x\r\nservices:\r\n  web:\r\n    image: nginx\r\n"},
			services: 1,
		},
		{
			name:  "net beside network_mode: refused",
			files: map[string]string{"compose.yaml": "services:\n  a:\n    image: nginx\n    network_mode: host\n    net: host\n"},
			want:  []string{`compose.yaml:5:5 service "a": net: is the Compose v1 key [refused: the service also sets network_mode:]`},
		},
		{
			name: "service-level dockerfile next to build: ctx",
			files: map[string]string{
				"compose.yaml":       "services:\n  web:\n    dockerfile: Dockerfile.dev  # dev image\n    build: './web' # context\n    ports: [\"80:80\"]\n",
				"web/Dockerfile.dev": "FROM nginx\n",
			},
			want:     []string{`compose.yaml:3:5 service "web": dockerfile: at service level is Compose v1 [fix: safe]`},
			fixed:    map[string]string{"compose.yaml": "services:\n  web:\n    # dev image\n    build: # context\n      context: './web'\n      dockerfile: Dockerfile.dev\n    ports: [\"80:80\"]\n"},
			services: 1,
		},
		{
			name:  "dockerfile with no build, or a build naming one: refused",
			files: map[string]string{"compose.yaml": "services:\n  a:\n    image: nginx\n    dockerfile: X\n  b:\n    build:\n      context: .\n      dockerfile: Y\n    dockerfile: X\n"},
			want: []string{
				`compose.yaml:4:5 service "a": dockerfile: at service level [refused: the service has no build:]`,
				`compose.yaml:9:5 service "b": dockerfile: at service level [refused: build: already names a dockerfile]`,
			},
		},
		{
			name: "v1 with net and dockerfile: one whole-file fix",
			files: map[string]string{
				"docker-compose.yml": "web:\n  build: .\n  dockerfile: Dockerfile.dev\n  net: \"host\"\n  links:\n    - db\n  volumes_from:\n    - db:ro\ndb:\n  image: postgres:9.4\n  external_links:\n    - other_db\n",
				"Dockerfile.dev":     "FROM nginx\n",
			},
			want: []string{
				`docker-compose.yml:1:1 Compose v1 layout [fix: safe]`,
				`docker-compose.yml:3:3 service "web": dockerfile: at service level [fix: safe]`,
				`docker-compose.yml:4:3 service "web": net: is the Compose v1 key [fix: safe]`,
			},
			fixed: map[string]string{"docker-compose.yml": "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile.dev\n    network_mode: \"host\"\n    links:\n      - db\n    volumes_from:\n      - db:ro\n  db:\n    image: postgres:9.4\n    external_links:\n      - other_db\n"},
			// links/volumes_from entries point at db; external_links is fine.
			services: 2,
		},
		{
			name: "fig.yml: rename refused, content converted",
			files: map[string]string{
				"fig.yml": "web:\n  image: nginx\n",
			},
			want: []string{
				`fig.yml:1:1 Compose v1 layout: fig.yml [fix: safe]`,
				"fig.yml:1:1 fig.yml is the file name of Fig [refused: rename fig.yml to compose.yaml by hand (`git mv fig.yml compose.yaml`)]",
			},
			fixed:    map[string]string{"fig.yml": "services:\n  web:\n    image: nginx\n"},
			services: 1,
		},
		{
			name: "duplicate container_name across a project's files, no fix",
			files: map[string]string{
				"compose.yaml":          "services:\n  a:\n    image: nginx\n    container_name: web\n  b:\n    image: nginx\n",
				"compose.override.yaml": "services:\n  b:\n    container_name: web\n",
			},
			want: []string{`compose.override.yaml:3:5 service "b": container_name "web" is also set by service "a" [refused: choose another container_name]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags, _ := lintTree(t, tt.files, "DC005")
			if len(diags) != len(tt.want) {
				var got []string
				for _, d := range diags {
					got = append(got, legacyBrief(d))
				}
				t.Fatalf("got %d findings, want %d:\n%s", len(diags), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				got := legacyBrief(diags[i])
				pre, tag, _ := strings.Cut(w, " [")
				if !strings.HasPrefix(got, pre) || !strings.Contains(got, "["+strings.TrimSuffix(tag, "]")) {
					t.Errorf("finding %d:\n got %s\nwant %s", i, got, w)
				}
				if diags[i].Severity != analysis.Warning {
					t.Errorf("finding %d is %s, want warning", i, diags[i].Severity)
				}
			}
			fixed := legacyFixed(t, diags, tt.unsafe)
			if len(fixed) != len(tt.fixed) {
				t.Fatalf("fixed %d files, want %d: %v", len(fixed), len(tt.fixed), fixed)
			}
			for name, want := range tt.fixed {
				if fixed[name] != want {
					t.Errorf("%s after the fix:\n%s\nwant:\n%s", name, fixed[name], want)
				}
				loadsClean(t, name, want, tt.services)
				// A second run over the fixed file finds nothing to fix.
				again := map[string]string{}
				for k, v := range tt.files {
					again[k] = v
				}
				again[name] = want
				d2, _ := lintTree(t, again, "DC005")
				for _, d := range d2 {
					if d.Fix != nil {
						t.Errorf("second run still offers a fix: %s", legacyBrief(d))
					}
				}
			}
		})
	}
}

func legacyBrief(d analysis.Diagnostic) string {
	tag := ""
	switch {
	case d.Fix != nil && d.Fix.Safe:
		tag = "fix: safe"
	case d.Fix != nil:
		tag = "fix: unsafe"
	case d.FixRefused != "":
		tag = "refused: " + d.FixRefused
	}
	return d.Pos.String() + " " + d.Message + " [" + tag + "]"
}
