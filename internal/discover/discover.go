// Package discover finds the compose files and Dockerfiles under the paths a
// user names and groups compose files into projects, the way `docker
// compose` would pick them up: a base file and its override in one folder
// form one project.
package discover

import (
	"bufio"
	"errors"
	"fmt"
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

// DefaultMaxFiles is how many compose files and Dockerfiles one search
// takes at most.
const DefaultMaxFiles = 100_000

// errStop ends a walk that reached the file limit.
var errStop = errors.New("file limit reached")

// Find searches paths. Folders are walked recursively, skipping .git,
// node_modules and what .gitignore files ignore; files are taken whatever
// their name. Symlinks are not followed.
func Find(paths []string) Result { return FindLimited(paths, 0) }

// FindLimited is Find taking at most maxFiles files (0: DefaultMaxFiles);
// past it the search stops with an error naming the folder it was in.
func FindLimited(paths []string, maxFiles int) Result {
	if maxFiles <= 0 {
		maxFiles = DefaultMaxFiles
	}
	var r Result
	count := 0
	full := func(path string) bool {
		if count < maxFiles {
			count++
			return false
		}
		r.Errors = append(r.Errors, &os.PathError{Op: "search", Path: path,
			Err: fmt.Errorf("more than %d compose files and Dockerfiles; the rest were not searched (raise the limit with --max-files)", maxFiles)})
		return true
	}
	stopped := false
	seen := map[string]bool{}
	var loose []string // compose files named one by one: a project each
	byDir := map[string][]string{}
	for _, p := range paths {
		if stopped {
			break
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			r.Errors = append(r.Errors, err)
			continue
		}
		if err := CheckSymlink(abs); err != nil {
			r.Errors = append(r.Errors, err)
			continue
		}
		st, err := os.Stat(abs)
		if err != nil {
			r.Errors = append(r.Errors, err)
			continue
		}
		if !st.IsDir() && !st.Mode().IsRegular() {
			r.Errors = append(r.Errors, &os.PathError{Op: "read", Path: abs, Err: fmt.Errorf("not a regular file")})
			continue
		}
		if !st.IsDir() {
			if seen[abs] {
				continue
			}
			if full(abs) {
				stopped = true
				break
			}
			seen[abs] = true
			if KindOf(abs) == Dockerfile {
				r.Dockerfiles = append(r.Dockerfiles, abs)
			} else {
				loose = append(loose, abs)
			}
			continue
		}
		walk(abs, func(path string, isCompose bool) error {
			if seen[path] {
				return nil
			}
			if full(path) {
				stopped = true
				return errStop
			}
			seen[path] = true
			if isCompose {
				byDir[filepath.Dir(path)] = append(byDir[filepath.Dir(path)], path)
			} else {
				r.Dockerfiles = append(r.Dockerfiles, path)
			}
			return nil
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

// CheckSymlink refuses a named path that is a symlink leading out of the
// working folder (or a loop): a folder's own symlinks are never followed,
// and naming one must not be a way out either. A symlink that stays inside
// the working folder is followed, as a shell would.
func CheckSymlink(abs string) error {
	lst, err := os.Lstat(abs)
	if err != nil || lst.Mode()&fs.ModeSymlink == 0 {
		return nil // os.Stat reports what is wrong
	}
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist) {
			return &os.PathError{Op: "read", Path: abs, Err: fmt.Errorf("symlink to a path that does not exist")}
		}
		return &os.PathError{Op: "read", Path: abs, Err: fmt.Errorf("symlink that cannot be resolved (a loop?): not followed")}
	}
	wd, err := os.Getwd()
	if err == nil {
		wd, err = filepath.EvalSymlinks(wd)
	}
	if err != nil {
		return &os.PathError{Op: "read", Path: abs, Err: fmt.Errorf("symlink not followed (the working folder cannot be resolved)")}
	}
	if rel, err := filepath.Rel(wd, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return &os.PathError{Op: "read", Path: abs, Err: fmt.Errorf("symlink to a path outside the working folder: not followed")}
	}
	return nil
}

// walk visits the compose files and Dockerfiles under root.
// A visit that returns an error ends the walk.
func walk(root string, visit func(path string, isCompose bool) error, r *Result) {
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

// readIgnore reads one .gitignore; its patterns apply below its folder.
func readIgnore(path string, domain []string) []gitignore.Pattern {
	// Only a regular file, and not a huge one: a pipe would block the read.
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() || st.Size() > 1<<20 {
		return nil
	}
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
