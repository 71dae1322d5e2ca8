package compose

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseFile feeds arbitrary bytes, as a compose file, to ParseFile and
// to Load (compose-go included) in a temporary folder: no input may panic
// or hang, and a file that parses keeps its bytes.
func FuzzParseFile(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/*/*compose*.y*ml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"services:\n  app:\n    build: .\n    command: node a.js\n",
		"version: '2'\nservices:\n  web:\n    image: node:${V:-20}\n    environment:\n      - A=${B:?need b}\n",
		"x-base: &base\n  restart: always\nservices:\n  a:\n    <<: *base\n    image: nginx\n  b:\n    <<: [*base]\n    extends: a\n",
		"app:\n  build: .\n  volumes_from: [code]\ncode:\n  image: tianon/true\n",
		"services:\n  app:\n    image: nginx\n  app:\n    image: node\n",
		"x-a: &a [1,1,1]\nx-b: &b [*a,*a,*a]\nx-c: [*b,*b,*b]\n",
		"services:\n  a:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM node\n        COPY . .\n",
		"include:\n  - other.yaml\nservices: {}\n",
		"\ufeffservices:\r\n  a:\r\n    image: node\r\n",
		"services: [[[[[[[[[[]]]]]]]]]]\n",
		"services:\n  a: !reset null\n  b: !override {image: x}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if cf, err := ParseFile(path, src); err == nil {
				if string(cf.Src) != string(src) {
					t.Error("ParseFile changed the bytes")
				}
				_ = cf.ServiceNames()
			}
			p, err := LoadLimited([]string{path}, Limits{})
			if err == nil && p.Model != nil {
				for _, s := range p.Services() {
					_ = DockerfilePath(s.Config)
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("ParseFile and Load took more than 10s on %q", truncate(string(src), 200))
		}
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
