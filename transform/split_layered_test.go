package transform

import (
	"strings"
	"testing"
)

// A service declared in a base file whose build: is set again in a variant
// layered on it: split in the variant when the base leaves the runtime's
// keys to it; otherwise refused, naming both
// files, how they are combined and what stands in the way.
func TestSplitLayeredVariant(t *testing.T) {
	const dockerfile = "FROM node:22\nWORKDIR /app\nCOPY . .\nCMD [\"npm\", \"run\", \"dev\"]\n"
	for _, tc := range []struct {
		name, common, dev, want string
		fix                     bool
	}{
		{"spec files", "services:\n  web:\n    build:\n      context: api/\n      args:\n        A: \"1\"\n  db:\n    image: postgres:16\n",
			"services:\n  web:\n    build:\n      dockerfile: Dockerfile.dev\n  db:\n    container_name: db-dev\n",
			"    build: !reset null\n", true},
		{"version", "version: \"3\"\nname: shop\nservices:\n  web:\n    build:\n      context: api/\n  db:\n    image: postgres:16\n",
			"version: \"3\"\nservices:\n  web:\n    build:\n      dockerfile: Dockerfile.dev\n  db:\n    container_name: db-dev\n",
			"    build: !reset null\n", true},
		{"both set args", "services:\n  web:\n    build:\n      context: api/\n      args:\n        A: \"1\"\n  db:\n    image: postgres:16\n",
			"services:\n  web:\n    build:\n      dockerfile: Dockerfile.dev\n      args:\n        B: \"2\"\n  db:\n    container_name: db-dev\n",
			"both docker-compose.common.yml and docker-compose.dev.yml set build.args for the service, which Compose merges", false},
		{"a service runs its image", "services:\n  web:\n    image: shop-web\n    build:\n      context: api/\n  worker:\n    image: shop-web\n    command: [\"node\", \"worker.js\"]\n  db:\n    image: postgres:16\n",
			"services:\n  web:\n    build:\n      dockerfile: Dockerfile.dev\n  db:\n    container_name: db-dev\n",
			"service \"worker\" runs the image this service builds, and the split of a layered variant cannot re-point it", false},
		{"base sets the user", "services:\n  web:\n    build:\n      context: api/\n    user: node\n  db:\n    image: postgres:16\n",
			"services:\n  web:\n    build:\n      dockerfile: Dockerfile.dev\n  db:\n    container_name: db-dev\n",
			"which also sets user: for it (docker-compose.common.yml:5)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{
				"docker-compose.common.yml": tc.common,
				"docker-compose.dev.yml":    tc.dev,
				"api/Dockerfile.dev":        dockerfile,
			})
			t.Chdir(dir)
			ws := load(t)
			n := 0
			for _, p := range ws.Projects {
				for _, s := range p.Services {
					if s.Name != "web" || s.Build == nil || s.Build.File.Path == s.Key.File.Path {
						continue
					}
					n++
					fix, reason := Split(ws, s, SplitOptions{})
					if !tc.fix {
						if fix != nil || !strings.Contains(reason, tc.want) || !strings.Contains(reason, "docker compose -f docker-compose.common.yml -f docker-compose.dev.yml") {
							t.Fatalf("want a refusal with %q naming both files, got fix=%v reason=%q", tc.want, fix != nil, reason)
						}
						return
					}
					if fix == nil {
						t.Fatalf("refused: %s", reason)
					}
					for _, e := range fix.Edits {
						if strings.HasSuffix(e.File, "docker-compose.common.yml") {
							t.Errorf("the base file is edited: %+v", e)
						}
					}
					got := apply(t, dir, fix)
					if !strings.Contains(got["docker-compose.dev.yml"], tc.want) || !strings.Contains(got["docker-compose.dev.yml"], "      context: api/\n") {
						t.Errorf("docker-compose.dev.yml lacks %q or the base's context:\n%s", tc.want, got["docker-compose.dev.yml"])
					}
					if strings.Contains(tc.common, "args:") && !strings.Contains(got["docker-compose.dev.yml"], "      args:\n        A: \"1\"\n") {
						t.Errorf("the code service lacks the base's build args:\n%s", got["docker-compose.dev.yml"])
					}
				}
			}
			if n != 1 {
				t.Fatalf("want one layered service, got %d", n)
			}
		})
	}
}
