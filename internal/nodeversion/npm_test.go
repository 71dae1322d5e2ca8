package nodeversion

import "testing"

func TestNPMFor(t *testing.T) {
	tests := []struct {
		major string
		want  NPM
	}{
		{"0.8", NPM{First: 1, Last: 1, Known: true}},
		{"0.10", NPM{First: 1, Last: 2, Known: true}},
		{"0.12", NPM{First: 2, Last: 2, Known: true}},
		{"4", NPM{First: 2, Last: 2, Known: true}},
		{"5", NPM{First: 3, Last: 3, Known: true}},
		{"6", NPM{First: 3, Last: 3, Known: true}},
		{"7", NPM{First: 3, Last: 4, Known: true}},
		{"8", NPM{First: 5, Last: 6, Known: true}},
		{"9", NPM{First: 5, Last: 5, Known: true}},
		{"10", NPM{First: 5, Last: 6, CI: true, Known: true}},
		{"11", NPM{First: 6, Last: 6, CI: true, Known: true}},
		{"12", NPM{First: 6, Last: 6, CI: true, Known: true}},
		{"13", NPM{First: 6, Last: 6, CI: true, Known: true}},
		{"14", NPM{First: 6, Last: 6, CI: true, Known: true}},
		{"15", NPM{First: 7, Last: 7, CI: true, OmitDev: true, Known: true}},
		{"16", NPM{First: 7, Last: 8, CI: true, OmitDev: true, Known: true}},
		{"17", NPM{First: 8, Last: 8, CI: true, OmitDev: true, Known: true}},
		{"18", NPM{First: 8, Last: 10, CI: true, OmitDev: true, Known: true}},
		{"19", NPM{First: 8, Last: 9, CI: true, OmitDev: true, Known: true}},
		{"20", NPM{First: 9, Last: 10, CI: true, OmitDev: true, Known: true}},
		{"21", NPM{First: 10, Last: 10, CI: true, OmitDev: true, Known: true}},
		{"22", NPM{First: 10, Last: 10, CI: true, OmitDev: true, Known: true}},
		{"23", NPM{First: 10, Last: 10, CI: true, OmitDev: true, Known: true}},
		{"24", NPM{First: 11, Last: 11, CI: true, OmitDev: true, Known: true}},
		{"25", NPM{First: 11, Last: 11, CI: true, OmitDev: true, Known: true}},
		// Newer than the table, or a floating tag: a current npm.
		{"26", NPM{CI: true, OmitDev: true}},
		{"27", NPM{CI: true, OmitDev: true}},
		{"", NPM{CI: true, OmitDev: true}},
		// Old or nonsense: assume nothing.
		{"0.6", NPM{}},
		{"3", NPM{}},
		{"junk", NPM{}},
		{"v18", NPM{}},
	}
	for _, tt := range tests {
		if got := NPMFor(tt.major); got != tt.want {
			t.Errorf("NPMFor(%q) = %+v, want %+v", tt.major, got, tt.want)
		}
	}
}

// Every line in the schedule up to the newest the npm table knows must be in
// the npm table, so a new schedule entry cannot silently fall back.
func TestNPMCoversSchedule(t *testing.T) {
	for _, r := range Releases() {
		if compareMajors(r.Major, newestNPMLine) > 0 {
			continue
		}
		if !NPMFor(r.Major).Known {
			t.Errorf("npm table lacks line %s", r.Major)
		}
	}
	if _, ok := Lookup(newestNPMLine); !ok {
		t.Errorf("newestNPMLine %s is not in the schedule", newestNPMLine)
	}
	for m := range npmMajors {
		if compareMajors(m, newestNPMLine) > 0 {
			t.Errorf("npm table has %s, newer than newestNPMLine %s", m, newestNPMLine)
		}
	}
}

func TestInstallCommand(t *testing.T) {
	tests := []struct{ major, lockfile, want string }{
		{"22", "package-lock.json", "npm ci --omit=dev"},
		{"22", "npm-shrinkwrap.json", "npm ci --omit=dev"},
		{"16", "app/package-lock.json", "npm ci --omit=dev"},
		{"15", `app\package-lock.json`, "npm ci --omit=dev"},
		{"26", "package-lock.json", "npm ci --omit=dev"},
		{"", "package-lock.json", "npm ci --omit=dev"},
		{"14", "package-lock.json", "npm ci --production"},
		{"12", "npm-shrinkwrap.json", "npm ci --production"},
		{"10", "package-lock.json", "npm ci --production"},
		{"8", "package-lock.json", "npm install --production"},
		{"6", "npm-shrinkwrap.json", "npm install --production"},
		{"0.10", "package-lock.json", "npm install --production"},
		{"junk", "package-lock.json", "npm install --production"},
		{"22", "", "npm install --omit=dev"},
		{"", "", "npm install --omit=dev"},
		{"14", "", "npm install --production"},
		{"4", "", "npm install --production"},
		{"22", "bun.lockb", "npm install --omit=dev"},
		{"22", "yarn.lock", "yarn install --frozen-lockfile --production"},
		{"8", "web/yarn.lock", "yarn install --frozen-lockfile --production"},
		{"22", "pnpm-lock.yaml", "pnpm install --frozen-lockfile --prod"},
		{"18", "/src/pnpm-lock.yaml", "pnpm install --frozen-lockfile --prod"},
	}
	for _, tt := range tests {
		if got := InstallCommand(tt.major, tt.lockfile); got != tt.want {
			t.Errorf("InstallCommand(%q, %q) = %q, want %q", tt.major, tt.lockfile, got, tt.want)
		}
	}
}
