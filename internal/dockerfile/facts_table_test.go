package dockerfile

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIsCodeSource(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		// The whole context, or a folder or file of the app.
		{".", true},
		{"./", true},
		{"*", true},
		{"./*", true},
		{"/", true},
		{"src", true},
		{"src/", true},
		{"./src/", true},
		{"server.js", true},
		{"index.ts", true},
		{"src/*.js", true},
		{"public", true},
		{"dist", true},
		// tsconfig.json and friends are build configuration of the app:
		// copied alone they already make the image the app's.
		{"tsconfig.json", true},
		// Manifests and lockfiles: a dependency layer, not code.
		{"package.json", false},
		{"./package.json", false},
		{"app/package.json", false},
		{"package-lock.json", false},
		{"package*.json", false},
		{"package*.lock", false},
		{"yarn.lock*", false},
		{"src*.json", true},
		{"yarn.lock", false},
		{"bower.json", false},
		{"Gemfile.lock", false},
		{"pnpm-lock.yaml", false},
		{".npmrc", false},
		{".nvmrc", false},
		{"bun.lockb", false},
		{"deno.lock", false},
		// Image plumbing.
		{"docker-entrypoint.sh", false},
		{"entrypoint.sh", false},
		{"nginx.conf", false},
		{"nginx/", false},
		{"conf.d", false},
		{"certs/", false},
		{"rootfs/", false},
		{"Caddyfile", false},
		{"node_modules", false},
		{"Dockerfile", false},
	}
	for _, tt := range tests {
		if got := isCodeSource(tt.src); got != tt.want {
			t.Errorf("isCodeSource(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func mustParse(t *testing.T, src string, args map[string]string) *File {
	t.Helper()
	f, err := Parse("Dockerfile", []byte(src), args)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// stageFacts parses src and returns the facts of the named stage ("" for the
// final one).
func stageFacts(t *testing.T, src, stage string) *Facts {
	t.Helper()
	f := mustParse(t, src, nil)
	facts := f.Analyze(nil)
	s := f.Final()
	if stage != "" {
		s = f.Stage(stage)
		if s == nil {
			t.Fatalf("no stage %q", stage)
		}
	}
	return facts[s.Index]
}

func codeLines(f *Facts) []int {
	var out []int
	for _, c := range f.Code {
		out = append(out, c.Line)
	}
	return out
}

func TestAnalyzeStages(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		stage     string // "" = final
		runtime   Runtime
		rtLine    int // line of RuntimeBy; 0 = don't check
		rtWhat    string
		codeLines []int
		codeWhat  string // substring of the first code evidence
		unknown   bool   // the base image is unknown, even when an install brings Node later
		workdir   string
	}{
		{
			name:    "official node, COPY . .",
			src:     "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"index.js\"]\n",
			runtime: Node, rtLine: 1, rtWhat: "node:20-alpine",
			codeLines: []int{3}, codeWhat: "COPY . .", workdir: "/app",
		},
		{
			name:    "deps layer only",
			src:     "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			// Laravel Sail's runtime: Node for the asset tools, a start
			// script and configs; the app is mounted.
			name:    "start script on PATH is not the app",
			src:     "FROM node:20-slim\nWORKDIR /var/www/html\nCOPY start-container /usr/local/bin/start-container\nCOPY php.ini /etc/php/8.0/cli/conf.d/99-sail.ini\nENTRYPOINT [\"start-container\"]\n",
			runtime: Node, rtLine: 1, workdir: "/var/www/html",
		},
		{
			// logto's images live in /etc/logto: a WORKDIR under /etc
			// holds the app; a config copied elsewhere in /etc does not.
			name:    "app in a WORKDIR under /etc",
			src:     "FROM node:22-alpine\nWORKDIR /etc/app\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY . .\nRUN npm add -g nyc\nENTRYPOINT [\"/etc/app/start.sh\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{4}, codeWhat: "COPY . .", workdir: "/etc/app",
		},
		{
			// langfuse's dev-environment image: Node plus a Go CLI.
			name:    "a Go program from a build stage on PATH is a tool",
			src:     "FROM golang:1.24 AS migrate\nRUN go install example.com/migrate@v4 && mkdir -p /out && cp /go/bin/migrate /out/migrate\nFROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nodejs\nCOPY --from=migrate /out/migrate /usr/local/bin/migrate\nWORKDIR /home/ubuntu\n",
			runtime: Node, rtLine: 4, rtWhat: "nodejs", workdir: "/home/ubuntu", unknown: true,
		},
		{
			name:    "a file copied into a WORKDIR under /etc is configuration",
			src:     "FROM node:22-alpine\nWORKDIR /etc/cron.d\nCOPY app-cron .\nWORKDIR /app\nCMD [\"node\", \"x.js\"]\n",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			// decouple's own built runtime: the code comes from a volume,
			// and the global package beside it is a tool.
			name:    "a global package beside a command that starts the app folder's code",
			src:     "FROM node:22-alpine AS runtime\nWORKDIR /etc/logto\nRUN npm add -g nyc@^18.0.0\nENTRYPOINT [\"/etc/logto/.scripts/bootstrap.sh\"]\n",
			runtime: Node, rtLine: 1, workdir: "/etc/logto",
		},
		{
			// A Firebase emulator image: Node for a global tool, and the
			// tool's rules file beside no app.
			name:    "a data file copied beside no app is configuration",
			src:     "FROM debian:12\nRUN apt-get install -y nodejs npm && npm install -g firebase-tools\nCOPY entrypoint.sh /entrypoint.sh\nCOPY storage.rules firebase.json /\nENTRYPOINT [\"/entrypoint.sh\"]\n",
			runtime: Node, rtLine: 2, rtWhat: "nodejs", unknown: true,
		},
		{
			name:    "a data file copied into the WORKDIR is the app's",
			src:     "FROM node:22-alpine\nWORKDIR /app\nCOPY config.json .\nCMD [\"node\", \"server.js\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{3}, codeWhat: "COPY config.json .", workdir: "/app",
		},
		{
			// Node-RED's flows are the app: on a Node image, data is.
			name:    "a data file copied into a Node application's image is the app's",
			src:     "FROM nodered/node-red:3.1\nCOPY flows.json /data/flows.json\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, codeWhat: "COPY flows.json /data/flows.json",
		},
		{
			name:    "a data file copied to a relative path lands where the base image works",
			src:     "FROM debian:12\nRUN apt-get install -y nodejs\nCOPY db.json .\nCMD [\"node\", \"server.js\"]\n",
			runtime: Node, rtLine: 2, rtWhat: "nodejs", codeLines: []int{3}, codeWhat: "COPY db.json .", unknown: true,
		},
		{
			name:    "a JavaScript project's configuration beside no WORKDIR is the app's",
			src:     "FROM node:22-alpine\nCOPY tsconfig.json /\nCMD [\"npx\", \"tsc\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, codeWhat: "COPY tsconfig.json /",
		},
		{
			name:    "a Node CLI on PATH is the app",
			src:     "FROM node:20-slim\nCOPY cli.js /usr/local/bin/mycli\nENTRYPOINT [\"mycli\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, codeWhat: "COPY cli.js",
		},
		{
			name:    "runtime only",
			src:     "FROM node:20-alpine\nRUN apk add --no-cache tini\nENTRYPOINT [\"/sbin/tini\", \"--\"]\n",
			runtime: Node, rtLine: 1,
		},
		{
			name:    "builder feeding nginx",
			src:     "FROM node:20 AS build\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /src/dist /usr/share/nginx/html\n",
			runtime: NoRuntime, codeLines: []int{7}, codeWhat: "stage build holds app code", unknown: true,
		},
		{
			name:    "builder stage itself",
			src:     "FROM node:20 AS build\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /src/dist /usr/share/nginx/html\n",
			stage:   "build",
			runtime: Node, rtLine: 1, codeLines: []int{3}, workdir: "/src",
		},
		{
			name: "FROM stage chain inherits runtime, deps are not code",
			src: "FROM node:20-bookworm-slim AS base\nWORKDIR /app\n\nFROM base AS deps\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n\n" +
				"FROM base AS build\nCOPY . .\nRUN npm run build\n\nFROM deps AS runner\nCOPY --from=build /app/dist ./dist\nCMD [\"node\", \"dist/server.js\"]\n",
			runtime: Node, rtLine: 1, rtWhat: "node:20-bookworm-slim",
			codeLines: []int{13}, codeWhat: "COPY --from=build", workdir: "/app",
		},
		{
			name:    "FROM stage chain: the deps stage",
			src:     "FROM node:20-bookworm-slim AS base\nWORKDIR /app\n\nFROM base AS deps\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n",
			stage:   "deps",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			name:    "apt-get install nodejs",
			src:     "FROM debian:bookworm-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends nodejs npm \\\n && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . .\n",
			runtime: Node, rtLine: 2, rtWhat: "nodejs", codeLines: []int{6}, unknown: true,
		},
		{
			name:    "apk add nodejs",
			src:     "FROM alpine:3.20\nRUN apk add --no-cache nodejs npm\nCOPY server.js /srv/\n",
			runtime: Node, rtLine: 2, codeLines: []int{3}, codeWhat: "COPY server.js /srv/", unknown: true,
		},
		{
			name:    "dnf module install",
			src:     "FROM fedora:40\nRUN dnf -y module install nodejs:20\nCOPY . /app\n",
			runtime: Node, rtLine: 2, codeLines: []int{3}, unknown: true,
		},
		{
			// The evidence a reader can act on: the package, not the key.
			name:    "NodeSource signing key, then the nodejs package",
			src:     "FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /usr/share/keyrings/nodesource.gpg\nRUN echo \"deb [signed-by=/usr/share/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main\" > /etc/apt/sources.list.d/nodesource.list\nRUN apt-get update && apt-get install -y nodejs\nCOPY . /srv\n",
			runtime: Node, rtLine: 4, rtWhat: "apt-get … nodejs", codeLines: []int{5}, unknown: true,
		},
		{
			name:    "NodeSource setup script",
			src:     "FROM ubuntu:22.04\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\nCOPY . /srv\n",
			runtime: Node, rtLine: 2, rtWhat: "deb.nodesource.com", codeLines: []int{3}, unknown: true,
		},
		{
			name:    "nvm install",
			src:     "FROM ubuntu:22.04\nRUN curl -o- https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh | bash && . ~/.nvm/nvm.sh && nvm install 20\nCOPY . /srv\n",
			runtime: Node, rtLine: 2, rtWhat: "nvm install 20", codeLines: []int{3}, unknown: true,
		},
		{
			name:    "Phusion passenger-customizable build script",
			src:     "FROM phusion/passenger-customizable:3.0.7\nRUN /pd_build/nodejs.sh\nCOPY . /home/app/webapp\n",
			runtime: Node, rtLine: 2, rtWhat: "/pd_build/nodejs.sh", codeLines: []int{3}, unknown: true,
		},
		{
			name:    "volta install node",
			src:     "FROM debian:bookworm\nRUN volta install node@20\nCOPY . /srv\n",
			runtime: Node, rtLine: 2, codeLines: []int{3}, unknown: true,
		},
		{
			name:    "node tarball",
			src:     "FROM debian:bookworm-slim\nARG NODE_VERSION=20.11.1\nRUN curl -fsSLO https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz\nCOPY . /app\n",
			runtime: Node, rtLine: 3, rtWhat: "nodejs.org/dist", codeLines: []int{4}, unknown: true,
		},
		{
			name:    "COPY --from=node image binary",
			src:     "FROM debian:bookworm-slim\nCOPY --from=node:20-alpine /usr/local/bin/node /usr/local/bin/node\nWORKDIR /app\nCOPY . .\n",
			runtime: Node, rtLine: 2, rtWhat: "COPY --from=node:20-alpine", codeLines: []int{4}, unknown: true,
		},
		{
			name:    "exec-form RUN",
			src:     "FROM alpine:3.20\nRUN [\"apk\", \"add\", \"--no-cache\", \"nodejs\"]\nCOPY . /app\n",
			runtime: Node, rtLine: 2, codeLines: []int{3}, unknown: true,
		},
		{
			name:    "heredoc RUN",
			src:     "# syntax=docker/dockerfile:1.4\nFROM alpine:3.19\nRUN <<EOF\nset -eux\napk add --no-cache nodejs npm\nEOF\nWORKDIR /app\nCOPY . .\n",
			runtime: Node, rtLine: 3, codeLines: []int{8}, unknown: true,
		},
		{
			name:    "git clone",
			src:     "FROM node:18-bullseye\nRUN git clone --depth 1 https://github.com/example/shop.git /opt/shop\nWORKDIR /opt/shop\n",
			runtime: Node, codeLines: []int{2}, codeWhat: "git clone",
		},
		{
			// No folder named: the clone is the repository's name in the
			// working folder, which the WORKDIR after it then runs.
			name:    "git clone into the repository's own folder",
			src:     "FROM node:20-alpine\nRUN apk add --no-cache git\nRUN git clone -b main https://github.com/example/shop.git\nWORKDIR /shop\nRUN npm install\nCMD npm start\n",
			runtime: Node, codeLines: []int{3}, codeWhat: "git clone",
		},
		{
			// The whole file system of a stage that runs npm: Node came
			// by a script decouple cannot read, and the code with it.
			name:    "FROM scratch with a stage's whole file system",
			src:     "FROM debian\nRUN wget -qO- https://example.com/install-node.sh | bash\nWORKDIR /build\nCOPY ./ ./\nRUN npm install --no-save && npm run build\n\nFROM scratch\nCOPY --from=0 / /\nENTRYPOINT [\"node\", \"/build/dist/index.js\"]\n",
			runtime: Node, rtLine: 8, codeLines: []int{8}, unknown: false,
		},
		{
			name:    "a file from an image configuration folder is no code",
			src:     "FROM node:24-trixie-slim\nWORKDIR /usr/src/app/docker/\nCOPY [ \"docker/rootfs/etc/ImageMagick-6/policy.xml\", \"./\" ]\nRUN mv policy.xml /etc/ImageMagick-6/policy.xml\n",
			runtime: Node,
		},
		{
			name:    "global tools beside a bare shell and an empty WORKDIR are a toolbox",
			src:     "FROM node:22\nRUN npm i webpack -g\nRUN npm i webpack-dev-server -g\nWORKDIR /var/www\nEXPOSE 3000\nCMD [\"/bin/bash\"]\n",
			runtime: Node,
		},
		{
			name:    "a script from a docker folder may be a service",
			src:     "FROM node:22-alpine\nWORKDIR /app\nCOPY docker/mock-api/server.js ./\nCMD [\"node\", \"server.js\"]\n",
			runtime: Node, codeLines: []int{3}, codeWhat: "COPY docker/mock-api/server.js",
		},
		{
			name:    "a global package the image's CMD starts in a VOLUME WORKDIR is the app",
			src:     "FROM node:22\nRUN npm i -g node-red@4\nVOLUME /data\nWORKDIR /data\nCMD [\"node-red\"]\n",
			runtime: Node, codeLines: []int{2}, codeWhat: "npm i -g node-red",
		},
		{
			name:    "a global tool run on a WORKDIR the image declares a VOLUME is no app",
			src:     "FROM node\nRUN npm install electron-packager -g\nVOLUME /electron\nWORKDIR /electron\nCMD [\"\"]\nENTRYPOINT [\"electron-packager\"]\n",
			runtime: Node,
		},
		{
			name:    "a global package given a file in a VOLUME WORKDIR is the app",
			src:     "FROM node:22-alpine\nRUN npm install -g json-server@0.17\nVOLUME /data\nWORKDIR /data\nCMD [\"json-server\", \"--watch\", \"db.json\"]\n",
			runtime: Node, codeLines: []int{2}, codeWhat: "npm install -g json-server",
		},
		{
			name:    "git clone into the repository's folder where a cd moved",
			src:     "FROM node:20-alpine\nRUN cd /opt && git clone https://github.com/example/shop.git\nWORKDIR /opt/shop\nRUN npm install\nCMD npm start\n",
			runtime: Node, codeLines: []int{2}, codeWhat: "git clone",
		},
		{
			name:    "a tool cloned into a hidden folder is not code",
			src:     "FROM debian:12\nRUN apt-get update && apt-get install -y nodejs git\nRUN git clone --depth 1 https://github.com/pyenv/pyenv.git /root/.pyenv\nCMD [\"bash\"]\n",
			runtime: Node, rtLine: 2, unknown: true,
		},
		{
			name:    "a version manager cloned anywhere is not code",
			src:     "FROM node:20\nRUN git clone -b v0.40.1 https://github.com/nvm-sh/nvm.git /opt/nvm\n",
			runtime: Node,
		},
		{
			name:    "source archive download",
			src:     "FROM node:18\nRUN curl -fsSL https://github.com/example/shop/archive/refs/tags/v1.2.0.tar.gz | tar -xz -C /srv\n",
			runtime: Node, codeLines: []int{2},
		},
		{
			name:    "global install of the app",
			src:     "FROM node:18\nRUN npm install -g @example/shop-server@1.2.0\n",
			runtime: Node, codeLines: []int{2},
		},
		{
			name:    "global install of a tool is not code",
			src:     "FROM node:18\nRUN npm install -g pm2 typescript\n",
			runtime: Node,
		},
		{
			name:    "global install of a framework's CLI is not code",
			src:     "FROM node:18-alpine\nRUN npm install -g pnpm && pnpm install -g next\nCMD [\"npx\", \"next\", \"dev\"]\n",
			runtime: Node,
		},
		{
			name:    "COPY --from a stage holding code",
			src:     "FROM alpine:3.20 AS src\nWORKDIR /src\nCOPY . .\n\nFROM node:18-alpine\nWORKDIR /app\nCOPY --from=src /src /app\n",
			runtime: Node, rtLine: 5, codeLines: []int{7}, codeWhat: "stage src holds app code",
		},
		{
			name:    "COPY --from node_modules only is not code",
			src:     "FROM node:18 AS deps\nWORKDIR /app\nCOPY . .\nRUN npm ci\n\nFROM node:18-alpine\nCOPY --from=deps /app/node_modules /app/node_modules\n",
			runtime: Node, rtLine: 6,
		},
		{
			name:    "COPY --from by stage index",
			src:     "FROM node:18\nWORKDIR /app\nCOPY . .\n\nFROM node:18-alpine\nCOPY --from=0 /app /app\n",
			runtime: Node, rtLine: 5, codeLines: []int{6},
		},
		{
			name:    "bun",
			src:     "FROM oven/bun:1\nWORKDIR /app\nCOPY . .\nCMD [\"bun\", \"run\", \"index.ts\"]\n",
			runtime: Bun, rtLine: 1, codeLines: []int{3},
		},
		{
			name:    "deno",
			src:     "FROM denoland/deno:alpine-1.40.2\nWORKDIR /app\nCOPY . .\n",
			runtime: Deno, rtLine: 1, codeLines: []int{3},
		},
		{
			name:    "unknown base",
			src:     "FROM registry.acme.internal/platform/runtime:3\nWORKDIR /srv\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
			runtime: NoRuntime, codeLines: []int{3}, unknown: true,
		},
		{
			name:    "code-only image",
			src:     "FROM tianon/true\nADD . /app\nVOLUME /app\n",
			runtime: NoRuntime, codeLines: []int{2},
		},
		{
			name:    "ARG default in FROM",
			src:     "ARG NODE_IMAGE=node:20-alpine\nFROM ${NODE_IMAGE}\nCOPY . /app\n",
			runtime: Node, rtLine: 2, rtWhat: "${NODE_IMAGE}", codeLines: []int{3},
		},
		{
			name:    "ARG used in COPY destination and WORKDIR",
			src:     "FROM node:22\nARG APP_DIR=/srv/app\nWORKDIR ${APP_DIR}\nCOPY . .\n",
			runtime: Node, codeLines: []int{4}, workdir: "/srv/app",
		},
		// Issue 11, class 1: app folders under /usr.
		{
			name: "COPY --from a builder's /usr/src/app",
			src: "FROM node:22 AS build\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm ci\n\n" +
				"FROM node:22-slim\nWORKDIR /usr/src/app\nCOPY --from=build /usr/src/app/ ./\nCMD [\"node\", \"app.js\"]\n",
			runtime: Node, rtLine: 6, codeLines: []int{8}, codeWhat: "stage build holds app code", workdir: "/usr/src/app",
		},
		{
			name: "COPY --from a builder's /usr/<name>/app subfolder",
			src: "FROM node:20-alpine AS builder\nWORKDIR /usr/crowd/app\nCOPY ./backend ./backend\n\n" +
				"FROM node:20-alpine\nWORKDIR /usr/crowd/app\nCOPY --from=builder /usr/crowd/app/node_modules ./node_modules\nCOPY --from=builder /usr/crowd/app/backend ./backend\n",
			runtime: Node, codeLines: []int{8},
		},
		{
			name: "a git clone into /usr/src/app, copied in part",
			src: "FROM alpine/git AS base\nWORKDIR /usr/src/app\nRUN git clone --depth=1 https://example.com/x.git /usr/src/app\n\n" +
				"FROM node:10 AS build\nWORKDIR /usr/src/app\nCOPY --from=base /usr/src/app/frontend /usr/src/app\nCMD [\"npm\", \"start\"]\n",
			runtime: Node, codeLines: []int{7},
		},
		{
			name: "system files of a stage with code are not code",
			src: "FROM node:22 AS build\nWORKDIR /usr/src/app\nCOPY . .\nRUN apt-get install -y tini\n\n" +
				"FROM node:22-slim\nCOPY --from=build /usr/bin/tini /usr/local/bin/\nCOPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo\n",
			runtime: Node,
		},
		// Issue 11, class 2: copies from a stage on an image decouple cannot see into.
		{
			name: "app paths copied from a stage on another image",
			src: "ARG BASE_IMAGE=myorg/app-base:1\nFROM ${BASE_IMAGE} AS base\n\n" +
				"FROM node:22-alpine\nWORKDIR /app\nCOPY --from=base /app/.next/standalone ./\nCMD [\"node\", \"server.js\"]\n",
			runtime: Node, codeLines: []int{6}, codeWhat: "an app path of ${BASE_IMAGE}",
		},
		{
			name: "tools copied from a stage on another image are not code",
			src: "FROM golang:1.23 AS tools\nRUN go install example.com/tool@latest\n\n" +
				"FROM node:22-alpine\nCOPY --from=tools /go/bin/tool /usr/local/bin/tool\nCOPY --from=tools /usr/local/go/bin/gofmt /usr/local/bin/\n",
			runtime: Node,
		},
		{
			name:    "app paths copied out of an external image",
			src:     "FROM node:22-alpine\nWORKDIR /app\nCOPY --from=myorg/web-build:1.4 /app/dist ./dist\nCMD [\"node\", \"dist/main.js\"]\n",
			runtime: Node, codeLines: []int{3}, codeWhat: "an app path of myorg/web-build:1.4",
		},
		{
			name:    "node binary copied out of the node image is the runtime, not code",
			src:     "FROM debian:12-slim\nCOPY --from=node:22-slim /usr/local/bin/node /usr/local/bin/node\n",
			runtime: Node, rtLine: 2, unknown: true,
		},
		// Issue 11, class 3: code that arrives inside RUN.
		{
			name: "a release tarball from any host unpacked into WORKDIR, then npm install",
			src: "FROM node:20-slim\nWORKDIR /opt/app\n" +
				"RUN curl -fsSL https://downloads.example.com/shop/shop-3.2.1.tar.gz | tar -xz --strip-components=1\n" +
				"RUN npm install --omit=dev\nCMD [\"node\", \"index.js\"]\n",
			runtime: Node, codeLines: []int{3}, codeWhat: "curl https://downloads.example.com/shop/shop-3.2.1.tar.gz",
		},
		{
			name: "the same download and install in one RUN",
			src: "FROM node:20-slim\nWORKDIR /opt/app\n" +
				"RUN wget -qO- https://downloads.example.com/shop.zip > /tmp/s.zip && unzip /tmp/s.zip -d /opt/app && npm ci\n",
			runtime: Node, codeLines: []int{3},
		},
		{
			name: "an archive unpacked into WORKDIR with no install is not known to be the app",
			src: "FROM node:20-slim\nWORKDIR /opt/data\n" +
				"RUN curl -fsSL https://downloads.example.com/geo/cities.tar.gz | tar -xz\nCMD [\"node\"]\n",
			runtime: Node,
		},
		{
			name: "an archive unpacked elsewhere, then npm install in WORKDIR",
			src: "FROM node:20-slim\nWORKDIR /app\n" +
				"RUN curl -fsSL https://downloads.example.com/tool.tar.gz | tar -xz -C /usr/local\nRUN npm install\n",
			runtime: Node,
		},
		{
			name:    "ADD of a local tarball is auto-extracted code",
			src:     "FROM node:20-slim\nADD app.tar.gz /srv/app\nWORKDIR /srv/app\nCMD [\"node\", \"server.js\"]\n",
			runtime: Node, codeLines: []int{2},
		},
		{
			// A tool the command does not start is not the app: chokidar
			// for a PHP image's file watcher, yalc beside the real code.
			name:    "global tool in a PHP image",
			src:     "FROM php:8.3-cli\nCOPY --from=node:22-slim /usr/local/bin /usr/local/bin\nCOPY --from=node:22-slim /usr/local/lib /usr/local/lib\nRUN npm install -g chokidar\n",
			runtime: Node, rtLine: 2, unknown: true,
		},
		{
			name:    "global tool beside the code",
			src:     "FROM node:22-slim\nRUN npm i -g yalc\nWORKDIR /app\nCOPY dist dist\nCMD [\"node\", \"dist/main.js\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{4}, workdir: "/app",
		},
		{
			// n8n's image: a start script runs the package.
			name:    "global app started by a script",
			src:     "FROM node:22-alpine\nRUN npm install -g n8n@1.64.0\nCOPY docker-entrypoint.sh /\nENTRYPOINT [\"tini\", \"--\", \"/docker-entrypoint.sh\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2},
		},
		{
			// ENV and ARG values are words the build processes.
			name:    "WORKDIR from a quoted ENV with variables",
			src:     "FROM node:22-alpine\nARG APP=shop\nENV APP_HOME=\"/srv/$APP\"\nWORKDIR $APP_HOME\nCOPY . .\n",
			runtime: Node, rtLine: 1, codeLines: []int{5}, workdir: "/srv/shop",
		},
		{
			name:    "npm install -g of the app",
			src:     "FROM node:20-slim\nRUN npm install -g @acme/dashboard@2.4.0\nCMD [\"acme-dashboard\"]\n",
			runtime: Node, codeLines: []int{2},
		},
		{
			name: "a release saved under an archive name from a URL that has none",
			src: "FROM node:22-slim\nWORKDIR /app\n" +
				"RUN curl -fSL \"https://releases.example.com/${V}/download\" -o app.tgz && tar zxf app.tgz && cd bundle && npm install\n",
			runtime: Node, codeLines: []int{3},
		},
		{
			name:    "yarn global add of the app, flags first",
			src:     "FROM node:22-alpine\nRUN yarn --non-interactive --frozen-lockfile global add thelounge@4.4.0\nENTRYPOINT [\"thelounge\"]\n",
			runtime: Node, codeLines: []int{2},
		},
		{
			name:    "an installer CLI is a tool, the install it runs is the app",
			src:     "FROM node:22-slim\nRUN npm install -g ghost-cli@1.26\nRUN gosu node ghost install 5.0 --no-prompt --dir /var/lib/ghost\nCMD [\"node\", \"current/index.js\"]\n",
			runtime: Node, codeLines: []int{3}, codeWhat: "ghost install",
		},
		{
			name:    "an installer CLI alone is no app",
			src:     "FROM node:22-slim\nRUN npm install -g @go-task/cli\n",
			runtime: Node,
		},
		{
			name:    "apk add yarn brings Node",
			src:     "FROM alpine:3.22\nRUN apk add --no-cache yarn\nWORKDIR /app\nCOPY . .\n",
			runtime: Node, rtLine: 2, codeLines: []int{4}, unknown: true,
		},
		{
			name: "Node installed, used once and removed is gone",
			src: "FROM golang:1-bookworm\nWORKDIR /app\nCOPY ./extra/ ./extra/\n" +
				"RUN curl -sL https://deb.nodesource.com/setup_18.x | bash && apt-get install -y nodejs && node ./extra/build.js && apt-get remove -y nodejs\n",
			runtime: NoRuntime, codeLines: []int{3}, unknown: true,
		},
		{
			name:    "removing a package does not remove the node image's own Node",
			src:     "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN apt-get remove -y nodejs\n",
			runtime: Node, rtLine: 1, codeLines: []int{3},
		},
		// Issue 11, class 5: a base image shown to hold Node by what runs on it.
		{
			name: "a base that a stage runs npm in holds Node in every stage",
			src: "FROM acme/app-base:2 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n" +
				"FROM acme/app-base:2 AS upload\nCOPY --from=build /app /app\nRUN /app/extra/upload.sh\n",
			runtime: Node, rtLine: 6, rtWhat: "which holds Node (line 4 runs npm ci", codeLines: []int{7}, unknown: true,
		},
		{
			name:    "a base that installs Node itself proves nothing about the image",
			src:     "FROM acme/app-base:2\nRUN apt-get install -y nodejs && npm ci\n\nFROM acme/app-base:2\nCOPY . /app\n",
			runtime: NoRuntime, codeLines: []int{5}, unknown: true,
		},
		// Issue 11, class 4: ONBUILD parents.
		{
			name:    "node:onbuild copies the context",
			src:     "FROM node:onbuild\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n",
			runtime: Node, codeLines: []int{1}, codeWhat: "ONBUILD COPY . /usr/src/app of node:onbuild", workdir: "/usr/src/app",
		},
		{
			name:    "node:<v>-onbuild copies the context",
			src:     "FROM node:8-onbuild\nEXPOSE 3000\n",
			runtime: Node, codeLines: []int{1}, workdir: "/usr/src/app",
		},
		{
			name:    "an unknown onbuild image copies the context somewhere",
			src:     "FROM acme/runner:onbuild\nCMD [\"node\", \"index.js\"]\n",
			runtime: NoRuntime, codeLines: []int{1}, codeWhat: "the ONBUILD triggers of acme/runner:onbuild", unknown: true,
		},
		{
			name: "ONBUILD COPY of a parent stage runs in the child",
			src: "FROM node:22-alpine AS base\nWORKDIR /srv\nONBUILD COPY . /srv\nONBUILD RUN npm ci\n\n" +
				"FROM base\nCMD [\"npm\", \"start\"]\n",
			runtime: Node, codeLines: []int{3}, codeWhat: "ONBUILD COPY . /srv", workdir: "/srv",
		},
		{
			// electron ., node .: the package in the working folder,
			// which arrives by a mount; the global package runs it.
			name:    "a global package the command starts on the working folder is its runtime",
			src:     "FROM node:8\nRUN yarn global add electron@1.8.1\nCMD xvfb-run -a electron .\n",
			runtime: Node, rtLine: 1,
		},
		{
			// codimd: ARG RUNTIME with no default; the npm install on it
			// says the image holds Node, whatever the build passes.
			name:    "an image named by a build arg with no value, that runs npm",
			src:     "ARG RUNTIME\nFROM $RUNTIME\nWORKDIR /app\nCOPY . .\nRUN npm install --production\nENTRYPOINT [\"/app/docker-entrypoint.sh\"]\n",
			runtime: Node, rtLine: 2, rtWhat: "line 5 runs npm install", codeLines: []int{4}, unknown: true, workdir: "/app",
		},
		{
			// $RUNTIME and ${RUNTIME} name the same image.
			name:    "one image named by a build arg, spelt two ways",
			src:     "ARG RUNTIME\nFROM $RUNTIME AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\n\nFROM ${RUNTIME}\nCOPY --from=build /app /app\nCMD [\"/app/start.sh\"]\n",
			runtime: Node, rtLine: 7, rtWhat: "line 5 runs npm ci", codeLines: []int{8}, unknown: true,
		},
		{
			// GoogleCloudPlatform's nodejs runtime image: its install
			// scripts go to /opt, the app is mounted at the WORKDIR that
			// npm start runs in.
			name:    "tools beside an empty WORKDIR the command runs the project of",
			src:     "FROM node:22\nADD contents/ /opt/runtime/\nWORKDIR /app\nCMD npm start\n",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			name:    "code elsewhere that the command reaches with cd is the app",
			src:     "FROM node:22-alpine\nCOPY . /opt/app\nRUN cd /opt/app && npm ci\nWORKDIR /data\nCMD [\"sh\", \"-c\", \"cd /opt/app && npm start\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, workdir: "/data",
		},
		{
			name:    "code elsewhere that the command reaches with --prefix is the app",
			src:     "FROM node:22-alpine\nCOPY . /opt/app\nRUN npm ci --prefix /opt/app\nWORKDIR /data\nCMD [\"npm\", \"--prefix\", \"/opt/app\", \"start\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, workdir: "/data",
		},
		{
			// A file argument is no sign of a runtime for mounted code.
			name:    "a global package the command starts on a file is the app",
			src:     "FROM debian:12\nRUN apt-get update && apt-get install -y nodejs npm\nRUN npm install -g json-server\nWORKDIR /data\nCMD [\"json-server\", \"--watch\", \"./db.json\"]\n",
			runtime: Node, rtLine: 2, codeLines: []int{3}, workdir: "/data", unknown: true,
		},
		{
			name:    "code elsewhere that the command starts by its path is the app",
			src:     "FROM node:22\nCOPY . /srv/app\nWORKDIR /app\nCMD [\"node\", \"/srv/app/index.js\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, workdir: "/app",
		},
		{
			// A Meteor build: the sources go to /build, the bundle is
			// moved into the WORKDIR, which is no mount point.
			name:    "a WORKDIR a RUN moved the built app into is not empty",
			src:     "FROM node:4.6-wheezy\nADD . /build/\nRUN cd /build && meteor build --directory /bundle/ && rm -rf /build && mkdir /app/ && mv /bundle/bundle/* /app/ && cd /app/programs/server/ && npm install\nWORKDIR /app/\nCMD node main.js\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, workdir: "/app",
		},
		{
			// The build writes its output straight into the folder that
			// becomes the WORKDIR, from the folder the sources went to.
			name:    "a WORKDIR a build run on the code wrote into is not empty",
			src:     "FROM node\nADD . ./meteorsrc\nWORKDIR /meteorsrc\nRUN meteor build --directory /var/www/app\nWORKDIR /var/www/app\nRUN cd bundle/programs/server && npm install\nCMD node ./bundle/main.js\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, workdir: "/var/www/app",
		},
		{
			// Not run on the code: the folder it names stays empty of it.
			name:    "a folder named by a step run outside the code is still empty",
			src:     "FROM node:22\nADD contents/ /opt/runtime/\nRUN mkdir -p /app\nWORKDIR /app\nCMD npm start\n",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			// An extension from the registry, installed into the app.
			name:    "a named package installed into a Node application's image is app code",
			src:     "FROM directus/directus:11\nUSER root\nRUN npm install -g pnpm@latest\nUSER node\nRUN pnpm install @acme/directus-extension\n",
			runtime: Node, rtLine: 1, codeLines: []int{5},
		},
		{
			name:    "a named package installed on a runtime image is a dependency",
			src:     "FROM node:22\nWORKDIR /app\nRUN npm install express\nCMD [\"node\", \"-e\", \"1\"]\n",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			// apk removes the nodejs that npm pulled in with it.
			name:      "node pulled in by apk's npm and deleted with it is gone",
			src:       "FROM alpine\nRUN apk add nginx php-fpm composer npm\nWORKDIR /var/www/html\nADD . .\nRUN composer install && npm i && npm run prod && rm -rf node_modules && apk del --purge composer npm\nCMD nginx\n",
			codeLines: []int{4}, unknown: true, workdir: "/var/www/html",
		},
		{
			// Named by the install, nodejs stays when npm goes.
			name:    "nodejs named by apk stays when npm is deleted",
			src:     "FROM alpine\nRUN apk add nodejs npm\nWORKDIR /app\nCOPY . .\nRUN npm ci && apk del npm\nCMD node index.js\n",
			runtime: Node, rtLine: 2, rtWhat: "apk … nodejs", codeLines: []int{4}, unknown: true, workdir: "/app",
		},
		{
			// The script runs npm in a folder mounted at run time.
			name:    "a start script the entrypoint runs by its path is no app code",
			src:     "FROM node:12-alpine\nWORKDIR /var/www/nuxt\nCOPY command/frontend /command/frontend\nENTRYPOINT [\"/command/frontend\"]\n",
			runtime: Node, rtLine: 1, workdir: "/var/www/nuxt",
		},
		{
			name:    "beside a start script, the copied project is still the app",
			src:     "FROM node:22\nWORKDIR /app\nCOPY . .\nCOPY start.sh /start.sh\nCMD [\"sh\", \"/start.sh\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{3}, workdir: "/app",
		},
		{
			name:    "a JavaScript file the command runs by its path is the app",
			src:     "FROM node:22\nCOPY server.js /server.js\nENTRYPOINT [\"/server.js\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2},
		},
		{
			// bluesky's pds: the goat CLI, built in a Go stage.
			name:    "a program compiled in a stage with no JavaScript is a tool",
			src:     "FROM golang:1.22 AS goat\nRUN git clone https://github.com/bluesky-social/indigo.git /src && cd /src && go build -o /out/goat ./cmd/goat\nFROM node:22\nCOPY --from=goat /out/goat /usr/local/bin/goat\n",
			runtime: Node, rtLine: 3,
		},
		{
			name:    "a program compiled from the project's own sources is app code",
			src:     "FROM golang:1.22 AS tools\nWORKDIR /src\nCOPY tools/ .\nRUN go build -o /out/migrate ./cmd/migrate\nFROM node:22\nCOPY --from=tools /out/migrate /srv/migrate\n",
			runtime: Node, rtLine: 5, codeLines: []int{6},
		},
		{
			name:    "the app cloned in a stage with no JavaScript is app code",
			src:     "FROM alpine/git AS clone\nRUN git clone https://github.com/acme/app.git /src\nFROM node:22\nCOPY --from=clone /src /app\nWORKDIR /app\nCMD [\"node\", \"server.js\"]\n",
			runtime: Node, rtLine: 3, codeLines: []int{4}, workdir: "/app",
		},
		{
			name:    "code in the WORKDIR's parent is the app",
			src:     "FROM node:22\nCOPY . /srv\nWORKDIR /srv/app\nCMD [\"npm\", \"start\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2}, workdir: "/srv/app",
		},
		{
			// novu: notice is --loglevel's value, no package.
			name:    "a flag's value is no global package",
			src:     "FROM node:22-alpine\nRUN npm install -g pnpm@9.11.0 --loglevel notice --registry https://r.example --omit dev\nCMD [\"pnpm\", \"start\"]\n",
			runtime: Node, rtLine: 1,
		},
		{
			// sock-shop's test image: tools for code mounted at run time.
			name:    "global packages in an image with no command and an empty WORKDIR are tools",
			src:     "FROM node:4-alpine\nRUN npm install -g casperjs\nRUN mkdir -p /usr/src/app\nWORKDIR /usr/src/app\n",
			runtime: Node, rtLine: 1, workdir: "/usr/src/app",
		},
		{
			// A fig-era image: supervisord runs forever on mounted code.
			name:    "a debugger and a process manager installed globally are tools",
			src:     "FROM dockerfile/nodejs\nRUN npm install -g forever\nRUN npm install -g node-inspector\nRUN apt-get update && apt-get install -y supervisor\n",
			runtime: Node, rtLine: 1,
		},
		{
			name:    "global packages on a dev container image are the developer's tools",
			src:     "FROM mcr.microsoft.com/devcontainers/javascript-node:1-22-bookworm\nRUN npm install -g @antfu/ni bumpp\n",
			runtime: Node, rtLine: 1,
		},
		{
			// A zsh theme cloned where the ARGs lead: a dot folder.
			name:    "a clone into a dot folder named through ARGs is a tool",
			src:     "FROM node:22\nARG HOME=/home/node\nARG ZSH=${HOME}/.oh-my-zsh\nARG REMOTE=https://github.com/romkatv/powerlevel10k.git\nRUN git clone --depth=1 ${REMOTE} ${ZSH}/custom/themes/powerlevel10k\n",
			runtime: Node, rtLine: 1,
		},
		{
			name:    "a global package alone in a Node image with no command is the app",
			src:     "FROM node:22\nRUN npm install -g n8n\n",
			runtime: Node, rtLine: 1, codeLines: []int{2},
		},
		{
			name:    "a global package the command starts alone is the app",
			src:     "FROM node:22\nRUN npm install -g n8n\nCMD [\"n8n\", \"start\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2},
		},
		{
			// Rails gets Node from apt for its assets and bundles its
			// gems: the Gemfile is no app code.
			name:    "another language's manifests are no code",
			src:     "FROM ruby:3.3\nRUN apt-get update && apt-get install -y nodejs\nWORKDIR /app\nCOPY Gemfile Gemfile.lock /app/\nRUN bundle install\n",
			runtime: Node, rtLine: 2, workdir: "/app", unknown: true,
		},
		{
			// A Node binary tarball named through ENV values, from a
			// fork's releases (wekan's node-v14-esm).
			name:    "a Node tarball whose URL names ENV values",
			src:     "FROM ubuntu:24.04\nENV NODE_VERSION=v14.21.4 ARCH=linux-x64\nRUN <<EOR\nwget \"https://github.com/acme/node-esm/releases/download/${NODE_VERSION}/node-${NODE_VERSION}-${ARCH}.tar.gz\"\nEOR\nCOPY packages /app/packages/\n",
			runtime: Node, rtLine: 3, rtWhat: "${ARCH}", codeLines: []int{6}, unknown: true,
		},
		{
			// hls-proxy's nginx-ts: nginx and a module compiled on a
			// node base; nothing runs Node.
			name:    "sources downloaded and compiled natively are no app code",
			src:     "FROM node:8\nWORKDIR /src\nRUN wget https://github.com/arut/nginx-ts-module/archive/v0.1.1.tar.gz && tar zxf v0.1.1.tar.gz\nWORKDIR /src/nginx\nRUN ./configure --add-module=/src/nginx-ts-module-0.1.1 && make && make install\nCMD \"nginx\"\n",
			runtime: Node, rtLine: 1, workdir: "/src/nginx",
		},
		{
			name:    "downloaded sources an image compiles and then runs with Node are app code",
			src:     "FROM node:22\nWORKDIR /src\nRUN wget https://github.com/acme/app/archive/v1.tar.gz && tar zxf v1.tar.gz\nRUN make\nCMD [\"node\", \"app-1/server.js\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{3}, workdir: "/src",
		},
		{
			// A package manager's image for mounted projects: the
			// command hands its arguments to pnpm, so the global packages
			// are its tools.
			name:    "global tools beside a command that runs a package manager",
			src:     "FROM node:19\nWORKDIR /app\nCOPY startup.sh /startup.sh\nRUN pnpm install -g tsc\nENTRYPOINT [\"/startup.sh\", \"pnpm\"]\n",
			runtime: Node, rtLine: 1, workdir: "/app",
		},
		{
			// decouple's own runtime stage for serverless offline: the
			// runner starts the mounted project; spawn-sync beside it
			// is no app.
			name:    "global packages beside a command that starts a runner",
			src:     "FROM node:12 AS runtime\nWORKDIR /code\nRUN npm install -g serverless --ignore-scripts spawn-sync\nCMD [\"serverless\", \"offline\", \"--port\", \"5000\"]\n",
			runtime: Node, rtLine: 1, workdir: "/code",
		},
		{
			name:    "a global package the image holds alone is its app",
			src:     "FROM node:20\nRUN npm install -g n8n\nCMD [\"n8n\"]\n",
			runtime: Node, rtLine: 1, codeLines: []int{2},
		},
		{
			// The launcher's name is an argument of nginx (no shell).
			name:      "nginx given a launcher's name as an argument",
			src:       "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm run build\nFROM nginx:alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\nCMD [\"nginx\", \"-g\", \"daemon off;\", \"yarn\", \"serve\"]\n",
			runtime:   NoRuntime,
			codeLines: []int{6}, unknown: true,
		},
		{
			name:    "ONBUILD in the final stage itself copies nothing yet",
			src:     "FROM node:22-alpine\nWORKDIR /srv\nONBUILD COPY . /srv\n",
			runtime: Node, workdir: "/srv",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := stageFacts(t, tt.src, tt.stage)
			if fa.Runtime != tt.runtime {
				t.Errorf("Runtime = %q (by %+v), want %q", fa.Runtime, fa.RuntimeBy, tt.runtime)
			}
			if tt.rtLine != 0 && fa.RuntimeBy.Line != tt.rtLine {
				t.Errorf("RuntimeBy.Line = %d (%q), want %d", fa.RuntimeBy.Line, fa.RuntimeBy.What, tt.rtLine)
			}
			if tt.rtWhat != "" && !strings.Contains(fa.RuntimeBy.What, tt.rtWhat) {
				t.Errorf("RuntimeBy.What = %q, want it to mention %q", fa.RuntimeBy.What, tt.rtWhat)
			}
			if got := codeLines(fa); !equalInts(got, tt.codeLines) {
				t.Errorf("code lines = %v (%+v), want %v", got, fa.Code, tt.codeLines)
			}
			if tt.codeWhat != "" && (len(fa.Code) == 0 || !strings.Contains(fa.Code[0].What, tt.codeWhat)) {
				t.Errorf("code evidence = %+v, want the first to mention %q", fa.Code, tt.codeWhat)
			}
			if fa.UnknownBase != tt.unknown {
				t.Errorf("UnknownBase = %v, want %v", fa.UnknownBase, tt.unknown)
			}
			if tt.workdir != "" && fa.Workdir != tt.workdir {
				t.Errorf("Workdir = %q, want %q", fa.Workdir, tt.workdir)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A stage named like an image ("node_base") is a stage reference, not an
// image: a python stage called node_base does not bring Node.
func TestAnalyzeStageNamedLikeImage(t *testing.T) {
	src := "FROM python:3.12-slim AS node_base\nWORKDIR /app\n\nFROM node_base\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
	f := mustParse(t, src, nil)
	final := f.Final()
	if final.BaseStage == nil || final.BaseStage.Name != "node_base" {
		t.Fatalf("final stage BaseStage = %+v, want the node_base stage", final.BaseStage)
	}
	fa := f.Analyze(nil)[final.Index]
	if fa.Runtime != NoRuntime {
		t.Errorf("Runtime = %q by %+v, want none: node_base is a python stage", fa.Runtime, fa.RuntimeBy)
	}
	if fa.RootBase != "python:3.12-slim" {
		t.Errorf("RootBase = %q, want python:3.12-slim", fa.RootBase)
	}
	if !fa.HasCode() {
		t.Errorf("want code from COPY . .")
	}
	// Stage names are case-insensitive, as in BuildKit.
	f = mustParse(t, "FROM node:20 AS Build\nCOPY . /app\nFROM BUILD AS final\n", nil)
	if f.Final().BaseStage == nil {
		t.Errorf("FROM BUILD did not resolve to stage Build")
	}
}

func TestParseStagesAndArgs(t *testing.T) {
	src := "ARG NODE_VERSION=18\nARG VARIANT\nFROM node:${NODE_VERSION}-alpine AS Dev\nCOPY . .\n\n  FROM nginx:${NGINX:-1.27}\n"
	f := mustParse(t, src, map[string]string{"NODE_VERSION": "22.3.0"})
	if len(f.Stages) != 2 {
		t.Fatalf("%d stages, want 2", len(f.Stages))
	}
	dev, final := f.Stages[0], f.Stages[1]
	if dev.Name != "dev" || dev.ID() != "Dev" {
		t.Errorf("stage 0 name = %q, ID %q: want dev lower-cased, as BuildKit matches it, and Dev as written, as findings quote it", dev.Name, dev.ID())
	}
	if dev.BaseRaw != "node:${NODE_VERSION}-alpine" || dev.Base != "node:22.3.0-alpine" {
		t.Errorf("stage 0 base = %q / %q, want the raw text and the build arg expanded", dev.BaseRaw, dev.Base)
	}
	if dev.Line != 3 || dev.Column != 1 {
		t.Errorf("stage 0 at %d:%d, want 3:1", dev.Line, dev.Column)
	}
	if final.ID() != "1" || final.Base != "nginx:1.27" || final.Line != 6 || final.Column != 3 {
		t.Errorf("stage 1 = id %q base %q at %d:%d, want 1 nginx:1.27 at 6:3", final.ID(), final.Base, final.Line, final.Column)
	}
	if f.Stage("DEV") != dev || f.Stage("1") != final || f.Stage("2") != nil || f.Stage("nope") != nil {
		t.Errorf("Stage lookup by name/index is wrong")
	}
	if d := f.MetaArgs["NODE_VERSION"]; d == nil || *d != "18" {
		t.Errorf("MetaArgs[NODE_VERSION] = %v, want default 18", d)
	}
	if _, ok := f.MetaArgs["VARIANT"]; !ok {
		t.Errorf("MetaArgs lacks VARIANT (declared without a default)")
	}
	// Without the build arg, the ARG default applies.
	f = mustParse(t, src, nil)
	if f.Stages[0].Base != "node:18-alpine" {
		t.Errorf("base without build args = %q, want node:18-alpine", f.Stages[0].Base)
	}
}

// The escape directive switches the line continuation to a backtick, as in
// Windows Dockerfiles; the parser must still split instructions right.
func TestParseEscapeBacktick(t *testing.T) {
	src := "# escape=`\n" +
		"FROM mcr.microsoft.com/windows/servercore:ltsc2022\n" +
		"SHELL [\"powershell\", \"-Command\"]\n" +
		"RUN Invoke-WebRequest -Uri https://nodejs.org/dist/v20.11.1/node-v20.11.1-x64.msi `\n" +
		"      -OutFile C:\\node.msi ; `\n" +
		"    Start-Process msiexec.exe -ArgumentList '/qn', '/i', 'C:\\node.msi' -Wait\n" +
		"WORKDIR C:\\app\n" +
		"COPY package.json C:\\app\\\n" +
		"COPY src\\ `\n" +
		"     C:\\app\\src\\\n" +
		"CMD [\"node\", \"src\\\\server.js\"]\n"
	f := mustParse(t, src, nil)
	fa := f.Analyze(nil)[0]
	if fa.Runtime != Node || fa.RuntimeBy.Line != 4 {
		t.Errorf("runtime %q at line %d, want node at 4", fa.Runtime, fa.RuntimeBy.Line)
	}
	if got := codeLines(fa); !equalInts(got, []int{9}) {
		t.Fatalf("code lines %v (%+v), want [9]: package.json alone is not code", got, fa.Code)
	}
	if fa.Runs == nil || fa.Runs.Line != 11 {
		t.Errorf("Runs = %+v, want the CMD at line 11", fa.Runs)
	}
	t.Run("evidence text", func(t *testing.T) {
		if strings.HasSuffix(fa.Code[0].What, "`") {
			t.Errorf("evidence %q ends in the escape token: instructionText must trim the file's escape token", fa.Code[0].What)
		}
	})
}

func TestParseErrorsCarryLine(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
	}{
		{"unknown instruction", "FROM node:20\nWORKDIR /app\nCOPPY . .\n", 3},
		{"missing argument", "FROM node:20\nENV\n", 2},
		{"bad FROM", "FROM node:20 AS a b\n", 1},
		{"instruction before FROM", "WORKDIR /app\nFROM node\n", 1},
		{"COPY without destination", "FROM node:20\nCOPY --from=\n", 2},
		{"a compose file under a Dockerfile's name", "# the stack\nversion: '3'\nservices:\n  web:\n    build: .\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("Dockerfile", []byte(tt.src), nil)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("ParseError.Line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if hint := strings.Contains(err.Error(), "holds a compose file's YAML"); hint != strings.Contains(tt.src, "services:") {
				t.Errorf("error %q: compose hint %v, want it only for compose text", err, hint)
			}
		})
	}
	for _, src := range []string{"", "# only a comment\n"} {
		if _, err := Parse("Dockerfile", []byte(src), nil); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error: there is no stage", src)
		}
	}
}

func TestLaunchesJS(t *testing.T) {
	for words, want := range map[string]Runtime{
		"node server.js":                  Node,
		"npm run start":                   Node,
		"/usr/local/bin/node index.js":    Node,
		"sh -c npm ci && npm start":       Node,
		"pm2-runtime ecosystem.config.js": Node,
		"bun run index.ts":                Bun,
		"bun run bundle --watch":          Bun,
		"deno run main.ts":                Deno,
		"nginx -g daemon off;":            NoRuntime,
		// A launcher's name in the argument list of a server that runs
		// nothing else is its argument, not a command.
		"nginx -g daemon-off; yarn serve":  NoRuntime,
		"tini -- caddy run --config x npm": NoRuntime,
		"sh -c nginx && node server.js":    Node,
		"python app.py":                    NoRuntime,
		"./bin/start":                      NoRuntime,
	} {
		if got := LaunchesJS(strings.Fields(words)); got != want {
			t.Errorf("LaunchesJS(%q) = %q, want %q", words, got, want)
		}
	}
}

// Judgements that were once wrong, kept as regression cases.
func TestAnalyzeKnownBugs(t *testing.T) {
	t.Run("ADD of a release binary is not app code", func(t *testing.T) {
		fa := stageFacts(t, "FROM node:20-bookworm-slim\n"+
			"ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini\n"+
			"RUN chmod +x /tini\nENTRYPOINT [\"/tini\", \"--\"]\n", "")
		if fa.HasCode() {
			t.Errorf("a remote ADD of a binary counts as app code (%+v); "+
				"only source archives (isSourceArchive) and git URLs should be code, a downloaded binary such as tini is not", fa.Code)
		}
	})
	t.Run("COPY --from of a build output under /home/node is not the Node runtime", func(t *testing.T) {
		src := "FROM node:20-alpine AS build\nWORKDIR /home/node/app\nCOPY . .\nRUN npm ci && npm run build\n\n" +
			"FROM nginx:1.27-alpine\nCOPY --from=build /home/node/app/dist /usr/share/nginx/html\n"
		fa := stageFacts(t, src, "")
		if fa.Runtime == Node {
			t.Errorf("copying /home/node/app/dist "+
				"(the node image's usual app folder) out of a node stage is taken as copying the runtime (%+v) instead of code; "+
				"isNodeBinaryPath must match real install paths only", fa.RuntimeBy)
		}
	})
	t.Run("the app's binary copied under a launcher's name does not start Node", func(t *testing.T) {
		// A Go service copied in as ./node (node-crypto-forex-rates).
		fa := stageFacts(t, "FROM alpine\nWORKDIR /app\nCOPY /artifacts/$BIN_NAME /app/node\nENTRYPOINT [\"./node\"]\n", "")
		if fa.Runs != nil {
			t.Errorf("ENTRYPOINT ./node, the file the Dockerfile copied to /app/node, is taken to start Node (%+v)", fa.Runs)
		}
		// The Node binary itself, copied out of a node image, does.
		fa = stageFacts(t, "FROM debian:12-slim\nWORKDIR /app\nCOPY --from=node:22-slim /usr/local/bin/node /app/node\nCOPY . .\nCMD [\"./node\", \"server.js\"]\n", "")
		if fa.Runs == nil || fa.Runtime != Node {
			t.Errorf("CMD ./node after copying the node binary from node:22-slim: Runs %+v, Runtime %q; want Node started", fa.Runs, fa.Runtime)
		}
	})
	t.Run("a dev container's global packages are tools", func(t *testing.T) {
		f, err := Parse(".devcontainer/Dockerfile", []byte("FROM node:22\nUSER node\nRUN npm install --global @antfu/ni bumpp taze\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if fa := f.Analyze(nil)[0]; fa.HasCode() {
			t.Errorf(".devcontainer/Dockerfile: global tools are taken for the app (%+v)", fa.Code)
		}
		f, err = Parse("Dockerfile", []byte("FROM node:22\nRUN npm install --global n8n\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if fa := f.Analyze(nil)[0]; !fa.HasCode() {
			t.Error("Dockerfile: npm install -g n8n alone in a Node image is no longer the app")
		}
	})
	t.Run("COPY of a config file into a non-node image", func(t *testing.T) {
		fa := stageFacts(t, "FROM prom/node-exporter:v1.8.1\nCOPY web-config.yml /etc/node_exporter/web-config.yml\n", "")
		if fa.Runtime == Node {
			t.Error("prom/node-exporter is judged a Node image (see TestImageRuntime), so this config COPY makes a DC001")
		}
	})
}

func TestTrimWhatKeepsTheEnd(t *testing.T) {
	long := "COPY --from=deps /app/node_modules/.pnpm/node_modules/erxes-api-shared /app/node_modules/erxes-api-shared"
	got := trimWhat(long)
	if len(got) > 80 || !strings.HasSuffix(got, "/app/node_modules/erxes-api-shared") || !strings.HasPrefix(got, "COPY --from=deps ") || !strings.Contains(got, "…") {
		t.Errorf("trimWhat(%q) = %q: want it cut in the middle, keeping where it copies to", long, got)
	}
	if s := "COPY . ."; trimWhat(s) != s {
		t.Errorf("trimWhat(%q) = %q, want it unchanged", s, trimWhat(s))
	}
	if got := trimWhat(strings.Repeat("é", 60)); !utf8.ValidString(got) {
		t.Errorf("trimWhat cut a character in two: %q", got)
	}
}

// An argument list that starts a server which runs nothing else starts no
// JS runtime, whatever names follow; a shell line still runs each command.
func TestServerArgsStartNoRuntime(t *testing.T) {
	for src, want := range map[string]Runtime{
		"FROM nginx:alpine\nCMD [\"nginx\", \"-g\", \"daemon off;\", \"yarn\", \"serve\"]\n": NoRuntime,
		"FROM nginx:alpine\nENTRYPOINT [\"dumb-init\", \"--\", \"nginx\", \"node\"]\n":       NoRuntime,
		"FROM nginx:alpine\nCMD nginx -g 'daemon off;' ; yarn serve\n":                       Node,
		"FROM nginx:alpine\nCMD [\"sh\", \"-c\", \"nginx && node server.js\"]\n":             Node,
	} {
		fa := stageFacts(t, src, "")
		if fa.RunsRuntime != want {
			t.Errorf("%q: RunsRuntime = %q (Runs %+v), want %q", src, fa.RunsRuntime, fa.Runs, want)
		}
	}
}
