package discover

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// walkReference is the walk discovery used before it kept a pattern list
// per folder: filepath.WalkDir, every pattern seen so far matched against
// every candidate. The faster walk must visit the same files in the same
// order and report the same errors.
func walkReference(root string, visit func(path string, isCompose bool) error, r *Result) {
	var patterns []gitignore.Pattern
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			r.Errors = append(r.Errors, err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		parts := splitPath(rel)
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == ".git" || name == "node_modules") {
				return fs.SkipDir
			}
			if path != root && gitignore.NewMatcher(patterns).Match(parts, true) {
				return fs.SkipDir
			}
			for _, line := range readIgnoreLines(filepath.Join(path, ".gitignore")) {
				patterns = append(patterns, gitignore.ParsePattern(line, parts))
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		name := d.Name()
		isCompose := composeName.MatchString(name)
		if !isCompose && !isDockerfileNameReference(name) {
			return nil
		}
		if gitignore.NewMatcher(patterns).Match(parts, false) {
			return nil
		}
		return visit(path, isCompose)
	})
	if err != nil && !errors.Is(err, errStop) {
		r.Errors = append(r.Errors, err)
	}
}

func splitPath(rel string) []string {
	if rel == "." {
		return nil
	}
	return strings.Split(filepath.ToSlash(rel), "/")
}

// isDockerfileNameReference is IsDockerfileName without its pre-check.
func isDockerfileNameReference(name string) bool { return dockerfileNameRules(name) }

// genNames are the file names a generated tree draws from: compose files,
// Dockerfiles, near misses and ordinary files.
var genNames = []string{
	"docker-compose.yml", "docker-compose.override.yml", "compose.yaml", "compose.override.yaml",
	"docker-compose.prod.yml", "docker-compose-dev.yml", "fig.yml", "Docker-Compose.yml",
	"Dockerfile", "dockerfile", "Containerfile", "Dockerfile.dev", "api.Dockerfile", "Dockerfile.md",
	"Dockerfile.dev.bak", "Dockerfile.generated", "x.dockerfile", "Dockerfiles",
	"README.md", "main.go", "package.json", "index.ts", "Makefile", ".env", "config.yml", "stack.yml",
	"compose.generated.yml", "notes.txt", "keep.yml",
}

// genDirs are the folder names a generated tree draws from.
var genDirs = []string{"api", "web", "build", "dist", "out", "svc", "tmp", "pkg", "cache", "node_modules", ".git", "keep", "generated", "deploy"}

// genIgnores are .gitignore lines: plain names, dir-only, anchored, globs,
// ** and negations that re-include what a parent ignores.
var genIgnores = []string{
	"build/", "dist", "/tmp", "*.generated", "compose.generated.yml", "!keep.yml", "*.yml", "!docker-compose.yml",
	"out/", "!out/", "cache/**", "**/generated", "Dockerfile.*", "!Dockerfile.dev", "svc/out", "/api", "#comment",
	"", "docker-compose.*.yml", "!compose.generated.yml", "Dockerfile", "!Dockerfile", "keep/", "deploy/*.yml", "*.md",
	// Malformed patterns, which filepath.Match refuses, and odd ones.
	"[", "Dockerfile[", "web[0-2]", "api?", "\\", "dist  ", "keep\\ ", "/", "!", "**", "build/**/Dockerfile", "!/api0",
	"[!a]pi*", "!svc*/", "*", "!*/", "!*.yml", "out[/", "\\!keep.yml",
}

// genTree writes a random tree of about dirs folders under root; a
// .gitignore goes in one folder out of ignoreEvery.
func genTree(tb testing.TB, root string, seed uint64, dirs, ignoreEvery int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	folders := []string{root}
	for len(folders) < dirs {
		parent := folders[rng.IntN(len(folders))]
		d := filepath.Join(parent, genDirs[rng.IntN(len(genDirs))]+fmt.Sprint(rng.IntN(3)))
		if rng.IntN(3) == 0 {
			d = filepath.Join(parent, genDirs[rng.IntN(len(genDirs))])
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
		folders = append(folders, d)
	}
	for _, d := range folders {
		for range 1 + rng.IntN(4) {
			name := genNames[rng.IntN(len(genNames))]
			if err := os.WriteFile(filepath.Join(d, name), []byte("FROM scratch\n"), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
		if rng.IntN(ignoreEvery) == 0 {
			var lines []string
			for range 1 + rng.IntN(5) {
				lines = append(lines, genIgnores[rng.IntN(len(genIgnores))])
			}
			if err := os.WriteFile(filepath.Join(d, ".gitignore"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

type visited struct {
	Path      string
	IsCompose bool
}

func record(root string, w func(string, func(string, bool) error, *Result), limit int) ([]visited, []string) {
	var got []visited
	var r Result
	w(root, func(path string, isCompose bool) error {
		if len(got) == limit {
			return errStop
		}
		got = append(got, visited{path, isCompose})
		return nil
	}, &r)
	var errs []string
	for _, err := range r.Errors {
		errs = append(errs, err.Error())
	}
	return got, errs
}

// TestWalkMatchesReference walks random trees with both walks: same files,
// same order, same errors, also when the file limit stops the walk.
func TestWalkMatchesReference(t *testing.T) {
	found := 0
	for seed := range uint64(40) {
		root := t.TempDir()
		genTree(t, root, seed, 30+int(seed)*5, 3)
		if seed%4 == 0 {
			// Symlinks are not followed, a .gitignore that is a folder or a
			// symlink is not read.
			_ = os.Symlink(root, filepath.Join(root, "Dockerfile.link"))
			_ = os.Symlink(filepath.Join(root, "api0"), filepath.Join(root, "link"))
			_ = os.Mkdir(filepath.Join(root, "svc1"), 0o755)
			_ = os.Mkdir(filepath.Join(root, "svc1", ".gitignore"), 0o755)
			_ = os.WriteFile(filepath.Join(root, "ign"), []byte("*\n"), 0o644)
			_ = os.Mkdir(filepath.Join(root, "web9"), 0o755)
			_ = os.Symlink(filepath.Join(root, "ign"), filepath.Join(root, "web9", ".gitignore"))
			_ = os.WriteFile(filepath.Join(root, "web9", "Dockerfile"), nil, 0o644)
		}
		if seed%5 == 0 && os.Getuid() != 0 {
			// An unreadable folder is an error, unless it is ignored.
			locked := filepath.Join(root, "locked")
			_ = os.MkdirAll(filepath.Join(locked, "x"), 0o755)
			_ = os.WriteFile(filepath.Join(locked, "Dockerfile"), nil, 0o644)
			_ = os.Chmod(locked, 0o311)
			t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })
		}
		want, wantErrs := record(root, walkReference, -1)
		got, gotErrs := record(root, walk, -1)
		found += len(want)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErrs, wantErrs) {
			t.Fatalf("seed %d:\ngot  %v\n     %q\nwant %v\n     %q", seed, got, gotErrs, want, wantErrs)
		}
		limit := len(want) / 2
		want, wantErrs = record(root, walkReference, limit)
		got, gotErrs = record(root, walk, limit)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErrs, wantErrs) {
			t.Fatalf("seed %d, limit %d:\ngot  %v\n     %q\nwant %v\n     %q", seed, limit, got, gotErrs, want, wantErrs)
		}
	}
	if found < 1000 {
		t.Fatalf("the reference walks found %d files: the trees test too little", found)
	}
}

// BenchmarkFind searches a generated tree of 400 folders, a .gitignore in
// one out of ten.
func BenchmarkFind(b *testing.B) {
	root := b.TempDir()
	genTree(b, root, 7, 400, 10)
	want := FindLimited([]string{root}, 0)
	for b.Loop() {
		r := FindLimited([]string{root}, 0)
		if len(r.Dockerfiles) != len(want.Dockerfiles) || len(r.Projects) != len(want.Projects) {
			b.Fatal("results differ between runs")
		}
	}
}

// TestFindGitignore: a .gitignore applies below its own folder only, a
// deeper one can re-include what a parent ignores, the last matching
// pattern wins, and an ignored folder is not searched at all.
func TestFindGitignore(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".gitignore":                     "*.prod.yml\ngen/\n",
		"a/.gitignore":                   "Dockerfile.*\ncache/\n",
		"a/Dockerfile":                   "FROM a\n",
		"a/Dockerfile.dev":               "FROM a\n",
		"a/cache/Dockerfile":             "FROM a\n",
		"a/sub/Dockerfile.ci":            "FROM a\n",
		"a/sub/.gitignore":               "!Dockerfile.ci\n",
		"a/sub/Dockerfile.dev":           "FROM a\n",
		"b/Dockerfile.dev":               "FROM b\n",
		"b/cache/Dockerfile":             "FROM b\n",
		"b/docker-compose.prod.yml":      "services: {}\n",
		"b/keep/.gitignore":              "!docker-compose.prod.yml\n",
		"b/keep/docker-compose.prod.yml": "services: {}\n",
		"b/last/.gitignore":              "!Dockerfile\nDockerfile\n",
		"b/last/Dockerfile":              "FROM b\n",
		"b/gen/Dockerfile":               "FROM b\n",
		"b/gen/.gitignore":               "!*\n",
		"b/dirs/.gitignore":              "Dockerfile.dev/\n",
		"b/dirs/Dockerfile.dev":          "FROM b\n",
	})
	r := FindLimited([]string{root}, 0)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %v", r.Errors)
	}
	var got []string
	for _, p := range r.Dockerfiles {
		rp, _ := filepath.Rel(root, p)
		got = append(got, filepath.ToSlash(rp))
	}
	for _, p := range r.Projects {
		rp, _ := filepath.Rel(root, p[0])
		got = append(got, filepath.ToSlash(rp))
	}
	want := []string{
		"a/Dockerfile",                   // a/.gitignore only ignores Dockerfile.*
		"a/sub/Dockerfile.ci",            // re-included by a/sub/.gitignore
		"b/Dockerfile.dev",               // a/.gitignore does not reach its sibling b
		"b/cache/Dockerfile",             // nor does its cache/
		"b/dirs/Dockerfile.dev",          // Dockerfile.dev/ only ignores folders
		"b/keep/docker-compose.prod.yml", // re-included below b/keep
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("found %q, want %q", got, want)
	}
	ref, _ := record(root, walkReference, -1)
	if now, _ := record(root, walk, -1); !reflect.DeepEqual(now, ref) {
		t.Errorf("walk found %v, the reference walk %v", now, ref)
	}
}

// TestFindSkipsLookalikes: a file named like a compose variant or a
// Dockerfile variant that holds something else (a GitHub workflow, a
// Dockerfile fragment with no FROM) is not taken; canonical names are
// taken whatever they hold, so the loader can say what is wrong. Folders of
// a project generator's templates ({{cookiecutter.project_slug}}) are not
// searched unless named.
func TestFindSkipsLookalikes(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		".github/workflows/docker-compose-integration.yml": "name: it\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
		"k8s/compose-deploy.yaml":                          "apiVersion: v1\nkind: Service\n",
		"api/docker-compose-api.yaml":                      "openapi: 3.0.0\ninfo:\n  title: compose\n",
		"docker-compose.prod.yml":                          "services:\n  web:\n    image: nginx\n",
		"preview/Dockerfile.append":                        "RUN echo more\nCOPY extra /x\n",
		"Dockerfile.dev":                                   "# syntax=docker/dockerfile:1\nARG V=22\nfrom node:${V}\n",
		"Dockerfile.prod":                                  "\ufeffFROM node:22\n",
		"broken/Dockerfile":                                "RUN echo no from\n",
		"broken/docker-compose.yml":                        "jobs: {}\n",
		"{{cookiecutter.project_slug}}/docker-compose.yml": "services:\n{%- if x %}\n  web:\n    build: .\n",
		"{{ name }}/Dockerfile":                            "FROM node:22\n{% if x %}\n",
	}
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := FindLimited([]string{root}, 0)
	var got []string
	for _, p := range r.Projects {
		for _, f := range p {
			got = append(got, "compose "+strings.TrimPrefix(f, root+"/"))
		}
	}
	for _, f := range r.Dockerfiles {
		got = append(got, "dockerfile "+strings.TrimPrefix(f, root+"/"))
	}
	want := []string{"compose docker-compose.prod.yml", "compose broken/docker-compose.yml", "dockerfile Dockerfile.dev", "dockerfile Dockerfile.prod", "dockerfile broken/Dockerfile"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("found %q, want %q", got, want)
	}
	// A template folder named on the command line is searched.
	named := FindLimited([]string{filepath.Join(root, "{{ name }}")}, 0)
	if len(named.Dockerfiles) != 1 {
		t.Errorf("a template folder named on the command line: found %q, want its Dockerfile", named.Dockerfiles)
	}
}

// TestFindTrackedDespiteGitignore: git lists a tracked file even where a
// .gitignore pattern names it (a committed compose file that .gitignore
// lists), and so does the search; an untracked ignored file stays out.
func TestFindTrackedDespiteGitignore(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".gitignore":              "env/docker-compose.yaml\nlocal/\nDockerfile.local\n",
		"env/docker-compose.yaml": "services:\n  web:\n    build: ../app\n",
		"app/Dockerfile":          "FROM node:22\n",
		"app/Dockerfile.local":    "FROM node:22\n",
		"local/Dockerfile":        "FROM node:22\n",
	})
	find := func() []string {
		r := FindLimited([]string{root}, 0)
		var got []string
		for _, p := range r.Dockerfiles {
			rp, _ := filepath.Rel(root, p)
			got = append(got, filepath.ToSlash(rp))
		}
		for _, p := range r.Projects {
			rp, _ := filepath.Rel(root, p[0])
			got = append(got, filepath.ToSlash(rp))
		}
		return got
	}
	if got, want := find(), []string{"app/Dockerfile"}; !reflect.DeepEqual(got, want) {
		t.Errorf("without a repository: found %q, want %q", got, want)
	}
	// A git index that tracks the compose file (and app/Dockerfile).
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	idx := &index.Index{Version: 2}
	for _, name := range []string{"app/Dockerfile", "env/docker-compose.yaml"} {
		idx.Entries = append(idx.Entries, &index.Entry{Name: name, Mode: filemode.Regular})
	}
	var buf bytes.Buffer
	if err := index.NewEncoder(&buf).Encode(idx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".git", "index"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := find(), []string{"app/Dockerfile", "env/docker-compose.yaml"}; !reflect.DeepEqual(got, want) {
		t.Errorf("with the compose file tracked: found %q, want %q", got, want)
	}
	// A search of a subfolder finds the repository above it, within the
	// working folder.
	t.Chdir(root)
	r := FindLimited([]string{"env"}, 0)
	if len(r.Projects) != 1 || filepath.Base(r.Projects[0][0]) != "docker-compose.yaml" {
		t.Errorf("searching env/: found %v, want env/docker-compose.yaml", r.Projects)
	}
	// An index that is a symlink is not read.
	if err := os.Rename(filepath.Join(root, ".git", "index"), filepath.Join(root, "index.real")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "index.real"), filepath.Join(root, ".git", "index")); err != nil {
		t.Fatal(err)
	}
	if got, want := find(), []string{"app/Dockerfile"}; !reflect.DeepEqual(got, want) {
		t.Errorf("with the index a symlink: found %q, want %q", got, want)
	}
}
