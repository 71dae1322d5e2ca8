package compose

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseFileLegacy(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		legacy bool
		names  []string
	}{
		{"v1 layout", "web:\n  build: .\n  links:\n    - redis\nredis:\n  image: redis:3\n", true, []string{"web", "redis"}},
		{"v1 with only command", "worker:\n  command: node worker.js\n", true, []string{"worker"}},
		{"v1 with extends", "web:\n  extends:\n    file: common.yml\n    service: base\n", true, []string{"web"}},
		{"v1 with x- keys and anchors", "x-common: &c\n  restart: always\nweb:\n  <<: *c\n  image: nginx\n", true, []string{"web"}},
		{"v1 service through an alias", "x-web: &w\n  image: nginx\nweb: *w\n", true, []string{"web"}},
		{"version 2", "version: \"2\"\nservices:\n  web:\n    build: .\n", false, []string{"web"}},
		{"compose spec", "services:\n  web:\n    image: nginx\n  db:\n    image: postgres\n", false, []string{"web", "db"}},
		{"only top-level keys", "version: \"3\"\nvolumes:\n  data: {}\nnetworks:\n  back: {}\n", false, nil},
		{"include only", "include:\n  - other.yml\n", false, nil},
		{"services key wins", "services:\n  web:\n    image: nginx\nweb:\n  image: nginx\n", false, []string{"web"}},
		{"empty services", "services:\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFile("/p/docker-compose.yml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if f.Legacy != tt.legacy {
				t.Errorf("Legacy = %v, want %v", f.Legacy, tt.legacy)
			}
			if got := f.ServiceNames(); !reflect.DeepEqual(got, tt.names) {
				t.Errorf("ServiceNames = %q, want %q", got, tt.names)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		src  string
		line int
	}{
		{"bad indentation", "services:\n  web:\n    image: nginx\n     ports:\n      - \"80:80\"\n", 4},
		{"tab indentation", "services:\n\tweb:\n", 2},
		{"top-level list", "- web\n- db\n", 1},
		{"top-level scalar", "just text\n", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile("/p/compose.yaml", []byte(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Path != "/p/compose.yaml" {
				t.Errorf("ParseError at %s:%d (%v), want line %d", pe.Path, pe.Line, pe.Msg, tt.line)
			}
		})
	}
	// An empty file, or only comments, is not an error.
	for _, src := range []string{"", "# nothing yet\n"} {
		f, err := ParseFile("/p/compose.yaml", []byte(src))
		if err != nil || f.Root != nil {
			t.Errorf("ParseFile(%q) = %+v, %v; want an empty file", src, f, err)
		}
		if f != nil && f.ServicesNode() != nil {
			t.Errorf("empty file has a services node")
		}
	}
}

func TestMapGetMergeKeys(t *testing.T) {
	src := `x-build: &build
  build:
    context: ./app
  restart: always
x-env: &env
  environment:
    A: "1"
  restart: on-failure
services:
  single:
    <<: *build
    image: shop/single
  list:
    <<: [*env, *build]
  own:
    <<: *build
    build: ./own
  plain:
    image: nginx
`
	f, err := ParseFile("/p/compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service, key string
		line, col    int // of the key found; 0 = absent
		value        string
	}{
		{"single", "build", 2, 3, ""},
		{"single", "image", 12, 5, "shop/single"},
		{"single", "restart", 4, 3, "always"},
		{"list", "environment", 6, 3, ""},
		// In a merge list, the earlier map wins (YAML merge key spec).
		{"list", "restart", 8, 3, "on-failure"},
		{"list", "build", 2, 3, ""},
		// A key written in the mapping beats a merged one.
		{"own", "build", 17, 5, "./own"},
		{"plain", "build", 0, 0, ""},
		{"plain", "<<", 0, 0, ""},
	}
	for _, tt := range tests {
		_, v := f.ServiceNode(tt.service)
		if v == nil {
			t.Fatalf("no service %q", tt.service)
		}
		k, val := MapGet(v, tt.key)
		if tt.line == 0 {
			if k != nil {
				t.Errorf("%s.%s found at %d:%d, want absent", tt.service, tt.key, k.Line, k.Column)
			}
			continue
		}
		if k == nil {
			t.Errorf("%s.%s not found", tt.service, tt.key)
			continue
		}
		if k.Line != tt.line || k.Column != tt.col {
			t.Errorf("%s.%s at %d:%d, want %d:%d", tt.service, tt.key, k.Line, k.Column, tt.line, tt.col)
		}
		if tt.value != "" && val.Value != tt.value {
			t.Errorf("%s.%s = %q, want %q", tt.service, tt.key, val.Value, tt.value)
		}
	}
	if k, _ := MapGet(nil, "x"); k != nil {
		t.Errorf("MapGet(nil) found a key")
	}
}

func TestServiceNodePositions(t *testing.T) {
	src := "# header\nversion: \"3.8\"\n\nservices:\n  web:\n    image: nginx\n  \"quoted\":\n    build: .\n  api: &api\n    build:\n      context: ./api\n  api2: *api\n"
	f, err := ParseFile("/p/compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		line, col int
	}{{"web", 5, 3}, {"quoted", 7, 3}, {"api", 9, 3}, {"api2", 12, 3}} {
		k, v := f.ServiceNode(tt.name)
		if k == nil || v == nil {
			t.Errorf("service %q not found", tt.name)
			continue
		}
		if k.Line != tt.line || k.Column != tt.col {
			t.Errorf("service %q at %d:%d, want %d:%d", tt.name, k.Line, k.Column, tt.line, tt.col)
		}
	}
	// api2 is an alias of api: its build key is api's.
	_, v := f.ServiceNode("api2")
	if bk, _ := MapGet(v, "build"); bk == nil || bk.Line != 10 {
		t.Errorf("api2 build key = %+v, want line 10 through the alias", bk)
	}
	if k, _ := f.ServiceNode("nope"); k != nil {
		t.Errorf("found a service that does not exist")
	}
}

func write(t *testing.T, root string, files map[string]string) {
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

func servicesByName(t *testing.T, p *Project) map[string]*Service {
	t.Helper()
	out := map[string]*Service{}
	for _, s := range p.Services() {
		out[s.Name] = s
	}
	return out
}

func posOf(root string, p *Pos) string {
	if p == nil {
		return "<nil>"
	}
	rel, _ := filepath.Rel(root, p.File.Path)
	return filepath.ToSlash(rel) + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

func TestLoadPositions(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"common/base/node.yml": "services:\n  node-base:\n    build:\n      context: ../../app\n",
		"common/services.yml": "services:\n  web-base:\n    extends:\n      file: base/node.yml\n      service: node-base\n" +
			"    environment:\n      NODE_ENV: production\n",
		"deploy/docker-compose.yml": "include:\n  - ../worker/compose.worker.yaml\nservices:\n  web:\n    extends:\n      file: ../common/services.yml\n      service: web-base\n" +
			"  api:\n    image: shop/api:1\n  local:\n    extends: api\n    profiles: [\"debug\"]\n",
		"deploy/docker-compose.override.yml": "services:\n  api:\n    build:\n      context: ../app\n      target: dev\n",
		"worker/compose.worker.yaml":         "services:\n  worker:\n    build: .\n",
		"app/Dockerfile":                     "FROM node:20\n",
		"worker/Dockerfile":                  "FROM node:20\n",
	})
	p, err := LoadLimited([]string{filepath.Join(root, "deploy/docker-compose.yml"), filepath.Join(root, "deploy/docker-compose.override.yml")}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Degraded != "" {
		t.Fatalf("Degraded: %s", p.Degraded)
	}
	svcs := servicesByName(t, p)
	tests := []struct {
		name, key, build, image, context string
	}{
		// extends across two files: build: is found where it is written,
		// and the context is relative to that file.
		{"web", "deploy/docker-compose.yml:4:3", "common/base/node.yml:3:5", "<nil>", "app"},
		// the override adds build: to a service whose image is in the base file.
		{"api", "deploy/docker-compose.yml:8:3", "deploy/docker-compose.override.yml:3:5", "deploy/docker-compose.yml:9:5", "app"},
		// extends within the file; a profile does not hide the service.
		{"local", "deploy/docker-compose.yml:10:3", "<nil>", "<nil>", ""},
		// a service from include: is placed in the included file.
		{"worker", "worker/compose.worker.yaml:2:3", "worker/compose.worker.yaml:3:5", "<nil>", "worker"},
	}
	for _, tt := range tests {
		s := svcs[tt.name]
		if s == nil {
			t.Errorf("service %q missing; have %v", tt.name, keys(svcs))
			continue
		}
		if got := posOf(root, s.Key); got != tt.key {
			t.Errorf("%s: Key at %s, want %s", tt.name, got, tt.key)
		}
		if got := posOf(root, s.Build); got != tt.build {
			t.Errorf("%s: Build at %s, want %s", tt.name, got, tt.build)
		}
		if got := posOf(root, s.Image); got != tt.image {
			t.Errorf("%s: Image at %s, want %s", tt.name, got, tt.image)
		}
		if tt.context != "" {
			if s.Config.Build == nil {
				t.Errorf("%s: no build config", tt.name)
				continue
			}
			if want := filepath.Join(root, tt.context); s.Config.Build.Context != want {
				t.Errorf("%s: context %q, want %q", tt.name, s.Config.Build.Context, want)
			}
		}
	}
	if s := svcs["api"]; s != nil && (s.Config.Build == nil || s.Config.Build.Target != "dev" || s.ImageText != "shop/api:1") {
		t.Errorf("api: build %+v image %q, want target dev and image shop/api:1", s.Config.Build, s.ImageText)
	}
	if s := svcs["local"]; s != nil && s.Config.Image != "shop/api:1" {
		t.Errorf("local: image %q, want it from extends", s.Config.Image)
	}
}

func keys(m map[string]*Service) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLoadInterpolation(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"compose.yaml": "services:\n  app:\n    build:\n      context: ${APP_DIR:-./app}\n      args:\n        NODE_VERSION: ${NODE_VERSION}\n" +
			"    image: ${REGISTRY:?set REGISTRY}/shop/app:${TAG:-latest}\n    ports:\n      - \"${PORT:?need a port}:3000\"\n",
		".env":           "NODE_VERSION=22.3.0\n# a comment\nTAG=1.4.2\n",
		"app/Dockerfile": "FROM node:22\n",
	})
	for _, name := range []string{"REGISTRY", "PORT", "APP_DIR", "NODE_VERSION", "TAG"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)
	}
	p, err := LoadLimited([]string{filepath.Join(root, "compose.yaml")}, Limits{})
	if err != nil {
		t.Fatalf("Load: %v (a required variable that is unset must not stop the lint)", err)
	}
	if !reflect.DeepEqual(p.Unresolved, []string{"PORT", "REGISTRY"}) {
		t.Errorf("Unresolved = %q, want PORT and REGISTRY", p.Unresolved)
	}
	s := servicesByName(t, p)["app"]
	if s == nil {
		t.Fatal("no app service")
	}
	if got := s.Config.Build.Context; got != filepath.Join(root, "app") {
		t.Errorf("context %q, want the ${APP_DIR:-./app} default", got)
	}
	if v := s.Config.Build.Args["NODE_VERSION"]; v == nil || *v != "22.3.0" {
		t.Errorf("build arg NODE_VERSION = %v, want 22.3.0 from .env", v)
	}
	if s.ImageText != "${REGISTRY:?set REGISTRY}/shop/app:${TAG:-latest}" {
		t.Errorf("ImageText = %q, want the text as written", s.ImageText)
	}
	if DockerfilePath(s.Config) != filepath.Join(root, "app", "Dockerfile") {
		t.Errorf("DockerfilePath = %q", DockerfilePath(s.Config))
	}
}

func TestLoadLegacy(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"fig.yml":        "web:\n  build: .\n  dockerfile: Dockerfile.dev\n  net: host\ndb:\n  image: postgres:9.4\n",
		"Dockerfile.dev": "FROM node:4\n",
	})
	p, err := LoadLimited([]string{filepath.Join(root, "fig.yml")}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	svcs := servicesByName(t, p)
	web := svcs["web"]
	if web == nil || svcs["db"] == nil {
		t.Fatalf("services = %v, want web and db", keys(svcs))
	}
	if got := posOf(root, web.Build); got != "fig.yml:2:3" {
		t.Errorf("web build at %s, want fig.yml:2:3", got)
	}
	if got := DockerfilePath(web.Config); got != filepath.Join(root, "Dockerfile.dev") {
		t.Errorf("v1 dockerfile: key gives %q", got)
	}
	if web.Config.NetworkMode != "host" {
		t.Errorf("v1 net: host became network_mode %q", web.Config.NetworkMode)
	}
}

func TestDockerfilePathRemote(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"compose.yaml": "services:\n  remote:\n    build: https://github.com/example/app.git#main\n" +
			"  inline:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM node:22\n" +
			"  abs:\n    build:\n      context: .\n      dockerfile: " + filepath.Join(root, "other", "Dockerfile") + "\n",
	})
	p, err := LoadLimited([]string{filepath.Join(root, "compose.yaml")}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	svcs := servicesByName(t, p)
	if got := DockerfilePath(svcs["remote"].Config); got != "" {
		t.Errorf("remote context gives %q, want none", got)
	}
	if got := DockerfilePath(svcs["inline"].Config); got != "" {
		t.Errorf("inline Dockerfile gives %q, want none", got)
	}
	if got := DockerfilePath(svcs["abs"].Config); got != filepath.Join(root, "other", "Dockerfile") {
		t.Errorf("absolute dockerfile gives %q", got)
	}
}

// compose-go's errors quote the file path; scrub hides the values of the
// variables the files interpolate and of .env, never PWD or another value
// that is a path prefix of the project, so the path stays readable.
func TestLoadErrorKeepsPath(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    ports: 80\n"})
	t.Setenv("PWD", root)
	_, err := LoadLimited([]string{filepath.Join(root, "compose.yaml")}, Limits{})
	if err == nil {
		t.Fatal("Load succeeded, want a load error for ports: 80")
	}
	if strings.Contains(err.Error(), "***") || !strings.Contains(err.Error(), root) {
		t.Errorf("the error hides the project's path: %q", err)
	}
}

// ${PWD} is the working folder even when the inherited PWD names another
// (a git hook runs at the top of the repository with the user's PWD).
func TestLoadPWDIsTheWorkingFolder(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"docker/compose.yaml": "services:\n  app:\n    build:\n      context: ${PWD}\n      dockerfile: ${PWD}/docker/Dockerfile\n",
		"docker/Dockerfile":   "FROM node:22\n",
	})
	t.Chdir(root)
	for _, pwd := range []string{root, filepath.Join(root, "docker"), "/nonexistent"} {
		t.Setenv("PWD", pwd)
		p, err := LoadLimited([]string{filepath.Join(root, "docker", "compose.yaml")}, Limits{})
		if err != nil {
			t.Fatalf("PWD=%s: Load: %v", pwd, err)
		}
		s := servicesByName(t, p)["app"]
		if got, want := DockerfilePath(s.Config), filepath.Join(root, "docker", "Dockerfile"); got != want {
			t.Errorf("PWD=%s, working folder %s: Dockerfile %q, want %q", pwd, root, got, want)
		}
	}
}
