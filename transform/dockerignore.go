package transform

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// mustIgnore are the paths a Node build context must keep out: host
// dependencies built for another platform, and the repository history.
var mustIgnore = []string{"node_modules", ".git"}

// ignoreAdditions is what a fix appends for each missing path.
var ignoreAdditions = map[string]string{"node_modules": "node_modules", ".git": ".git"}

// ignoreFile is the ignore file that applies to a build: BuildKit prefers
// <Dockerfile>.dockerignore to the context's .dockerignore.
func ignoreFile(fsys FS, contextDir, dockerfilePath string) string {
	candidates := []string{dockerfilePath + ".dockerignore", filepath.Join(contextDir, ".dockerignore")}
	for _, c := range candidates {
		if fsys.Exists(c) {
			return c
		}
	}
	return candidates[1]
}

// IgnoredInContext reports whether the build's ignore file keeps name (a
// path relative to the context, slash-separated) out of the context.
func IgnoredInContext(fsys FS, contextDir, dockerfilePath, name string) bool {
	return ignored(fsys, ignoreFile(fsys, contextDir, dockerfilePath), name)
}

// MissingIgnores returns the ignore file that applies (BuildKit prefers
// <Dockerfile>.dockerignore) and which required paths it lets through.
func MissingIgnores(fsys FS, contextDir, dockerfilePath string) (string, []string) {
	path := ignoreFile(fsys, contextDir, dockerfilePath)
	src, err := fsys.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		// A pipe, a folder or a file over 10 MiB by that name: not an
		// ignore file anyone wrote, and not one to append to.
		return path, nil
	}
	return path, missingFor(src)
}

// ignoreMemo remembers answers that depend on an ignore file's text alone
// (and a name asked about): the ignore files of a tree are mostly a few
// texts, and compiling a file's patterns to regexps for each build context
// and each question was most of the cost. Small texts only, and a bounded
// number of them: the map starts over when full.
type ignoreMemo[V any] struct {
	sync.Mutex
	m map[string]V
}

const (
	ignoreMemoText = 4 << 10
	ignoreMemoLen  = 1024
)

// do returns compute()'s answer for key, remembered when the key is small.
func (memo *ignoreMemo[V]) do(key string, compute func() V, clone func(V) V) V {
	if len(key) > ignoreMemoText {
		return compute()
	}
	memo.Lock()
	v, ok := memo.m[key]
	memo.Unlock()
	if ok {
		return clone(v)
	}
	v = compute()
	memo.Lock()
	if memo.m == nil || len(memo.m) >= ignoreMemoLen {
		memo.m = map[string]V{}
	}
	memo.m[key] = clone(v)
	memo.Unlock()
	return v
}

// missingMemo maps the text of an ignore file to what it lets through.
var missingMemo ignoreMemo[[]string]

// ignoredMemo maps an ignore file's text and a name to whether it keeps
// that name out.
var ignoredMemo ignoreMemo[bool]

// missingFor says which of mustIgnore the ignore file's text (nil when
// there is none) lets through, sorted.
func missingFor(src []byte) []string {
	return missingMemo.do(string(src), func() []string { return computeMissing(src) }, slices.Clone[[]string])
}

func computeMissing(src []byte) []string {
	var patterns []string
	if src != nil {
		patterns, _ = ignorefile.ReadAll(bytes.NewReader(src))
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil // a malformed file is not ours to judge here
	}
	var missing []string
	for _, m := range mustIgnore {
		if ok, _ := pm.MatchesOrParentMatches(m + "/x"); ok || keepsPart(patterns, m) {
			continue
		}
		missing = append(missing, m)
	}
	sort.Strings(missing)
	return missing
}

// keepsPart reports an exception under a folder (!.git/HEAD): the ignore
// file lets part of it in on purpose, for a Dockerfile that copies it, and
// appending the whole folder after it would shut that out again.
func keepsPart(patterns []string, dir string) bool {
	for _, p := range patterns {
		if rest, ok := strings.CutPrefix(p, "!"); ok {
			rest = strings.TrimPrefix(rest, "/")
			if rest == dir || strings.HasPrefix(rest, dir+"/") {
				return true
			}
		}
	}
	return false
}

// ignored reports whether the ignore file at path keeps name out of the
// build context; an absent or unreadable file keeps nothing out.
func ignored(fsys FS, path, name string) bool {
	src, err := fsys.ReadFile(path)
	if err != nil {
		return false
	}
	return ignoredMemo.do(name+"\x00"+string(src), func() bool {
		patterns, _ := ignorefile.ReadAll(bytes.NewReader(src))
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return false
		}
		ok, _ := pm.MatchesOrParentMatches(name)
		return ok
	}, func(b bool) bool { return b })
}

// IgnoreFix appends the missing entries, creating the file if needed. An
// existing file keeps every byte; a newline is added first if it lacks one.
func IgnoreFix(fsys FS, path string, missing []string) *analysis.SuggestedFix {
	old, _ := fsys.ReadFile(path) // absent: created; MissingIgnores refused the rest
	var b strings.Builder
	if len(old) > 0 && old[len(old)-1] != '\n' {
		b.WriteString(newline(old))
	}
	nl := newline(old)
	if len(old) == 0 {
		b.WriteString("# Keep host dependencies and history out of the image (decouple DC002)." + nl)
	}
	for _, m := range missing {
		if a, ok := ignoreAdditions[m]; ok {
			m = a
		}
		b.WriteString(m + nl)
	}
	return &analysis.SuggestedFix{
		Message: "add " + strings.Join(missing, " and ") + " to " + filepath.Base(path),
		Safe:    true,
		Edits:   []analysis.TextEdit{{File: path, Start: len(old), End: len(old), NewText: []byte(b.String())}},
	}
}

// MergeCreatedIgnore merges the texts that several fixes of one run give a
// .dockerignore they each create (DC002's, and each split's line for its
// code Dockerfile): the first text, then every line of the others it
// lacks, in order. Ignore files are sets of patterns, so nothing clashes.
func MergeCreatedIgnore(texts [][]byte) []byte {
	var out []byte
	have := map[string]bool{}
	for _, t := range texts {
		for _, line := range strings.SplitAfter(string(t), "\n") {
			key := strings.TrimRight(line, "\r\n")
			if key == "" || have[key] {
				continue
			}
			have[key] = true
			if !strings.HasSuffix(line, "\n") {
				line += "\n"
			}
			out = append(out, line...)
		}
	}
	return out
}

// WithoutCopied drops from missing the entries a Dockerfile built from the
// context copies by name (`COPY node_modules node_modules`: the app ships
// the host's dependencies on purpose): ignored, that build would fail.
func WithoutCopied(missing []string, dfs ...*dockerfile.File) []string {
	out := missing[:0:0]
	for _, m := range missing {
		if !slices.ContainsFunc(dfs, func(f *dockerfile.File) bool {
			return f != nil && f.CopiesFromContext(m)
		}) {
			out = append(out, m)
		}
	}
	return out
}

// WithoutHostModules drops node_modules from missing when a Dockerfile
// built from the context copies all of it and installs no dependencies
// after its package.json arrives (dockerfile.File.ModulesFromContext): its
// image runs on the host's node_modules, and ignored they would be gone.
// It returns that Dockerfile, nil when none is.
func WithoutHostModules(missing []string, dfs ...*dockerfile.File) ([]string, *dockerfile.File) {
	if !slices.Contains(missing, "node_modules") {
		return missing, nil
	}
	for _, f := range dfs {
		if f != nil && f.ModulesFromContext() {
			return slices.DeleteFunc(slices.Clone(missing), func(m string) bool { return m == "node_modules" }), f
		}
	}
	return missing, nil
}
