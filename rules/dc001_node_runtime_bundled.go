package rules

import (
	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
)

var nodeRuntimeBundled = &Rule{
	Rule: &analysis.Rule{
		Code: "DC001", Name: "node-runtime-bundled", Severity: analysis.Error,
		Summary: "the image a service runs (or a Dockerfile's final stage) holds the Node runtime and app code",
		Doc:     docDC001,
	},
	Run: func(p *Pass) {
		checkBundles(p, func(rt dockerfile.Runtime) bool { return rt == dockerfile.Node },
			"a Node security patch means rebuilding and re-releasing this image", "")
	},
}

const docDC001 = `## Why
When the Node runtime and the app code are welded into one image
(` + "`FROM node:18` + `COPY . .` + `CMD node app.js`" + `), a Node security patch means
rebuilding, re-tagging and re-releasing every app. Keep them apart: a
code-only image holds the code as a volume, and a runtime service on a stock
Node image mounts it. Patching Node is then a one-line change of the runtime
` + "`image:`" + ` tag.

## Bad
` + "```" + `dockerfile
FROM node:20-alpine
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
CMD ["npm", "start"]
` + "```" + `

## Good
` + "```" + `yaml
services:
  app-code:
    build: { context: ., dockerfile: Dockerfile.code }   # FROM tianon/true, COPY . /app, VOLUME /app
  app:
    image: node:20-alpine
    volumes_from: [app-code]
    working_dir: /app
    command: ["sh", "-c", "npm ci --omit=dev && npm start"]
` + "```" + `

## What it looks at
The image a service runs: the ` + "`build.target`" + ` stage, else the last stage,
following ` + "`FROM <stage>`" + ` chains. Node arrives by a node image (official or
third-party, Meteor and pm2 images included, and the images of Node
applications such as Ghost, Directus or n8n, by a word of the name, whoever
rebuilt them, but not images made to go beside them such as ghost-backup:
a theme or extensions copied in are app code, and the split is left to the
user, since the application starts from its own folder), a package install (nodejs, npm,
yarn), NodeSource, nvm and friends, a tarball, ` + "`COPY --from`" + ` of a node binary,
a base image that a stage runs npm in, an image a compose service builds
(named by its image: or build.tags; for services and standalone Dockerfiles
alike), or a stage's whole file system (FROM scratch + COPY --from=0 / /).
Code arrives by COPY/ADD of the
context, COPY --from of a stage holding code at that path (/usr/src/app is an
app folder, /usr/bin/tini is not), app paths (dist/, .next/standalone) copied
out of an image decouple cannot see into, git clone (into the folder named, else
the repository's), source archives, any
archive unpacked into the app folder and installed there, a global npm or
yarn install of the app, an installer CLI's install, or the ONBUILD triggers
of a parent (node:onbuild, or a base image another compose service of the
project builds, in any of its compose files: the triggers run in the child's
build, with its context and stages). A shell script copied from the build
context and run by a RUN (ADD fetch.sh /build/; RUN /build/fetch.sh, or sh
fetch.sh) is read as that RUN's lines, one level deep: its git clone, npm
install or Node install count as the RUN's, and the evidence names the
script. A build context that is a git URL
naming a folder of this repository (URL#ref:subdir, in a deploy file) is
judged from the local copy of that folder, unless .git/config names other
remotes; its split is left to the user. When the override Compose merges by
default (docker-compose.override.yml) replaces a service's build with
another Dockerfile or stage, the base file is also judged alone, as a
deploy runs it (` + "`docker compose -f docker-compose.yml`" + `); that finding's split
is left to the user. A builder stage that feeds an nginx or caddy
final stage is fine. Not app code: dependency manifests (package.json,
lockfiles, bower.json, and other languages' Gemfile, requirements.txt,
go.mod), start scripts and configs (files from rootfs/ and conf.d/, data files
from docker/, nginx/ and the like), a data file (rules, JSON, YAML)
copied outside the WORKDIR, or to an absolute path with none, where Node
was installed on another base (storage.rules for a global Firebase CLI; on
a Node image such as node-red, flows.json is the app's, and a tsconfig.json
always is), build tools installed globally, a global package the command runs
on the working folder (electron .) or, as an ENTRYPOINT that takes its
arguments at run time, in a WORKDIR the image declares a VOLUME (ENTRYPOINT
["electron-packager"], CMD [""]), global packages
of an image with no command or a bare shell (CMD ["/bin/bash"]) and an empty
WORKDIR (a toolbox for mounted code), or whose command hands its arguments to
a package manager or starts a runner of the project's code (ENTRYPOINT
["/startup.sh", "pnpm"], CMD serverless offline: the project is mounted),
and what an
image copies beside an empty WORKDIR whose project its command runs
(npm start: the app is mounted there; a WORKDIR a RUN moved files into,
such as a Meteor bundle, is not empty), sources an image downloads and
compiles natively while nothing in it runs Node (nginx and a module built
with ./configure && make on a node base). A command word that is a path
to a file the image copied in (ENTRYPOINT ["./node"] for a Go binary
copied as /app/node) does not start Node, nor does a launcher's name in the
argument list of a server that runs nothing else (CMD ["nginx", "-g",
"daemon off;", "yarn", "serve"]), and a program compiled in a stage
with no JavaScript (go build of a CLI, copied into the final stage) is a
tool. An image whose own ONBUILD triggers
copy the context or install Node is a base for other builds: the images
built FROM it are judged, not it. A bind mount over the code hides it at
run time, but the image still ships it.

## Fix
` + "`--fix`" + ` splits the service: ` + "`<svc>-code`" + ` builds a code-only image from a generated
Dockerfile.code (FROM tianon/true, the app's folder declared a VOLUME: the
WORKDIR, the folder above it that holds all the code, or with no WORKDIR the
one folder the code went to; a named code stage per target), and the
service keeps its name as the
runtime with volumes_from, working_dir, command/entrypoint, environment,
user, healthcheck and stop_signal taken from the Dockerfile. The runtime is
the base image, or, when the old image set up anything outside the code path
(packages, global tools, users, scripts) or installs Node itself, a built
code-free stage of the old steps (` + "`--runtime auto|stock|built`" + `). Every split
is held to the runtime contract (programs, users, anonymous and data volumes,
image names): what the runtime cannot carry refuses the fix with the reason.
Windows images (nanoserver, servercore, node-windows, a C: WORKDIR) are not
split: the code-only image is a Linux image.
` + "`--strategy build`" + ` (default) keeps the build stages so dependencies are
installed at build time; ` + "`--strategy install`" + ` ships sources only and
installs production dependencies at start. Roll out new code with
` + "`docker compose up -d --build -V <svc> <svc>-code`" + `: without -V, Compose
re-attaches the old anonymous code volume. Code copied to / (no WORKDIR)
goes under /app in the code image, its /node_modules along when the
dependencies were installed there. A service whose build: a variant file
layered on its base sets again is split in the variant, with
` + "`build: !reset null`" + ` dropping the base's build (Compose 2.24 or later, so
only for files that are already Compose v2's). Where nothing shows the two
files layered, a file whose service sets only part of a build: (no context:)
and leaves out keys another file of the folder sets for it is taken for an
override of that file: the split is refused, since either file split alone
would leave the other's build on the runtime. A build: in an x- extension
that services merge (x-app: &app, <<: *app) is split in the extension: every
service that merges it runs on the first one's code volume. A named volume
inside the code path (nm:/app/node_modules) is mounted by the code service
too, so a new one is filled from the code image. A build tagged with the
runtime's own image name (build: . with image: node:22) makes the split
unsafe: the host's node:22 is the old app until it is pulled again. An
entrypoint script from the build context that rewrites files of the code
path at start (sed -i over .next to put env values in) refuses the split:
the code volume is kept, so the first start's edits would stay.
`
