package gen

import (
	"fmt"
	"slices"
	"strings"
)

// dockerfile is a generated Dockerfile and, per stage, whether the image
// that stage produces holds the Node runtime and app code.
type dockerfile struct {
	text    string
	stages  []string // AS names, "" when unnamed
	bundled []bool
	// usesArg is the ARG a FROM line reads (compose may pass it), or "".
	usesArg string
}

// runs says whether the image built with this target (or the final stage
// when "") bundles Node and code.
func (d *dockerfile) runs(target string) bool {
	if target == "" {
		return d.bundled[len(d.bundled)-1]
	}
	for i, n := range d.stages {
		if strings.EqualFold(n, target) {
			return d.bundled[i]
		}
	}
	panic("gen: no stage " + target)
}

// isFinal reports whether a target names the final stage.
func (d *dockerfile) isFinal(target string) bool {
	return target == "" || strings.EqualFold(d.stages[len(d.stages)-1], target)
}

// nodeApp is one JavaScript app: how it installs, starts and what its
// image looks like.
type nodeApp struct {
	pm      string // npm, yarn or pnpm
	version string // Node major
	flavor  string // tag suffix: "-alpine", "-bookworm-slim", ""
	workdir string
	entry   string // file node runs
	port    int
	useArg  bool // ARG NODE_VERSION before FROM
	pinned  bool // full version and digest
	docker  bool // docker.io/library/ prefix
}

var (
	nodeVersions = []string{"18", "20", "20", "22", "22", "lts"}
	nodeFlavors  = []string{"-alpine", "-alpine", "-bookworm-slim", "-slim", "", "-alpine3.20"}
	workdirs     = []string{"/app", "/app", "/usr/src/app", "/home/node/app", "/srv/app"}
	fullVersions = map[string]string{"18": "18.20.4", "20": "20.17.0", "22": "22.9.0", "lts": "20.17.0"}
)

func (g *generator) newNodeApp() *nodeApp {
	a := &nodeApp{
		pm:      []string{"npm", "npm", "npm", "yarn", "pnpm"}[g.intn(5)],
		version: g.pick(nodeVersions),
		flavor:  g.pick(nodeFlavors),
		workdir: g.pick(workdirs),
		entry:   []string{"src/index.js", "src/server.js", "server.js", "index.js"}[g.intn(4)],
		port:    []int{3000, 3000, 8080, 4000, 5000}[g.intn(5)],
	}
	switch r := g.intn(10); {
	case r < 3:
		a.useArg = true
	case r < 4:
		a.pinned = true
	case r < 5:
		a.docker = true
	}
	return a
}

// nodeFrom returns the lines before the first FROM and the image to use.
func (g *generator) nodeFrom(a *nodeApp) (prelude []string, image string) {
	version := a.version
	if a.pinned {
		version = fullVersions[a.version]
	}
	switch {
	case a.useArg:
		return []string{fmt.Sprintf("ARG NODE_VERSION=%s", a.version)}, "node:${NODE_VERSION}" + a.flavor
	case a.pinned:
		flavor := a.flavor
		if flavor == "-alpine" {
			flavor = "-alpine3.20"
		}
		return nil, fmt.Sprintf("node:%s%s@sha256:%s", version, flavor, g.hex(64))
	case a.docker:
		return nil, "docker.io/library/node:" + version + a.flavor
	}
	return nil, "node:" + version + a.flavor
}

func (a *nodeApp) manifests() string {
	switch a.pm {
	case "yarn":
		return "COPY package.json yarn.lock ./"
	case "pnpm":
		return "COPY package.json pnpm-lock.yaml ./"
	}
	return "COPY package.json package-lock.json ./"
}

func (a *nodeApp) install(prod bool) string {
	switch a.pm {
	case "yarn":
		if prod {
			return "yarn install --frozen-lockfile --production && yarn cache clean"
		}
		return "yarn install --frozen-lockfile"
	case "pnpm":
		if prod {
			return "pnpm install --frozen-lockfile --prod"
		}
		return "pnpm install --frozen-lockfile"
	}
	if prod {
		return "npm ci --omit=dev"
	}
	return "npm ci"
}

func (a *nodeApp) startCmd(g *generator) string {
	if g.chance(0.5) {
		return cmdJSON("node", a.entry)
	}
	return cmdJSON(a.pm, "start")
}

func (a *nodeApp) run(script string) string {
	return a.pm + " run " + script
}

func cmdJSON(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// dfNodeSingle is the bundled single-stage image: node, install, COPY . .
func (g *generator) dfNodeSingle(a *nodeApp, stage string, project string) *dockerfile {
	var l []string
	heredoc := a.pm == "npm" && g.chance(0.15)
	if heredoc || g.chance(0.4) {
		l = append(l, "# syntax=docker/dockerfile:1")
	}
	prelude, image := g.nodeFrom(a)
	l = append(l, prelude...)
	from := "FROM " + image
	if stage != "" {
		from += " AS " + stage
	}
	l = append(l, from)
	if g.chance(0.3) {
		l = append(l, fmt.Sprintf("LABEL org.opencontainers.image.source=\"https://git.example.com/acme/%s\"", project))
	}
	l = append(l, "ENV NODE_ENV=production")
	l = append(l, "WORKDIR "+a.workdir)
	if a.pm == "pnpm" {
		l = append(l, "RUN corepack enable")
	}
	l = append(l, a.manifests())
	switch {
	case heredoc:
		l = append(l, "RUN <<EOF", "set -eux", a.install(true), "npm cache clean --force", "EOF")
	case a.pm == "npm" && g.chance(0.3):
		l = append(l, "RUN --mount=type=cache,target=/root/.npm "+a.install(true))
	default:
		l = append(l, "RUN "+a.install(true))
	}
	user := g.chance(0.5)
	switch r := g.intn(10); {
	case r < 7:
		l = append(l, "COPY . .")
	case r < 9 && user:
		l = append(l, "COPY --chown=node:node . .")
	default:
		l = append(l, "COPY src ./src")
	}
	if user {
		l = append(l, "USER node")
	}
	l = append(l, fmt.Sprintf("EXPOSE %d", a.port))
	if g.chance(0.3) {
		l = append(l, fmt.Sprintf("HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1:%d/healthz || exit 1", a.port))
	}
	l = append(l, "CMD "+a.startCmd(g))
	d := &dockerfile{text: lines(l), stages: []string{stage}, bundled: []bool{true}}
	if a.useArg {
		d.usesArg = "NODE_VERSION"
	}
	return d
}

// dfNodeDev is a Dockerfile.dev: the whole source tree in a node image
// that runs the dev server.
func (g *generator) dfNodeDev(a *nodeApp) *dockerfile {
	prelude, image := g.nodeFrom(a)
	l := slices.Concat(prelude, []string{"FROM " + image, "WORKDIR /app"})
	if a.pm == "pnpm" {
		l = append(l, "RUN corepack enable")
	}
	l = append(l, a.manifests(), "RUN "+a.install(false), "COPY . .", "EXPOSE 5173",
		"CMD "+cmdJSON(a.pm, "run", "dev", "--", "--host", "0.0.0.0"))
	d := &dockerfile{text: lines(l), stages: []string{""}, bundled: []bool{true}}
	if a.useArg {
		d.usesArg = "NODE_VERSION"
	}
	return d
}

// dfNodeMulti builds with node and runs the build output on node again (or
// a distroless nodejs image): the runtime still ships the code.
func (g *generator) dfNodeMulti(a *nodeApp, distroless bool) *dockerfile {
	l := []string{"# syntax=docker/dockerfile:1"}
	prelude, image := g.nodeFrom(a)
	l = append(l, prelude...)
	platform := ""
	if g.chance(0.3) {
		platform = "--platform=$BUILDPLATFORM "
	}
	l = append(l, "FROM "+platform+image+" AS build", "WORKDIR /app")
	if a.pm == "pnpm" {
		l = append(l, "RUN corepack enable")
	}
	l = append(l, a.manifests(), "RUN "+a.install(false), "COPY . .", "RUN "+a.run("build"))
	if a.pm == "npm" {
		l[len(l)-1] += " && npm prune --omit=dev"
	}
	l = append(l, "")
	final := "runtime"
	if g.chance(0.4) {
		final = ""
	}
	as := ""
	if final != "" {
		as = " AS " + final
	}
	if distroless {
		major := a.version
		if major == "lts" {
			major = "20"
		}
		l = append(l,
			fmt.Sprintf("FROM gcr.io/distroless/nodejs%s-debian12%s", major, as),
			"ENV NODE_ENV=production",
			"WORKDIR /app",
			"COPY --from=build /app/node_modules ./node_modules",
			"COPY --from=build /app/dist ./dist",
			"USER nonroot",
			fmt.Sprintf("EXPOSE %d", a.port),
			cmdLineJSON("CMD", "dist/main.js"))
	} else {
		_, runtimeImage := g.nodeFrom(a)
		l = append(l,
			"FROM "+runtimeImage+as,
			"ENV NODE_ENV=production",
			"WORKDIR /app",
			"COPY --from=build --chown=node:node /app/node_modules ./node_modules",
			"COPY --from=build --chown=node:node /app/dist ./dist",
			"COPY package.json ./",
			"USER node",
			fmt.Sprintf("EXPOSE %d", a.port),
			cmdLineJSON("CMD", "node", "dist/main.js"))
	}
	d := &dockerfile{text: lines(l), stages: []string{"build", final}, bundled: []bool{true, true}}
	if a.useArg {
		d.usesArg = "NODE_VERSION"
	}
	return d
}

// webServer is the image a frontend build is served from.
type webServer struct {
	image, config, configDest, root string
}

var webServers = []webServer{
	{"nginx:1.27-alpine", "nginx.conf", "/etc/nginx/conf.d/default.conf", "/usr/share/nginx/html"},
	{"nginx:1.27-alpine", "nginx.conf", "/etc/nginx/conf.d/default.conf", "/usr/share/nginx/html"},
	{"nginx:stable", "nginx.conf", "/etc/nginx/conf.d/default.conf", "/usr/share/nginx/html"},
	{"nginxinc/nginx-unprivileged:1.27-alpine", "nginx.conf", "/etc/nginx/conf.d/default.conf", "/usr/share/nginx/html"},
	{"caddy:2.8-alpine", "Caddyfile", "/etc/caddy/Caddyfile", "/srv"},
}

// dfNodeNginx builds a frontend with node and serves it from nginx (or
// caddy): the final image holds the build output but no Node. With dev it
// also has a dev stage a compose service may target.
func (g *generator) dfNodeNginx(a *nodeApp, ws webServer, dev bool) *dockerfile {
	l := []string{"# syntax=docker/dockerfile:1"}
	prelude, image := g.nodeFrom(a)
	l = append(l, prelude...)
	d := &dockerfile{}
	if a.useArg {
		d.usesArg = "NODE_VERSION"
	}
	if !dev && g.chance(0.5) {
		// The plain two-stage form.
		l = append(l, "FROM "+image+" AS builder", "WORKDIR /app")
		if a.pm == "pnpm" {
			l = append(l, "RUN corepack enable")
		}
		l = append(l, a.manifests(), "RUN "+a.install(false), "COPY . .", "RUN "+a.run("build"), "",
			"FROM "+ws.image,
			fmt.Sprintf("COPY %s %s", ws.config, ws.configDest),
			fmt.Sprintf("COPY --from=builder /app/dist %s", ws.root),
			"EXPOSE 80")
		d.text, d.stages, d.bundled = lines(l), []string{"builder", ""}, []bool{true, false}
		return d
	}
	l = append(l, "FROM "+image+" AS deps", "WORKDIR /app")
	if a.pm == "pnpm" {
		l = append(l, "RUN corepack enable")
	}
	l = append(l, a.manifests(), "RUN "+a.install(false), "")
	d.stages, d.bundled = []string{"deps"}, []bool{false}
	if dev {
		l = append(l, "FROM deps AS dev", "COPY . .", "EXPOSE 5173",
			"CMD "+cmdJSON(a.pm, "run", "dev", "--", "--host", "0.0.0.0"), "")
		d.stages, d.bundled = append(d.stages, "dev"), append(d.bundled, true)
	}
	l = append(l, "FROM deps AS build", "COPY . .", "RUN "+a.run("build"), "",
		"FROM "+ws.image+" AS production",
		fmt.Sprintf("COPY %s %s", ws.config, ws.configDest),
		fmt.Sprintf("COPY --from=build /app/dist %s", ws.root),
		"EXPOSE 80")
	d.stages, d.bundled = append(d.stages, "build", "production"), append(d.bundled, true, false)
	d.text = lines(l)
	return d
}

// dfNodeApt installs Node from the distribution's packages.
func (g *generator) dfNodeApt() *dockerfile {
	var l []string
	if g.chance(0.5) {
		l = []string{
			"FROM " + g.pick([]string{"debian:bookworm-slim", "ubuntu:24.04", "ubuntu:22.04"}),
			"RUN apt-get update \\",
			"    && apt-get install -y --no-install-recommends nodejs npm ca-certificates \\",
			"    && rm -rf /var/lib/apt/lists/*",
		}
	} else {
		l = []string{"FROM alpine:3.20", "RUN apk add --no-cache nodejs npm tini"}
	}
	l = append(l, "WORKDIR /srv/app", "COPY package.json package-lock.json ./", "RUN npm ci --omit=dev",
		"COPY . .", "EXPOSE 3000", cmdLineJSON("CMD", "node", "server.js"))
	return &dockerfile{text: lines(l), stages: []string{""}, bundled: []bool{true}}
}

// dfNodeDeps is a dependencies-only image (a CI cache layer): Node but no
// app code.
func (g *generator) dfNodeDeps(a *nodeApp) *dockerfile {
	prelude, image := g.nodeFrom(a)
	l := slices.Concat(prelude, []string{"FROM " + image, "WORKDIR /deps"})
	if a.pm == "pnpm" {
		l = append(l, "RUN corepack enable")
	}
	l = append(l, a.manifests(), "RUN "+a.install(false))
	d := &dockerfile{text: lines(l), stages: []string{""}, bundled: []bool{false}}
	if a.useArg {
		d.usesArg = "NODE_VERSION"
	}
	return d
}

func (g *generator) dfPython() *dockerfile {
	l := []string{
		"FROM " + g.pick([]string{"python:3.12-slim", "python:3.11-slim-bookworm", "python:3.12-alpine"}),
		"ENV PYTHONDONTWRITEBYTECODE=1 \\",
		"    PYTHONUNBUFFERED=1",
		"WORKDIR /app",
		"COPY requirements.txt .",
		"RUN pip install --no-cache-dir -r requirements.txt",
		"COPY . .",
		"EXPOSE 8000",
		cmdLineJSON("CMD", "gunicorn", "--bind", "0.0.0.0:8000", "app:app"),
	}
	return &dockerfile{text: lines(l), stages: []string{""}, bundled: []bool{false}}
}

func (g *generator) dfGo() *dockerfile {
	l := []string{
		"# syntax=docker/dockerfile:1",
		"FROM " + g.pick([]string{"golang:1.22-alpine", "golang:1.23", "golang:1.23-bookworm"}) + " AS build",
		"WORKDIR /src",
		"COPY go.mod ./",
		"RUN go mod download",
		"COPY . .",
		"RUN CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/server ./cmd/server",
		"",
		"FROM " + g.pick([]string{"gcr.io/distroless/static-debian12:nonroot", "alpine:3.20", "scratch"}),
		"COPY --from=build /out/server /server",
		"EXPOSE 8080",
		cmdLineJSON("ENTRYPOINT", "/server"),
	}
	return &dockerfile{text: lines(l), stages: []string{"build", ""}, bundled: []bool{false, false}}
}

func cmdLineJSON(instr string, words ...string) string { return instr + " " + cmdJSON(words...) }

func lines(l []string) string { return strings.Join(l, "\n") + "\n" }
