package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// undefinedRef matches the name compose-go's consistency error picks by
// map iteration, which two loads of one file may pick differently.
var undefinedRef = regexp.MustCompile(`(refers to undefined (?:network|volume|secret|config)|depends on undefined service) \S+`)

// loadBoth writes files (relative name: content) in a temporary folder
// and loads the first named compose files with the fast path allowed and
// with compose-go alone. It reports whether the fast path loaded it, and
// any difference in the models, notes or errors.
func loadBoth(t *testing.T, files map[string]string, names ...string) (fast bool, diffs []string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(dir, n))
	}
	q, qerr := LoadLimited(paths, Limits{})
	s, serr := LoadLimited(paths, Limits{NoFastPath: true})
	if q != nil && !q.Fast {
		t.Logf("fast path gave up at %s", q.FastMiss)
	}
	return q != nil && q.Fast, compareProjects(q, qerr, s, serr)
}

// compareProjects lists how a fast load (q) differs from compose-go's (s).
func compareProjects(q *Project, qerr error, s *Project, serr error) []string {
	var diffs []string
	if (qerr == nil) != (serr == nil) {
		return []string{"errors differ: fast " + errText(qerr) + ", compose-go " + errText(serr)}
	}
	if q == nil || s == nil {
		return nil
	}
	if a, b := undefinedRef.ReplaceAllString(q.Degraded, "$1"), undefinedRef.ReplaceAllString(s.Degraded, "$1"); a != b {
		diffs = append(diffs, "degraded: fast "+a+", compose-go "+b)
	}
	if !reflect.DeepEqual(q.Unresolved, s.Unresolved) {
		diffs = append(diffs, "unresolved differ")
	}
	qm, sm := q.Model, s.Model
	if (qm == nil) != (sm == nil) {
		return append(diffs, "one model is nil")
	}
	if qm == nil {
		return diffs
	}
	if len(qm.Services) != len(sm.Services) {
		diffs = append(diffs, "service counts differ")
	}
	for name, svc := range sm.Services {
		if !reflect.DeepEqual(svc, qm.Services[name]) {
			diffs = append(diffs, "service "+name+" differs:\n"+fieldDiff(reflect.ValueOf(svc), reflect.ValueOf(qm.Services[name]), ""))
		}
	}
	pairs := []struct {
		what string
		a, b any
	}{{"networks", sm.Networks, qm.Networks}, {"volumes", sm.Volumes, qm.Volumes},
		{"secrets", sm.Secrets, qm.Secrets}, {"configs", sm.Configs, qm.Configs}, {"name", sm.Name, qm.Name}}
	for _, p := range pairs {
		if !reflect.DeepEqual(p.a, p.b) {
			diffs = append(diffs, p.what+" differ:\n  compose-go "+sprint(p.a)+"\n  fast       "+sprint(p.b))
		}
	}
	return diffs
}

func errText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

func sprint(v any) string { return strings.TrimSpace(strings.ReplaceAll(sprintf(v), "\n", " ")) }

// fieldDiff names the fields of two values of one struct type that differ.
func fieldDiff(a, b reflect.Value, prefix string) string {
	var out []string
	if a.Kind() == reflect.Struct {
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
				if f.Anonymous {
					out = append(out, fieldDiff(a.Field(i), b.Field(i), prefix))
					continue
				}
				out = append(out, "  "+prefix+f.Name+": compose-go "+sprint(a.Field(i).Interface())+" fast "+sprint(b.Field(i).Interface()))
			}
		}
	}
	return strings.Join(out, "\n")
}

// longTail are handwritten files with the keys real files use beyond the
// basics; the fast path must load each, and load it as compose-go does.
var longTail = map[string]map[string]string{
	"labels list and map, x- at every level": {"compose.yaml": `
name: shop
x-common: &common
  restart: unless-stopped
  labels:
    x-inner: 1
    com.example.team: web
services:
  web:
    <<: *common
    image: nginx:1.27
    x-service-ext: {a: 1}
    labels:
      - traefik.enable=true
      - "traefik.http.routers.web.rule=Host(` + "`example.com`" + `)"
      - traefik.http.services.web.loadbalancer.server.port=80
  api:
    image: node:22
    labels:
      com.example.role: api
      com.example.port: 3000
      com.example.empty:
    build:
      context: ./api
      x-bake: {platforms: [linux/amd64]}
      labels: [a=b]
      network: host
      cache_from: [type=local,src=/tmp]
      ssh: [default]
`, "api/Dockerfile": "FROM node:22\n"},
	"env_file string, list, long form": {"compose.yaml": `
services:
  a:
    image: alpine
    env_file: .env.a
  b:
    image: alpine
    env_file: [.env.a, ./conf/b.env]
  c:
    image: alpine
    env_file:
      - path: .env.a
        required: false
      - path: conf/c.env
        format: raw
      - ./conf/b.env
`},
	"secrets and configs, short and long": {"compose.yaml": `
services:
  db:
    image: postgres:16
    secrets:
      - db_password
      - source: db_root
        target: /run/secrets/root
        uid: "1000"
        mode: 0400
    configs:
      - app_conf
      - source: nginx_conf
        target: /etc/nginx/nginx.conf
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
secrets:
  db_password:
    file: ./secrets/db_password.txt
  db_root:
    environment: ROOT_PW
  ext:
    external: true
configs:
  app_conf:
    file: ./app.conf
  nginx_conf:
    content: |
      events {}
  named:
    external: true
    name: shared_conf
`},
	"networks long syntax and top-level options": {"compose.yaml": `
services:
  proxy:
    image: traefik:v3
    networks:
      front:
        aliases: [edge, proxy.local]
        ipv4_address: 172.28.0.10
        priority: 100
      back:
  app:
    image: node:22
    networks: [back]
  db:
    image: postgres
    networks:
      back:
        aliases:
          - database
networks:
  front:
    driver: bridge
    ipam:
      config:
        - subnet: 172.28.0.0/16
  back:
    internal: true
    name: my_back
  outside:
    external: true
volumes:
  data:
    driver_opts: {type: none, o: bind, device: ./data}
  named:
    name: my-volume
  ext:
    external: true
`},
	"ports long syntax, expose, extra_hosts": {"compose.yaml": `
services:
  web:
    image: nginx
    ports:
      - target: 80
        published: "8080"
        protocol: tcp
        mode: host
      - target: 443
        host_ip: 127.0.0.1
        published: 8443
        app_protocol: https
        name: tls
      - "9000-9001:9000-9001/udp"
      - 3000
    expose: ["3000", 4000]
    extra_hosts:
      - "somehost=162.242.195.82"
      - "otherhost:50.31.209.229"
  api:
    image: node
    extra_hosts:
      host.docker.internal: host-gateway
      db: 10.0.0.2
`},
	"container options": {"compose.yaml": `
services:
  app:
    image: node:22-alpine
    platform: linux/amd64
    pull_policy: if_not_present
    stop_grace_period: 1m30s
    stop_signal: SIGTERM
    shm_size: 256m
    privileged: true
    read_only: "true"
    ipc: shareable
    pid: host
    cap_add: [NET_ADMIN, SYS_TIME]
    cap_drop:
      - ALL
    ulimits:
      nproc: 65535
      nofile:
        soft: 20000
        hard: 40000
    sysctls:
      net.core.somaxconn: 1024
      net.ipv4.tcp_syncookies: 0
    devices:
      - /dev/ttyUSB0:/dev/ttyUSB0
      - "/dev/sda:/dev/xvda:rwm"
    dns: 8.8.8.8
    dns_search: [example.com]
    tmpfs:
      - /run
      - /tmp:size=64m
    security_opt: [no-new-privileges:true]
    mem_limit: 512m
    mem_reservation: 128M
    cpus: 0.5
    cpu_shares: 512
    oom_score_adj: -500
    group_add: [mail]
    domainname: example.com
    runtime: runc
    init: true
    logging:
      driver: json-file
      options:
        max-size: 10m
        max-file: "3"
  worker:
    image: node:22-alpine
    sysctls: [net.core.somaxconn=1024]
    ipc: service:app
    pid: service:app
    dns: [1.1.1.1, 8.8.8.8]
    tmpfs: /cache
`},
	"deploy and healthcheck in full": {"compose.yaml": `
services:
  api:
    image: node:22
    deploy:
      mode: replicated
      replicas: 2
      endpoint_mode: vip
      labels: {com.example.tier: api}
      resources:
        limits: {cpus: "0.50", memory: 512M, pids: 100}
        reservations:
          cpus: '0.25'
          memory: 128M
          devices:
            - capabilities: [gpu]
              driver: nvidia
              count: 1
      restart_policy:
        condition: on-failure
        delay: 5s
        max_attempts: 3
        window: 120s
      update_config:
        parallelism: 2
        delay: 10s
        order: start-first
        failure_action: rollback
        monitor: 30s
        max_failure_ratio: 0.3
      rollback_config:
        parallelism: 1
      placement:
        constraints: [node.role == manager]
        preferences:
          - spread: node.labels.zone
        max_replicas_per_node: 1
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost"]
      interval: 1m30s
      timeout: 10s
      retries: 3
      start_period: 40s
      start_interval: 5s
  db:
    image: postgres
    healthcheck:
      test: pg_isready -U postgres
  cache:
    image: redis
    healthcheck:
      disable: true
  job:
    image: alpine
    healthcheck:
      test: ["NONE"]
`},
	"depends_on long form, links and implicit dependencies": {"compose.yaml": `
services:
  web:
    image: nginx
    depends_on:
      api:
        condition: service_healthy
        restart: true
      db:
        condition: service_started
        required: false
    links: [cache, "db:database"]
  api:
    image: node
    network_mode: service:db
    healthcheck:
      test: ["CMD-SHELL", "true"]
  db:
    image: postgres
  cache:
    image: redis
    ipc: service:db
`},
	"bind volumes long form": {"compose.yaml": `
services:
  app:
    image: node
    volumes:
      - type: bind
        source: ./src
        target: /app/src/
        read_only: true
        bind:
          create_host_path: false
          propagation: rprivate
      - type: volume
        source: data
        target: /data
        volume:
          nocopy: true
          subpath: sub
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 1000
      - ~/cache:/cache:rw
      - data2:/data2:ro
volumes:
  data:
  data2:
`},
	"override file with labels, ports and volumes": {"compose.yaml": `
services:
  web:
    image: nginx
    labels: [a=1, b=2]
    ports: ["80:80"]
    volumes: [./a:/a]
    environment: [A=1]
  db:
    image: postgres
    ports:
      - target: 5432
        published: 5432
`, "compose.override.yaml": `
services:
  web:
    labels:
      b: "3"
      c: "4"
    ports: ["8080:80"]
    volumes: [./b:/b]
    env_file: .env.web
  db:
    ports: ["5433:5432"]
`},
	"extends merging long-tail keys": {"compose.yaml": `
services:
  base:
    image: node:22
    env_file: [a.env]
    labels: [a=1]
    ports: ["3000:3000"]
    cap_add: [NET_ADMIN]
  app:
    extends: base
    env_file: [b.env, a.env]
    labels: {b: "2"}
    ports:
      - target: 4000
        published: "4000"
    cap_add: [SYS_TIME]
`},
	"empty lists": {"compose.yaml": `
services:
  a:
    build: .
    ports: []
    expose: []
    volumes: []
    labels: []
    cap_add: []
    profiles: []
    environment: []
`},
	"v1 file": {"docker-compose.yml": `
web:
  build: .
  links: [redis]
  ports: ["3000:3000"]
  volumes: [.:/app]
  environment:
    NODE_ENV: development
redis:
  image: redis
`},
	"interpolation in long-tail keys": {"compose.yaml": `
services:
  web:
    image: nginx:${TAG:-latest}
    labels:
      traefik.http.routers.web.rule: Host(` + "`${DOMAIN:-localhost}`" + `)
    ports:
      - target: 80
        published: ${PORT:-8080}
    env_file: ${ENV_FILE:-.env.web}
    privileged: ${PRIV:-false}
    ulimits:
      nofile: ${NOFILE:-1024}
    stop_grace_period: ${GRACE:-10s}
    environment:
      ENABLED: True
      RATIO: 0.5
      PORT: 8080
`},
	"one broken reference loads degraded": {"compose.yaml": `
services:
  web:
    image: nginx
    depends_on: [missing]
    networks: [front]
networks:
  front:
`},
}

// TestFastPathLongTail loads each long-tail file both ways: the fast path
// must take it and build compose-go's model field for field.
func TestFastPathLongTail(t *testing.T) {
	for name, files := range longTail {
		t.Run(name, func(t *testing.T) {
			var composeFiles []string
			for _, n := range []string{"compose.yaml", "compose.override.yaml", "docker-compose.yml"} {
				if _, ok := files[n]; ok {
					composeFiles = append(composeFiles, n)
				}
			}
			fast, diffs := loadBoth(t, files, composeFiles...)
			for _, d := range diffs {
				t.Error(d)
			}
			if !fast {
				t.Error("the fast path gave up")
			}
		})
	}
}

// TestFastPathRefuses lists what the fast path leaves to compose-go on
// purpose: rare keys (RefusedServiceKeys), include, !reset and !override,
// extends whose merge needs compose-go, more than one broken service.
// Each must fall back, and compose-go's load must be unchanged by trying.
func TestFastPathRefuses(t *testing.T) {
	cases := map[string]string{
		"include":               "include: [other.yaml]\nservices:\n  a:\n    image: x\n",
		"reset":                 "services:\n  a:\n    image: x\n    ports: !reset []\n",
		"two broken":            "services:\n  a:\n    image: x\n    depends_on: [m]\n  b:\n    image: x\n    depends_on: [n]\n",
		"cycle":                 "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n",
		"unknown key":           "services:\n  a:\n    image: x\n    alias: y\n",
		"replicas+name":         "services:\n  a:\n    image: x\n    container_name: a\n    deploy: {replicas: 2}\n",
		"bad healthcheck":       "services:\n  a:\n    image: x\n    healthcheck:\n      test: [\"RUN\", \"x\"]\n",
		"secret without source": "services:\n  a:\n    image: x\n    secrets: [s]\nsecrets:\n  s: {}\n",
		// compose-go's unicity step panics on these (found by the fuzzer).
		"secret target null": "services:\n  a:\n    image: x\n    secrets:\n      - target:\n",
		"config target null": "services:\n  a:\n    image: x\n    configs:\n      - target:\n",
		// Values compose-go's schema refuses by pattern.
		"short container_name": "services:\n  a:\n    image: x\n    container_name: a\n",
		"bad pull_policy":      "services:\n  a:\n    image: x\n    pull_policy: sometimes\n",
		"numeric command":      "services:\n  a:\n    image: x\n    command: 0\n",
	}
	values := map[string]string{
		"attach": "false", "blkio_config": "{weight: 300}", "cgroup": "host", "cpu_rt_period": "1000",
		"cpu_rt_runtime": "1000", "credential_spec": "{file: x.json}", "develop": "{watch: [{path: ., action: rebuild}]}",
		"dockerfile": "Dockerfile", "gpus": "all", "label_file": "labels.txt", "log_driver": "syslog",
		"log_opt": "{a: b}", "models": "[m]", "net": "host", "post_start": "[{command: x}]", "pre_start": "[{command: x}]",
		"pre_stop": "[{command: x}]", "provider": "{type: x}", "pull_refresh_after": "1h", "scale": "2", "umask": "\"0022\"",
		"use_api_socket": "true", "uts": "host", "volume_driver": "local", "x-develop": "{watch: []}",
	}
	for _, k := range RefusedServiceKeys {
		v, ok := values[k]
		if !ok {
			t.Errorf("no test value for refused key %s", k)
			continue
		}
		cases["refused "+k] = "services:\n  a:\n    image: x\n    " + k + ": " + v + "\n"
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			fast, diffs := loadBoth(t, map[string]string{"compose.yaml": src, "other.yaml": "services:\n  b:\n    image: y\n"}, "compose.yaml")
			if fast {
				t.Error("the fast path loaded it")
			}
			for _, d := range diffs {
				// compose-go names whichever broken service its map
				// iteration meets first: two loads may name two.
				if name != "two broken" {
					t.Error(d)
				}
			}
		})
	}
}

func sprintf(v any) string { return fmt.Sprintf("%+v", v) }

// directSamples are two values of each of directKeys, for the merge tests.
var directSamples = map[string][2]string{
	"labels":            {"{a: '1', b: x}", "[c=3, a=2]"},
	"platform":          {"linux/amd64", "linux/arm64"},
	"stop_signal":       {"SIGTERM", "SIGINT"},
	"ipc":               {"host", "shareable"},
	"pid":               {"host", "'service:db'"},
	"runtime":           {"runc", "runsc"},
	"domainname":        {"a.example", "b.example"},
	"pull_policy":       {"always", "if_not_present"},
	"privileged":        {"true", "false"},
	"read_only":         {"false", "true"},
	"oom_kill_disable":  {"true", "false"},
	"shm_size":          {"64m", "1gb"},
	"mem_limit":         {"512m", "1073741824"},
	"mem_reservation":   {"128m", "256m"},
	"memswap_limit":     {"1g", "2g"},
	"stop_grace_period": {"10s", "1m30s"},
	"cap_add":           {"[NET_ADMIN]", "[SYS_PTRACE, NET_ADMIN]"},
	"cap_drop":          {"[ALL]", "[MKNOD]"},
	"security_opt":      {"[no-new-privileges:true]", "['seccomp:unconfined']"},
	"dns_opt":           {"[use-vc]", "[no-tld-query]"},
	"dns":               {"8.8.8.8", "[1.1.1.1, 8.8.8.8]"},
	"dns_search":        {"[a.example]", "b.example"},
	"tmpfs":             {"/run", "[/tmp, /run]"},
	"extra_hosts":       {"['a.example:10.0.0.1']", "{b.example: 10.0.0.2, a.example: 10.0.0.3}"},
	"sysctls":           {"{net.core.somaxconn: 1024}", "[net.ipv4.tcp_syncookies=0, net.core.somaxconn=2048]"},
	"ulimits":           {"{nproc: 65535}", "{nofile: {soft: 1024, hard: 2048}, nproc: 100}"},
	"env_file":          {".env.a", "[.env.b, {path: .env.a, required: false}]"},
	"secrets":           {"[a]", "[b, a]"},
	"configs":           {"[a]", "[b]"},
}

// TestFastPathDirectKeysMerged merges each direct key over a service that
// lacks it and one that has it, through same-file extends, extends from
// another file and an override file: the fast path must load each as
// compose-go does (the first without the generic route, the second
// through it).
func TestFastPathDirectKeysMerged(t *testing.T) {
	for key := range directKeys {
		if _, ok := directFields[key]; !ok {
			t.Errorf("direct key %s sets no field of types.ServiceConfig by its yaml tag", key)
		}
		v, ok := directSamples[key]
		if !ok {
			t.Errorf("no sample values for direct key %s", key)
			continue
		}
		for _, both := range []bool{false, true} {
			base := "    image: alpine\n"
			if both {
				base += "    " + key + ": " + v[0] + "\n"
			}
			child := "    " + key + ": " + v[1] + "\n"
			top := "secrets: {a: {file: ./a}, b: {file: ./b}}\nconfigs: {a: {file: ./a}, b: {file: ./b}}\n"
			cases := map[string]map[string]string{
				"extends": {"compose.yaml": "services:\n  base:\n" + base + "  web:\n    extends: base\n" + child + top},
				"extends file": {"compose.yaml": "services:\n  web:\n    extends: {file: common.yml, service: base}\n" + child + top,
					"common.yml": "services:\n  base:\n" + base},
				"override": {"compose.yaml": "services:\n  web:\n" + base + top, "compose.override.yaml": "services:\n  web:\n" + child},
			}
			for name, files := range cases {
				files[".env.a"], files[".env.b"] = "A=1\n", "B=2\n"
				t.Run(fmt.Sprintf("%s/%s/both=%v", key, name, both), func(t *testing.T) {
					names := []string{"compose.yaml"}
					if _, ok := files["compose.override.yaml"]; ok {
						names = append(names, "compose.override.yaml")
					}
					fast, diffs := loadBoth(t, files, names...)
					for _, d := range diffs {
						t.Error(d)
					}
					// A key set on both sides of an extends from another
					// file needs compose-go's merge.
					if !fast && (name != "extends file" || !both) {
						t.Error("the fast path gave up")
					}
				})
			}
		}
	}
}

// TestFastPathLongPorts loads long-syntax ports (read by longPort) both
// ways, with the shapes that must still reach compose-go's steps.
func TestFastPathLongPorts(t *testing.T) {
	cases := map[string]string{
		"full":          "- {target: 80, published: \"8080\", host_ip: 127.0.0.1, protocol: udp, mode: host, name: web, app_protocol: http}",
		"defaults":      "- target: 80\n        published: 8080",
		"no published":  "- target: 3000",
		"range":         "- {target: 80, published: \"8000-8010\"}",
		"ipv6":          "- {target: 80, published: 80, host_ip: \"::1\"}",
		"mixed":         "- \"3000:3000\"\n      - {target: 80, published: \"8080\"}",
		"dup long":      "- {target: 80, published: \"8080\"}\n      - {target: 80, published: \"8080\"}",
		"dup mixed":     "- \"8080:80\"\n      - {target: 80, published: \"8080\"}",
		"dup short":     "- \"8080:80\"\n      - \"8080:80\"",
		"target string": "- {target: \"80\", published: \"8080\"}",
		"bad host_ip":   "- {target: 80, host_ip: localhost}",
		"x- key":        "- {target: 80, x-note: a}",
		"interpolated":  "- {target: 80, published: \"${WEB_PORT:-8080}\"}",
		"empty":         "- {protocol: tcp}",
	}
	mustFast := map[string]bool{"full": true, "defaults": true, "no published": true, "range": true, "ipv6": true,
		"mixed": true, "interpolated": true}
	for name, ports := range cases {
		t.Run(name, func(t *testing.T) {
			src := "services:\n  web:\n    image: nginx\n    ports:\n      " + ports + "\n"
			fast, diffs := loadBoth(t, map[string]string{"compose.yaml": src}, "compose.yaml")
			for _, d := range diffs {
				t.Error(d)
			}
			if mustFast[name] && !fast {
				t.Error("the fast path gave up")
			}
		})
	}
}

// TestAcyclic: acyclic lets CheckCycle be skipped only when every
// dependency exists and none loops back.
func TestAcyclic(t *testing.T) {
	svc := func(deps ...string) types.ServiceConfig {
		var s types.ServiceConfig
		s.DependsOn = types.DependsOnConfig{}
		for _, d := range deps {
			s.DependsOn[d] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
		}
		return s
	}
	cases := map[string]struct {
		services types.Services
		want     bool
	}{
		"none":      {types.Services{}, true},
		"chain":     {types.Services{"a": svc("b"), "b": svc("c"), "c": svc()}, true},
		"diamond":   {types.Services{"a": svc("b", "c"), "b": svc("d"), "c": svc("d"), "d": svc()}, true},
		"cycle":     {types.Services{"a": svc("b"), "b": svc("c"), "c": svc("a")}, false},
		"self":      {types.Services{"a": svc("a")}, false},
		"missing":   {types.Services{"a": svc("x")}, false},
		"two parts": {types.Services{"a": svc(), "b": svc("c"), "c": svc("b")}, false},
	}
	for name, c := range cases {
		if got := acyclic(c.services); got != c.want {
			t.Errorf("%s: acyclic = %v, want %v", name, got, c.want)
		}
	}
}

// TestFastPathFileResources loads top-level secrets and configs (read
// from a file by plainResources, or by the generic route) both ways.
func TestFastPathFileResources(t *testing.T) {
	cases := map[string]string{
		"relative":     "secrets:\n  s:\n    file: ./secrets/s.txt\nconfigs:\n  c:\n    file: conf/c.conf\n",
		"absolute":     "secrets:\n  s:\n    file: /etc/s.txt\n",
		"parent":       "configs:\n  c:\n    file: ../shared/c.conf\n",
		"interpolated": "secrets:\n  s:\n    file: ${SECRET_FILE:-./s.txt}\n",
		"environment":  "secrets:\n  s:\n    environment: S\n",
		"external":     "secrets:\n  s:\n    external: true\n",
		"named":        "secrets:\n  s:\n    file: ./s.txt\n    name: mine\n",
		"home":         "secrets:\n  s:\n    file: ~/s.txt\n",
		"empty":        "secrets:\n  s:\n    file: \"\"\n",
	}
	mustFast := map[string]bool{"relative": true, "absolute": true, "parent": true, "interpolated": true,
		"environment": true, "external": true, "named": true}
	for name, top := range cases {
		t.Run(name, func(t *testing.T) {
			src := "services:\n  web:\n    image: nginx\n    secrets: [s]\n" + top
			if !strings.Contains(top, "secrets:") {
				src = "services:\n  web:\n    image: nginx\n    configs: [c]\n" + top
			}
			fast, diffs := loadBoth(t, map[string]string{"compose.yaml": src}, "compose.yaml")
			for _, d := range diffs {
				t.Error(d)
			}
			if mustFast[name] && !fast {
				t.Error("the fast path gave up")
			}
		})
	}
}
