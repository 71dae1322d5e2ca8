package gen

import (
	"fmt"
	"strings"
)

// longTail adds, when Config.LongTail is set, the keys compose files
// written by others carry beyond what the base generator writes, at rates
// like those of public projects: traefik-style label blocks, env_file
// (string, list, long form), secrets, long-syntax ports, extra_hosts,
// stop_grace_period, capabilities, security_opt, ulimits, tmpfs, platform,
// pull_policy, shm_size, sysctls. None changes what DC001 must report.
func (g *generator) longTail(p *project) {
	envFiles := map[string]bool{}
	for _, s := range p.svcs {
		var x []string
		add := func(lines ...string) { x = append(x, lines...) }
		if g.chance(0.35) {
			if len(s.ports) > 0 && g.chance(0.7) {
				host := s.name + "." + p.name + ".localhost"
				add("labels:",
					"  - traefik.enable=true",
					fmt.Sprintf("  - \"traefik.http.routers.%s.rule=Host(`%s`)\"", s.name, host),
					fmt.Sprintf("  - traefik.http.routers.%s.entrypoints=web", s.name),
					fmt.Sprintf("  - traefik.http.services.%s.loadbalancer.server.port=%s", s.name, containerPort(s.ports[0])))
			} else {
				add("labels:",
					"  com.example.team: "+p.team,
					"  com.example.service: "+s.name,
					fmt.Sprintf("  com.example.tier: %q", g.pick([]string{"frontend", "backend", "data"})))
			}
		}
		if g.chance(0.3) {
			own := "config/" + s.name + ".env"
			envFiles[own] = true
			switch r := g.intn(10); {
			case r < 6:
				add("env_file: " + own)
			case r < 9:
				envFiles["config/common.env"] = true
				add("env_file:", "  - config/common.env", "  - "+own)
			default:
				add("env_file:", "  - path: "+own, "    required: true", "  - path: config/"+s.name+".local.env", "    required: false")
			}
		}
		if len(s.ports) > 0 && g.chance(0.08) {
			// Long syntax instead of the short strings.
			var lines []string
			for _, pt := range s.ports {
				parts := strings.Split(pt, ":")
				lines = append(lines, "  - target: "+parts[len(parts)-1], "    published: \""+parts[0]+"\"", "    protocol: tcp")
			}
			s.longPorts = lines
		}
		if g.chance(0.1) {
			add("extra_hosts:", "  - \"host.docker.internal:host-gateway\"")
		}
		if g.chance(0.1) {
			add("stop_grace_period: " + g.pick([]string{"10s", "30s", "1m"}))
		}
		if g.chance(0.05) {
			add("cap_drop: [ALL]", "cap_add:", "  - NET_BIND_SERVICE")
		}
		if g.chance(0.05) {
			add("security_opt:", "  - no-new-privileges:true")
		}
		if s.infra && g.chance(0.1) {
			add("ulimits:", "  nofile:", "    soft: 65536", "    hard: 65536")
		}
		if g.chance(0.04) {
			add("tmpfs:", "  - /tmp")
		}
		if g.chance(0.05) {
			add("platform: linux/amd64")
		}
		if g.chance(0.05) {
			add("pull_policy: " + g.pick([]string{"always", "missing", "build"}))
		}
		if s.infra && g.chance(0.05) {
			add("shm_size: 256m")
		}
		if s.infra && g.chance(0.03) {
			add("sysctls:", "  net.core.somaxconn: 1024")
		}
		s.extra = x
	}
	if g.chance(0.1) && len(p.svcs) > 0 {
		s := p.svcs[g.intn(len(p.svcs))]
		p.secrets = []string{"db_password"}
		s.extra = append(s.extra, "secrets:", "  - db_password")
		g.write(join(p.dir, "secrets/db_password.txt"), "dev-"+g.hex(12)+"\n")
	}
	for _, f := range sortedKeys(envFiles) {
		g.write(join(p.dir, f), "# "+f+"\nLOG_LEVEL=info\n")
	}
}

// containerPort is the container side of a short port mapping.
func containerPort(pt string) string {
	parts := strings.Split(pt, ":")
	return strings.SplitN(parts[len(parts)-1], "/", 2)[0]
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
