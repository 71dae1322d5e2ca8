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
