package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The files of the fixture project. Positions and fix offsets in the
// fixture are computed from them, so the goldens describe a real layout.
const (
	composeYAML = `services:
  api:
    build:
      context: services/api
      target: runtime
    ports:
      - "3000:3000"
  web:
    build: services/web
  worker:
    build: services/worker
    volumes:
      - ./src:/app/src
`
	apiDockerfile = `FROM node:20-alpine AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-alpine AS runtime
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
CMD ["node", "dist/server.js"]
`
	webDockerfile = `FROM node:20
WORKDIR /srv
COPY . .
RUN npm ci --omit=dev
CMD ["npm", "start"]
`
	workerDockerfile = `FROM node:20-alpine
WORKDIR /app
COPY src /app/src
CMD ["node", "src/worker.js"]
`
	fixtureRoot = "/home/runner/work/shop/shop"
)

// at is the position of the first occurrence of needle in content.
func at(t *testing.T, file, content, needle string) analysis.Position {
	t.Helper()
	i := strings.Index(content, needle)
	if i < 0 {
		t.Fatalf("%q not in %s", needle, file)
	}
	line := strings.Count(content[:i], "\n") + 1
	col := i - strings.LastIndex(content[:i], "\n")
	return analysis.Position{File: file, Line: line, Column: col}
}

// replace is an edit replacing the first occurrence of old in content.
func replace(t *testing.T, file, content, old, repl string) analysis.TextEdit {
	t.Helper()
	i := strings.Index(content, old)
	if i < 0 {
		t.Fatalf("%q not in %s", old, file)
	}
	return analysis.TextEdit{File: file, Start: i, End: i + len(old), NewText: []byte(repl)}
}

var (
	ruleBundled = &analysis.Rule{
		Code:     "DC001",
		Name:     "node-runtime-bundled",
		Severity: analysis.Error,
		Summary:  "An image ships the Node.js runtime together with the application code.",
		Doc: "Shipping the runtime and the code in one image ties every code change to a runtime rebuild,\n" +
			"and every runtime patch to a redeploy of the code.\n\n" +
			"Bad:\n\n```dockerfile\nFROM node:20-alpine\nCOPY . /app\n```\n\n" +
			"Good: build the code into a `scratch` stage and run it with the official `node` image.\n\n" +
			"The fix adds an `app` stage and points the service's build target at it.",
	}
	ruleModules = &analysis.Rule{
		Code:     "DC002",
		Name:     "node-modules-copied",
		Severity: analysis.Warning,
		Summary:  "COPY sends the host's node_modules into the image.",
		Doc:      "Without a `.dockerignore`, `COPY . .` copies `node_modules` built for the host.\n\nThe fix writes a `.dockerignore`.",
	}
	ruleShadowed = &analysis.Rule{
		Code:     "DC003",
		Name:     "code-volume-shadows-image",
		Severity: analysis.Info,
		Summary:  "A bind mount hides the code the image was built with.",
		Doc:      "The mounted folder replaces the image's copy of the code at run time, so the image's copy is dead weight.",
	}
	ruleVersion = &analysis.Rule{
		Code:     "DC004",
		Name:     "node-version-mismatch",
		Severity: analysis.Warning,
		Summary:  "Stages of one image use different Node.js versions.",
		Doc:      "Modules built with one Node.js version may not load in another.",
	}
)

// fixture is one realistic run: three files with findings of every
// severity, evidence, a safe fix editing two files, an unsafe fix that
// creates a file, a refused fix, a clean file, a file that failed to parse
// and a message full of characters that need escaping somewhere.
func fixture(t *testing.T) Input {
	t.Helper()
	const (
		compose = "compose.yaml"
		api     = "services/api/Dockerfile"
		web     = "services/web/Dockerfile"
		worker  = "services/worker/Dockerfile"
	)
	// The edit to the Dockerfile names the file as the driver opened it,
	// absolute; the report must show it relative to Root.
	apiEdit := analysis.TextEdit{
		File:    fixtureRoot + "/" + api,
		Start:   len(apiDockerfile),
		End:     len(apiDockerfile),
		NewText: []byte("\nFROM scratch AS app\nCOPY --from=build /app/dist /app/dist\n"),
	}
	return Input{
		Version: "0.4.0",
		Root:    fixtureRoot,
		Rules:   []*analysis.Rule{ruleBundled, ruleModules, ruleShadowed, ruleVersion},
		Files:   []string{compose, "compose.override.yaml", api, web, worker},
		Errors: []FileError{{
			Pos:     analysis.Position{File: "compose.override.yaml", Line: 7, Column: 3},
			Message: "yaml: line 7: mapping values are not allowed in this context",
		}},
		// Deliberately out of order: every format must sort.
		Diagnostics: []analysis.Diagnostic{
			{
				Rule:     ruleShadowed,
				Severity: analysis.Info,
				Pos:      at(t, compose, composeYAML, "./src:/app/src"),
				Message:  `service "worker" mounts ./src over /app/src, so the image's copy of the code is never used`,
				Service:  "worker",
				Related: []analysis.Related{
					{Pos: at(t, worker, workerDockerfile, "COPY src"), Message: "the image copies the code here"},
				},
			},
			{
				Rule:       ruleBundled,
				Severity:   analysis.Error,
				Pos:        at(t, web, webDockerfile, "FROM node:20"),
				Message:    `stage 0 runs on node:20 and also holds the application code`,
				Service:    "web",
				Dockerfile: web,
				Stage:      "0",
				Related: []analysis.Related{
					{Pos: at(t, web, webDockerfile, "COPY . ."), Message: "the application code is copied here"},
					{Pos: at(t, compose, composeYAML, "build: services/web"), Message: `service "web" builds this Dockerfile`},
				},
				FixRefused: "the Dockerfile has a single stage; splitting it needs a build stage decouple cannot infer",
			},
			{
				Rule:     ruleModules,
				Severity: analysis.Warning,
				Pos:      at(t, api, apiDockerfile, "COPY . ."),
				// Quotes, <, &, %, a newline, commas and colons: every
				// format must carry this intact.
				Message: "COPY . . on line 5 sends \"node_modules\" & <build> output (100% of the context) into the image;\n" +
					"add to .dockerignore: node_modules, dist",
				Service:    "api",
				Dockerfile: api,
				Stage:      "build",
				Related: []analysis.Related{
					{Pos: analysis.Position{File: "services/api"}, Message: "no .dockerignore in the build context"},
				},
				Fix: &analysis.SuggestedFix{
					Message: "create services/api/.dockerignore",
					Safe:    false,
					Edits: []analysis.TextEdit{
						{File: "services/api/.dockerignore", NewText: []byte("node_modules\ndist\n")},
					},
				},
			},
			{
				Rule:       ruleBundled,
				Severity:   analysis.Error,
				Pos:        at(t, compose, composeYAML, "target: runtime"),
				Message:    `service "api" runs stage "runtime", which holds both node:20-alpine and the application code`,
				Service:    "api",
				Dockerfile: api,
				Stage:      "runtime",
				Related: []analysis.Related{
					{Pos: at(t, api, apiDockerfile, "FROM node:20-alpine AS runtime"), Message: "the Node.js runtime comes from here"},
					{Pos: at(t, api, apiDockerfile, "COPY --from=build /app/dist"), Message: "the application code is copied here"},
				},
				Fix: &analysis.SuggestedFix{
					Message: `add an "app" stage holding only the code and build it instead of "runtime"`,
					Safe:    true,
					Edits: []analysis.TextEdit{
						replace(t, compose, composeYAML, "runtime", "app"),
						apiEdit,
					},
				},
			},
		},
	}
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

var goldenNames = map[string]string{
	"text":       "report.txt",
	"json":       "report.json",
	"sarif":      "report.sarif",
	"github":     "report.github.txt",
	"gitlab":     "report.gitlab.json",
	"junit":      "report.junit.xml",
	"checkstyle": "report.checkstyle.xml",
	"rdjson":     "report.rdjson",
}

func render(t *testing.T, format string, in Input, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, in, opts); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			name, ok := goldenNames[format]
			if !ok {
				t.Fatalf("no golden file name for format %q", format)
			}
			in := fixture(t)
			if format == "rdjson" {
				in = rdFixture(t)
			}
			golden(t, name, render(t, format, in, Options{}))
			golden(t, filepath.Join("clean", name), render(t, format, Input{Version: "0.4.0", Rules: fixture(t).Rules}, Options{}))
		})
	}
	t.Run("text-color", func(t *testing.T) {
		golden(t, "report.color.txt", render(t, "text", fixture(t), Options{Color: true}))
	})
}

// TestSARIFConsistency checks what the schema cannot: indexes point at the
// right rules, ids and fingerprints are unique, and the fixes, applied to
// the fixture's files, produce the intended text.
func TestSARIFConsistency(t *testing.T) {
	type artifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID           string `json:"ruleId"`
				RuleIndex        int    `json:"ruleIndex"`
				RelatedLocations []struct {
					ID int `json:"id"`
				} `json:"relatedLocations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Fixes               []struct {
					ArtifactChanges []struct {
						ArtifactLocation artifact `json:"artifactLocation"`
						Replacements     []struct {
							DeletedRegion struct {
								ByteOffset int `json:"byteOffset"`
								ByteLength int `json:"byteLength"`
							} `json:"deletedRegion"`
							InsertedContent struct {
								Text string `json:"text"`
							} `json:"insertedContent"`
						} `json:"replacements"`
					} `json:"artifactChanges"`
				} `json:"fixes"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", fixture(t), Options{}), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != 4 {
		t.Errorf("got %d rules, want the whole catalogue of 4", len(run.Tool.Driver.Rules))
	}
	files := map[string]string{
		"compose.yaml":               composeYAML,
		"services/api/Dockerfile":    apiDockerfile,
		"services/api/.dockerignore": "",
	}
	want := map[string]string{
		"compose.yaml":               strings.Replace(composeYAML, "target: runtime", "target: app", 1),
		"services/api/Dockerfile":    apiDockerfile + "\nFROM scratch AS app\nCOPY --from=build /app/dist /app/dist\n",
		"services/api/.dockerignore": "node_modules\ndist\n",
	}
	seen := map[string]bool{}
	for _, r := range run.Results {
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is %s", r.RuleID, r.RuleIndex, got)
		}
		for i, rl := range r.RelatedLocations {
			if rl.ID != i+1 {
				t.Errorf("result %s: related location %d has id %d", r.RuleID, i, rl.ID)
			}
		}
		fp := r.PartialFingerprints[fingerprintKey]
		if fp == "" || seen[fp] {
			t.Errorf("result %s: fingerprint %q missing or repeated", r.RuleID, fp)
		}
		seen[fp] = true
		for _, fix := range r.Fixes {
			for _, ch := range fix.ArtifactChanges {
				file := ch.ArtifactLocation.URI
				if ch.ArtifactLocation.URIBaseID != srcRoot {
					t.Errorf("fix of %s is not relative to %s", file, srcRoot)
				}
				text, ok := files[file]
				if !ok {
					t.Fatalf("fix edits unexpected file %q", file)
				}
				// Apply from the end so earlier offsets stay valid.
				for i := len(ch.Replacements) - 1; i >= 0; i-- {
					rep := ch.Replacements[i]
					start, end := rep.DeletedRegion.ByteOffset, rep.DeletedRegion.ByteOffset+rep.DeletedRegion.ByteLength
					text = text[:start] + rep.InsertedContent.Text + text[end:]
				}
				if text != want[file] {
					t.Errorf("fix applied to %s gives\n%s\nwant\n%s", file, text, want[file])
				}
			}
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(io.Discard, "yaml", Input{}, Options{})
	if err == nil || !strings.Contains(err.Error(), "text, json, sarif") {
		t.Fatalf("got %v, want an error listing the formats", err)
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteReportsWriterErrors(t *testing.T) {
	for _, format := range Formats() {
		if err := Write(failingWriter{}, format, fixture(t), Options{}); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: got %v, want %v", format, err, errDiskFull)
		}
	}
}

func TestWriteDoesNotReorderCallerSlices(t *testing.T) {
	in := fixture(t)
	before := slices.Clone(in.Diagnostics)
	render(t, "json", in, Options{})
	for i := range before {
		if before[i].Message != in.Diagnostics[i].Message {
			t.Fatal("Write reordered the caller's diagnostics")
		}
	}
}

func TestJSONContract(t *testing.T) {
	var got struct {
		Version  string           `json:"version"`
		Findings []map[string]any `json:"findings"`
		Errors   []map[string]any `json:"errors"`
	}
	out := render(t, "json", fixture(t), Options{})
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != "0.4.0" || len(got.Findings) != 4 || len(got.Errors) != 1 {
		t.Fatalf("got version %q, %d findings, %d errors", got.Version, len(got.Findings), len(got.Errors))
	}
	var prev []any
	for _, f := range got.Findings {
		for _, k := range []string{"rule", "name", "severity", "message", "file", "line", "column", "related", "fix"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %v lacks %q", f["rule"], k)
			}
		}
		fix := f["fix"].(map[string]any)
		for _, k := range []string{"available", "safe", "message", "refused"} {
			if _, ok := fix[k]; !ok {
				t.Errorf("fix of %v lacks %q", f["rule"], k)
			}
		}
		key := []any{f["file"], f["line"], f["column"], f["rule"]}
		if prev != nil && compareKeys(prev, key) > 0 {
			t.Errorf("findings out of order: %v before %v", prev, key)
		}
		prev = key
	}

	// An empty run still has lists, not nulls.
	empty := string(render(t, "json", Input{}, Options{}))
	if !strings.Contains(empty, `"findings": []`) || !strings.Contains(empty, `"errors": []`) {
		t.Errorf("empty report lacks empty lists:\n%s", empty)
	}
}

func compareKeys(a, b []any) int {
	for i := range a {
		switch x := a[i].(type) {
		case string:
			if c := strings.Compare(x, b[i].(string)); c != 0 {
				return c
			}
		case float64:
			if y := b[i].(float64); x != y {
				if x < y {
					return -1
				}
				return 1
			}
		}
	}
	return 0
}

func TestXMLIsWellFormedAndRoundTrips(t *testing.T) {
	in := fixture(t)
	var msg string
	for _, d := range in.Diagnostics {
		if strings.Contains(d.Message, "&") {
			msg = d.Message
		}
	}
	for _, format := range []string{"junit", "checkstyle"} {
		dec := xml.NewDecoder(bytes.NewReader(render(t, format, in, Options{})))
		found := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				for _, a := range se.Attr {
					found = found || a.Name.Local == "message" && a.Value == msg
				}
			}
		}
		if !found {
			t.Errorf("%s: the message with special characters did not survive a round trip", format)
		}
	}
}

func TestXMLSurvivesHostileMessages(t *testing.T) {
	in := Input{Diagnostics: []analysis.Diagnostic{{
		Rule:    ruleModules,
		Pos:     analysis.Position{File: "a&b<c>.yaml", Line: 1, Column: 1},
		Message: "nul \x00, bad utf-8 \xff, esc \x1b, end of cdata ]]> and \uFFFE",
		Related: []analysis.Related{{Pos: analysis.Position{File: "x]]>y"}, Message: "\x00]]>"}},
	}}}
	for _, format := range []string{"junit", "checkstyle"} {
		dec := xml.NewDecoder(bytes.NewReader(render(t, format, in, Options{})))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed: %v", format, err)
			}
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	in := Input{Diagnostics: []analysis.Diagnostic{{
		Rule:     ruleModules,
		Severity: analysis.Info,
		Pos:      analysis.Position{File: "a,b:c%/Dockerfile", Line: 3, Column: 1},
		Message:  "100% done\r\nnext: a,b",
	}}}
	got := string(render(t, "github", in, Options{}))
	want := "::notice file=a%2Cb%3Ac%25/Dockerfile,line=3,col=1,title=DC002 node-modules-copied::100%25 done%0D%0Anext: a,b\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestTextEscapesControlCharacters(t *testing.T) {
	in := Input{Diagnostics: []analysis.Diagnostic{{
		Rule:    ruleModules,
		Pos:     analysis.Position{File: "Dockerfile", Line: 1, Column: 1},
		Message: "label \x1b[2Jvalue\tend",
	}}}
	got := string(render(t, "text", in, Options{}))
	if strings.Contains(got, "\x1b") || !strings.Contains(got, `\x1b[2Jvalue`+"\tend") {
		t.Errorf("control character not escaped: %q", got)
	}
}

func TestFingerprints(t *testing.T) {
	base := fixture(t).Diagnostics
	slices.SortFunc(base, func(a, b analysis.Diagnostic) int { return comparePos(a.Pos, b.Pos) })
	fps := fingerprints(base)

	// Lines inserted above every finding, and a message that cites the
	// moved line, leave the fingerprints alone.
	shifted := slices.Clone(base)
	for i := range shifted {
		shifted[i].Pos.Line += 3
		shifted[i].Message = strings.ReplaceAll(shifted[i].Message, "line 5", "line 8")
	}
	if got := fingerprints(shifted); !slices.Equal(got, fps) {
		t.Errorf("fingerprints moved with the lines:\n%v\n%v", got, fps)
	}

	// Image tags are content, not positions.
	if withoutPositions("runs node:20") == withoutPositions("runs node:18") {
		t.Error("image tags were stripped from the fingerprint")
	}
	for _, tc := range [][2]string{
		{"see lines 3-4", "see lines 10-12"},
		{"copied at Dockerfile:12:5", "copied at Dockerfile:30:1"},
		{"from compose.yaml:4", "from compose.yaml:9"},
		{"at column 7", "at column 9"},
	} {
		if withoutPositions(tc[0]) != withoutPositions(tc[1]) {
			t.Errorf("%q and %q fingerprint differently", tc[0], tc[1])
		}
	}

	// Identical findings still get distinct fingerprints.
	twice := []analysis.Diagnostic{base[0], base[0]}
	twice[1].Pos.Line += 10
	if fp := fingerprints(twice); fp[0] == fp[1] {
		t.Error("duplicate findings share a fingerprint")
	}
	seen := map[string]bool{}
	for _, fp := range fps {
		if seen[fp] {
			t.Errorf("fingerprint %s is not unique", fp)
		}
		seen[fp] = true
	}
}

func TestSummary(t *testing.T) {
	d := func(sev analysis.Severity, fix *analysis.SuggestedFix) analysis.Diagnostic {
		return analysis.Diagnostic{Rule: ruleBundled, Severity: sev, Fix: fix}
	}
	safe, unsafe := &analysis.SuggestedFix{Safe: true}, &analysis.SuggestedFix{}
	for _, tc := range []struct {
		ds   []analysis.Diagnostic
		want string
	}{
		{[]analysis.Diagnostic{d(analysis.Warning, nil)}, "1 finding (1 warning)"},
		{[]analysis.Diagnostic{d(analysis.Error, safe), d(analysis.Warning, nil), d(analysis.Warning, safe)},
			"3 findings (1 error, 2 warnings), 2 fixable with --fix"},
		{[]analysis.Diagnostic{d(analysis.Info, unsafe), d(analysis.Info, nil)},
			"2 findings (2 info), 1 fixable with --fix --unsafe-fixes"},
	} {
		if got := summary(tc.ds); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestRelPathAndURI(t *testing.T) {
	for _, tc := range []struct{ in, root, want string }{
		{"/src/app/compose.yaml", "/src/app", "compose.yaml"},
		{"/src/app/compose.yaml", "/src/app/", "compose.yaml"},
		{"/src/application/x", "/src/app", "/src/application/x"},
		{"./services/../compose.yaml", "", "compose.yaml"},
	} {
		if got := relPath(tc.in, tc.root); got != tc.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tc.in, tc.root, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in, want string
		relative bool
	}{
		{"my app/compose.yaml", "my%20app/compose.yaml", true},
		{"a:b/Dockerfile", "./a:b/Dockerfile", true},
		{"/etc/compose.yaml", "file:///etc/compose.yaml", false},
		{"C:/src/compose.yaml", "file:///C:/src/compose.yaml", false},
	} {
		if got, rel := fileURI(tc.in); got != tc.want || rel != tc.relative {
			t.Errorf("fileURI(%q) = %q, %v; want %q, %v", tc.in, got, rel, tc.want, tc.relative)
		}
	}
}

// A finding about a whole file has no line: no format may invent one that
// its consumer would reject, except GitLab, which requires a line.
func TestWholeFilePosition(t *testing.T) {
	in := Input{Diagnostics: []analysis.Diagnostic{{
		Rule: ruleModules, Severity: analysis.Warning,
		Pos:     analysis.Position{File: "services/api/Dockerfile"},
		Message: "no .dockerignore",
	}}}
	for format, want := range map[string]string{
		"text":   "services/api/Dockerfile: DC002 node-modules-copied: no .dockerignore [warning]\n",
		"github": "::warning file=services/api/Dockerfile,title=DC002 node-modules-copied::no .dockerignore\n",
	} {
		if got := string(render(t, format, in, Options{})); !strings.HasPrefix(got, want) {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
	if got := string(render(t, "sarif", in, Options{})); strings.Contains(got, `"region"`) {
		t.Errorf("sarif: a region was invented:\n%s", got)
	}
	if got := string(render(t, "gitlab", in, Options{})); !strings.Contains(got, `"begin": 1`) {
		t.Errorf("gitlab: lines.begin is not clamped to 1:\n%s", got)
	}
}
