package dockerfile

import "testing"

// TestImageRuntime judges image references by name alone. Decisions worth
// recording:
//   - "nodered/node-red" ships Node: the Node-RED images are built on the
//     official node image, so a flow project copied into one is bundled.
//   - a repository merely *containing* the letters "node" ("nodered",
//     "mynode") is not a Node image: only the word node/nodejs counts.
//   - stage names such as "node_base" are not image references at all;
//     Parse resolves them to the stage (see TestAnalyzeStageNamedLikeImage),
//     so ImageRuntime is never asked about them.
func TestImageRuntime(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		ref  string
		want Runtime
	}{
		// Official node image, however it is written.
		{ref: "node", want: Node},
		{ref: "node:20", want: Node},
		{ref: "node:20-alpine", want: Node},
		{ref: "node:lts-bookworm-slim", want: Node},
		{ref: "library/node:18", want: Node},
		{ref: "docker.io/library/node:20.11.1", want: Node},
		{ref: "registry.example.com/mirror/library/node:20@" + digest, want: Node},
		{ref: "node@" + digest, want: Node},
		{ref: "localhost:5000/node:22", want: Node},
		{ref: "amd64/node:18", want: Node},
		{ref: "arm64v8/node:20-slim", want: Node},
		// Third-party images that say node in their name.
		{ref: "mhart/alpine-node:16", want: Node},
		{ref: "cimg/node:20.11", want: Node},
		{ref: "circleci/node:14-browsers", want: Node},
		{ref: "bitnami/node:20", want: Node},
		{ref: "gcr.io/distroless/nodejs20-debian12", want: Node},
		{ref: "gcr.io/distroless/nodejs:18", want: Node},
		{ref: "nikolaik/python-nodejs:python3.12-nodejs20", want: Node},
		{ref: "mcr.microsoft.com/devcontainers/javascript-node:20", want: Node},
		{ref: "mcr.microsoft.com/vscode/devcontainers/typescript-node:18", want: Node},
		{ref: "quay.io/oddnetworks/alpine-nodejs:4.2.2", want: Node},
		{ref: "registry.access.redhat.com/ubi9/nodejs-20", want: Node},
		{ref: "public.ecr.aws/lambda/nodejs:20", want: Node},
		{ref: "nodered/node-red:3.1", want: Node},
		// Images that ship Node without saying so.
		{ref: "cypress/included:13.6.0", want: Node},
		{ref: "mcr.microsoft.com/playwright:v1.44.0-jammy", want: Node},
		{ref: "mcr.microsoft.com/playwright/python:v1.44.0-jammy", want: Node},
		{ref: "ghost:5-alpine", want: Node},
		// Node applications, by a word of the name: official images and
		// others' rebuilds of them.
		{ref: "directus/directus:latest", want: Node},
		{ref: "tegud/docker-ghost-mysql-aws:v2.16.2", want: Node},
		{ref: "n8nio/n8n:1.50.0", want: Node},
		{ref: "acme/n8n-custom:1", want: Node},
		{ref: "strapi/strapi", want: Node},
		{ref: "verdaccio/verdaccio:5", want: Node},
		{ref: "louislam/uptime-kuma:1", want: Node},
		// Words, not substrings, and not the app's name inside another.
		{ref: "ghostunnel/ghostunnel:v1.7", want: NoRuntime},
		{ref: "acme/gh-ost:1.1", want: NoRuntime},
		{ref: "kong/kuma-cp:2.7", want: NoRuntime},
		{ref: "thelastpickle/cassandra-medusa:0.20", want: NoRuntime},
		// Images made to go beside the application, not to be it.
		{ref: "bennetimo/ghost-backup:latest", want: NoRuntime},
		{ref: "acme/nginx-ghost:1", want: NoRuntime},
		{ref: "acme/ghost-exporter:1", want: NoRuntime},
		{ref: "acme/n8n-postgres-backup:1", want: NoRuntime},
		{ref: "acme/directus-postgis:1", want: NoRuntime},
		{ref: "acme/etherpad-proxy:1", want: NoRuntime},
		// Bun and Deno are their own runtimes, never Node.
		{ref: "oven/bun:1", want: Bun},
		{ref: "oven/bun:1.1-alpine", want: Bun},
		{ref: "denoland/deno:alpine-1.40.2", want: Deno},
		{ref: "denoland/deno:bin-1.40.2", want: Deno},
		// An image named for Bun and Node ships both: Node, whose patch
		// needs it rebuilt, in either order.
		{ref: "imbios/bun-node:latest", want: Node},
		{ref: "acme/node-bun:1", want: Node},
		{ref: "acme/deno-node:1", want: Node},
		{ref: "acme/bun-deno:1", want: Bun},
		// Not JavaScript runtimes.
		{ref: "nginx", want: NoRuntime},
		{ref: "nginx:1.27-alpine", want: NoRuntime},
		{ref: "caddy:2-alpine", want: NoRuntime},
		{ref: "python:3.12-slim", want: NoRuntime},
		{ref: "golang:1.22", want: NoRuntime},
		{ref: "debian:bookworm-slim", want: NoRuntime},
		{ref: "alpine:3.20", want: NoRuntime},
		{ref: "tianon/true", want: NoRuntime},
		{ref: "scratch", want: NoRuntime},
		{ref: "acme/nodered:1", want: NoRuntime},
		{ref: "acme/mynode:1", want: NoRuntime},
		{ref: "", want: NoRuntime},
		// Named after cluster nodes, not Node.js: a small deny-list.
		{ref: "prom/node-exporter:v1.8.1", want: NoRuntime},
		{ref: "quay.io/prometheus/node-exporter", want: NoRuntime},
		{ref: "kindest/node:v1.29.2", want: NoRuntime},
		{ref: "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.19", want: NoRuntime},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			if got := ImageRuntime(tt.ref); got != tt.want {
				t.Errorf("ImageRuntime(%q) = %q, want %q", tt.ref, got, tt.want)
			}
		})
	}
}

func TestImageRuntimeExtraNames(t *testing.T) {
	tests := []struct {
		ref   string
		extra []string
		want  Runtime
	}{
		{"registry.acme.internal/platform/base:2024.1", []string{"platform/base"}, Node},
		{"registry.acme.internal/platform/base:2024.1", []string{"base"}, Node},
		{"registry.acme.internal/platform/base:2024.1", []string{"Platform/Base"}, Node},
		{"registry.acme.internal/platform/base:2024.1", []string{"other/base-image"}, NoRuntime},
		{"registry.acme.internal/platform/base:2024.1", nil, NoRuntime},
	}
	for _, tt := range tests {
		if got := ImageRuntime(tt.ref, tt.extra...); got != tt.want {
			t.Errorf("ImageRuntime(%q, %q) = %q, want %q", tt.ref, tt.extra, got, tt.want)
		}
	}
}

func TestIsScratchLike(t *testing.T) {
	for ref, want := range map[string]bool{
		"scratch": true, "tianon/true": true, "docker.io/tianon/true:latest": true,
		"alpine": false, "node:20": false, "busybox": false,
	} {
		if got := IsScratchLike(ref); got != want {
			t.Errorf("IsScratchLike(%q) = %v, want %v", ref, got, want)
		}
	}
}

// TestNodeImagesByPath checks every entry of the table of images that ship
// Node without saying so, as a user would write it: with a registry host
// and a tag.
func TestNodeImagesByPath(t *testing.T) {
	for _, p := range nodeImagesByPath {
		ref := "registry.example.com/" + p + ":1.0"
		if p[len(p)-1] == '/' {
			ref = "registry.example.com/" + p + "some-image:1.0"
		}
		if got := ImageRuntime(ref); got != Node {
			t.Errorf("ImageRuntime(%q) = %q, want node (table entry %q)", ref, got, p)
		}
	}
	for _, p := range nodeAppPaths {
		if ref := "registry.example.com/" + p + ":1.0"; ImageRuntime(ref) != Node || !NodeAppImage(ref) {
			t.Errorf("%s: want a Node application's image (table entry %q)", ref, p)
		}
	}
	if NodeAppImage("node:22-alpine") || NodeAppImage("keymetrics/pm2:18") || !NodeAppImage("ghost:5") {
		t.Errorf("NodeAppImage takes runtimes for applications, or the reverse")
	}
	for _, w := range nodeApps {
		if got := ImageRuntime("registry.example.com/acme/" + w + "-custom:1.0"); got != Node {
			t.Errorf("ImageRuntime of an image named after %q = %q, want node", w, got)
		}
	}
}
