package dockerfile

import (
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestClassify(t *testing.T) {
	kinds := map[CommandKind]string{
		OtherCommand: "other", SystemInstall: "system-install", SystemRemove: "system-remove",
		SystemManager: "system", GlobalInstall: "global-install", GlobalOther: "global",
		ProjectInstall: "project-install", PackageManagerSetting: "setting", ProjectRun: "project-run",
		ReadOnly: "read-only",
	}
	tests := []struct {
		script string
		want   string // "name kind [packages]" per simple command, joined by " | "
	}{
		{"apt-get update && apt-get install -y --no-install-recommends nodejs=18.* git",
			"apt-get system | apt-get system-install [-y --no-install-recommends nodejs=18.* git]"},
		{"sudo apk add --no-cache nodejs npm", "apk system-install [--no-cache nodejs npm]"},
		{"apk del nodejs", "apk system-remove [nodejs]"},
		{"apt-get purge -y --auto-remove nodejs", "apt-get system-remove [-y --auto-remove nodejs]"},
		{"install_packages ca-certificates curl", "install_packages system-install [ca-certificates curl]"},
		{"dnf module install -y nodejs:18", "dnf system-install [-y nodejs:18]"},
		{"dnf module enable nodejs:20", "dnf system-install [nodejs:20]"},
		{"zypper in nodejs20", "zypper system-install [nodejs20]"},
		{"pacman -Syu --noconfirm nodejs", "pacman system-install [--noconfirm nodejs]"},
		{"npm install -g pm2@5 typescript", "npm global-install [pm2@5 typescript]"},
		{"yarn --silent global add @nestjs/cli", "yarn global-install [@nestjs/cli]"},
		{"pnpm add --global turbo", "pnpm global-install [turbo]"},
		{"bun add -g serve", "bun global-install [serve]"},
		{"npm uninstall -g npm", "npm global"},
		{"npm ci --omit=dev", "npm project-install"},
		{"yarn", "yarn project-install"},
		{"yarn --frozen-lockfile", "yarn project-install"},
		{"npm install express", "npm project-run"},
		{"npm run build", "npm project-run"},
		{"npm config set registry https://r.example.com", "npm setting"},
		{"yarn cache clean", "yarn setting"},
		{"npx prisma generate", "npx project-run"},
		// A pinned package is fetched from the registry: not the project's.
		{"npx -y playwright@1.46.0 install --with-deps", "npx global"},
		{"npx -p puppeteer@22 puppeteer browsers install chrome", "npx global"},
		{"npx -y prisma@5.10.0 generate", "npx project-run"},
		{"npx -y vite@5.2.0 build", "npx project-run"},
		{"npx playwright install chromium", "npx project-run"},
		{"npx @nestjs/cli build", "npx project-run"},
		{"env NODE_ENV=production node build.js", "node project-run"},
		{"gosu node /usr/local/bin/npm ci", "npm project-install"},
		{"curl -fsSL https://example.com/x.tgz | tar -xz", "curl other | tar other"},
		{"pnpm fetch | grep -v WARN && ls -la /usr/bin/", "pnpm project-run | grep read-only | ls read-only"},
		{"sudo cat /etc/os-release", "cat read-only"},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range Commands(tt.script) {
			s := c.Name + " " + kinds[c.Kind]
			if c.Packages != nil {
				s += " [" + strings.Join(c.Packages, " ") + "]"
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " | "); g != tt.want {
			t.Errorf("Commands(%q)\ngot  %s\nwant %s", tt.script, g, tt.want)
		}
	}
}

func TestRunScripts(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"FROM x\nRUN apk add git && echo ok\n", []string{"apk add git && echo ok"}},
		{"# syntax=docker/dockerfile:1\nFROM x\nRUN <<EOF\nnpm ci\nEOF\n", []string{"npm ci\n"}},
		{"# syntax=docker/dockerfile:1\nFROM x\nRUN cat <<EOF > /etc/motd\nhello\nEOF\n", []string{"cat <<EOF > /etc/motd", "hello\n"}},
	}
	for _, tt := range tests {
		res, err := parser.Parse(strings.NewReader(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		stages, _, err := instructions.Parse(res.AST, nil)
		if err != nil {
			t.Fatal(err)
		}
		run := stages[0].Commands[0].(*instructions.RunCommand)
		if got := RunScripts(run); strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("RunScripts(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestCopyOperands(t *testing.T) {
	for _, tt := range []struct {
		line, srcs, dest string
		flags            []string
	}{
		{line: "cp -r dist /srv/www", srcs: "dist", dest: "/srv/www"},
		{line: "mv -t /app a b", srcs: "a b", dest: "/app"},
		{line: "mv --target-directory=/app a", srcs: "a", dest: "/app"},
		{line: "install -m 755 run.sh /usr/local/bin/run", srcs: "run.sh", dest: "/usr/local/bin/run", flags: []string{"-m"}},
		{line: "ln -s /app/cli.js", srcs: "/app/cli.js"},
	} {
		srcs, dest := CopyOperands(strings.Fields(tt.line)[1:], tt.flags...)
		if strings.Join(srcs, " ") != tt.srcs || dest != tt.dest {
			t.Errorf("CopyOperands(%s) = %q, %q; want %q, %q", tt.line, srcs, dest, tt.srcs, tt.dest)
		}
	}
}

func TestRunMounts(t *testing.T) {
	got := RunMounts("RUN --mount=type=cache,target=/root/.npm --mount=target=/src,ro --mount=type=bind,from=build,source=/out,dst=/out npm ci")
	want := []RunMount{{Type: "cache", Target: "/root/.npm"}, {Type: "bind", Target: "/src"}, {Type: "bind", Target: "/out", From: "build"}}
	if !slices.Equal(got, want) {
		t.Errorf("RunMounts = %+v, want %+v", got, want)
	}
}
