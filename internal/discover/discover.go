// Package discover finds the compose files and Dockerfiles under the paths a
// user names and groups compose files into projects, the way `docker
// compose` would pick them up: a base file and its override in one folder
// form one project.
package discover

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Result is what a search found. Paths are absolute.
type Result struct {
	// Projects are groups of compose files loaded together, base first.
	Projects [][]string
	// Dockerfiles are all Dockerfiles found or named.
	Dockerfiles []string
	// Errors are paths that could not be searched.
	Errors []error
}

var (
	composeName    = regexp.MustCompile(`^(compose|docker-compose)([.-][^/]*)?\.ya?ml$|^fig\.ya?ml$`)
	baseCompose    = regexp.MustCompile(`^(compose|docker-compose)\.ya?ml$|^fig\.ya?ml$`)
	overrideName   = regexp.MustCompile(`^(compose|docker-compose)\.override\.ya?ml$`)
	dockerfileName = regexp.MustCompile(`^(?i:dockerfile|containerfile)([.-].+)?$|^.+\.(?i:dockerfile)$`)
)

// IsComposeName reports whether a file name follows the compose patterns.
func IsComposeName(name string) bool { return composeName.MatchString(name) }

// IsDockerfileName reports whether a file name follows the Dockerfile patterns.
func IsDockerfileName(name string) bool {
	if !dockerfileName.MatchString(name) {
		return false
	}
	// Dockerfile.* also matches files about Dockerfiles, such as
	// dockerfile.yml generator configs or Dockerfile.md notes.
	switch strings.ToLower(filepath.Ext(name)) {
	case ".dockerignore", ".yml", ".yaml", ".json", ".md", ".txt", ".toml", ".lock", ".orig", ".rej", ".bak", ".swp",
		".ts", ".js", ".mjs", ".cjs", ".go", ".py", ".rb", ".java", ".rs", ".tmpl", ".tpl", ".j2", ".jinja", ".erb", ".mustache", ".hbs", ".sh",
		".template", ".in":
		return false
	}
	return true
}

// Kind says how a file named on the command line is to be read.
type Kind int

// Kinds of files.
const (
	Unknown Kind = iota
	Compose
	Dockerfile
)

// KindOf guesses a named file's kind from its name, then its content.
func KindOf(path string) Kind {
	name := filepath.Base(path)
	switch {
	case IsComposeName(name):
		return Compose
	case IsDockerfileName(name):
		return Dockerfile
	case strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml"):
		return Compose
	}
	if f, err := os.Open(path); err == nil {
		defer func() { _ = f.Close() }() // read-only
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			up := strings.ToUpper(line)
			if strings.HasPrefix(up, "FROM ") || strings.HasPrefix(up, "ARG ") {
				return Dockerfile
			}
			break
		}
	}
	return Compose
}

// Find searches paths. Folders are walked recursively, skipping .git,
// node_modules and what .gitignore files ignore; files are taken whatever
// their name. Symlinks are not followed.
func Find(paths []string) Result {
	var r Result
	seen := map[string]bool{}
	var loose []string // compose files named one by one: a project each
	byDir := map[string][]string{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			r.Errors = append(r.Errors, err)
			continue
		}
		st, err := os.Stat(abs)
		if err != nil {
			r.Errors = append(r.Errors, err)
			continue
		}
		if !st.IsDir() {
			if seen[abs] {
				continue
			}
			seen[abs] = true
			if KindOf(abs) == Dockerfile {
				r.Dockerfiles = append(r.Dockerfiles, abs)
			} else {
				loose = append(loose, abs)
			}
			continue
		}
		walk(abs, func(path string, isCompose bool) {
			if seen[path] {
				return
			}
			seen[path] = true
			if isCompose {
				byDir[filepath.Dir(path)] = append(byDir[filepath.Dir(path)], path)
			} else {
				r.Dockerfiles = append(r.Dockerfiles, path)
			}
		}, &r)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		r.Projects = append(r.Projects, group(byDir[d])...)
	}
	for _, f := range loose {
		r.Projects = append(r.Projects, []string{f})
	}
	sort.Strings(r.Dockerfiles)
	return r
}

// group pairs base files with their override in one folder; every other
// variant (docker-compose.prod.yml, docker-compose-dev.yml) is a project of
// its own, since Compose only merges the override by default.
func group(files []string) [][]string {
	sort.Strings(files)
	var out [][]string
	var overrides []string
	for _, f := range files {
		if overrideName.MatchString(filepath.Base(f)) {
			overrides = append(overrides, f)
		}
	}
	used := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		if !baseCompose.MatchString(name) {
			continue
		}
		proj := []string{f}
		stem := strings.TrimSuffix(strings.TrimSuffix(name, ".yml"), ".yaml")
		for _, o := range overrides {
			if strings.HasPrefix(filepath.Base(o), stem+".override.") && !used[o] {
				proj = append(proj, o)
				used[o] = true
			}
		}
		out = append(out, proj)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if baseCompose.MatchString(name) || used[f] {
			continue
		}
		out = append(out, []string{f})
	}
	return out
}

// walk visits the compose files and Dockerfiles under root.
func walk(root string, visit func(path string, isCompose bool), r *Result) {
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
			patterns = append(patterns, readIgnore(filepath.Join(path, ".gitignore"), parts)...)
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks and devices are not followed
		}
		name := d.Name()
		isCompose := IsComposeName(name)
		if !isCompose && !IsDockerfileName(name) {
			return nil
		}
		if gitignore.NewMatcher(patterns).Match(parts, false) {
			return nil
		}
		visit(path, isCompose)
		return nil
	})
	if err != nil {
		r.Errors = append(r.Errors, err)
	}
}

func splitPath(rel string) []string {
	if rel == "." {
		return nil
	}
	return strings.Split(filepath.ToSlash(rel), "/")
}

// readIgnore reads one .gitignore; its patterns apply below its folder.
func readIgnore(path string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps
}
