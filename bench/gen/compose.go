package gen

import (
	"fmt"
	"strings"
)

var (
	teams   = []string{"platform", "payments", "growth", "core", "data", "mobile", "web", "ops"}
	domains = []string{"orders", "billing", "shop", "crm", "blog", "chat", "inventory", "booking",
		"analytics", "identity", "catalog", "support", "search", "media", "loyalty", "shipping"}
	appNames = []string{"api", "web", "worker", "auth", "gateway", "notifications", "scheduler",
		"admin", "payments", "catalog", "users", "reports", "webhooks", "mailer", "media", "checkout",
		"graphql", "realtime", "importer", "exporter", "pricing", "feeds", "ledger", "sessions"}
)

// kv is one environment entry or build arg, in order.
type kv struct{ k, v string }

type buildSpec struct {
	context    string // as written, relative to the compose file
	dockerfile string // "" for the default
	target     string
	args       []kv
	argsAnchor bool // args: *build-args
	short      bool // build: ./path
}

type extendsSpec struct {
	service, file string
	short         bool // extends: name
}

type service struct {
	name, kind string
	image      string
	build      *buildSpec
	extends    *extendsSpec
	command    string // rendered YAML value
	workingDir string
	env        []kv
	envList    bool
	envAnchor  bool // environment: {<<: *common-env, ...}
	ports      []string
	expose     []string
	volumes    []string
	depends    []string
	healthy    map[string]bool // depends_on with condition: service_healthy
	profiles   []string
	health     []string // healthcheck body lines
	restart    string
	anchor     bool // <<: *node-defaults
	deploy     bool
	networks   []string
	// extra are long-tail keys (Config.LongTail), rendered as written;
	// longPorts, when set, are the ports in long syntax.
	extra     []string
	longPorts []string

	bundled bool
	// df and target say what the service builds, for the final-stage
	// bookkeeping; dfPath is the Dockerfile's path under the root.
	df     *dockerfile
	dfPath string
	infra  bool
}

type project struct {
	dir, name, team string
	composeName     string
	version         bool
	named           bool
	anchors         bool
	argsAnchor      string // NODE_VERSION value in x-build-args, "" when absent
	networks        bool
	envFile         bool
	svcs            []*service
	volumes         []string
	used            map[string]bool
	nextPort        int
	secrets         []string // top-level secrets (Config.LongTail)
	common          string   // common.yml text, "" when none
	commonBase      *service
}

func (p *project) uniqueName(base string) string {
	name := base
	for i := 2; p.used[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	p.used[name] = true
	return name
}

func (p *project) port() int {
	p.nextPort++
	return p.nextPort
}

// project writes one compose project with its services' sources.
func (g *generator) project(idx int) {
	team, domain := g.pick(teams), g.pick(domains)
	name := fmt.Sprintf("%s-%04d", domain, idx)
	p := &project{
		dir:         join("projects", team, name),
		name:        name,
		team:        team,
		composeName: []string{"docker-compose.yml", "docker-compose.yml", "docker-compose.yml", "compose.yaml", "compose.yml", "docker-compose.yaml"}[g.intn(6)],
		version:     g.chance(0.35),
		named:       g.chance(0.3),
		anchors:     g.chance(0.5),
		networks:    g.chance(0.4),
		envFile:     g.chance(0.3),
		used:        map[string]bool{},
		nextPort:    3000 + 10*g.intn(50),
	}
	if g.chance(0.3) {
		p.argsAnchor = g.pick([]string{"18", "20", "22"})
	}
	n := g.between(g.cfg.MinServices, g.cfg.MaxServices)
	infra := 2
	if n >= 8 {
		infra += g.intn(3)
	}
	apps := n - infra
	for left := apps; left > 0; {
		left -= g.appService(p, left)
	}
	g.infraServices(p, infra)
	g.finishProject(p)
}

// appService adds one app service (or a pair) and returns how many it added.
func (g *generator) appService(p *project, left int) int {
	const (
		bundled = iota
		bundledMount
		multi
		frontend
		runtime
		extends
		extendsFile
		builtBy
		python
		golang
	)
	weights := []int{30, 8, 10, 14, 12, 7, 4, 5, 5, 5}
	switch k := g.weighted(weights); k {
	case bundled, bundledMount:
		g.nodeBundledService(p, k == bundledMount)
	case multi:
		g.nodeMultiService(p)
	case frontend:
		return g.frontendService(p, left)
	case runtime:
		g.nodeRuntimeService(p)
	case extends:
		if !g.extendsService(p) {
			g.nodeBundledService(p, false)
		}
	case extendsFile:
		if p.commonBase != nil {
			g.nodeBundledService(p, false)
			return 1
		}
		return g.extendsFileService(p, left)
	case builtBy:
		if !g.builtByService(p) {
			g.nodeBundledService(p, false)
		}
	case python:
		g.pythonService(p)
	case golang:
		g.goService(p)
	}
	return 1
}

func (g *generator) add(p *project, s *service) {
	p.svcs = append(p.svcs, s)
	g.m.Kinds[s.kind]++
}

func (p *project) registryImage(svc string) string {
	return fmt.Sprintf("registry.example.com/%s/%s-%s:${TAG:-latest}", p.team, p.name, svc)
}

// appEnv is the environment of a Node service.
func (g *generator) appEnv(p *project, s *service, port int) {
	s.env = append(s.env, kv{"PORT", fmt.Sprint(port)})
	if !p.anchors || g.chance(0.5) {
		s.env = append(s.env, kv{"NODE_ENV", "production"})
	} else {
		s.envAnchor = true
	}
	if g.chance(0.7) {
		s.env = append(s.env, kv{"DATABASE_URL", "postgres://app:${POSTGRES_PASSWORD:-app}@db:5432/app"})
		s.depends = append(s.depends, "db")
	}
	if g.chance(0.5) {
		s.env = append(s.env, kv{"REDIS_URL", "redis://cache:6379/0"})
		s.depends = append(s.depends, "cache")
	}
	if g.chance(0.2) {
		s.env = append(s.env, kv{"LOG_LEVEL", "${LOG_LEVEL:-info}"})
	}
	s.envList = !s.envAnchor && g.chance(0.25)
	if len(s.depends) > 0 && g.chance(0.5) {
		s.healthy = map[string]bool{}
		for _, d := range s.depends {
			s.healthy[d] = true
		}
	}
}

// appCommon sets what every app service may carry: anchors, restart,
// networks, resource limits.
func (g *generator) appCommon(p *project, s *service) {
	if p.anchors && g.chance(0.8) {
		s.anchor = true
	} else if g.chance(0.7) {
		s.restart = g.pick([]string{"unless-stopped", "always", "on-failure"})
	}
	if p.networks {
		s.networks = []string{"backend"}
	}
	s.deploy = g.chance(0.15)
}

// nodeBuildArgs decides the build args of a service building d.
func (g *generator) nodeBuildArgs(p *project, b *buildSpec, d *dockerfile) {
	if d.usesArg == "" || !g.chance(0.6) {
		return
	}
	if p.argsAnchor != "" && g.chance(0.6) {
		b.argsAnchor = true
		return
	}
	b.args = []kv{{"NODE_VERSION", g.pick([]string{"18", "20", "22"})}}
}

func (g *generator) writeDockerfile(rel string, d *dockerfile) {
	g.write(rel, d.text)
	g.markDockerfile(rel)
}

func (g *generator) nodeBundledService(p *project, mount bool) {
	s := &service{name: p.uniqueName(g.appName(p)), kind: KindNodeBundled, bundled: true}
	if mount {
		s.kind = KindNodeBundledBM
	}
	ctx := join(p.dir, "services", s.name)
	a := g.newNodeApp()
	stage := ""
	if g.chance(0.2) {
		stage = g.pick([]string{"app", "runtime", "release"})
	}
	d := g.dfNodeSingle(a, stage, p.name)
	dfName := "Dockerfile"
	if g.chance(0.1) {
		dfName = "Dockerfile.prod"
	}
	s.df, s.dfPath = d, join(ctx, dfName)
	g.writeDockerfile(s.dfPath, d)
	g.writeNodeSources(ctx, "@"+p.team+"/"+p.name+"-"+s.name, a, styleServer)
	g.maybeDockerignore(ctx)
	s.build = &buildSpec{context: "./services/" + s.name}
	if dfName != "Dockerfile" {
		s.build.dockerfile = dfName
	}
	if stage != "" && g.chance(0.6) {
		s.build.target = stage
	}
	g.nodeBuildArgs(p, s.build, d)
	s.build.short = s.build.dockerfile == "" && s.build.target == "" && len(s.build.args) == 0 && !s.build.argsAnchor && g.chance(0.5)
	if g.chance(0.4) {
		s.image = p.registryImage(s.name)
	}
	if len(p.svcs) == 0 || g.chance(0.3) {
		port := p.port()
		s.ports = []string{fmt.Sprintf("%d:%d", port, a.port)}
	} else {
		s.expose = []string{fmt.Sprint(a.port)}
	}
	g.appEnv(p, s, a.port)
	g.appCommon(p, s)
	if mount {
		s.volumes = []string{"./services/" + s.name + ":" + a.workdir, a.workdir + "/node_modules"}
		s.command = flow("npm", "run", "dev")
		if a.pm != "npm" {
			s.command = flow(a.pm, "dev")
		}
	}
	g.add(p, s)
}

func (g *generator) nodeMultiService(p *project) {
	s := &service{name: p.uniqueName(g.appName(p)), kind: KindNodeMulti, bundled: true}
	ctx := join(p.dir, "services", s.name)
	a := g.newNodeApp()
	a.entry = "dist/main.js"
	d := g.dfNodeMulti(a, g.chance(0.2))
	s.df, s.dfPath = d, join(ctx, "Dockerfile")
	g.writeDockerfile(s.dfPath, d)
	g.writeNodeSources(ctx, "@"+p.team+"/"+p.name+"-"+s.name, a, styleTS)
	g.maybeDockerignore(ctx)
	s.build = &buildSpec{context: "./services/" + s.name}
	if final := d.stages[1]; final != "" && g.chance(0.5) {
		s.build.target = final
	}
	g.nodeBuildArgs(p, s.build, d)
	if g.chance(0.5) {
		s.image = p.registryImage(s.name)
	}
	s.expose = []string{fmt.Sprint(a.port)}
	g.appEnv(p, s, a.port)
	g.appCommon(p, s)
	g.add(p, s)
}

// frontendService adds a web frontend served by nginx or caddy, and when
// there is room a dev variant that targets the dev stage or builds a
// Dockerfile.dev.
func (g *generator) frontendService(p *project, left int) int {
	base := g.pick([]string{"web", "frontend", "dashboard", "storefront", "admin-ui", "portal"})
	s := &service{name: p.uniqueName(base), kind: KindNodeNginx}
	ctx := join(p.dir, "services", s.name)
	a := g.newNodeApp()
	ws := webServers[g.intn(len(webServers))]
	pair := left >= 2 && g.chance(0.6)
	devfile := pair && g.chance(0.4)
	d := g.dfNodeNginx(a, ws, pair && !devfile)
	s.df, s.dfPath = d, join(ctx, "Dockerfile")
	g.writeDockerfile(s.dfPath, d)
	g.writeWebServerConfig(ctx, ws)
	g.writeNodeSources(ctx, "@"+p.team+"/"+p.name+"-"+s.name, a, styleFrontend)
	g.maybeDockerignore(ctx)
	s.build = &buildSpec{context: "./services/" + s.name}
	if final := d.stages[len(d.stages)-1]; final != "" && g.chance(0.5) {
		s.build.target = final
		s.kind = KindNodeTargetProd
	}
	g.nodeBuildArgs(p, s.build, d)
	s.ports = []string{fmt.Sprintf("%d:80", p.port())}
	g.appCommon(p, s)
	if p.networks {
		s.networks = []string{"frontend", "backend"}
	}
	g.add(p, s)
	if !pair {
		return 1
	}
	dev := &service{name: p.uniqueName(s.name + "-dev"), kind: KindNodeTarget, bundled: true, profiles: []string{"dev"}}
	dev.build = &buildSpec{context: "./services/" + s.name}
	if devfile {
		dev.kind = KindNodeDevfile
		dd := g.dfNodeDev(a)
		dev.df, dev.dfPath = dd, join(ctx, "Dockerfile.dev")
		g.writeDockerfile(dev.dfPath, dd)
		dev.build.dockerfile = "Dockerfile.dev"
		g.nodeBuildArgs(p, dev.build, dd)
	} else {
		dev.df, dev.dfPath = d, s.dfPath
		dev.build.target = "dev"
		g.nodeBuildArgs(p, dev.build, d)
	}
	dev.ports = []string{fmt.Sprintf("%d:5173", p.port())}
	dev.volumes = []string{"./services/" + s.name + "/src:/app/src"}
	dev.env = []kv{{"VITE_API_URL", "http://localhost:3000"}}
	g.add(p, dev)
	return 2
}

// nodeRuntimeService runs a stock node image over bind-mounted code: the
// decoupled layout, not bundled.
func (g *generator) nodeRuntimeService(p *project) {
	s := &service{name: p.uniqueName(g.appName(p)), kind: KindNodeRuntime}
	ctx := join(p.dir, "services", s.name)
	a := g.newNodeApp()
	a.useArg, a.pinned, a.docker = false, false, false
	g.writeNodeSources(ctx, "@"+p.team+"/"+p.name+"-"+s.name, a, styleServer)
	if g.chance(0.3) {
		// A host install, as bind-mounted dev setups have; discovery skips it.
		g.write(join(ctx, "node_modules/.package-lock.json"), "{\n  \"lockfileVersion\": 3,\n  \"packages\": {}\n}\n")
		g.write(join(ctx, "node_modules/express/package.json"), "{\n  \"name\": \"express\",\n  \"version\": \"4.19.2\"\n}\n")
	}
	_, image := g.nodeFrom(a)
	s.image = image
	s.workingDir = "/app"
	s.volumes = []string{"./services/" + s.name + ":/app", "/app/node_modules"}
	switch g.intn(3) {
	case 0:
		s.command = flow(a.pm, "start")
	case 1:
		s.command = flow("node", a.entry)
	default:
		s.command = fmt.Sprintf("'sh -c \"%s && %s\"'", a.install(false), a.run("dev"))
	}
	s.expose = []string{fmt.Sprint(a.port)}
	g.appEnv(p, s, a.port)
	g.appCommon(p, s)
	g.add(p, s)
}

// extendsService extends a service of the same file; it builds (or runs)
// what that service does.
func (g *generator) extendsService(p *project) bool {
	var cands []*service
	for _, s := range p.svcs {
		if s.extends == nil && len(s.ports) == 0 && s.profiles == nil &&
			(s.kind == KindNodeBundled || s.kind == KindNodeMulti || s.kind == KindNodeRuntime) {
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		return false
	}
	base := cands[g.intn(len(cands))]
	s := &service{
		name:    p.uniqueName(base.name + "-" + g.pick([]string{"worker", "consumer", "cron", "jobs"})),
		kind:    KindExtends,
		extends: &extendsSpec{service: base.name, short: g.chance(0.3)},
		bundled: base.bundled,
		df:      base.df, dfPath: base.dfPath,
	}
	if base.build != nil {
		s.build = nil // inherited
	}
	entry := "src/worker.js"
	if base.kind == KindNodeMulti {
		entry = "dist/worker.js"
	}
	s.command = flow("node", entry)
	g.add(p, s)
	return true
}

// extendsFileService adds common.yml with a shared node service that
// builds a bundled image, and one or two services extending it.
func (g *generator) extendsFileService(p *project, left int) int {
	a := g.newNodeApp()
	ctx := join(p.dir, "services", "shared")
	d := g.dfNodeSingle(a, "", p.name)
	path := join(ctx, "Dockerfile")
	g.writeDockerfile(path, d)
	g.writeNodeSources(ctx, "@"+p.team+"/"+p.name+"-shared", a, styleServer)
	g.maybeDockerignore(ctx)
	p.common = fmt.Sprintf(`# Shared service definitions, used with extends.
services:
  node-app:
    build:
      context: ./services/shared
      dockerfile: Dockerfile
    environment:
      NODE_ENV: production
      LOG_LEVEL: info
    restart: unless-stopped
    expose:
      - "%d"
`, a.port)
	p.commonBase = &service{name: "node-app", bundled: true, df: d, dfPath: path}
	n := 1
	if left >= 2 && g.chance(0.5) {
		n = 2
	}
	names := []string{"jobs", "cron", "consumer", "indexer", "sync"}
	order := g.rng.Perm(len(names))
	for i := 0; i < n; i++ {
		s := &service{
			name:    p.uniqueName(names[order[i]]),
			kind:    KindExtendsFile,
			extends: &extendsSpec{service: "node-app", file: "common.yml"},
			bundled: true,
			df:      d, dfPath: path,
		}
		s.command = flow("node", "src/"+s.name+".js")
		if g.chance(0.5) {
			s.depends = []string{"db"}
		}
		g.add(p, s)
	}
	return n
}

// builtByService runs the image another service builds (a migration job).
func (g *generator) builtByService(p *project) bool {
	var cands []*service
	for _, s := range p.svcs {
		if s.build != nil && s.image != "" && s.extends == nil && (s.kind == KindNodeBundled || s.kind == KindNodeMulti) {
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		return false
	}
	base := cands[g.intn(len(cands))]
	s := &service{
		name:    p.uniqueName(base.name + "-migrate"),
		kind:    KindBuiltBy,
		image:   base.image,
		command: flow("npm", "run", "migrate"),
		depends: []string{"db"},
		restart: "\"no\"",
		bundled: base.bundled,
	}
	g.add(p, s)
	return true
}

func (g *generator) pythonService(p *project) {
	s := &service{name: p.uniqueName(g.pick([]string{"ml", "etl", "recommender", "pdf", "scraper"})), kind: KindPython}
	ctx := join(p.dir, "services", s.name)
	d := g.dfPython()
	s.df, s.dfPath = d, join(ctx, "Dockerfile")
	g.writeDockerfile(s.dfPath, d)
	g.writePythonSources(ctx)
	s.build = &buildSpec{context: "./services/" + s.name, short: g.chance(0.5)}
	s.expose = []string{"8000"}
	s.env = []kv{{"DATABASE_URL", "postgresql://app:${POSTGRES_PASSWORD:-app}@db:5432/app"}}
	s.depends = []string{"db"}
	g.appCommon(p, s)
	g.add(p, s)
}

func (g *generator) goService(p *project) {
	s := &service{name: p.uniqueName(g.pick([]string{"proxy", "ingest", "metrics", "thumbnailer", "resolver"})), kind: KindGo}
	ctx := join(p.dir, "services", s.name)
	d := g.dfGo()
	s.df, s.dfPath = d, join(ctx, "Dockerfile")
	g.writeDockerfile(s.dfPath, d)
	g.writeGoSources(ctx, "example.com/"+p.team+"/"+p.name+"/"+s.name)
	s.build = &buildSpec{context: "./services/" + s.name}
	if g.chance(0.3) {
		s.image = p.registryImage(s.name)
	}
	s.expose = []string{"8080"}
	g.appCommon(p, s)
	g.add(p, s)
}

func (g *generator) appName(p *project) string {
	for range 8 {
		if n := g.pick(appNames); !p.used[n] {
			return n
		}
	}
	return g.pick(appNames)
}

// infraServices adds postgres, redis and a few other image-only services.
func (g *generator) infraServices(p *project, n int) {
	db := &service{
		name: p.uniqueName("db"), kind: KindPostgres, infra: true,
		image:   g.pick([]string{"postgres:16-alpine", "postgres:15", "postgres:16.4-bookworm"}),
		env:     []kv{{"POSTGRES_USER", "app"}, {"POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-app}"}, {"POSTGRES_DB", "app"}},
		volumes: []string{"db-data:/var/lib/postgresql/data"},
		health:  []string{`test: ["CMD-SHELL", "pg_isready -U app -d app"]`, "interval: 5s", "timeout: 5s", "retries: 10"},
		restart: "unless-stopped",
	}
	p.volumes = append(p.volumes, "db-data")
	cache := &service{
		name: p.uniqueName("cache"), kind: KindRedis, infra: true,
		image:   g.pick([]string{"redis:7-alpine", "redis:7.2", "valkey/valkey:7.2-alpine"}),
		command: flow("redis-server", "--appendonly", "yes"),
		volumes: []string{"redis-data:/data"},
		health:  []string{`test: ["CMD", "redis-cli", "ping"]`, "interval: 5s", "timeout: 3s", "retries: 5"},
		restart: "unless-stopped",
	}
	p.volumes = append(p.volumes, "redis-data")
	if p.networks {
		db.networks, cache.networks = []string{"backend"}, []string{"backend"}
	}
	if g.chance(0.3) {
		db.ports = []string{"127.0.0.1:5432:5432"}
	}
	g.add(p, db)
	g.add(p, cache)
	extras := []func() *service{
		func() *service {
			return &service{name: "mq", kind: KindInfra, image: "rabbitmq:3.13-management-alpine",
				env: []kv{{"RABBITMQ_DEFAULT_USER", "app"}, {"RABBITMQ_DEFAULT_PASS", "app"}}, ports: []string{"127.0.0.1:15672:15672"}}
		},
		func() *service {
			return &service{name: "mongo", kind: KindInfra, image: "mongo:7", volumes: []string{"mongo-data:/data/db"}}
		},
		func() *service {
			return &service{name: "mail", kind: KindInfra, image: "axllent/mailpit:v1.20", ports: []string{"127.0.0.1:8025:8025"}}
		},
		func() *service {
			return &service{name: "s3", kind: KindInfra, image: "minio/minio:RELEASE.2024-08-17T01-24-54Z",
				command: flow("server", "/data", "--console-address", ":9001"), volumes: []string{"minio-data:/data"}}
		},
		func() *service {
			return &service{name: "elasticsearch", kind: KindInfra, image: "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
				env: []kv{{"discovery.type", "single-node"}, {"xpack.security.enabled", "false"}, {"ES_JAVA_OPTS", "-Xms512m -Xmx512m"}}}
		},
	}
	order := g.rng.Perm(len(extras))
	for i := 0; i < n-2; i++ {
		s := extras[order[i]]()
		s.name = p.uniqueName(s.name)
		s.infra = true
		for _, v := range s.volumes {
			if name, _, ok := strings.Cut(v, ":"); ok && !strings.HasPrefix(name, ".") {
				p.volumes = append(p.volumes, name)
			}
		}
		g.add(p, s)
	}
}

// finishProject records the ground truth and writes the compose file,
// common.yml and .env.
func (g *generator) finishProject(p *project) {
	composePath := join(p.dir, p.composeName)
	g.m.ComposeFiles = append(g.m.ComposeFiles, composePath)
	g.m.Services += len(p.svcs)
	// A Dockerfile whose final stage no service runs is judged on its own.
	finalBuilt := map[string]bool{}
	var dfs []*service
	for _, s := range p.svcs {
		if s.bundled {
			g.markBundled(ServiceKey(p.dir, s.name))
		}
		if s.df == nil {
			continue
		}
		target := ""
		if s.build != nil {
			target = s.build.target
		} else if s.extends != nil && s.extends.file == "" {
			for _, b := range p.svcs {
				if b.name == s.extends.service && b.build != nil {
					target = b.build.target
				}
			}
		}
		if s.df.isFinal(target) {
			finalBuilt[s.dfPath] = true
		}
		dfs = append(dfs, s)
	}
	for _, s := range dfs {
		if !finalBuilt[s.dfPath] {
			finalBuilt[s.dfPath] = true
			g.m.Standalone = append(g.m.Standalone, s.dfPath)
			if s.df.runs("") {
				g.markBundled(s.dfPath)
			}
		}
	}
	if g.cfg.LongTail {
		g.longTail(p)
	}
	g.write(composePath, g.renderCompose(p))
	if p.common != "" {
		// common.yml is a compose file too (found by its content): its
		// node-app is judged on its own as well as through extends.
		g.write(join(p.dir, "common.yml"), p.common)
		g.m.ExtendsBases = append(g.m.ExtendsBases, join(p.dir, "common.yml"))
		g.m.Services++
		if p.commonBase.bundled {
			g.markBundled(ServiceKey(p.dir, p.commonBase.name))
		}
	}
	if p.envFile {
		g.write(join(p.dir, ".env"), fmt.Sprintf("# Local defaults for docker compose\nTAG=%d.%d.%d\nPOSTGRES_PASSWORD=dev-%s\nLOG_LEVEL=debug\n", g.intn(3), g.intn(30), g.intn(10), g.hex(8)))
	}
	if p.dir != "." && g.chance(0.4) {
		g.write(join(p.dir, ".gitignore"), ".env\ndist/\n*.local\n")
	}
	if g.chance(0.5) {
		g.write(join(p.dir, "README.md"), "# "+p.name+"\n\nRun `docker compose up --build`.\n")
	}
}

// flow renders a command as a YAML flow sequence.
func flow(words ...string) string { return cmdJSON(words...) }

// q double-quotes a YAML scalar.
func q(s string) string { return fmt.Sprintf("%q", s) }

func (g *generator) renderCompose(p *project) string {
	var b strings.Builder
	w := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	w(0, "# %s: local stack for the %s team", p.name, p.team)
	if p.version {
		w(0, "version: %s", q(g.pick([]string{"3.8", "3.9", "3"})))
	}
	if p.named {
		w(0, "name: %s", p.name)
	}
	b.WriteByte('\n')
	if p.anchors {
		w(0, "x-logging: &default-logging")
		w(1, "driver: json-file")
		w(1, "options:")
		w(2, "max-size: \"10m\"")
		w(2, "max-file: \"3\"")
		b.WriteByte('\n')
		w(0, "x-node-defaults: &node-defaults")
		w(1, "restart: unless-stopped")
		w(1, "init: true")
		w(1, "logging: *default-logging")
		b.WriteByte('\n')
		w(0, "x-common-env: &common-env")
		w(1, "NODE_ENV: production")
		w(1, "TZ: UTC")
		b.WriteByte('\n')
	}
	if p.argsAnchor != "" {
		w(0, "x-build-args: &build-args")
		w(1, "NODE_VERSION: %s", q(p.argsAnchor))
		b.WriteByte('\n')
	}
	w(0, "services:")
	for i, s := range p.svcs {
		if i > 0 {
			b.WriteByte('\n')
		}
		g.renderService(w, p, s)
	}
	if p.networks {
		b.WriteByte('\n')
		w(0, "networks:")
		w(1, "frontend: {}")
		w(1, "backend: {}")
	}
	if len(p.secrets) > 0 {
		b.WriteByte('\n')
		w(0, "secrets:")
		for _, s := range p.secrets {
			w(1, "%s:", s)
			w(2, "file: ./secrets/%s.txt", s)
		}
	}
	if len(p.volumes) > 0 {
		b.WriteByte('\n')
		w(0, "volumes:")
		for _, v := range p.volumes {
			w(1, "%s:", v)
		}
	}
	return b.String()
}

func (g *generator) renderService(w func(int, string, ...any), p *project, s *service) {
	w(1, "%s:", s.name)
	if e := s.extends; e != nil {
		switch {
		case e.file != "":
			w(2, "extends:")
			w(3, "file: %s", e.file)
			w(3, "service: %s", e.service)
		case e.short:
			w(2, "extends: %s", e.service)
		default:
			w(2, "extends:")
			w(3, "service: %s", e.service)
		}
	}
	if s.anchor {
		w(2, "<<: *node-defaults")
	}
	if s.image != "" {
		w(2, "image: %s", q(s.image))
	}
	if b := s.build; b != nil {
		if b.short {
			w(2, "build: %s", b.context)
		} else {
			w(2, "build:")
			w(3, "context: %s", b.context)
			if b.dockerfile != "" {
				w(3, "dockerfile: %s", b.dockerfile)
			}
			if b.target != "" {
				w(3, "target: %s", b.target)
			}
			if b.argsAnchor {
				w(3, "args: *build-args")
			} else if len(b.args) > 0 {
				w(3, "args:")
				for _, a := range b.args {
					w(4, "%s: %s", a.k, q(a.v))
				}
			}
		}
	}
	if s.command != "" {
		w(2, "command: %s", s.command)
	}
	if s.workingDir != "" {
		w(2, "working_dir: %s", s.workingDir)
	}
	if len(s.env) > 0 || s.envAnchor {
		w(2, "environment:")
		switch {
		case s.envAnchor:
			w(3, "<<: *common-env")
			for _, e := range s.env {
				w(3, "%s: %s", e.k, q(e.v))
			}
		case s.envList:
			for _, e := range s.env {
				w(3, "- %s", q(e.k+"="+e.v))
			}
		default:
			for _, e := range s.env {
				w(3, "%s: %s", e.k, q(e.v))
			}
		}
	}
	switch {
	case len(s.longPorts) > 0:
		w(2, "ports:")
		for _, line := range s.longPorts {
			w(2, "%s", line)
		}
	case len(s.ports) > 0:
		w(2, "ports:")
		for _, pt := range s.ports {
			w(3, "- %s", q(pt))
		}
	}
	if len(s.expose) > 0 {
		w(2, "expose:")
		for _, e := range s.expose {
			w(3, "- %s", q(e))
		}
	}
	if len(s.volumes) > 0 {
		w(2, "volumes:")
		for _, v := range s.volumes {
			w(3, "- %s", v)
		}
	}
	if deps := uniq(s.depends); len(deps) > 0 {
		if s.healthy != nil {
			w(2, "depends_on:")
			for _, d := range deps {
				w(3, "%s:", d)
				w(4, "condition: service_healthy")
			}
		} else {
			w(2, "depends_on:")
			for _, d := range deps {
				w(3, "- %s", d)
			}
		}
	}
	if len(s.profiles) > 0 {
		w(2, "profiles: [%s]", strings.Join(s.profiles, ", "))
	}
	if len(s.health) > 0 {
		w(2, "healthcheck:")
		for _, h := range s.health {
			w(3, "%s", h)
		}
	}
	if s.restart != "" {
		w(2, "restart: %s", s.restart)
	}
	if s.deploy {
		w(2, "deploy:")
		w(3, "resources:")
		w(4, "limits:")
		w(5, "cpus: \"0.50\"")
		w(5, "memory: 512M")
	}
	if len(s.networks) > 0 {
		w(2, "networks:")
		for _, n := range s.networks {
			w(3, "- %s", n)
		}
	}
	for _, line := range s.extra {
		w(2, "%s", line)
	}
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
