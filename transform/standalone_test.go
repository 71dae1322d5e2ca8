package transform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/workspace"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A Dockerfile no compose file builds gets, as an unsafe fix, a new
// compose.yaml beside it that loads and runs the code from a volume.
func TestSplitStandaloneCreatesCompose(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"web/Dockerfile":        "FROM node:24-alpine\nWORKDIR /srv\nENV PORT=8080\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"index.js\"]\n",
		"web/package.json":      `{"name": "web"}` + "\n",
		"web/package-lock.json": "{}\n",
	})
	t.Chdir(dir)
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Dockerfiles) != 1 {
		t.Fatalf("want one standalone Dockerfile, got %d", len(ws.Dockerfiles))
	}
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	if fix.Safe {
		t.Error("a new compose file must be an unsafe fix")
	}
	changes, err := edit.Plan(dir, relTo(t, dir, fix))
	if err != nil {
		t.Fatal(err)
	}
	if err := edit.Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "web/compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  app:\n    image: node:24-alpine\n    volumes_from:\n      - app-code\n    working_dir: /srv\n",
		"    command: [\"node\", \"index.js\"]\n", "    user: node\n", "      PORT: \"8080\"\n",
		"  app-code:\n    build:\n      context: .\n      dockerfile: Dockerfile.code\n    network_mode: none\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("compose.yaml lacks %q:\n%s", want, got)
		}
	}
	p, err := compose.LoadLimited([]string{filepath.Join(dir, "web/compose.yaml")}, compose.Limits{})
	if err != nil || p.Degraded != "" {
		t.Fatalf("generated compose.yaml does not load cleanly: %v %s", err, p.Degraded)
	}
	if svc := p.Model.Services["app"]; svc.Build != nil || len(svc.VolumesFrom) != 1 {
		t.Errorf("runtime service: build %v, volumes_from %v", svc.Build, svc.VolumesFrom)
	}
}

// A compose file that does not build the Dockerfile is left alone: the
// split goes into compose.<service>.yaml, a project of its own.
func TestSplitStandaloneBesideACompose(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":   "FROM node:24\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"a.js\"]\n",
		"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
	})
	t.Chdir(dir)
	ws := load(t)
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	if !strings.Contains(fix.Message, "compose.yaml does not build this Dockerfile and is left as it is") {
		t.Errorf("message does not say the existing file is left alone: %s", fix.Message)
	}
	got := apply(t, dir, fix)
	if _, changed := got["compose.yaml"]; changed {
		t.Error("the existing compose.yaml was changed")
	}
	text := got["compose.app.yaml"]
	if !strings.Contains(text, "\nname: "+projectName(dir)+"-app\nservices:\n  app:\n") {
		t.Errorf("compose.app.yaml has no project name of its own:\n%s", text)
	}
}

// When a compose service builds another stage of the Dockerfile, the
// message says which stage and that the final one is the bundled one.
func TestSplitStandaloneNamesTheStageComposeBuilds(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile": "FROM node:22-alpine AS base\nWORKDIR /opt/app\nCOPY package.json .\nRUN npm ci\n" +
			"FROM base AS dev\nCMD [\"npm\", \"run\", \"dev\"]\n" +
			"FROM base AS prod\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
		"package.json":       "{}\n",
		"docker-compose.yml": "services:\n  web:\n    build:\n      context: .\n      target: dev\n",
	})
	t.Chdir(dir)
	ws := load(t)
	if len(ws.Dockerfiles) != 1 {
		t.Fatalf("want the Dockerfile standalone (its final stage is built by nothing), got %d", len(ws.Dockerfiles))
	}
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	want := `docker-compose.yml: service "web" builds stage "dev" of this Dockerfile, not its final stage "prod", which is the one that bundles Node and the code`
	if !strings.HasPrefix(fix.Message, want) {
		t.Errorf("message:\n%s\nwant it to start with:\n%s", fix.Message, want)
	}
}

// Services are named after the Dockerfile, never after the folder; names
// that clash get a suffix in the order of the file names.
func TestStandaloneNames(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"svc/web.Dockerfile":    "FROM node:24\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"a.js\"]\n",
		"svc/Dockerfile.web":    "FROM node:24\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"b.js\"]\n",
		"svc/Dockerfile-worker": "FROM node:24\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"c.js\"]\n",
		"svc/Dockerfile":        "FROM node:24\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"d.js\"]\n",
	})
	t.Chdir(dir)
	ws := load(t)
	got := map[string]string{}
	for _, d := range ws.Dockerfiles {
		got[filepath.Base(d.File.Path)] = standaloneName(ws, d)
	}
	want := map[string]string{"Dockerfile": "app", "Dockerfile.web": "web", "web.Dockerfile": "web-2", "Dockerfile-worker": "worker"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: service %q, want %q", k, got[k], v)
		}
	}
}

// The build context is the folder where the COPY sources are, found by
// walking up; the .dockerignore goes there.
func TestSplitStandaloneContextFromCopySources(t *testing.T) {
	got, _ := splitStandalone(t, map[string]string{
		"package.json":            "{}\n",
		"apps/web/index.js":       "",
		"infra/docker/Dockerfile": "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json ./\nCOPY apps ./apps\nCMD [\"node\", \"apps/web/index.js\"]\n",
	})
	if want := "    build:\n      context: ../..\n      dockerfile: infra/docker/Dockerfile.code\n"; !strings.Contains(got["infra/docker/compose.yaml"], want) {
		t.Errorf("compose.yaml lacks %q:\n%s", want, got["infra/docker/compose.yaml"])
	}
	if _, ok := got[".dockerignore"]; !ok {
		t.Errorf("no .dockerignore in the build context; created: %v", keys(got))
	}
	for name, text := range got {
		if !strings.HasSuffix(text, "\n") {
			t.Errorf("%s does not end with a newline", name)
		}
	}
}

// A Dockerfile in a monorepo package that runs the monorepo's tool (turbo
// prune) is built from the monorepo's root, though COPY . . exists in its
// own folder too; one that does not keeps its own folder.
func TestSplitStandaloneMonorepoToolContext(t *testing.T) {
	turbo := "FROM node:20-alpine AS builder\nWORKDIR /app\nCOPY . .\nRUN npx turbo prune web --docker\n" +
		"FROM node:20-alpine\nWORKDIR /app\nCOPY --from=builder /app/out/full/ .\nRUN yarn install\nCMD [\"node\", \"apps/web/server.js\"]\n"
	plain := "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
	for _, tc := range []struct {
		name, root, dockerfile, want string
	}{
		{"turbo.json", "turbo.json", turbo, "../.."},
		{"package.json workspaces", "", turbo, "../.."},
		{"pnpm --filter", "pnpm-workspace.yaml", strings.Replace(turbo, "npx turbo prune web --docker", "pnpm --filter web deploy out", 1), "../.."},
		{"no monorepo tool", "turbo.json", plain, "."},
	} {
		files := map[string]string{
			"package.json":          `{"name": "mono", "workspaces": ["apps/*"]}` + "\n",
			"apps/web/package.json": `{"name": "web"}` + "\n",
			"apps/web/Dockerfile":   tc.dockerfile,
		}
		if tc.root != "" {
			files[tc.root] = "{}\n"
		}
		got, _ := splitStandalone(t, files)
		if want := "    build:\n      context: " + tc.want + "\n"; !strings.Contains(got["apps/web/compose.yaml"], want) {
			t.Errorf("%s: compose.yaml lacks %q:\n%s", tc.name, want, got["apps/web/compose.yaml"])
		}
	}
}

// A pattern source is optional to COPY: one that matches only at the root
// (the monorepo's pnpm-lock.yaml) does not pull the context up from the
// template that has the named files. A Dockerfile that copies only the
// whole context (COPY . .) and installs reads package.json and, for a
// frozen install, the lockfile: the context is where they are, not the
// Dockerfile's folder holding nothing else.
func TestSplitStandaloneContextOptionalAndImplied(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		dir   string
		want  string
	}{
		{"optional pattern", map[string]string{
			"package.json":                 `{"name": "mono"}` + "\n",
			"pnpm-lock.yaml":               "lockfileVersion: '9.0'\n",
			"templates/blank/package.json": `{"name": "blank"}` + "\n",
			"templates/blank/Dockerfile":   "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json yarn.lock* pnpm-lock.yaml* ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
		}, "templates/blank", "."},
		{"implied, found nowhere", map[string]string{
			"web/Dockerfile": "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n",
		}, "web", ""},
		{"an install in a folder below the copy reads nothing at its root", map[string]string{
			"server/package.json": `{"name": "server"}` + "\n",
			"docker/Dockerfile":   "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN cd server && npm ci\nCMD [\"node\", \"server/index.js\"]\n",
		}, "docker", "."},
		{"implied by a frozen install", map[string]string{
			"package.json":          `{"name": "mono", "workspaces": ["frontend"]}` + "\n",
			"yarn.lock":             "# yarn\n",
			"frontend/package.json": `{"name": "frontend"}` + "\n",
			"frontend/docker/Dockerfile": "FROM node:22-alpine AS builder\nWORKDIR /src\nCOPY . .\nRUN yarn install --frozen-lockfile && yarn build\n" +
				"FROM node:22-alpine\nWORKDIR /app\nCOPY --from=builder /src/frontend/dist ./\nCMD [\"node\", \"server.js\"]\n",
		}, "frontend/docker", "../.."},
	} {
		if tc.want == "" {
			dir := writeTree(t, tc.files)
			t.Chdir(dir)
			ws := load(t)
			fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
			if want := "none of the files it copies from its build context (package.json, read by its install) exists in web"; fix != nil || !strings.Contains(reason, want) {
				t.Errorf("%s: fix %v, reason %q; want a refusal with %q", tc.name, fix != nil, reason, want)
			}
			continue
		}
		got, _ := splitStandalone(t, tc.files)
		if want := "    build:\n      context: " + tc.want + "\n"; !strings.Contains(got[tc.dir+"/compose.yaml"], want) {
			t.Errorf("%s: compose.yaml lacks %q:\n%s", tc.name, want, got[tc.dir+"/compose.yaml"])
		}
	}
}

// A runtime built from the code Dockerfile (here: it replays an apt-get
// install) puts that file into the context's .dockerignore, as the compose
// split does: a Node patch edits it, and COPY . . would carry it into the
// code image.
func TestSplitStandaloneBuiltRuntimeIgnoresCodeDockerfile(t *testing.T) {
	got, _ := splitStandalone(t, map[string]string{
		".dockerignore": "node_modules\n.git\n",
		"package.json":  `{"name": "web"}` + "\n",
		"Dockerfile": "FROM node:22-slim\nRUN apt-get update && apt-get install -y curl\nWORKDIR /app\nCOPY . .\n" +
			"RUN npm install --omit=dev\nCMD [\"npm\", \"start\"]\n",
	})
	if !strings.Contains(got["Dockerfile.code"], "AS runtime") {
		t.Fatalf("no built runtime:\n%s", got["Dockerfile.code"])
	}
	if want := "node_modules\n.git\nDockerfile.code\n"; got[".dockerignore"] != want {
		t.Errorf(".dockerignore = %q, want %q", got[".dockerignore"], want)
	}
}

// A Dockerfile with no CMD or ENTRYPOINT on a node image runs what it is
// given where it runs (a base other images build FROM, a deploy's
// command): a runtime service for it would start the node prompt and
// exit, so its split is refused with the reason.
func TestSplitStandaloneRefusesImageWithoutCommand(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"package.json":    `{"name": "base"}` + "\n",
		"yarn.lock":       "# yarn\n",
		"Dockerfile.base": "FROM node:22 AS deps\nWORKDIR /opt/app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nCOPY . .\nENV PORT=3000\n",
	})
	t.Chdir(dir)
	ws := load(t)
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if want := "the image sets no CMD or ENTRYPOINT: what it runs is given where it runs (a deploy's command, or an image built FROM it)"; fix != nil || !strings.Contains(reason, want) {
		t.Errorf("fix %v, reason %q; want a refusal with %q", fix != nil, reason, want)
	}
	// A base image other than node may have a command of its own
	// (cypress/included runs cypress): split as before.
	got, _ := splitStandalone(t, map[string]string{
		"package.json": `{"name": "e2e"}` + "\n",
		"Dockerfile":   "FROM cypress/included:13.6.0\nWORKDIR /e2e\nCOPY . .\n",
	})
	if !strings.Contains(got["compose.yaml"], "image: cypress/included:13.6.0") {
		t.Errorf("no runtime on cypress/included:\n%s", got["compose.yaml"])
	}
}

// The old image's data VOLUME inside the code path (uploads) is kept as a
// named volume in the generated file, as the compose split keeps it: the
// runtime and the code service mount it, and it is declared at the top.
// Two such files of one folder merge into one volumes: block.
func TestSplitStandaloneKeepsDataVolumes(t *testing.T) {
	got, fix := splitStandalone(t, map[string]string{
		"package.json": `{"name": "chat"}` + "\n",
		"Dockerfile":   "FROM node:22-slim\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm install\nVOLUME /usr/src/app/uploads\nCMD [\"npm\", \"start\"]\n",
	})
	text := got["compose.yaml"]
	for _, want := range []string{
		"volumes:\n  app-usr-src-app-uploads: {}\nservices:\n",
		"    volumes:\n      - app-usr-src-app-uploads:/usr/src/app/uploads\n  app-code:\n",
		"      dockerfile: Dockerfile.code\n    volumes:\n      - app-usr-src-app-uploads:/usr/src/app/uploads\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("compose.yaml lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(fix.Message, "not kept as a named volume") {
		t.Errorf("the fix still says the volume is lost: %s", fix.Message)
	}
	other := strings.ReplaceAll(strings.ReplaceAll(text, "app-", "web-"), "  app:", "  web:")
	merged, ok := MergeCreatedCompose([][]byte{[]byte(text), []byte(other)})
	if !ok {
		t.Fatal("the two generated files did not merge")
	}
	if want := "volumes:\n  app-usr-src-app-uploads: {}\n  web-usr-src-web-uploads: {}\nservices:\n"; !strings.Contains(string(merged), want) || strings.Count(string(merged), "\nvolumes:") != 1 {
		t.Errorf("merged file lacks one volumes: block %q:\n%s", want, merged)
	}
}

// A source the chosen context lacks is named in the fix, unless it is a
// pattern: one that matches nothing copies nothing (the optional lockfile
// idiom), and BuildKit lets it.
func TestSplitStandaloneNamesMissingSources(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"package.json": "{}\n",
		"Dockerfile":   "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml* ./\nCOPY public ./public\nCMD [\"node\", \"index.js\"]\n",
	})
	t.Chdir(dir)
	ws := load(t)
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	if !strings.Contains(fix.Message, "the build context . lacks public, which the build reads") {
		t.Errorf("the fix does not name the missing source public: %s", fix.Message)
	}
	if strings.Contains(fix.Message, "pnpm-lock") {
		t.Errorf("the fix names an optional pattern as missing: %s", fix.Message)
	}
}

// Sources that exist nowhere up to the root leave no way to tell the
// context: refused, naming them.
func TestSplitStandaloneRefusesWithoutSources(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"infra/Dockerfile": "FROM node:20-alpine\nWORKDIR /app\nCOPY apps ./apps\nCMD [\"node\", \"apps/a.js\"]\n",
	})
	t.Chdir(dir)
	ws := load(t)
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix != nil || !strings.Contains(reason, "(apps) exists in infra or in a folder above it") || !strings.Contains(reason, "build context cannot be told") {
		t.Fatalf("want a refusal naming the missing source, got fix=%v reason=%q", fix != nil, reason)
	}
}

func load(t *testing.T) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// splitStandalone writes files to a new folder, splits its one standalone
// Dockerfile and applies the fix: the files it wrote, or fails the test
// with the refusal.
func splitStandalone(t *testing.T, files map[string]string) (map[string]string, *analysis.SuggestedFix) {
	t.Helper()
	dir := writeTree(t, files)
	t.Chdir(dir)
	ws := load(t)
	fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	return apply(t, dir, fix), fix
}

// apply writes a fix and returns the files it wrote, by slash path.
func apply(t *testing.T, dir string, fix *analysis.SuggestedFix) map[string]string {
	t.Helper()
	changes, err := edit.Plan(dir, relTo(t, dir, fix))
	if err != nil {
		t.Fatal(err)
	}
	if err := edit.Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, ch := range changes {
		out[ch.Path] = string(ch.New)
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// relTo makes a fix's absolute edit paths relative to the root, as the
// driver does before planning.
func relTo(t *testing.T, dir string, fix *analysis.SuggestedFix) []analysis.TextEdit {
	t.Helper()
	out := make([]analysis.TextEdit, len(fix.Edits))
	for i, e := range fix.Edits {
		rel, err := filepath.Rel(dir, e.File)
		if err != nil {
			t.Fatal(err)
		}
		e.File = rel
		out[i] = e
	}
	return out
}

// Code copied to / with no WORKDIR: the code image copies the same files
// under /app and the runtime starts there, when the command finds the code
// by a relative path.
func TestSplitStandaloneCodeAtRoot(t *testing.T) {
	got, fix := splitStandalone(t, map[string]string{
		"Dockerfile":     "FROM node:24-slim\nENV NODE_ENV production\nCOPY dist/index.cjs .\nCOPY --chown=node:node static/ /static/\nCMD [\"node\", \"--enable-source-maps\", \"index.cjs\"]\n",
		"dist/index.cjs": "",
		"static/a.css":   "",
	})
	if fix.Safe || !strings.Contains(fix.Message, "the code, which Dockerfile copies to /, goes under /app in the code image and the runtime starts there") {
		t.Errorf("the fix must be unsafe and say where the code goes: %s", fix.Message)
	}
	if strings.Contains(fix.Message, "outside /app") {
		t.Errorf("the moved copies are reported as lost: %s", fix.Message)
	}
	code := got["Dockerfile.code"]
	for _, want := range []string{
		"FROM tianon/true\nCOPY [\"dist/index.cjs\", \"/app/\"]\nCOPY --chown=node:node [\"static/\", \"/app/static/\"]\nVOLUME /app\n",
	} {
		if !strings.HasSuffix(code, want) {
			t.Errorf("Dockerfile.code does not end with\n%s\ngot:\n%s", want, code)
		}
	}
	if want := "    working_dir: /app\n    command: [\"node\", \"--enable-source-maps\", \"index.cjs\"]\n"; !strings.Contains(got["compose.yaml"], want) {
		t.Errorf("compose.yaml lacks %q:\n%s", want, got["compose.yaml"])
	}
}

// Code at / whose dependencies a RUN installed there: the code image takes
// /node_modules along from the original's build (when the manifest declares
// any), and an old image that set up more than a stock runtime gets a
// built runtime stage before the code image, which stays the last stage.
func TestSplitStandaloneCodeAtRootInstall(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile, manifest string
		want, wantNot, runtime     []string
	}{
		{"stock", "FROM node:24-slim\nCOPY . /\nRUN npm ci --omit=dev\nCMD [\"npm\", \"start\"]\n", `{"dependencies": {"express": "^4"}}`,
			[]string{"FROM tianon/true\nCOPY [\".\", \"/app/\"]\nCOPY --from=0 /node_modules /app/node_modules\nVOLUME /app\n"}, nil,
			[]string{"    image: node:24-slim\n", "    working_dir: /app\n"}},
		{"no dependencies", "FROM node:12-slim\nCOPY . /\nRUN npm install\nCMD [\"npm\", \"start\"]\n", `{"name": "x"}`,
			[]string{"FROM tianon/true\nCOPY [\".\", \"/app/\"]\nVOLUME /app\n"}, []string{"node_modules /app"}, nil},
		{"built", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nodejs yarnpkg\nCOPY . /\nRUN yarn install --frozen-lockfile\nEXPOSE 3000\nENTRYPOINT [\"yarn\", \"start\"]\n", `{"dependencies": {"express": "^4"}}`,
			[]string{"FROM ubuntu:24.04 AS runtime\nRUN apt-get update && apt-get install -y nodejs yarnpkg\nEXPOSE 3000\nENTRYPOINT [\"yarn\", \"start\"]\n",
				"FROM tianon/true\nCOPY [\".\", \"/app/\"]\nCOPY --from=0 /node_modules /app/node_modules\nVOLUME /app\n"},
			[]string{"AS runtime\nRUN yarn", "COPY . /\nEXPOSE"},
			[]string{"      target: runtime\n", "    working_dir: /app\n"}},
		{"manifests first", "FROM node:22-slim AS dev\nCOPY yarn.lock yarn.lock\nCOPY package.json package.json\nRUN yarn install\nADD . .\nCMD [\"yarn\", \"start\"]\n", `{"dependencies": {"express": "^4"}}`,
			[]string{"FROM tianon/true\nCOPY [\"yarn.lock\", \"/app/yarn.lock\"]\nCOPY [\"package.json\", \"/app/package.json\"]\nADD [\".\", \"/app/\"]\nCOPY --from=dev /node_modules /app/node_modules\nVOLUME /app\n"},
			[]string{"AS runtime"}, // the manifests the code image takes are not the runtime's
			[]string{"    image: node:22-slim\n", "    working_dir: /app\n"}},
		{"nodesource", "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\nRUN curl -sL https://deb.nodesource.com/setup_18.x | bash -\nRUN apt-get install -y nodejs\nCOPY . /\nRUN npm install\nENTRYPOINT [\"npm\", \"start\"]\n", `{"dependencies": {"express": "^4"}}`,
			[]string{"FROM ubuntu AS runtime\nRUN apt-get update && apt-get install -y curl\nRUN curl -sL https://deb.nodesource.com/setup_18.x | bash -\nRUN apt-get install -y nodejs\nENTRYPOINT [\"npm\", \"start\"]\n",
				"FROM tianon/true\nCOPY [\".\", \"/app/\"]\nCOPY --from=0 /node_modules /app/node_modules\nVOLUME /app\n"}, nil,
			[]string{"      target: runtime\n", "    working_dir: /app\n"}},
		{"built without install", "FROM node:22-slim\nRUN apt-get update && apt-get install -y tini\nCOPY index.js .\nCMD [\"tini\", \"--\", \"node\", \"index.js\"]\n", `{}`,
			[]string{"FROM node:22-slim AS runtime\nRUN apt-get update && apt-get install -y tini\nCMD [\"tini\", \"--\", \"node\", \"index.js\"]\n",
				"FROM tianon/true\nCOPY [\"index.js\", \"/app/\"]\nVOLUME /app\n"}, nil,
			[]string{"      target: runtime\n", "    working_dir: /app\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := splitStandalone(t, map[string]string{"Dockerfile": tc.dockerfile, "package.json": tc.manifest, "index.js": ""})
			code := got["Dockerfile.code"]
			if !strings.HasSuffix(code, tc.want[len(tc.want)-1]) {
				t.Errorf("Dockerfile.code does not end with the code image\n%s\ngot:\n%s", tc.want[len(tc.want)-1], code)
			}
			for _, w := range tc.want {
				if !strings.Contains(code, w) {
					t.Errorf("Dockerfile.code lacks\n%s\ngot:\n%s", w, code)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(code, w) {
					t.Errorf("Dockerfile.code holds %q:\n%s", w, code)
				}
			}
			for _, w := range tc.runtime {
				if !strings.Contains(got["compose.yaml"], w) {
					t.Errorf("compose.yaml lacks %q:\n%s", w, got["compose.yaml"])
				}
			}
		})
	}
}

// Refusals of code at /: an absolute path to the code in the command, a
// RUN after the code arrived that is not an install of the manifest copied
// to / (a build script, an install elsewhere), and code a RUN put where
// decouple cannot tell.
func TestSplitStandaloneCodeAtRootRefusals(t *testing.T) {
	for _, tc := range []struct{ dockerfile, want string }{
		{"FROM node:24-slim\nCOPY dist/index.cjs /\nCMD [\"node\", \"/index.cjs\"]\n", "refers to it by the absolute path /index.cjs"},
		{"FROM node:24-slim\nCOPY . /\nCMD node /srv.js\n", "refers to it by the absolute path /srv.js"},
		{"FROM node:24-slim\nCOPY . /\nRUN npm run build\nCMD [\"npm\", \"start\"]\n", "RUN (Dockerfile:3) works on the image after it"},
		{"FROM node:24-slim\nCOPY . /\nRUN npm ci && npm run build\nCMD [\"npm\", \"start\"]\n", "RUN (Dockerfile:3) works on the image after it"},
		{"FROM node:24-slim\nCOPY . /\nWORKDIR /srv\nRUN npm install\nCMD [\"npm\", \"start\"]\n", "app code also goes to / (Dockerfile:2), outside the code path /srv"},
		{"FROM node:24-slim\nCOPY dist/index.cjs /\nRUN npm install\nCMD [\"node\", \"index.cjs\"]\n", "RUN (Dockerfile:3) works on the image after it"},
		{"FROM node:22-slim\nRUN curl -fsSL -o /tmp/app.tar.gz https://github.com/acme/app/archive/v1.0.0.tar.gz && mkdir -p /opt/app && tar xzf /tmp/app.tar.gz -C /opt/app && cd /opt/app && npm ci\nCOPY dist/index.cjs .\nCMD [\"node\", \"index.cjs\"]\n",
			"app code goes to / (Dockerfile:3) and to a folder decouple cannot tell (Dockerfile:2)"},
	} {
		dir := writeTree(t, map[string]string{"Dockerfile": tc.dockerfile, "dist/index.cjs": "", "package.json": "{}"})
		t.Chdir(dir)
		ws := load(t)
		fix, reason := SplitStandalone(ws, ws.Dockerfiles[0], SplitOptions{})
		if fix != nil || !strings.Contains(reason, tc.want) {
			t.Errorf("%q: want a refusal with %q, got fix=%v reason=%q", tc.dockerfile, tc.want, fix != nil, reason)
		}
	}
}

// A compose file whose last line has no line break: the keys the split
// adds at its end start on lines of their own, and the result loads
// (the runtime's keys and the code service both land at the end here).
func TestSplitAtEndOfFileWithoutNewline(t *testing.T) {
	dir, fix, reason := splitService(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    build: .\n    environment:\n      A: 'b'",
		"Dockerfile":   "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nENV NODE_ENV=production\nCMD [\"node\", \"index.js\"]\n",
		"package.json": "{}\n",
	})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	got := apply(t, dir, fix)["compose.yaml"]
	if !strings.Contains(got, "      A: 'b'\n") {
		t.Errorf("the last line is not ended before what follows:\n%s", got)
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(got), &doc); err != nil {
		t.Errorf("the split compose file is not YAML (%v):\n%s", err, got)
	}
	if ws2 := load(t); len(ws2.Projects) != 1 || len(ws2.Projects[0].Services) != 2 {
		t.Errorf("the split compose file does not load as two services:\n%s", got)
	}
}

// A build tagged with the stock image's own name (build: . with image:
// node:22): the host's node:22 is the app until pulled again, so the split
// is unsafe and says how to replace it.
func TestSplitOfBuildTaggedAsItsBase(t *testing.T) {
	for image, unsafe := range map[string]bool{"node:22": true, "docker.io/library/node:22": true, "acme/web:1": false} {
		_, fix, reason := splitService(t, map[string]string{
			"compose.yaml": "services:\n  web:\n    build: .\n    image: " + image + "\n",
			"Dockerfile":   "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n",
			"package.json": "{}\n",
		})
		if fix == nil {
			t.Fatalf("%s: refused: %s", image, reason)
		}
		if got := strings.Contains(fix.Message, "docker pull "+image); got != unsafe || fix.Safe == unsafe {
			t.Errorf("image %s: safe %v, message %q; want it unsafe with the pull to run: %v", image, fix.Safe, fix.Message, unsafe)
		}
	}
}

// What a RUN's install downloads into a cache or tmpfs mount is not in the
// image: Cypress's browser under a cache mount of ~/.cache does not refuse
// the split, as it does without the mount.
func TestSplitWithCacheMountedDownload(t *testing.T) {
	for run, refused := range map[string]bool{
		"RUN npm ci": true,
		"RUN --mount=type=cache,target=/root/.cache npm ci":                                          false,
		"RUN --mount=type=cache,id=npm,dst=/root/.npm --mount=type=tmpfs,target=/root/.cache npm ci": false,
	} {
		_, fix, reason := splitService(t, map[string]string{
			"compose.yaml": "services:\n  web:\n    build: .\n",
			"Dockerfile":   "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\n" + run + "\nCOPY . .\nCMD [\"node\", \"index.js\"]\n",
			"package.json": `{"devDependencies": {"cypress": "^13.0.0"}}` + "\n",
		})
		if got := fix == nil; got != refused {
			t.Errorf("%s: refused %v (%s), want %v", run, got, reason, refused)
		}
		if refused && !strings.Contains(reason, "Cypress") {
			t.Errorf("%s: reason %q, want the Cypress download", run, reason)
		}
	}
}

func TestScratchMounts(t *testing.T) {
	got := scratchMounts("RUN --mount=type=cache,target=/root/.cache --mount=type=bind,target=/src --mount=type=tmpfs,dst=/tmp/x --mount=type=secret,id=a,target=/run/s yarn")
	if strings.Join(got, " ") != "/root/.cache /tmp/x" {
		t.Errorf("scratchMounts = %q, want the cache and tmpfs targets", got)
	}
}

// An entrypoint script that rewrites files of the code path at start
// (runtime env placeholders replaced with sed) refuses the split: on a kept
// code volume the first start's edits would stay. One that only starts the
// app does not.
func TestSplitEntrypointWritesCode(t *testing.T) {
	for script, refused := range map[string]bool{
		"#!/bin/sh\nfind /app/.next -type f -exec sed -i \"s|APP_URL|$URL|g\" {} +\nexec \"$@\"\n": true,
		"#!/bin/bash\nsed -i -e \"s/PLACEHOLDER/$API/\" public/config.js\nexec \"$@\"\n":           true,
		"#!/bin/sh\necho \"window.ENV='$ENV'\" > /app/public/env.js\nexec \"$@\"\n":                true,
		"#!/bin/sh\nsed -i \"s/x/y/\" /etc/app.conf\nexec \"$@\"\n":                                false,
		"#!/bin/sh\nset -e\nexec \"$@\"\n":                                                         false,
	} {
		_, fix, reason := splitService(t, map[string]string{
			"compose.yaml":  "services:\n  web:\n    build: .\n",
			"Dockerfile":    "FROM node:22 AS builder\nWORKDIR /app\nCOPY . /app\nRUN npm ci && npm run build\nFROM node:22\nWORKDIR /app\nCOPY --from=builder /app/entrypoint.sh ./entrypoint.sh\nCOPY --from=builder /app/.next ./.next\nCOPY --from=builder /app/public ./public\nENTRYPOINT [\"/app/entrypoint.sh\"]\nCMD [\"node\", \"server.js\"]\n",
			"package.json":  "{}\n",
			"entrypoint.sh": script,
		})
		got := fix == nil && strings.Contains(reason, "the entrypoint script entrypoint.sh writes into the code path")
		if got != refused {
			t.Errorf("%q: refused for the entrypoint %v (%q), want %v", script, got, reason, refused)
		}
	}
}

// A Dockerfile outside its build context (dockerfile: ../docker/x): the
// code Dockerfile beside it is not in the context, so the context's ignore
// file gets no pattern for it (../docker/x.code would never match).
func TestSplitCodeDockerfileOutsideContext(t *testing.T) {
	_, fix, reason := splitService(t, map[string]string{
		"compose.yaml":               "services:\n  web:\n    build:\n      context: ./frontend\n      dockerfile: ../docker/Dockerfile.frontend\n",
		"docker/Dockerfile.frontend": "FROM node:22\nRUN apk add --no-cache tini || true\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n",
		"frontend/package.json":      "{}\n",
		"frontend/index.js":          "\n",
	})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	for _, e := range fix.Edits {
		if filepath.Base(e.File) == ".dockerignore" && strings.Contains(string(e.NewText), "..") {
			t.Errorf("%s gets a pattern outside its context:\n%s", e.File, e.NewText)
		}
	}
}

// splitService writes files to a new folder and plans the split of the
// first service of its first project: the folder, and the fix or the
// refusal.
func splitService(t *testing.T, files map[string]string) (string, *analysis.SuggestedFix, string) {
	t.Helper()
	dir := writeTree(t, files)
	t.Chdir(dir)
	ws := load(t)
	fix, reason := Split(ws, ws.Projects[0].Services[0], SplitOptions{})
	return dir, fix, reason
}
