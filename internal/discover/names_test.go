package discover

import (
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// composeName is the pattern IsComposeName implements by hand.
var composeName = regexp.MustCompile(`^(compose|docker-compose|fig)([.-][^/]*)?\.ya?ml$`)

func TestIsComposeName(t *testing.T) {
	tests := map[string]bool{
		"compose.yaml":                 true,
		"compose.yml":                  true,
		"docker-compose.yml":           true,
		"docker-compose.yaml":          true,
		"docker-compose.override.yml":  true,
		"compose.override.yaml":        true,
		"docker-compose.prod.yml":      true,
		"docker-compose-dev.yml":       true,
		"compose.worker.yaml":          true,
		"fig.yml":                      true,
		"fig.yaml":                     true,
		"stack.yml":                    false,
		"my-compose.yml":               false,
		"dockercompose.yml":            false,
		"docker-compose.yml.bak":       false,
		"docker-compose.yml.orig":      false,
		"docker-compose.json":          false,
		"compose.yaml.j2":              false,
		"Docker-Compose.yml":           false, // compose itself only looks for lower case
		"docker-compose.test.yml.dist": false,
		"COMPOSE.yaml":                 false,
		"Compose.override.yaml":        false,
		"FIG.yml":                      false,
		"fig.prod.yml":                 true,
		"fig-dev.yml":                  true,
		"figure.yml":                   false,
		"fig_dev.yml":                  false,
		"compose":                      false,
		"compose.":                     false,
		"compose.yml.":                 false,
		"compose.ya":                   false,
		"compose.yamll":                false,
		"composer.yml":                 false,
		"composeyml":                   false,
		"compose_dev.yml":              false,
		"compose..yml":                 true,
		"compose-.yaml":                true,
		"compose.a.b.c.yml":            true,
		"docker-compose":               false,
		"docker-compose.":              false,
		"docker-compose..yaml":         true,
		"docker-compose.dev.yaml":      true,
		"docker-composeyml":            false,
		"docker_compose.yml":           false,
		"x.docker-compose.yml":         false,
		".docker-compose.yml":          false,
		"compose.\nx.yml":              true,
	}
	for name, want := range tests {
		if got := IsComposeName(name); got != want {
			t.Errorf("IsComposeName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsDockerfileName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{name: "Dockerfile", want: true},
		{name: "dockerfile", want: true},
		{name: "Containerfile", want: true},
		{name: "Dockerfile.dev", want: true},
		{name: "Dockerfile.prod", want: true},
		{name: "Dockerfile-prod", want: true},
		{name: "Dockerfile.alpine", want: true},
		{name: "api.Dockerfile", want: true},
		{name: "prod.dockerfile", want: true},
		{name: "Containerfile.ubi", want: true},
		{name: "Dockerfile.dockerignore", want: false},
		{name: "app.Dockerfile.dockerignore", want: false},
		{name: "Dockerfile.md", want: false},
		{name: "dockerfile.yml", want: false},
		{name: "Dockerfile.json", want: false},
		{name: "Dockerfile.orig", want: false},
		{name: "Dockerfile.bak", want: false},
		{name: "Dockerfile.swp", want: false},
		{name: "Dockerfiles", want: false},
		{name: "README", want: false},
		{name: "docker-compose.yml", want: false},
		{name: "dockerfile.go", want: false},
		{name: "dockerfile.ts", want: false},
		{name: "Dockerfile_test.go", want: false},
		{name: "Dockerfile.template", want: false},
		{name: "Dockerfile.tmpl", want: false},
		{name: "Dockerfile.in", want: false},
		{name: "DOCKERFILE", want: true},
		{name: "DockerFile", want: true},
		{name: "dOcKeRfIlE.Dev", want: true},
		{name: "CONTAINERFILE", want: true},
		{name: "containerfile-ubi", want: true},
		{name: "Dockerfile.dev.bak", want: false},
		{name: "Dockerfile.dev.BAK", want: false},
		{name: "Dockerfile.MD", want: false},
		{name: "x.dockerfile", want: true},
		{name: "x.DOCKERFILE", want: true},
		{name: ".dockerfile", want: true},
		{name: ".Dockerfile", want: true},
		{name: "my.Dockerfile.md", want: false},
		{name: "my.Dockerfile.dev", want: false},
		{name: "Dockerfile.", want: false},
		{name: "Dockerfile-", want: false},
		{name: "Dockerfile..", want: true},
		// No separator, or an underscore: a variant, unless the name
		// says backup or copy, or it is a file of another kind.
		{name: "Dockerfile_dev", want: true},
		{name: "DockerfileBuild", want: true},
		{name: "Dockerfilewtm", want: true},
		{name: "Dockerfile2", want: true},
		{name: "Dockerfile_old", want: false},
		{name: "DockerfileBackup", want: false},
		{name: "Dockerfile.old", want: true},
		{name: "Dockerfile_copy", want: false},
		{name: "Dockerfile~", want: false},
		{name: "dockerfile_queries.sql", want: false},
		{name: "Containerfile_ci", want: true},
		{name: "xDockerfile", want: true},
		{name: "my.Dockerfile.bak", want: false},
		{name: "dockerfile_parser.go", want: false},
		{name: "Dockerfil", want: false},
		{name: "Containerfil", want: false},
		{name: "dockerfile.yaml", want: false},
		{name: "compose.yaml", want: false},
		{name: "Doc\u212aerfile", want: true}, // Kelvin sign: the regexp folds case beyond ASCII
		{name: "x.doc\u212aerfile", want: true},
		{name: "Dockerfile.\n", want: false},
		{name: "Dockerfile.\u00e9", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := IsDockerfileName(tt.name)
			if got != tt.want {
				t.Errorf("IsDockerfileName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

// FuzzNames checks the hand-written name checks against the patterns they
// stand for.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"compose.yaml", "docker-compose-dev.yml", "fig.yaml", "Dockerfile.dev", "x.dockerfile",
		"Containerfile", "compose.\n.yml", "docker-compose/x.yml", "DOCKERFILE.\xff", "Doc\u212aerfile"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := IsComposeName(name), composeName.MatchString(name); got != want {
			t.Errorf("IsComposeName(%q) = %v, the pattern says %v", name, got, want)
		}
		if got, want := IsDockerfileName(name), isDockerfileNameReference(name); got != want {
			t.Errorf("IsDockerfileName(%q) = %v, the pattern says %v", name, got, want)
		}
	})
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestKindOf(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"stack.yml":       "services:\n  web:\n    image: nginx\n",
		"prod.Dockerfile": "FROM node:20\n",
		"Containerfile":   "FROM node:20\n",
		"build.recipe":    "# comment\n\nARG BASE=node:20\nFROM ${BASE}\n",
		"deploy.conf":     "services:\n  web:\n    image: nginx\n",
	})
	for name, want := range map[string]Kind{
		"stack.yml": Compose, "prod.Dockerfile": Dockerfile, "Containerfile": Dockerfile,
		"build.recipe": Dockerfile, "deploy.conf": Compose,
	} {
		if got := KindOf(filepath.Join(dir, name)); got != want {
			t.Errorf("KindOf(%s) = %v, want %v", name, got, want)
		}
	}
}

func base(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func TestGroup(t *testing.T) {
	dir := "/proj"
	abs := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	tests := []struct {
		name  string
		files []string
		want  [][]string
	}{
		{"base and override", abs("docker-compose.override.yml", "docker-compose.yml"),
			[][]string{{"docker-compose.yml", "docker-compose.override.yml"}}},
		{"yaml override of a yml base", abs("docker-compose.yml", "docker-compose.override.yaml"),
			[][]string{{"docker-compose.yml", "docker-compose.override.yaml"}}},
		{"compose.yaml and its override", abs("compose.override.yaml", "compose.yaml"),
			[][]string{{"compose.yaml", "compose.override.yaml"}}},
		{"variants stand alone", abs("docker-compose.yml", "docker-compose.prod.yml", "docker-compose-dev.yml"),
			[][]string{{"docker-compose.yml"}, {"docker-compose-dev.yml"}, {"docker-compose.prod.yml"}}},
		{"override without its base", abs("docker-compose.override.yml"),
			[][]string{{"docker-compose.override.yml"}}},
		{"override of another base name", abs("compose.yaml", "docker-compose.override.yml"),
			[][]string{{"compose.yaml"}, {"docker-compose.override.yml"}}},
		{"fig", abs("fig.yml"), [][]string{{"fig.yml"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, g := range group(append([]string(nil), tt.files...)) {
				got = append(got, base(g))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("group = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".gitignore":                        "build/\n*.generated.yml\n",
		"docker-compose.yml":                "services: {}\n",
		"docker-compose.override.yml":       "services: {}\n",
		"docker-compose.prod.yml":           "services: {}\n",
		"docker-compose.generated.yml":      "services: {}\n",
		"Dockerfile":                        "FROM node:20\n",
		"api/compose.yaml":                  "services: {}\n",
		"api/api.Dockerfile":                "FROM node:20\n",
		"api/README.md":                     "# api\n",
		"web/.gitignore":                    "out/\n",
		"web/Dockerfile.dev":                "FROM node:20\n",
		"web/out/Dockerfile":                "FROM node:20\n",
		"web/keep/Containerfile":            "FROM node:20\n",
		"build/Dockerfile":                  "FROM node:20\n",
		"build/docker-compose.yml":          "services: {}\n",
		"node_modules/pkg/Dockerfile":       "FROM node:20\n",
		"node_modules/pkg/compose.yaml":     "services: {}\n",
		"deep/node_modules/x/Dockerfile":    "FROM node:20\n",
		".git/hooks/Dockerfile":             "FROM node:20\n",
		"Dockerfile.dockerignore":           "node_modules\n",
		"stack.yml":                         "services: {}\n",
		"docs/Dockerfile.md":                "notes\n",
		"web/out/nested/docker-compose.yml": "services: {}\n",
	})
	r := FindLimited([]string{root}, 0)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %v", r.Errors)
	}
	rel := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			rp, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rp))
		}
		return out
	}
	var projects []string
	for _, p := range r.Projects {
		projects = append(projects, strings.Join(rel(p), "+"))
	}
	wantProjects := []string{"docker-compose.yml+docker-compose.override.yml", "docker-compose.prod.yml", "api/compose.yaml"}
	if !reflect.DeepEqual(projects, wantProjects) {
		t.Errorf("projects = %q, want %q", projects, wantProjects)
	}
	wantDF := []string{"Dockerfile", "api/api.Dockerfile", "web/Dockerfile.dev", "web/keep/Containerfile"}
	if got := rel(r.Dockerfiles); !reflect.DeepEqual(got, wantDF) {
		t.Errorf("Dockerfiles = %q, want %q", got, wantDF)
	}

	// A file named on the command line is taken whatever its name; a folder
	// beside it is still searched.
	r = FindLimited([]string{filepath.Join(root, "stack.yml"), filepath.Join(root, "build", "Dockerfile"), filepath.Join(root, "api")}, 0)
	if got := rel(r.Dockerfiles); !reflect.DeepEqual(got, []string{"api/api.Dockerfile", "build/Dockerfile"}) {
		t.Errorf("named Dockerfiles = %q", got)
	}
	var named []string
	for _, p := range r.Projects {
		named = append(named, strings.Join(rel(p), "+"))
	}
	if !reflect.DeepEqual(named, []string{"api/compose.yaml", "stack.yml"}) {
		t.Errorf("named projects = %q", named)
	}

	// The same file twice is taken once.
	r = FindLimited([]string{filepath.Join(root, "Dockerfile"), root + "/./Dockerfile"}, 0)
	if len(r.Dockerfiles) != 1 {
		t.Errorf("Dockerfiles = %q, want one", r.Dockerfiles)
	}

	// A missing path is an error, not a panic.
	r = FindLimited([]string{filepath.Join(root, "nope")}, 0)
	if len(r.Errors) != 1 {
		t.Errorf("errors = %v, want one", r.Errors)
	}
}

// The names table shared with ci/precommit_test.sh, which checks the
// pre-commit hooks' files: pattern against it.
func TestDockerfileNamesTable(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "dockerfile_names.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(src), "\n") {
		name, want, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		if got := IsDockerfileName(path.Base(name)); got != (want == "1") {
			t.Errorf("IsDockerfileName(%q) = %v, want %s", name, got, want)
		}
	}
	if n < 20 {
		t.Fatalf("only %d names read", n)
	}
}
