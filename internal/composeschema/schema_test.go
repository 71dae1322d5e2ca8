package composeschema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// TestSchemaHasOnlyKnownKeywords: the schema compose-go embeds compiles
// here. A compose-go upgrade whose schema uses a keyword this package does
// not evaluate fails this test, instead of sending every file to the slow
// path in silence.
func TestSchemaHasOnlyKnownKeywords(t *testing.T) {
	if _, err := compile(schema.Schema); err != nil {
		t.Fatal(err)
	}
}

func TestCompileRefusesUnknownKeywords(t *testing.T) {
	for _, text := range []string{
		`{"type": "object", "properties": {"a": {"minLength": 2}}}`,
		`{"$ref": "#/definitions/a"}`,
		`{"$ref": "#/$defs/missing", "$defs": {}}`,
		`{"type": "widget"}`,
		`{"pattern": "("}`,
	} {
		if _, err := compile(text); err == nil {
			t.Errorf("%s: compiled", text)
		}
	}
}

// agree checks that Valid and compose-go's schema.Validate give the same
// answer for doc.
func agree(t *testing.T, name string, doc map[string]any) {
	t.Helper()
	want := schema.Validate(doc)
	if got := Valid(doc); got != (want == nil) {
		t.Errorf("%s: Valid = %v, compose-go: %v", name, got, want)
	}
}

func decode(t testing.TB, src []byte) (map[string]any, bool) {
	t.Helper()
	var doc map[string]any
	if yaml.Unmarshal(src, &doc) != nil || doc == nil {
		return nil, false
	}
	return doc, true
}

// Hand-written documents, valid and not, around the keywords the schema
// uses: types, patterns, enums, bounds, oneOf, anyOf, allOf with
// unevaluatedProperties, required, uniqueItems, additionalProperties.
var cases = []string{
	"services: {a: {image: x}}",
	"services: {a: {image: x, command: 0}}",
	"services: {a: {image: x, command: [a, 1]}}",
	"services: {a: {image: x, command: null}}",
	"services: {a: {image: x, unknown: 1}}",
	"services: {a: {image: x, x-anything: {b: 1}}}",
	"x-top: [1, 2]\nservices: {}",
	"nope: 1",
	"services: {a: {image: x, container_name: A}}",
	"services: {a: {image: x, container_name: ab}}",
	"services: {a: {image: x, pull_policy: sometimes}}",
	"services: {a: {image: x, pull_policy: every_12h}}",
	"services: {a: {image: x, depends_on: {b: {condition: service_healthy}}}, b: {image: y}}",
	"services: {a: {image: x, depends_on: {b: {condition: whenever}}}}",
	"services: {a: {image: x, depends_on: {b: {}}}}",
	"services: {a: {image: x, depends_on: [b, b]}}",
	"services: {a: {image: x, depends_on: {'?': {condition: service_started}}}}",
	"services: {a: {image: x, ports: [80, '80:80', {target: 80, published: '8080'}]}}",
	"services: {a: {image: x, ports: [{published: 80}]}}",
	"services: {a: {image: x, ports: [{target: 80, nope: 1}]}}",
	"services: {a: {image: x, cpu_shares: 1.5}}",
	"services: {a: {image: x, oom_score_adj: 2000}}",
	"services: {a: {image: x, oom_score_adj: -1000}}",
	"services: {a: {image: x, blkio_config: {weight: 5}}}",
	"services: {a: {image: x, blkio_config: {weight: 2000}}}",
	"services: {a: {image: x, environment: {A: 1, B: null, C: [1]}}}",
	"services: {a: {image: x, environment: [A=1, A=1]}}",
	"services: {a: {image: x, labels: [a=1, b=2]}}",
	"services: {a: {image: x, labels: {a: {b: c}}}}",
	"services: {a: {image: x, build: {context: ., args: {A: 1}}}}",
	"services: {a: {image: x, build: [.]}}",
	"services: {a: {image: x, deploy: {resources: {limits: {cpus: 0.5, memory: 1g}}}}}",
	"services: {a: {image: x, deploy: {mode: replicated, replicas: '2'}}}",
	"services: {a: {image: x, deploy: {restart_policy: {condition: sometimes}}}}",
	"services: {a: {image: x, healthcheck: {test: [CMD, true], interval: 5s, retries: 3}}}",
	"services: {a: {image: x, healthcheck: {test: 1}}}",
	"services: {a: {image: x, healthcheck: {disable: true, nope: 1}}}",
	"services: {a: {image: x, networks: {n: {aliases: [b], ipv4_address: 10.0.0.2, priority: 1}}}}\nnetworks: {n: {}}",
	"services: {a: {image: x, networks: {n: {priority: high}}}}",
	"services: {a: {image: x, secrets: [s, {source: t, target: /t, mode: 0400}]}}",
	"services: {a: {image: x, ulimits: {nofile: {soft: 1, hard: 2}, nproc: 3}}}",
	"services: {a: {image: x, ulimits: {nofile: {soft: 1}}}}",
	"services: {a: {image: x, extra_hosts: {h: 1.2.3.4}}}",
	"services: {a: {image: x, extra_hosts: [h=1.2.3.4, h=1.2.3.4]}}",
	"services: {a: {image: x, env_file: [{path: a.env, required: false}]}}",
	"services: {a: {image: x, env_file: [{required: false}]}}",
	"services: {a: {image: x, volumes: [{type: bind, source: ., target: /a, bind: {propagation: rshared}}]}}",
	"services: {a: {image: x, volumes: [{type: bind}]}}",
	"services: {a: {image: x, tmpfs: /t, sysctls: {a.b: 1}, cap_add: [ALL], shm_size: 64m}}",
	"services: {a: {image: x, stop_grace_period: 1m, init: true, privileged: yes}}",
	"services: {a: {image: x, pre_stop: [{command: [a]}]}}",
	"services: {a: {image: x, scale: true}}",
	"services: {a: {image: x, attach: 1}}",
	"volumes: {v: {external: true, name: n}}\nservices: {}",
	"volumes: {v: {driver: 1}}",
	"volumes: {'v v': {}}",
	"networks: {n: {ipam: {config: [{subnet: 10.0.0.0/24}]}}}",
	"secrets: {s: {file: ./s}}",
	"secrets: {s: {file: ./s, nope: 1}}",
	"configs: {c: {content: hi}}",
	"include: [a.yml, {path: [b.yml], env_file: .env}]",
	"include: [{nope: 1}]",
	"name: 1",
	"version: 3.8",
	"version: '3.8'\nservices: {a: {image: x}}",
	"models: {m: {model: ai/x}}",
	"services: {a: {image: x, models: [m]}}",
	"jobs: {j: {image: x, triggers: {manual: true}}}",
	"jobs: {j: {image: x, triggers: {}}}",
	"jobs: {j: {image: x}}",
	"services: {a: {image: x, develop: {watch: [{path: ., action: sync, target: /app}]}}}",
	"services: {a: {image: x, develop: {watch: [{path: ., action: teleport}]}}}",
	"services: {a: {image: x, gpus: all}}",
	"services: {a: {image: x, post_start: [{command: x, user: root}]}}",
	"services: {a: {image: x, logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}}}",
	"services: {a: {image: x, logging: {options: {a: [1]}}}}",
	"services: {a: {image: x, extends: {service: b, file: c.yml}}}",
	"services: {a: {image: x, extends: b}}",
	"services: {a: {image: x, extends: {file: c.yml}}}",
}

func TestValidAgreesOnCases(t *testing.T) {
	for _, src := range cases {
		doc, ok := decode(t, []byte(src))
		if !ok {
			t.Fatalf("%s: does not decode", src)
		}
		agree(t, src, doc)
	}
}

// composeFiles lists the compose files of this repository's testdata and,
// when present, of the shared corpus (read in place, never copied).
func composeFiles(t *testing.T) []string {
	var out []string
	for _, root := range []string{"../../testdata", "../../../shared/corpus/cases"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			n := strings.ToLower(d.Name())
			if (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")) &&
				(strings.Contains(n, "compose") || strings.HasPrefix(n, "fig")) {
				out = append(out, p)
			}
			return nil
		})
	}
	sort.Strings(out)
	return out
}

// TestValidAgreesOnRealFiles compares the answers on every compose file at
// hand, and on variants of each with one value replaced by a value of
// another JSON type (the type checks are most of what the schema says):
// thousands of documents, most of them invalid in one place.
func TestValidAgreesOnRealFiles(t *testing.T) {
	files := composeFiles(t)
	if len(files) == 0 {
		t.Fatal("no compose files found under testdata")
	}
	replacements := []any{nil, true, 7, 1.5, "s", "", []any{"a"}, []any{}, map[string]any{"k": "v"}, map[string]any{}}
	docs, variants, invalid := 0, 0, 0
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, ok := decode(t, src)
		if !ok {
			continue
		}
		docs++
		agree(t, p, doc)
		for i, path := range leaves(doc, nil) {
			// Two replacements a value, rotating through the kinds.
			for _, r := range []any{replacements[i%len(replacements)], replacements[(i+3)%len(replacements)]} {
				old := set(doc, path, r)
				variants++
				if schema.Validate(doc) != nil {
					invalid++
				}
				agree(t, fmt.Sprintf("%s with %v = %#v", p, path, r), doc)
				set(doc, path, old)
			}
		}
	}
	t.Logf("%d files, %d variants (%d invalid)", docs, variants, invalid)
	if invalid == 0 || invalid == variants {
		t.Errorf("the variants should hold both answers: %d of %d invalid", invalid, variants)
	}
}

// leaves lists the paths (map keys and slice indexes) of every value in v,
// capped so that a large file stays quick.
func leaves(v any, at []any) [][]any {
	var out [][]any
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any{}, at...), k)
			out = append(out, p)
			out = append(out, leaves(v[k], p)...)
		}
	case []any:
		for i := range v {
			p := append(append([]any{}, at...), i)
			out = append(out, p)
			out = append(out, leaves(v[i], p)...)
		}
	}
	if len(out) > 100 {
		out = out[:100]
	}
	return out
}

// set replaces the value at path and returns the old one.
func set(doc any, path []any, v any) any {
	for i, step := range path {
		last := i == len(path)-1
		switch c := doc.(type) {
		case map[string]any:
			k := step.(string)
			if last {
				old := c[k]
				c[k] = v
				return old
			}
			doc = c[k]
		case []any:
			k := step.(int)
			if last {
				old := c[k]
				c[k] = v
				return old
			}
			doc = c[k]
		}
	}
	return nil
}

// Values compose-go's JSON copy changes or refuses are judged as copied.
func TestValidJudgesWhatJSONWouldCopy(t *testing.T) {
	for _, src := range []string{
		"services: {a: {image: x, labels: {a: 2001-12-14}}}",
		"services: {a: {image: x, cpus: .inf}}",
		"services: {a: {image: x, labels: {1: a}}}",
		"x-: [?2]",
		"services: {a: {image: x, x-note: {1: a}}}",
		"x-a: .nan",
		"services: {a: {image: x, labels: {a: \"\\xff\"}}}",
	} {
		doc, ok := decode(t, []byte(src))
		if !ok {
			t.Fatalf("%s: does not decode", src)
		}
		agree(t, src, doc)
	}
	// A named type of compose-go's, as its canonical form leaves them.
	doc := map[string]any{"services": map[string]any{"a": map[string]any{
		"image": "x", "init": types.OptOut(true), "cpus": float32(0.1),
		"ports": []any{map[string]any{"target": uint32(80)}},
	}}}
	agree(t, "typed values", doc)
	if !Valid(doc) {
		t.Error("typed values: not valid")
	}
}

// FuzzValid: for any document, Valid is compose-go's answer.
func FuzzValid(f *testing.F) {
	for _, src := range cases {
		f.Add([]byte(src))
	}
	for _, p := range composeFiles(nil) {
		if b, err := os.ReadFile(p); err == nil && len(b) < 8<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var doc map[string]any
		if yaml.Unmarshal(src, &doc) != nil || doc == nil {
			return
		}
		agree(t, string(src), doc)
	})
}
