package gen

import "fmt"

var standaloneGroups = []string{"tools", "legacy", "docker", "infra", "lambdas", "experiments"}

var standaloneWords = []string{"indexer", "renderer", "bot", "exporter", "proxy", "sandbox",
	"cli", "cron", "uploader", "preview", "docs", "status", "edge", "pdf", "hooks"}

// standalone writes one Dockerfile that no compose file builds, with the
// sources of its context.
func (g *generator) standalone(idx int) {
	const (
		bundled = iota
		multi
		distroless
		apt
		nginx
		deps
		python
		golang
	)
	dir := join("standalone", g.pick(standaloneGroups), fmt.Sprintf("%s-%04d", g.pick(standaloneWords), idx))
	name := "Dockerfile"
	switch g.intn(10) {
	case 8:
		name = "Dockerfile.prod"
	case 9:
		name = "app.Dockerfile"
	}
	a := g.newNodeApp()
	var d *dockerfile
	var kind string
	// The first few cover every kind once, so that small trees have them
	// all; the rest follow the weights.
	k := idx
	if idx > golang {
		k = g.weighted([]int{30, 10, 5, 6, 15, 7, 12, 15})
	}
	switch k {
	case bundled:
		kind, d = KindDFBundled, g.dfNodeSingle(a, "", "tools")
		g.writeNodeSources(dir, "@acme/"+g.pick(standaloneWords), a, styleServer)
	case multi:
		a.entry = "dist/main.js"
		kind, d = KindDFMulti, g.dfNodeMulti(a, false)
		g.writeNodeSources(dir, "@acme/"+g.pick(standaloneWords), a, styleTS)
	case distroless:
		a.entry = "dist/main.js"
		kind, d = KindDFDistroless, g.dfNodeMulti(a, true)
		g.writeNodeSources(dir, "@acme/"+g.pick(standaloneWords), a, styleTS)
	case apt:
		a.pm, a.entry = "npm", "server.js"
		kind, d = KindDFApt, g.dfNodeApt()
		g.writeNodeSources(dir, "@acme/"+g.pick(standaloneWords), a, styleServer)
	case nginx:
		ws := webServers[g.intn(len(webServers))]
		kind, d = KindDFNginx, g.dfNodeNginx(a, ws, g.chance(0.3))
		g.writeWebServerConfig(dir, ws)
		g.writeNodeSources(dir, "@acme/"+g.pick(standaloneWords), a, styleFrontend)
	case deps:
		kind, d = KindDFDeps, g.dfNodeDeps(a)
		g.writeNodeSources(dir, "@acme/"+g.pick(standaloneWords), a, styleServer)
	case python:
		kind, d = KindDFPython, g.dfPython()
		g.writePythonSources(dir)
	case golang:
		kind, d = KindDFGo, g.dfGo()
		g.writeGoSources(dir, "example.com/acme/"+g.pick(standaloneWords))
	}
	g.maybeDockerignore(dir)
	path := join(dir, name)
	g.writeDockerfile(path, d)
	g.m.Standalone = append(g.m.Standalone, path)
	g.m.Kinds[kind]++
	if d.runs("") {
		g.markBundled(path)
	}
}

// single writes the smallest real project: one compose file at the root
// with a bundled Node web service, postgres and redis, and its Dockerfile.
func (g *generator) single() {
	a := &nodeApp{pm: "npm", version: "20", flavor: "-alpine", workdir: "/app", entry: "src/index.js", port: 3000}
	d := g.dfNodeSingle(a, "", "shop")
	g.writeDockerfile("Dockerfile", d)
	g.writeNodeSources(".", "shop", a, styleServer)
	p := &project{dir: ".", name: "shop", team: "web", composeName: "docker-compose.yml", used: map[string]bool{}, nextPort: 2999}
	web := &service{
		name: p.uniqueName("web"), kind: KindNodeBundled, bundled: true, df: d, dfPath: "Dockerfile",
		build: &buildSpec{context: ".", short: true},
		ports: []string{"3000:3000"},
		env: []kv{
			{"NODE_ENV", "production"},
			{"DATABASE_URL", "postgres://app:${POSTGRES_PASSWORD:-app}@db:5432/app"},
			{"REDIS_URL", "redis://cache:6379/0"},
		},
		depends: []string{"db", "cache"},
		restart: "unless-stopped",
	}
	g.add(p, web)
	g.infraServices(p, 2)
	g.finishProject(p)
}
