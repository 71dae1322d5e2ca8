package imageref

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in                                string
		registry, path, name, tag, digest string
	}{
		{in: "node", path: "node", name: "node"},
		{in: "node:18", path: "node", name: "node", tag: "18"},
		{in: "node:20.11.1-alpine3.19", path: "node", name: "node", tag: "20.11.1-alpine3.19"},
		{in: "library/node:lts", path: "library/node", name: "node", tag: "lts"},
		{in: "docker.io/library/node:22-bookworm-slim", registry: "docker.io", path: "library/node", name: "node", tag: "22-bookworm-slim"},
		{in: "mhart/alpine-node:8", path: "mhart/alpine-node", name: "alpine-node", tag: "8"},
		{
			in:       "europe-north1-docker.pkg.dev/cgr-nav/pull-through/nav.no/node:22",
			registry: "europe-north1-docker.pkg.dev", path: "cgr-nav/pull-through/nav.no/node", name: "node", tag: "22",
		},
		// Only the first component can be a registry.
		{in: "cgr-nav/pull-through/nav.no/node", path: "cgr-nav/pull-through/nav.no/node", name: "node"},
		{in: "localhost/node:18", registry: "localhost", path: "node", name: "node", tag: "18"},
		{in: "localhost:5000/node", registry: "localhost:5000", path: "node", name: "node"},
		{in: "localhost:5000/team/node:18-alpine", registry: "localhost:5000", path: "team/node", name: "node", tag: "18-alpine"},
		{in: "registry:5000/node", registry: "registry:5000", path: "node", name: "node"},
		// Without a '/', "localhost:5000" is a name and a tag, as for Docker.
		{in: "localhost:5000", path: "localhost", name: "localhost", tag: "5000"},
		{in: "node@sha256:abcd", path: "node", name: "node", digest: "sha256:abcd"},
		{in: "node:18@sha256:abcd", path: "node", name: "node", tag: "18", digest: "sha256:abcd"},
		{in: "ghcr.io/o/app:1@sha256:ab", registry: "ghcr.io", path: "o/app", name: "app", tag: "1", digest: "sha256:ab"},
		{in: "cgr.dev/chainguard/node:latest-dev", registry: "cgr.dev", path: "chainguard/node", name: "node", tag: "latest-dev"},
		// Interpolation is reported as written.
		{in: "node:${NODE_VERSION}-alpine", path: "node", name: "node", tag: "${NODE_VERSION}-alpine"},
		{in: "node:${NODE_VERSION:-18}", path: "node", name: "node", tag: "${NODE_VERSION:-18}"},
		{in: "node:${NODE_VERSION:-18-alpine}", path: "node", name: "node", tag: "${NODE_VERSION:-18-alpine}"},
		{in: "node:$NODE_VERSION", path: "node", name: "node", tag: "$NODE_VERSION"},
		{in: "${REGISTRY}/nodejs:${NODE_VERSION}-dev", registry: "${REGISTRY}", path: "nodejs", name: "nodejs", tag: "${NODE_VERSION}-dev"},
		{in: "$CI_REGISTRY/group/app", registry: "$CI_REGISTRY", path: "group/app", name: "app"},
		{in: "${REGISTRY:-docker.io}/library/node:20", registry: "${REGISTRY:-docker.io}", path: "library/node", name: "node", tag: "20"},
		{in: "${IMAGE:-node:18}", path: "${IMAGE:-node:18}", name: "${IMAGE:-node:18}"},
		{in: "${IMAGE}", path: "${IMAGE}", name: "${IMAGE}"},
		{in: "${A:-${B:-x/y}}/node:${T}", registry: "${A:-${B:-x/y}}", path: "node", name: "node", tag: "${T}"},
		{in: "${BASE}node:18", path: "${BASE}node", name: "${BASE}node", tag: "18"},
		{in: "node:$${literal}", path: "node", name: "node", tag: "$${literal}"},
	}
	for _, tt := range tests {
		r, ok := Parse(tt.in)
		if !ok {
			t.Errorf("Parse(%q) failed", tt.in)
			continue
		}
		if r.Raw != tt.in || r.Registry != tt.registry || r.Path != tt.path || r.Name != tt.name ||
			r.Tag != tt.tag || r.Digest != tt.digest {
			t.Errorf("Parse(%q) = reg %q path %q name %q tag %q digest %q; want %q %q %q %q %q",
				tt.in, r.Registry, r.Path, r.Name, r.Tag, r.Digest,
				tt.registry, tt.path, tt.name, tt.tag, tt.digest)
		}
		if tt.tag == "" {
			if r.TagStart != -1 || r.TagEnd != -1 {
				t.Errorf("Parse(%q): tag offsets %d,%d, want -1,-1", tt.in, r.TagStart, r.TagEnd)
			}
		} else if got := tt.in[r.TagStart:r.TagEnd]; got != tt.tag || tt.in[r.TagStart-1] != ':' {
			t.Errorf("Parse(%q): Raw[TagStart:TagEnd] = %q, want %q after ':'", tt.in, got, tt.tag)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"",
		" node",
		"node:18 ",
		"node :18",
		"node\t",
		"node:",
		"node@",
		"node:18@",
		":18",
		"/node",
		"node/",
		"a//node",
		"ghcr.io/",
		"@sha256:ab",
		"node:${NODE_VERSION",
		"${REGISTRY/node",
	} {
		if r, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %+v, want failure", in, r)
		}
	}
}

func TestWithTag(t *testing.T) {
	tests := []struct{ in, tag, want string }{
		{"node:18", "22", "node:22"},
		{"node:18-alpine", "22-alpine", "node:22-alpine"},
		{"node", "22", "node:22"},
		{"localhost:5000/node", "22", "localhost:5000/node:22"},
		{"node@sha256:ab", "22", "node:22@sha256:ab"},
		{"node:18@sha256:ab", "22", "node:22@sha256:ab"},
		{"${REGISTRY}/nodejs:${NODE_VERSION}-dev", "22-dev", "${REGISTRY}/nodejs:22-dev"},
		{"node:18", "", "node"},
		{"node:18@sha256:ab", "", "node@sha256:ab"},
		{"node", "", "node"},
	}
	for _, tt := range tests {
		r, ok := Parse(tt.in)
		if !ok {
			t.Fatalf("Parse(%q) failed", tt.in)
		}
		if got := r.WithTag(tt.tag); got != tt.want {
			t.Errorf("Parse(%q).WithTag(%q) = %q, want %q", tt.in, tt.tag, got, tt.want)
		}
	}
}

func TestSplitTag(t *testing.T) {
	tests := []struct{ tag, version, variant string }{
		{"20.11.1-alpine3.19", "20.11.1", "-alpine3.19"},
		{"lts-buster-slim", "lts", "-buster-slim"},
		{"alpine", "", "alpine"},
		{"alpine3.19", "", "alpine3.19"},
		{"slim", "", "slim"},
		{"bookworm-slim", "", "bookworm-slim"},
		{"Bookworm", "", "Bookworm"},
		{"ubi9-minimal", "", "ubi9-minimal"},
		{"windowsservercore-ltsc2022", "", "windowsservercore-ltsc2022"},
		{"carbon", "carbon", ""},
		{"hydrogen-alpine", "hydrogen", "-alpine"},
		{"22-bookworm-slim", "22", "-bookworm-slim"},
		{"4.2.2", "4.2.2", ""},
		{"0.10.38", "0.10.38", ""},
		{"current-alpine", "current", "-alpine"},
		{"latest", "latest", ""},
		{"lts", "lts", ""},
		{"lts-iron", "lts", "-iron"},
		{"v20", "v20", ""},
		{"", "", ""},
		{"${NODE_VERSION}-alpine", "${NODE_VERSION}", "-alpine"},
		{"${NODE_VERSION:-18-alpine}", "${NODE_VERSION:-18-alpine}", ""},
		{"${NODE_VERSION:-18}-bookworm-slim", "${NODE_VERSION:-18}", "-bookworm-slim"},
		{"${VARIANT}", "${VARIANT}", ""},
		{"$V-alpine", "$V", "-alpine"},
		{"${broken", "${broken", ""},
	}
	for _, tt := range tests {
		v, vr := SplitTag(tt.tag)
		if v != tt.version || vr != tt.variant {
			t.Errorf("SplitTag(%q) = (%q, %q), want (%q, %q)", tt.tag, v, vr, tt.version, tt.variant)
		}
		if v+vr != tt.tag {
			t.Errorf("SplitTag(%q): %q+%q does not rebuild the tag", tt.tag, v, vr)
		}
	}
}
