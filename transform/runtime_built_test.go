package transform

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestRunParts: how a RUN after the code arrived splits between what the
// built runtime replays (sys), what stays with the code, and what it
// cannot tell (unknown). The code is in /app, the RUN works in /app.
func TestRunParts(t *testing.T) {
	inCode := func(p string) bool { return p == "/app" || strings.HasPrefix(p, "/app/") }
	tests := []struct {
		run                string
		sys, code, unknown string // sys and code joined by " ; "
		chain              bool
	}{
		{run: "apk add --no-cache git && npm ci --omit=dev", sys: "apk add --no-cache git", code: "npm ci --omit=dev", chain: true},
		{run: "install_packages curl && npm run build", sys: "install_packages curl", code: "npm run build", chain: true},
		{run: "npm install -g pm2 && yarn global add serve", sys: "npm install -g pm2 ; yarn global add serve", chain: true},
		{run: "npm config set loglevel warn && yarn cache clean", sys: "npm config set loglevel warn ; yarn cache clean", chain: true},
		{run: "sh -c 'npx prisma generate && chown -R node /app'", code: "npx prisma generate ; chown -R node /app"},
		{run: "bundle install && node build.js", code: "node build.js", unknown: "bundle", chain: true},
		// sed's script is no path: an edit of a file outside the code is
		// the system's, one of a file in the code is the code's.
		{run: "sed -i 's/\\r//g' /opt/wait-for-it.sh", sys: "sed -i 's/\\r//g' /opt/wait-for-it.sh", chain: true},
		{run: "sed -i s/a/b/ config/app.js", code: "sed -i s/a/b/ config/app.js", chain: true},
		{run: "dos2unix /usr/local/bin/start.sh && chmod +x /usr/local/bin/start.sh", sys: "dos2unix /usr/local/bin/start.sh ; chmod +x /usr/local/bin/start.sh", chain: true},
		// A file command on a relative path in the code folder is the
		// code's (the runtime has no uploads folder to chown); chown's
		// owner and chmod's mode are no paths.
		{run: "useradd -r chat && chown chat:chat uploads && mkdir -p builtAssets", sys: "useradd -r chat", code: "chown chat:chat uploads ; mkdir -p builtAssets", chain: true},
		{run: "chmod -x start && chown -R node /etc/app", sys: "chown -R node /etc/app", code: "chmod -x start", chain: true},
		{run: "chmod 755 /usr/local/bin/entry", sys: "chmod 755 /usr/local/bin/entry", chain: true},
		// Paths on both sides: the runtime still makes those outside
		// (browserless: mkdir -p $APP_DIR $NVM_DIR).
		{run: "mkdir -p /app /opt/data && touch /opt/data/ready", sys: "mkdir -p /opt/data ; touch /opt/data/ready", code: "mkdir -p /app", chain: true},
		{run: "mkdir -p /app/uploads /opt/data && chown node /app/uploads /opt/data", sys: "mkdir -p /opt/data ; chown node /opt/data", code: "mkdir -p /app/uploads ; chown node /app/uploads", chain: true},
		// A link outside the code to a file in it is the system's: it
		// resolves once the code volume is mounted.
		{run: "mkdir -p /var/log/app && ln -s /app/cli.js /usr/local/bin/mycli", sys: "mkdir -p /var/log/app ; ln -s /app/cli.js /usr/local/bin/mycli", chain: true},
		{run: "ln -s -t /usr/local/bin /app/node_modules/.bin/next", sys: "ln -s -t /usr/local/bin /app/node_modules/.bin/next", chain: true},
		{run: "ln -sf /etc/app.json /app/config.json", code: "ln -sf /etc/app.json /app/config.json", chain: true},
		// A flag's value is no path; variables and globs stay as
		// written, to expand as they did (browserless: mkdir -p
		// $APP_DIR $NVM_DIR).
		{run: "mkdir -m 755 /app/uploads /opt/data", sys: "mkdir -m 755 /opt/data", code: "mkdir -m 755 /app/uploads", chain: true},
		{run: "touch -d 2020-01-01 build.txt /var/run/app.pid", sys: "touch -d 2020-01-01 /var/run/app.pid", code: "touch -d 2020-01-01 build.txt", chain: true},
		{run: "rm -rf /app/test/* /tmp/*", sys: "rm -rf /tmp/*", code: "rm -rf /app/test/*", chain: true},
		{run: "mkdir -p $SRC $DATA", sys: "mkdir -p ${DATA}", code: "mkdir -p ${SRC}", chain: true},
		{run: "chmod --reference=/etc/hosts /app/x /opt/y", code: "chmod --reference=/etc/hosts /app/x /opt/y", chain: true},
		// A hard link, or a glob over the code, is the code's: neither
		// resolves where the code is not.
		{run: "ln /app/cli.js /usr/local/bin/mycli", code: "ln /app/cli.js /usr/local/bin/mycli", chain: true},
		{run: "ln -s /app/node_modules/.bin/* /usr/local/bin/", code: "ln -s /app/node_modules/.bin/* /usr/local/bin/", chain: true},
		// sed -e SCRIPT: the word after -e is the script, not a path.
		{run: "sed -i -e s/x$// /usr/local/bin/entry.sh -e s/y// && chmod +x /usr/local/bin/entry.sh", sys: "sed -i -e s/x$// /usr/local/bin/entry.sh -e s/y// ; chmod +x /usr/local/bin/entry.sh"},
		{run: "sed -e s/a/b/ -i config.js", code: "sed -e s/a/b/ -i config.js", chain: true},
		// A path through a variable the build sets is where it leads: the
		// code folder, or a data folder outside it.
		{run: "chown -R node:node $DATA && sed -i s/a/b/ ${SRC}/config.js", sys: "chown -R node:node $DATA", code: "sed -i s/a/b/ ${SRC}/config.js"},
		// A condition on a file of the code folder, and the copy, are the
		// code's alone.
		{run: "if [ ! -f .env ]; then cp env-example .env; fi", code: "[ ! -f .env ] ; cp env-example .env"},
		// A look at the code fails where the code is not: the code's. A
		// look elsewhere makes nothing either way.
		{run: "ls /app/src && cat /etc/os-release", code: "ls /app/src", chain: true},
		// A user whose home is the code folder is the system's: the
		// runtime's USER needs it.
		{run: "addgroup -S app -g 4001 && adduser -S app -G app --uid 4001 -h /app", sys: "addgroup -S app -g 4001 ; adduser -S app -G app --uid 4001 -h /app", chain: true},
		// Output redirected into a file of the code folder is the code's;
		// into a file outside it, the system's.
		{run: "echo \"$COMMIT\" > dist/.hash", code: "echo '${COMMIT}'"},
		{run: "echo ok >> /app/log && echo x > /etc/motd", sys: "echo x", code: "echo ok"},
		// A package manager's log, a file under ~ or through an unset
		// variable: the system's.
		{run: "apk add --no-cache curl > apk.log", sys: "apk add --no-cache curl", chain: false},
		{run: "echo 'export PATH=/app/node_modules/.bin:$PATH' >> ~/.bashrc", sys: "echo 'export PATH=/app/node_modules/.bin:$PATH'"},
		{run: "echo x > $UNSET/f", sys: "echo x"},
		// A shell builtin changes nothing: no unknown program.
		{run: "adduser -D -s /bin/false app; exit 0", sys: "adduser -D -s /bin/false app ; exit 0"},
		// A chain is replayed as written, wrappers included.
		{run: "sudo -E env CI=1 npm test", code: "sudo -E env CI=1 npm test", chain: true},
	}
	for _, tt := range tests {
		res, err := parser.Parse(strings.NewReader("FROM node:22\nRUN " + tt.run + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		stages, _, err := instructions.Parse(res.AST, nil)
		if err != nil {
			t.Fatal(err)
		}
		run := stages[0].Commands[0].(*instructions.RunCommand)
		sys, code, unknown, chain, _ := runParts(run, "/app", map[string]string{"DATA": "/data", "SRC": "/app/src"}, inCode, true)
		if got := strings.Join(sys, " ; "); got != tt.sys {
			t.Errorf("RUN %s: sys = %q, want %q", tt.run, got, tt.sys)
		}
		if got := strings.Join(code, " ; "); got != tt.code {
			t.Errorf("RUN %s: code = %q, want %q", tt.run, got, tt.code)
		}
		if unknown != tt.unknown || chain != tt.chain {
			t.Errorf("RUN %s: unknown, chain = %q, %v; want %q, %v", tt.run, unknown, chain, tt.unknown, tt.chain)
		}
	}
}

// An ENV that names a variable of the base image (PATH) cannot be stated in
// compose's environment: (compose does not expand it; the runtime would get
// the text "$PATH"). The runtime is built instead, which replays the ENV,
// and compose restates none of the ENV the built image carries; forced to
// a stock runtime, the split is refused with the reason.
func TestSplitEnvOfTheBaseImage(t *testing.T) {
	files := map[string]string{
		"compose.yaml": "services:\n  web:\n    build: .\n",
		"Dockerfile":   "FROM node:22\nWORKDIR /app\nENV PATH=\"/app/node_modules/.bin:$PATH\" NODE_ENV=production\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"start\"]\n",
		"package.json": "{}",
	}
	split := func(t *testing.T, opts SplitOptions) (map[string]string, string) {
		dir := writeTree(t, files)
		t.Chdir(dir)
		ws := load(t)
		fix, reason := Split(ws, ws.Projects[0].Services[0], opts)
		if fix == nil {
			return nil, reason
		}
		return apply(t, dir, fix), ""
	}
	got, reason := split(t, SplitOptions{})
	if got == nil {
		t.Fatalf("refused: %s", reason)
	}
	if !strings.Contains(got["compose.yaml"], "      target: runtime\n") {
		t.Errorf("the runtime is not built:\n%s", got["compose.yaml"])
	}
	if strings.Contains(got["compose.yaml"], "PATH") || strings.Contains(got["compose.yaml"], "NODE_ENV") {
		t.Errorf("compose restates the ENV the built runtime carries:\n%s", got["compose.yaml"])
	}
	if !strings.Contains(got["Dockerfile.code"], "AS runtime\nWORKDIR /app\nENV PATH=\"/app/node_modules/.bin:$PATH\" NODE_ENV=production\n") {
		t.Errorf("the runtime stage does not replay the ENV:\n%s", got["Dockerfile.code"])
	}
	if _, reason := split(t, SplitOptions{Runtime: "stock"}); !strings.Contains(reason, "ENV PATH refers to $PATH (Dockerfile:3), which the base image sets") {
		t.Errorf("a stock runtime: want a refusal naming $PATH, got %q", reason)
	}
}

// An ENV naming an ARG declared without a default is the Dockerfile's own
// variable (empty unless compose feeds it), not the base image's: the
// runtime stays the stock image and compose states the value.
func TestSplitEnvOfAnArgWithoutDefault(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    build: .\n",
		"Dockerfile":   "FROM node:22\nARG STAGE\nENV APP_STAGE=$STAGE\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"index.js\"]\n",
		"package.json": "{}",
	})
	t.Chdir(dir)
	ws := load(t)
	fix, reason := Split(ws, ws.Projects[0].Services[0], SplitOptions{})
	if fix == nil {
		t.Fatalf("refused: %s", reason)
	}
	got := apply(t, dir, fix)
	if !strings.Contains(got["compose.yaml"], "    image: node:22\n") || !strings.Contains(got["compose.yaml"], "APP_STAGE") {
		t.Errorf("want the stock runtime with APP_STAGE in its environment:\n%s", got["compose.yaml"])
	}
}

// TestInert: what is left of cd client && npm install && cd ../server
// once the installs go with the code moves around and makes nothing.
func TestInert(t *testing.T) {
	for parts, want := range map[string]bool{
		"cd ../server\ncd ..": true,
		"set -e\ncd /tmp":     true,
		"cd /tmp\nmkdir x":    false,
		"apk add curl":        false,
	} {
		if got := allOf(strings.Split(parts, "\n"), inertCommands...); got != want {
			t.Errorf("allOf(%q, inertCommands) = %v, want %v", parts, got, want)
		}
	}
}
