package compose

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// checkPlain: when plainValue reads a document, it reads what Decode does.
func checkPlain(t *testing.T, name string, src []byte) (read bool) {
	t.Helper()
	var root yaml.Node
	if yaml.Unmarshal(src, &root) != nil || root.Kind == 0 {
		return false
	}
	got, ok := plainValue(&root)
	if !ok {
		return false
	}
	var want any
	if err := root.Decode(&want); err != nil {
		t.Errorf("%s: plainValue read what Decode refuses (%v)", name, err)
		return true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: plainValue = %#v, Decode = %#v", name, got, want)
	}
	return true
}

var plainCases = []struct {
	src  string
	read bool
}{
	{"a: b\nc: [1, -2, +3, x, null, ~, true, False, '', \"q\"]\nd: {e: {f: g}}\n", true},
	{"a: &x {b: 1}\nc: *x\n", true},
	{"a: 0o17\n", false},
	{"a: 017\n", false},
	{"a: 0x1f\n", false},
	{"a: 1_000\n", false},
	{"a: 1.5\n", false},
	{"a: .inf\n", false},
	{"a: 2001-12-14\n", false},
	{"a: !!binary aGk=\n", false},
	{"a: !custom x\n", false},
	{"a: !!str 12\n", true},
	{"a: ! 12\n", true},
	{"a: yes\nb: on\nc: No\n", true},
	{"x: &d {p: 1}\na:\n  <<: *d\n  q: 2\n", false},
	{"a: 1\na: 2\n", false},
	{"1: a\n", false},
	{"? [a]\n: b\n", false},
	{"a: 99999999999999999999\n", false},
	{"a: -0\n", true},
	{"a: 0\n", true},
	{"", false},
	{"a: !!null abc\n", false},
	{"a: !!null ''\n", true},
	{"a: !!int '12'\n", true},
	{"a: !!int '012'\n", false},
	{"a: !!bool 'true'\n", true},
	{"a: !!map {b: 1}\nc: !!seq [1]\n", true},
	{"'<<': 1\n", false},
}

func TestPlainValueIsDecode(t *testing.T) {
	for _, c := range plainCases {
		if read := checkPlain(t, c.src, []byte(c.src)); read != c.read {
			t.Errorf("%q: read %v, want %v", c.src, read, c.read)
		}
	}
	files, _ := filepath.Glob("../../testdata/*/*.y*ml")
	more, _ := filepath.Glob("../../../shared/corpus/cases/*/*compose*.y*ml")
	read := 0
	for _, p := range append(files, more...) {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if checkPlain(t, p, src) {
			read++
		}
	}
	t.Logf("%d of %d files read without Decode", read, len(files)+len(more))
}

// FuzzPlainValue: any YAML plainValue reads, it reads as Decode does.
func FuzzPlainValue(f *testing.F) {
	for _, c := range plainCases {
		f.Add([]byte(c.src))
	}
	for _, s := range []string{"a: [1, 2]\n", "a: {b: c}\n", "- a\n- 1\n"} {
		f.Add([]byte(s))
	}
	corpus, _ := filepath.Glob("../../../shared/corpus/cases/*/*compose*.y*ml")
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil && !strings.Contains(string(b), "\x00") {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkPlain(t, "input", src)
	})
}
