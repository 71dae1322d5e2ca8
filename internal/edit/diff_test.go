package edit

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedDiffFormat(t *testing.T) {
	old := "services:\n  web:\n    image: node:20\n    command: npm start\n"
	changes := []Change{
		{Path: "compose.yml", Old: []byte(old), New: []byte(strings.Replace(old, "node:20", "node:22", 1)), Exists: true, Mode: 0o644},
		{Path: "app/.dockerignore", New: []byte("node_modules"), Mode: 0o644},
	}
	want := `diff --git a/compose.yml b/compose.yml
--- a/compose.yml
+++ b/compose.yml
@@ -1,4 +1,4 @@
 services:
   web:
-    image: node:20
+    image: node:22
     command: npm start
diff --git a/app/.dockerignore b/app/.dockerignore
new file mode 100644
--- /dev/null
+++ b/app/.dockerignore
@@ -0,0 +1 @@
+node_modules
\ No newline at end of file
`
	if got := UnifiedDiff(changes); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestUnifiedDiffHunks(t *testing.T) {
	// Changes on lines 2 and 9 have 6 lines between them: one hunk, since
	// their contexts touch. Lines 2 and 10 have 7: two hunks.
	old := numbered(20)
	for _, tc := range []struct {
		lines []int
		want  []string
	}{
		{[]int{2, 9}, []string{"@@ -1,12 +1,12 @@"}},
		{[]int{2, 10}, []string{"@@ -1,5 +1,5 @@", "@@ -7,7 +7,7 @@"}},
		{[]int{1}, []string{"@@ -1,4 +1,4 @@"}},
		{[]int{20}, []string{"@@ -17,4 +17,4 @@"}},
	} {
		nw := old
		for _, l := range tc.lines {
			nw = strings.Replace(nw, fmt.Sprintf("line %d\n", l), fmt.Sprintf("LINE %d\n", l), 1)
		}
		diff := UnifiedDiff([]Change{{Path: "f", Old: []byte(old), New: []byte(nw), Exists: true}})
		var got []string
		for _, l := range strings.Split(diff, "\n") {
			if strings.HasPrefix(l, "@@") {
				got = append(got, l)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("lines %v: hunks %q, want %q\n%s", tc.lines, got, tc.want, diff)
		}
		checkApplies(t, diff, map[string]string{"f": old}, map[string]string{"f": nw})
	}
}

func TestUnifiedDiffSpecialCases(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           string // a line the diff must hold
	}{
		{"insert at start", "a\nb\n", "x\na\nb\n", "@@ -1,2 +1,3 @@\n+x\n a\n"},
		{"insert into empty", "", "x\n", "@@ -0,0 +1 @@"},
		{"pure deletion", "a\nb\nc\n", "a\nc\n", "@@ -1,3 +1,2 @@\n a\n-b\n c\n"},
		{"everything deleted", "a\nb\n", "", "@@ -1,2 +0,0 @@"},
		{"newline added at end", "a\nb", "a\nb\n", "-b\n\\ No newline at end of file\n+b\n"},
		{"newline removed at end", "a\nb\n", "a\nb", "-b\n+b\n\\ No newline at end of file\n"},
		{"unterminated context", "a\nb\nc", "A\nb\nc", " c\n\\ No newline at end of file\n"},
		{"line ending changed", "a\r\nb\r\n", "a\nb\r\n", "-a\r\n+a\n"},
	} {
		diff := UnifiedDiff([]Change{{Path: "f", Old: []byte(tc.old), New: []byte(tc.new), Exists: true}})
		if !strings.Contains(diff, tc.want) {
			t.Errorf("%s: diff lacks %q:\n%s", tc.name, tc.want, diff)
		}
		checkApplies(t, diff, map[string]string{"f": tc.old}, map[string]string{"f": tc.new})
	}
}

func TestUnifiedDiffNoChange(t *testing.T) {
	if d := UnifiedDiff(nil); d != "" {
		t.Errorf("nil: %q", d)
	}
	same := []Change{{Path: "f", Old: []byte("a\n"), New: []byte("a\n"), Exists: true}}
	if d := UnifiedDiff(same); d != "" {
		t.Errorf("unchanged file: %q", d)
	}
}

func TestQuoteName(t *testing.T) {
	for in, want := range map[string]string{
		"a/compose.yml":   "a/compose.yml",
		"a/with space":    "a/with space",
		"a/tab\there":     `"a/tab\there"`,
		`a/q"uote\`:       `"a/q\"uote\\"`,
		"a/caf\u00e9.yml": `"a/caf\303\251.yml"`,
	} {
		if got := quoteName(in); got != want {
			t.Errorf("quoteName(%q) = %s, want %s", in, got, want)
		}
	}
}

// checkApplies applies diff with the in-test applier and compares.
func checkApplies(t *testing.T, diff string, old, want map[string]string) {
	t.Helper()
	got, err := applyPatch(diff, old)
	if err != nil {
		t.Fatalf("applying:\n%s\n%v", diff, err)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %q, want %q\ndiff:\n%s", name, got[name], w, diff)
		}
	}
}

func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

// patchCases are the file changes that patch -p1 and git apply must
// reproduce byte for byte. Each case is one diff over several files.
func patchCases() map[string][]Change {
	ex := func(path, old, nw string) Change {
		return Change{Path: path, Old: []byte(old), New: []byte(nw), Exists: true, Mode: 0o644}
	}
	created := func(path, nw string) Change {
		return Change{Path: path, New: []byte(nw), Mode: 0o644}
	}
	long := numbered(30)
	crlf := strings.ReplaceAll(long, "\n", "\r\n")
	return map[string][]Change{
		"middle": {ex("f.txt", long, strings.Replace(long, "line 15\n", "fifteen\nand more\n", 1))},
		"start and end": {
			ex("start.txt", long, "first\n"+strings.Replace(long, "line 1\n", "", 1)),
			ex("end.txt", long, long+"line 31\n"),
			ex("both.txt", long, "line 0\n"+strings.Replace(long, "line 30\n", "last\n", 1)),
		},
		"no trailing newline": {
			ex("before.txt", "a\nb\nc", "a\nB\nc"),
			ex("added.txt", "a\nb\nc", "a\nb\nc\n"),
			ex("removed.txt", "a\nb\nc\n", "a\nb\nc"),
			ex("both.txt", "a\nb", "a\nc"),
			ex("far.txt", strings.TrimSuffix(long, "\n"), strings.Replace(strings.TrimSuffix(long, "\n"), "line 2\n", "two\n", 1)),
			ex("oneline.txt", "x", "y"),
		},
		"crlf": {
			ex("crlf.txt", crlf, strings.Replace(crlf, "line 10\r\n", "ten\r\n", 1)),
			ex("mixed.txt", "a\r\nb\nc\r\nd\n", "a\r\nB\r\nc\r\nd\n"),
			ex("crlf-end.txt", "a\r\nb\r\n", "a\r\nb\r\nc"),
			ex("ending-only.txt", "a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n"),
			ex("lone-cr.txt", "a\rb\nc\n", "a\rB\nc\r"),
		},
		"new files": {
			created("new.yml", "services:\n  web:\n    image: x\n"),
			created("sub/dir/new.txt", "no newline"),
			created("empty.txt", ""),
			{Path: "run.sh", New: []byte("#!/bin/sh\n"), Mode: 0o755},
		},
		"several files": {
			ex("compose.yml", "services:\n  web:\n    build: .\n", "services:\n  web:\n    build:\n      context: .\n"),
			ex("app/Dockerfile", "FROM node:20\nCOPY . .\nRUN npm ci\n", "FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"),
			ex("with space.txt", "x\n", "y\n"),
			ex("caf\u00e9 \"q\".yml", "x\n", "y\n"),
			created("app/.dockerignore", "node_modules\n"),
			ex("tricky.txt", "--- a\n+++ b\n@@ c\n\\ d\n", "--- a\n+++ B\n@@ c\n\\ d\n"),
			ex("emptied.txt", "gone\n", ""),
			ex("filled.txt", "", "now\n"),
		},
		"far apart hunks": {
			ex("f.txt", long, strings.NewReplacer("line 2\n", "2\n", "line 9\n", "9\n", "line 17\n", "17\n", "line 29\n", "29\n").Replace(long)),
		},
	}
}

func TestUnifiedDiffPatch(t *testing.T) {
	for name, changes := range patchCases() {
		t.Run(name, func(t *testing.T) {
			diff := UnifiedDiff(changes)
			checkApplies(t, diff, oldFiles(changes), newFiles(changes))
			runPatchTool(t, changes, diff, "patch", "-p1", "--batch", "--quiet", "--no-backup-if-mismatch", "-i")
			runPatchTool(t, changes, diff, "git", "apply", "-p1", "--whitespace=nowarn")
		})
	}
}

// TestUnifiedDiffPatchRandom runs patch and git apply once each on a diff of
// many random files, built from lines that make diffs hard: repeats, CRLF,
// lone CR and missing final newlines.
func TestUnifiedDiffPatchRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a\n", "b\n", "a\r\n", "c\r", "\n", "\r\n", "+x\n", "-y\n", " z\n", "d"}
	text := func() string {
		var b strings.Builder
		for range rng.IntN(15) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	var changes []Change
	for i := range 300 {
		c := Change{Path: fmt.Sprintf("f%03d.txt", i), New: []byte(text()), Exists: rng.IntN(10) > 0, Mode: 0o644}
		if c.Exists {
			c.Old = []byte(text())
			if bytes.Equal(c.Old, c.New) {
				continue
			}
		}
		changes = append(changes, c)
	}
	diff := UnifiedDiff(changes)
	checkApplies(t, diff, oldFiles(changes), newFiles(changes))
	runPatchTool(t, changes, diff, "patch", "-p1", "--batch", "--quiet", "--no-backup-if-mismatch", "-i")
	runPatchTool(t, changes, diff, "git", "apply", "-p1", "--whitespace=nowarn")
}

func oldFiles(changes []Change) map[string]string {
	m := map[string]string{}
	for _, c := range changes {
		if c.Exists {
			m[c.Path] = string(c.Old)
		}
	}
	return m
}

func newFiles(changes []Change) map[string]string {
	m := map[string]string{}
	for _, c := range changes {
		m[c.Path] = string(c.New)
	}
	return m
}

// runPatchTool lays out the old files in a temporary folder, runs the tool
// with the diff's file name as its last argument, and compares every file
// with its new content.
func runPatchTool(t *testing.T, changes []Change, diff, tool string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed", tool)
	}
	dir := t.TempDir()
	for _, c := range changes {
		if c.Exists {
			writeFile(t, filepath.Join(dir, c.Path), string(c.Old), 0o644)
		}
	}
	patchFile := filepath.Join(t.TempDir(), "fix.patch")
	if err := os.WriteFile(patchFile, []byte(diff), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(args, patchFile)...)
	cmd.Dir = dir
	// Keep git from looking for a repository above the temporary folder.
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s\ndiff:\n%s", tool, err, out, diff)
	}
	for _, c := range changes {
		got, err := os.ReadFile(filepath.Join(dir, c.Path))
		if err != nil {
			t.Errorf("%s: %s: %v", tool, c.Path, err)
			continue
		}
		if !bytes.Equal(got, c.New) {
			t.Errorf("%s: %s: got %q, want %q", tool, c.Path, got, c.New)
		}
	}
}

func writeFile(t *testing.T, name, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}
