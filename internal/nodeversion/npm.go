package nodeversion

import (
	"path"
	"strings"
)

// NPM describes the npm bundled with a Node.js release line, as far as a
// production install in a runtime image is concerned.
type NPM struct {
	First   int  // npm major bundled with the line's first release (node 8.0.0: 5)
	Last    int  // npm major bundled with the line's last or newest release (node 8.17.0: 6)
	CI      bool // `npm ci` can be relied on
	OmitDev bool // `--omit=dev` is understood (npm 7+); otherwise use `--production`
	Known   bool // the line is in the table below; otherwise First and Last are 0 and the flags are inferred
}

// npmMajors maps a release line to the npm majors bundled with its first and
// its last (for live lines: newest) release, from the Node.js release notes.
// Lines newer than the table are assumed to carry an npm at least as capable
// as the newest entry.
var npmMajors = map[string][2]int{
	"0.8": {1, 1}, "0.10": {1, 2}, "0.12": {2, 2},
	"4": {2, 2}, "5": {3, 3}, "6": {3, 3}, "7": {3, 4},
	"8": {5, 6}, "9": {5, 5}, "10": {5, 6}, "11": {6, 6},
	"12": {6, 6}, "13": {6, 6}, "14": {6, 6}, "15": {7, 7},
	"16": {7, 8}, "17": {8, 8}, "18": {8, 10}, "19": {8, 9},
	"20": {9, 10}, "21": {10, 10}, "22": {10, 10}, "23": {10, 10},
	"24": {11, 11}, "25": {11, 11},
}

// newestNPMLine is the newest line in npmMajors.
const newestNPMLine = "25"

// NPMFor returns what is known about the npm bundled with a release line
// ("18", "0.10"). The empty major stands for a floating tag (latest, lts,
// current), which always carries a current npm.
//
// `npm ci` arrived in npm 5.7. Node 8 shipped npm 5.0–5.6 until 8.12, and
// 10.0 shipped 5.6, so the cut is conservative at the line level: lines from
// 10 on count as supporting it, 8 and 9 do not. `--omit=dev` arrived in npm 7,
// first bundled with Node 15.
func NPMFor(major string) NPM {
	if m, ok := npmMajors[major]; ok {
		return NPM{
			First:   m[0],
			Last:    m[1],
			CI:      compareMajors(major, "10") >= 0,
			OmitDev: m[0] >= 7,
			Known:   true,
		}
	}
	if major == "" || compareMajors(major, newestNPMLine) > 0 {
		return NPM{CI: true, OmitDev: true}
	}
	// Unparsable, or an old line missing from the table (0.6, io.js 1–3).
	return NPM{}
}

// InstallCommand returns the command a runtime image should run to install
// production dependencies, given the Node.js line ("" for a floating tag)
// and the lockfile the project has ("" for none; a path is fine, only the
// base name counts).
//
//	package-lock.json, npm-shrinkwrap.json: npm ci --omit=dev (npm 7+),
//	                                        npm ci --production (npm 5.7–6),
//	                                        npm install --production (older)
//	yarn.lock:                              yarn install --frozen-lockfile --production
//	pnpm-lock.yaml:                         pnpm install --frozen-lockfile --prod
//	none or other:                          npm install --omit=dev / --production
//
// The yarn form is Yarn 1's, the yarn the official node images bundle.
func InstallCommand(major, lockfile string) string {
	npm := NPMFor(major)
	switch path.Base(strings.ReplaceAll(lockfile, `\`, "/")) {
	case "yarn.lock":
		return "yarn install --frozen-lockfile --production"
	case "pnpm-lock.yaml":
		return "pnpm install --frozen-lockfile --prod"
	case "package-lock.json", "npm-shrinkwrap.json":
		switch {
		case npm.CI && npm.OmitDev:
			return "npm ci --omit=dev"
		case npm.CI:
			return "npm ci --production"
		}
	}
	if npm.OmitDev {
		return "npm install --omit=dev"
	}
	return "npm install --production"
}
