package dockerfile

import "testing"

func TestIsNodeBinaryPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/usr/local/bin/node":              true,
		"/usr/local/bin":                   true,
		"/usr/local":                       true,
		"/usr/local/lib/node_modules":      true,
		"/usr/local/lib/node_modules/npm":  true,
		"/usr/local/include/node":          true,
		"/usr/bin/node":                    true,
		"/opt/nodejs":                      true,
		"/opt/node-v20.11.1-linux-x64":     true,
		"/nodejs":                          true,
		"/nodejs/bin/node":                 true,
		"/root/.nvm":                       true,
		"/home/node/.nvm/versions/node":    true,
		"/home/node/app/dist":              false,
		"/home/node/app":                   false,
		"/home/node":                       false,
		"/app/dist":                        false,
		"/app/node_modules":                false,
		"/usr/src/app/node/server.js":      false,
		"/usr/share/nginx/html":            false,
		"/usr/local/bin/docker-entrypoint": false,
	} {
		if got := isNodeBinaryPath(p); got != want {
			t.Errorf("isNodeBinaryPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestReleaseDownloads(t *testing.T) {
	for u, want := range map[string]bool{
		"https://github.com/acme/shop/releases/download/v1.2.0/shop-1.2.0.tgz":                true,
		"https://github.com/acme/shop/releases/download/v1.2.0/shop-1.2.0.zip":                true,
		"https://registry.npmjs.org/@acme/shop/-/shop-1.2.0.tgz":                              true,
		"https://registry.npmjs.org/pnpm/-/pnpm-10.33.4.tgz":                                  false, // a tool
		"https://github.com/krallin/tini/releases/download/v0.19.0/tini":                      false, // a binary
		"https://github.com/nodejs/node/releases/download/v20.11.1/node-v20.11.1.tar.gz":      false, // Node itself
		"https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz":                     false,
		"https://go.dev/dl/go1.26.0.linux-amd64.tar.gz":                                       false,
		"github.com/acme/shop/releases/download/v1.2.0/shop-1.2.0.tgz":                        false, // not a URL
		"https://github.com/acme/shop/releases/download/v1.2.0/shop-1.2.0.tgz?raw=true":       true,
		"https://registry.yarnpkg.com/@acme/shop/-/shop-1.2.0.tgz":                            true,
		"https://github.com/protocolbuffers/protobuf/releases/download/v33.4/protoc-33.4.zip": true, // judged by where it is unpacked
	} {
		if got := isReleaseArchive(u); got != want {
			t.Errorf("isReleaseArchive(%q) = %v, want %v", u, got, want)
		}
	}
	tests := []struct {
		name string
		src  string
		code bool
	}{
		{"piped into WORKDIR", "FROM node:22\nWORKDIR /srv\nRUN curl -fsSL https://github.com/a/b/releases/download/v1/b-1.tgz | tar -xz\n", true},
		{"piped into -C WORKDIR", "FROM node:22\nWORKDIR /srv\nRUN curl -fsSL https://github.com/a/b/releases/download/v1/b-1.tgz | tar xz -C /srv\n", true},
		{"piped into a subfolder", "FROM node:22\nWORKDIR /srv\nRUN curl -fsSL https://github.com/a/b/releases/download/v1/b-1.tgz | tar -xzf - --directory=/srv/app\n", true},
		{"unzipped into WORKDIR", "FROM node:22\nWORKDIR /srv\nRUN wget -O b.zip https://github.com/a/b/releases/download/v1/b-1.zip && unzip b.zip -d /srv && rm b.zip\n", true},
		{"no WORKDIR", "FROM node:22\nRUN curl -fsSL https://github.com/a/b/releases/download/v1/b-1.tgz | tar -xz\n", false},
		{"unpacked into /usr/local", "FROM node:22\nWORKDIR /srv\nRUN curl -fsSL https://github.com/a/b/releases/download/v1/b-1.tgz | tar -xz -C /usr/local\n", false},
		{"only saved", "FROM node:22\nWORKDIR /srv\nRUN curl -fsSLo b.tgz https://github.com/a/b/releases/download/v1/b-1.tgz\n", false},
		{"listed, not extracted", "FROM node:22\nWORKDIR /srv\nRUN curl -fsSLo b.tgz https://github.com/a/b/releases/download/v1/b-1.tgz && tar -tzf b.tgz\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := stageFacts(t, tt.src, "")
			if fa.HasCode() != tt.code {
				t.Errorf("HasCode = %v (%+v), want %v", fa.HasCode(), fa.Code, tt.code)
			}
		})
	}
}

// TestParseCheckDirective: BuildKit's instruction parser reads a check=
// directive in a comment through its linter, and crashed on the nil one
// decouple gave it (a whole run ended on one such Dockerfile).
func TestParseCheckDirective(t *testing.T) {
	for _, src := range []string{
		"# syntax=docker/dockerfile:1\n# check=skip=SecretsUsedInArgOrEnv\nFROM node:22-alpine\nCOPY . .\n",
		"# check=error=true\nFROM node:22-alpine AS build\nFROM build\n",
	} {
		f, err := Parse("Dockerfile", []byte(src), nil)
		if err != nil || f == nil || len(f.Stages) == 0 {
			t.Errorf("Parse(%q) = %v, %v", src, f, err)
		}
	}
}
