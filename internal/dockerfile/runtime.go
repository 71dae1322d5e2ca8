package dockerfile

import (
	"regexp"
	"slices"
	"strings"
)

// Runtime names a JavaScript runtime an image may hold.
type Runtime string

// Runtimes decouple knows. Node is the one DC001 is about; Bun and Deno are
// the same pattern with another runtime and are reported apart.
const (
	NoRuntime Runtime = ""
	Node      Runtime = "node"
	Bun       Runtime = "bun"
	Deno      Runtime = "deno"
)

// nameToken splits an image's last path component into words, so that
// "alpine-nodejs", "python-nodejs", "nodejs20-debian12" and
// "javascript-node" all yield a node word.
var nameToken = regexp.MustCompile(`[a-z]+`)

// sidecarWords name images made to go beside an application rather than
// be it: ghost-backup, nginx-ghost, directus-postgis, etherpad-proxy.
var sidecarWords = []string{
	"backup", "backups", "exporter", "nginx", "proxy", "postgis", "postgres", "postgresql",
	"redis", "caddy", "traefik", "certbot", "cron", "sync", "s3", "metrics", "prometheus", "monitor", "db",
}

// appToken splits it into words that may hold digits after the first
// letter (n8n), which nameToken would cut into "n" and "n".
var appToken = regexp.MustCompile(`[a-z][a-z0-9]*`)

// nodeImagesByPath are images that ship Node but whose name does not say so,
// by repository path (an entry ending in "/" matches a whole namespace).
// Each entry is checked by TestNodeImagesByPath.
var nodeImagesByPath = []string{
	"cypress/included", "cypress/browsers", "cypress/base", "cypress/factory",
	// mcr.microsoft.com/playwright reads "playwright" once the registry
	// is stripped.
	"microsoft/playwright", "playwright/", "playwright",
	"strapi/base",
	// Meteor runtime images install their own Node and run the bundle.
	"meteorhacks/meteord", "abernix/meteord", "jshimko/meteor-launchpad",
	"geoffreybooth/meteor-base", "zodern/meteor", "disney/meteor-base",
	// Process-manager and headless-browser images built on node.
	"keymetrics/pm2", "browserless/chrome", "browserless/chromium",
	"puppeteer/puppeteer", "buildkite/puppeteer",
}

// nodeAppPaths are Node applications published under names that are no
// word of nodeApps.
var nodeAppPaths = []string{
	"louislam/uptime-kuma", "requarks/wiki", "outlinewiki/outline",
	"rocketchat/rocket.chat", "joplin/server", "thelounge/thelounge",
	"actualbudget/actual-server", "mongo-express", "library/mongo-express", "nodered/node-red",
	// Node-RED's images before 1.0 were published under this name.
	"nodered/node-red-docker",
}

// nodeApps are Node applications whose images, official or rebuilt by
// others (tegud/docker-ghost-mysql-aws), are named after them: a word of
// the image's last path component that is one of these ships Node, and
// files the project copies in (a theme, extensions, custom nodes) run on
// it. Words, not substrings: ghostunnel and gh-ost are no Ghost.
var nodeApps = []string{
	"ghost", "directus", "strapi", "n8n", "nodebb", "etherpad", "verdaccio",
	"hedgedoc", "flowise", "botpress", "budibase",
}

// notNodeImages are images whose name holds the word node but that are not
// Node.js: Kubernetes and monitoring images named after cluster nodes. Each
// entry matches the repository path, or its last component when it has no
// slash.
var notNodeImages = []string{
	"node-exporter", "node_exporter", "node-problem-detector", "node-feature-discovery",
	"csi-node-driver-registrar", "k8s-dns-node-cache", "kindest/node",
}

func isNotNodeImage(path, last string) bool {
	for _, n := range notNodeImages {
		if strings.Contains(n, "/") {
			if path == n || strings.HasSuffix(path, "/"+n) {
				return true
			}
		} else if last == n {
			return true
		}
	}
	return false
}

// ImageRuntime says which JavaScript runtime an image reference ships,
// judged by its name alone (registry, tag and digest are ignored). Extra
// names (company base images) may be given; they match the repository path
// or its last component.
func ImageRuntime(ref string, extra ...string) Runtime {
	path := repoPath(ref)
	if path == "" {
		return NoRuntime
	}
	last := path[strings.LastIndex(path, "/")+1:]
	for _, e := range extra {
		e = strings.ToLower(e)
		if path == e || last == e || strings.HasSuffix(path, "/"+e) {
			return Node
		}
	}
	if isNotNodeImage(path, last) {
		return NoRuntime
	}
	// A name that says node and another runtime (imbios/bun-node) ships
	// both: Node, whose patch needs the image rebuilt, whichever runs the
	// app.
	other := NoRuntime
	for _, w := range nameToken.FindAllString(last, -1) {
		switch w {
		case "node", "nodejs":
			return Node
		case "bun":
			if other == NoRuntime {
				other = Bun
			}
		case "deno":
			if other == NoRuntime {
				other = Deno
			}
		}
	}
	if other != NoRuntime {
		return other
	}
	if nodeApp(path, last) {
		return Node
	}
	for _, p := range nodeImagesByPath {
		if strings.HasSuffix(p, "/") {
			if strings.Contains(path+"/", "/"+p) || strings.HasPrefix(path, p) {
				return Node
			}
			continue
		}
		if path == p || strings.HasSuffix(path, "/"+p) {
			return Node
		}
	}
	return NoRuntime
}

// NodeAppImage reports the image of a Node application (ghost, directus,
// uptime-kuma), as opposed to a runtime to run an app on: it starts the
// application from its own folder.
func NodeAppImage(ref string) bool {
	path := repoPath(ref)
	return path != "" && nodeApp(path, path[strings.LastIndex(path, "/")+1:])
}

func nodeApp(path, last string) bool {
	for _, p := range nodeAppPaths {
		if path == p || strings.HasSuffix(path, "/"+p) {
			return true
		}
	}
	words := appToken.FindAllString(last, -1)
	return slices.ContainsFunc(words, func(w string) bool { return slices.Contains(nodeApps, w) }) &&
		!slices.ContainsFunc(words, func(w string) bool { return slices.Contains(sidecarWords, w) })
}

// repoPath lower-cases an image reference and strips registry host, tag and
// digest: "quay.io/oddnetworks/alpine-nodejs:4.2.2" -> "oddnetworks/alpine-nodejs".
func repoPath(ref string) string {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	}
	return strings.Join(parts, "/")
}

// OfficialImage reports the official images of the runtimes and the
// well-known images that ship none (node, python, alpine): a build tagged
// with such a name does not stand for it as a base.
func OfficialImage(ref string) bool {
	switch strings.TrimPrefix(repoPath(ref), "library/") {
	case "node", "bun", "deno", "denoland/deno", "oven/bun":
		return true
	}
	return wellKnownOtherImage(ref)
}

// WindowsImage reports an image of Windows containers, by its name or tag
// (mcr.microsoft.com/windows/nanoserver, stefanscherer/node-windows,
// node:22-windowsservercore): nothing Linux runs on the engine it needs.
func WindowsImage(ref string) bool {
	p, tag := repoPath(ref), ImageTag(ref)
	for _, w := range []string{"windows", "nanoserver", "servercore"} {
		if strings.Contains(p, w) || strings.Contains(tag, w) {
			return true
		}
	}
	return strings.Contains(tag, "ltsc20")
}

// IsScratchLike reports images that hold nothing that could run code, such
// as the code-only base decouple's fix produces.
func IsScratchLike(ref string) bool {
	switch repoPath(ref) {
	case "scratch", "tianon/true":
		return true
	}
	return false
}

// noWorkdirImages are official images known to set no WORKDIR: a relative
// path in a Dockerfile built on them, with no WORKDIR of its own, is
// relative to /. Others may set one (golang's /go, php's /var/www/html,
// nodered/node-red's /usr/src/node-red), which the Dockerfile cannot show.
var noWorkdirImages = map[string]bool{
	"node": true, "python": true, "ruby": true, "openjdk": true, "eclipse-temurin": true, "amazoncorretto": true,
	"rust": true, "gcc": true, "debian": true, "ubuntu": true, "alpine": true, "centos": true, "fedora": true,
	"rockylinux": true, "almalinux": true, "busybox": true, "buildpack-deps": true, "nginx": true, "perl": true,
	"archlinux": true, "opensuse/leap": true, "amazonlinux": true,
}

// NoWorkdirImage reports an image known to leave the working folder at /.
func NoWorkdirImage(ref string) bool {
	p := strings.TrimPrefix(repoPath(ref), "library/")
	return noWorkdirImages[p]
}
