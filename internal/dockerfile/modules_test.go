package dockerfile

import (
	"fmt"
	"testing"
)

// Modules records where installs leave node_modules: the install's folder
// (WORKDIR, or a cd in the same RUN) and where an mv puts it.
func TestModules(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", "[/app@4]"},
		{"FROM node:22\nWORKDIR /usr/src/app\nCOPY package.json ./\nRUN npm install && mv node_modules ../\n", "[/usr/src/app@4 /usr/src@4]"},
		{"FROM node:22\nWORKDIR /app\nRUN yarn && mv ./node_modules /deps/node_modules\n", "[/app@3 /deps@3]"},
		{"FROM node:22\nADD . /src\nRUN cd /src && npm install --production\n", "[/src@3]"},
		{"FROM node:22\nCOPY package.json /\nRUN npm install\n", "[/@3]"},
		{"FROM node:22\nWORKDIR /app\nRUN npm install -g pm2 && mv dist ../\n", "[]"},
		// cd follows the RUN's environment: the stage's ENV and ARG values.
		{"FROM node:22\nENV APP_HOME=/srv/app\nCOPY . $APP_HOME\nRUN cd $APP_HOME && npm ci\n", "[/srv/app@4]"},
		{"FROM node:22\nARG BASE=/srv\nENV APP_HOME=${BASE}/app\nRUN cd \"${APP_HOME}\" && npm ci\n", "[/srv/app@4]"},
		{"FROM node:22\nWORKDIR /app\nRUN cd web && npm ci && cd .. && cd api && npm ci\n", "[/app/web@3 /app/api@3]"},
		// node_modules copied from a build stage are where they land.
		{"FROM node:22 AS i\nWORKDIR /app\nCOPY . .\nRUN pnpm install\nFROM node:22\nWORKDIR /app\nCOPY --from=i /app/node_modules ./node_modules\nCOPY --from=i /app/apps/web/node_modules ./apps/web/node_modules\n", "[/app@7 /app/apps/web@8]"},
		// A package manager's own folder flag moves the install.
		{"FROM node:22\nWORKDIR /srv\nRUN npm ci --prefix /opt/deps --omit=dev\n", "[/opt/deps@3]"},
		{"FROM node:22\nWORKDIR /srv\nRUN yarn install --cwd app && pnpm -C web install\n", "[/srv/app@3 /srv/web@3]"},
		{"FROM node:22\nWORKDIR /srv\nRUN npm install --prefix=server\n", "[/srv/server@3]"},
		{"FROM node:22\nENV APP_HOME=/srv\nWORKDIR /x\nRUN npm ci --prefix \"$APP_HOME/server\"\n", "[/srv/server@4]"},
		// A default for an unset variable is where the shell goes.
		{"FROM node:22\nARG APP_DIR\nWORKDIR ${APP_DIR:-/srv/app}\nRUN cd ${APP_DIR:-/srv/app} && npm ci\n", "[/srv/app@4]"},
		// cd - goes back to where the last cd left.
		{"FROM node:22\nWORKDIR /app\nRUN cd /tmp && curl -O x && cd - && npm ci\n", "[/app@3]"},
		// Node's global folder copied in is Node's, not the app's modules.
		{"FROM node:22 AS n\nFROM python:3.12\nCOPY --from=n /usr/local/lib/node_modules /usr/local/lib/node_modules\n", "[]"},
		// A folder it cannot tell is no folder: ModulesUnresolved says so.
		{"FROM node:22\nRUN cd $NOWHERE && npm ci\n", "[]"},
		{"FROM node:22\nWORKDIR /app\nRUN cd $(npm root -g)/x && npm install\n", "[]"},
	} {
		f := mustParse(t, tc.src, nil)
		fa := f.Analyze(nil)[f.Final().Index]
		var got []string
		for _, m := range fa.Modules {
			got = append(got, fmt.Sprintf("%s@%d", m.What, m.Line))
		}
		if s := fmt.Sprint(got); s != tc.want {
			t.Errorf("%q: Modules = %s, want %s", tc.src, s, tc.want)
		}
	}
}

// ModulesUnresolved names the first install after a cd into a folder that
// cannot be told, so a split refuses instead of copying a guessed folder.
func TestModulesUnresolved(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"FROM node:22\nRUN cd $NOWHERE && npm ci\n", "npm after cd ${NOWHERE}@2"},
		{"FROM node:22\nWORKDIR /app\nRUN cd $(npm root -g)/x && npm install\n", "npm after cd $(...)/x@3"},
		{"FROM node:22\nWORKDIR /app\nRUN cd - && yarn && mv node_modules ../\n", "yarn after cd -@3"},
		{"FROM node:22\nWORKDIR /app\nRUN cd $X && mv /tmp/node_modules /deps/\n", ""},
		{"FROM node:22\nENV D=/app\nRUN cd $D && npm ci\n", ""},
		{"FROM node:22 AS base\nRUN cd $D && npm ci\nFROM base\nCMD [\"node\", \"x.js\"]\n", "npm after cd ${D}@2"},
		{"FROM node:22\nWORKDIR /app\nRUN npm ci --prefix $NOWHERE/x\n", "npm in ${NOWHERE}/x@3"},
	} {
		f := mustParse(t, tc.src, nil)
		fa := f.Analyze(nil)[f.Final().Index]
		got := ""
		if m := fa.ModulesUnresolved; m != nil {
			got = fmt.Sprintf("%s@%d", m.What, m.Line)
		}
		if got != tc.want {
			t.Errorf("%q: ModulesUnresolved = %q, want %q", tc.src, got, tc.want)
		}
	}
}

// An installer's --dir names its folder through the stage's ENV, as the
// RUN's shell expands it (docker-library/ghost): the code is there, not in
// a folder named after the variable.
func TestInstallerDirFromEnv(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"FROM node:22-slim\nRUN npm install -g ghost-cli\nENV GHOST_INSTALL /var/lib/ghost\nRUN ghost install 6.0 --no-prompt --dir \"$GHOST_INSTALL\"\nWORKDIR $GHOST_INSTALL\n", "[/var/lib/ghost]"},
		{"FROM node:22-slim\nRUN npm install -g ghost-cli\nRUN ghost install 6.0 --dir=$NOWHERE\n", "[]"},
	} {
		f := mustParse(t, tc.src, nil)
		fa := f.Analyze(nil)[f.Final().Index]
		if got := fmt.Sprint(fa.CodeDirs); got != tc.want {
			t.Errorf("%q: CodeDirs = %s, want %s", tc.src, got, tc.want)
		}
	}
}
