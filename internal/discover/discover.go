// Package discover finds the compose files and Dockerfiles under the paths a
// user names and groups compose files into projects, the way `docker
// compose` would pick them up: a base file and its override in one folder
// form one project.
package discover

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// Result is what a search found. Paths are absolute.
type Result struct {
	// Projects are groups of compose files loaded together, base first.
	Projects [][]string
	// Dockerfiles are all Dockerfiles found or named.
	Dockerfiles []string
	// Errors are paths that could not be searched.
	Errors []error
	// Sniffed are the compose files among Projects recognised by their
	// content (see LooksLikeCompose), not by their name.
	Sniffed map[string]bool
}

var (
	baseCompose    = regexp.MustCompile(`^(compose|docker-compose)\.ya?ml$|^fig\.ya?ml$`)
	overrideName   = regexp.MustCompile(`^(compose|docker-compose)\.override\.ya?ml$`)
	dockerfileName = regexp.MustCompile(`^(?i:dockerfile|containerfile)([.-].+|[^.-].*)?$|^.*\.(?i:dockerfile)$|^[^.]+Dockerfile$`)
)

// IsComposeName reports whether a file name follows the compose patterns:
// compose.yaml, docker-compose.yml, either with a variant after a dot or a
// dash (docker-compose.prod.yml, docker-compose-dev.yml), and fig.yml, the
// name of Compose's predecessor, with the same variants (fig-dev.yml: Fig
// projects kept their development and production files that way).
// Names are case sensitive.
func IsComposeName(name string) bool {
	var rest string
	switch {
	case strings.HasPrefix(name, "docker-compose"):
		rest = name[len("docker-compose"):]
	case strings.HasPrefix(name, "compose"):
		rest = name[len("compose"):]
	case strings.HasPrefix(name, "fig"):
		rest = name[len("fig"):]
	default:
		return false
	}
	var variant string
	switch {
	case strings.HasSuffix(rest, ".yml"):
		variant = rest[:len(rest)-len(".yml")]
	case strings.HasSuffix(rest, ".yaml"):
		variant = rest[:len(rest)-len(".yaml")]
	default:
		return false
	}
	return variant == "" || (variant[0] == '.' || variant[0] == '-') && !strings.Contains(variant, "/")
}

// mentionsDockerfile reports whether name may match dockerfileName: it
// contains dockerfile or containerfile in any case. Names with non-ASCII
// letters are left to the regexp, whose case folding goes beyond ASCII.
func mentionsDockerfile(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return true
		}
	}
	for i := 0; i+len("dockerfile") <= len(name); i++ {
		switch name[i] | 0x20 {
		case 'd':
			if strings.EqualFold(name[i:i+len("dockerfile")], "dockerfile") {
				return true
			}
		case 'c':
			if i+len("containerfile") <= len(name) && strings.EqualFold(name[i:i+len("containerfile")], "containerfile") {
				return true
			}
		}
	}
	return false
}

// IsDockerfileName reports whether a file name follows the Dockerfile patterns.
func IsDockerfileName(name string) bool {
	return mentionsDockerfile(name) && dockerfileNameRules(name)
}

// dockerfileNameRules is IsDockerfileName without its cheap pre-check.
func dockerfileNameRules(name string) bool {
	if !dockerfileName.MatchString(name) {
		return false
	}
	// Dockerfile.* also matches files about Dockerfiles, such as
	// dockerfile.yml generator configs or Dockerfile.md notes.
	switch strings.ToLower(filepath.Ext(name)) {
	case ".dockerignore", ".yml", ".yaml", ".json", ".md", ".txt", ".toml", ".lock", ".orig", ".rej", ".bak", ".swp",
		".ts", ".js", ".mjs", ".cjs", ".go", ".py", ".rb", ".java", ".rs", ".tmpl", ".tpl", ".j2", ".jinja", ".erb", ".mustache", ".hbs", ".sh",
		".template", ".in", ".sql", ".html", ".xml", ".ini", ".cfg", ".conf", ".log", ".csv", ".diff", ".patch", ".png", ".svg", ".pdf":
		return false
	}
	// A variant written with no separator or an underscore
	// (DockerfileBuild, Dockerfile_dev, Dockerfilewtm), or a prefix with
	// no dot before a capital Dockerfile (L2Dockerfile, prodDockerfile;
	// not generate-dockerfile, a script's name), is one too, unless its
	// name says backup or copy (Dockerfile_old, DockerfileBackup,
	// oldDockerfile) or it is a plural (Dockerfiles: a folder's name).
	// Search takes it only with a FROM line (plausible). The pre-commit
	// hooks' files: pattern follows these rules: keep the two in step
	// (testdata/dockerfile_names.txt holds the names both are tested on).
	if before, ok := strings.CutSuffix(name, "Dockerfile"); ok && before != "" && !strings.Contains(before, ".") {
		return !backupWord(strings.Trim(strings.ToLower(before), "-_"))
	}
	lower := strings.ToLower(name)
	for _, prefix := range []string{"dockerfile", "containerfile"} {
		rest, ok := strings.CutPrefix(lower, prefix)
		if !ok || rest == "" || rest[0] == '.' || rest[0] == '-' {
			continue
		}
		rest = strings.TrimLeft(rest, "_")
		if rest == "" || rest == "s" || strings.HasSuffix(rest, "~") || backupWord(rest) {
			return false
		}
	}
	return true
}

// backupWords name the copies kept beside a Dockerfile.
var backupWords = []string{"old", "bak", "backup", "orig", "copy", "save", "prev", "previous", "tmp", "temp", "archive", "archived", "deprecated", "unused"}

// backupWord reports a lower-case name part that is, or starts with, one
// of backupWords as a whole word (old, old2, backup-2020; not temporal or
// preview).
func backupWord(s string) bool {
	for _, w := range backupWords {
		if s == w || strings.HasPrefix(s, w) && (s[len(w)] < 'a' || s[len(w)] > 'z') {
			return true
		}
	}
	return false
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
	if k := kindByName(filepath.Base(path)); k != Unknown {
		return k
	}
	if f, err := os.Open(path); err == nil {
		defer func() { _ = f.Close() }() // read-only
		return kindByContent(bufio.NewScanner(f))
	}
	return Compose
}

// KindOfText is KindOf for a file given as text (standard input), which
// need not exist.
func KindOfText(path string, src []byte) Kind {
	if k := kindByName(filepath.Base(path)); k != Unknown {
		return k
	}
	return kindByContent(bufio.NewScanner(bytes.NewReader(src)))
}

func kindByName(name string) Kind {
	switch {
	case IsComposeName(name):
		return Compose
	case IsDockerfileName(name):
		return Dockerfile
	case strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml"):
		return Compose
	}
	return Unknown
}

// kindByContent says Dockerfile when the first line that is not blank or a
// comment is a FROM or an ARG, else Compose.
func kindByContent(sc *bufio.Scanner) Kind {
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
	return Compose
}

// ProjectOf returns the project a compose file at path belongs to, as a
// search of its folder would group it: the base file with its override
// beside it, or the file alone. The file itself need not exist (an
// editor's unsaved buffer); the others must be regular files.
func ProjectOf(path string) []string {
	dir := filepath.Dir(path)
	files := []string{path}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if p != path && e.Type().IsRegular() && IsComposeName(e.Name()) {
				files = append(files, p)
			}
		}
	}
	for _, proj := range group(files) {
		if slices.Contains(proj, path) {
			return proj
		}
	}
	return []string{path}
}

// DefaultMaxFiles is how many compose files and Dockerfiles one search
// takes at most.
const DefaultMaxFiles = 100_000

// templateDir reports a folder named by a template placeholder, such as
// cookiecutter's {{cookiecutter.project_slug}} or copier's {{ name }}: its
// files are templates ({% if %} lines in YAML and Dockerfiles) that a
// project generator renders, not files Docker reads.
func templateDir(name string) bool {
	i := strings.Index(name, "{{")
	return i >= 0 && strings.Contains(name[i:], "}}")
}

// errStop ends a walk that reached the file limit.
var errStop = errors.New("file limit reached")

// FindLimited searches paths, taking at most maxFiles files (0:
// DefaultMaxFiles); past it the search stops with an error naming the
// folder it was in. Folders are walked recursively, skipping .git,
// node_modules, template folders (templateDir) and what .gitignore files
// ignore; files are taken whatever
// their name. Symlinks are not followed.
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
		if lst, err := os.Lstat(abs); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			// A named symlink to a folder inside the working folder
			// (CheckSymlink allowed it) is searched where it leads; the
			// walk itself never follows links.
			if abs, err = filepath.EvalSymlinks(abs); err != nil {
				r.Errors = append(r.Errors, err)
				continue
			}
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

// walk visits the compose files and Dockerfiles under root, folder by
// folder in lexical order, as filepath.WalkDir would.
// A visit that returns an error ends the walk.
func walk(root string, visit func(path string, isCompose bool) error, r *Result) {
	info, err := os.Lstat(root)
	if err != nil {
		r.Errors = append(r.Errors, err)
		return
	}
	w := walker{visit: visit, r: r, root: root}
	switch {
	case info.IsDir():
		err = w.dir(root, nil, nil, nil)
	case info.Mode().IsRegular():
		// root was a folder when Find looked; a symlink, even to a folder,
		// is not followed.
		if isCompose, ok := candidate(info.Name()); ok {
			err = visit(root, isCompose)
		}
	}
	if err != nil && !errors.Is(err, errStop) {
		r.Errors = append(r.Errors, err)
	}
}

type walker struct {
	visit func(path string, isCompose bool) error
	r     *Result
	root  string
	// tracked are the files git tracks, read from its index on first need
	// (nil: not read yet); prefix is root's place in the work tree.
	tracked map[string]bool
	prefix  string
}

// isTracked reports whether git tracks the file at parts/name of the
// walk's root: git lists a tracked file even where a .gitignore pattern
// matches it (a committed docker-compose.yaml that .gitignore names), so
// the search takes it too.
func (w *walker) isTracked(parts []string, name string) bool {
	if w.tracked == nil {
		w.tracked, w.prefix = trackedFiles(w.root)
	}
	return w.tracked[w.prefix+strings.Join(append(slices.Clone(parts), name), "/")]
}

// maxIndex bounds the git index read: a large monorepo's is tens of MB.
const maxIndex = 64 << 20

// trackedFiles lists the paths git's index holds for the repository that
// root is in, and root's place in its work tree ("" or "deploy/"); empty
// when there is none or it cannot be read. The repository's .git folder
// is looked for in root and the folders above it up to the working
// folder, never above it; neither it nor its index may be a symlink.
func trackedFiles(root string) (map[string]bool, string) {
	out := map[string]bool{}
	abs, err := filepath.Abs(root)
	if err != nil {
		return out, ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return out, ""
	}
	for dir, prefix := abs, ""; ; {
		gitDir := filepath.Join(dir, ".git")
		if st, err := os.Lstat(gitDir); err == nil {
			if st.IsDir() {
				return readIndex(filepath.Join(gitDir, "index"), out), prefix
			}
			return out, "" // a worktree's .git file: not read
		}
		rel, err := filepath.Rel(wd, dir)
		if err != nil || rel == "." || !filepath.IsLocal(rel) {
			return out, "" // the working folder, or a folder outside it
		}
		prefix = filepath.Base(dir) + "/" + prefix
		dir = filepath.Dir(dir)
	}
}

// readIndex adds the paths of the git index at path to out: a regular
// file opened without following a symlink, of at most maxIndex bytes.
func readIndex(path string, out map[string]bool) map[string]bool {
	// Lstat, then the opened file must be that same regular file: no
	// symlink is followed, and a swap between the two is seen.
	lst, err := os.Lstat(path)
	if err != nil || !lst.Mode().IsRegular() || lst.Size() > maxIndex {
		return out
	}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer func() { _ = f.Close() }() // read-only
	if st, err := f.Stat(); err != nil || !os.SameFile(lst, st) {
		return out
	}
	var idx index.Index
	if index.NewDecoder(io.LimitReader(f, maxIndex)).Decode(&idx) != nil {
		return out
	}
	for _, e := range idx.Entries {
		out[e.Name] = true
	}
	return out
}

// dir searches the folder path. parts is path relative to the root, one
// element a folder; rules are the .gitignore patterns of the folders above
// it, root first, and seen their state along parts (see rule.step). Rules
// of other folders never match below path (a pattern only applies below
// its own folder), so they are left out.
//
// parts and rules are stacks: a subfolder appends to them in place, past
// what this folder sees, and its siblings overwrite that. The walk is depth
// first, so nothing reads an element once it is overwritten.
func (w *walker) dir(path string, parts []string, rules []rule, seen []state) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		w.r.Errors = append(w.r.Errors, err)
		return nil
	}
	// Only a regular file is read: never a symlink, and never a pipe, which
	// would block the read.
	if i, ok := slices.BinarySearchFunc(entries, ".gitignore", func(e fs.DirEntry, name string) int {
		return strings.Compare(e.Name(), name)
	}); ok && entries[i].Type().IsRegular() {
		if own := readIgnore(join(path, ".gitignore"), parts); len(own) > 0 {
			rules = append(rules, own...)
			seen = append(seen[:len(seen):len(seen)], make([]state, len(own))...)
		}
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			if name == ".git" || name == "node_modules" || templateDir(name) {
				continue
			}
			sub := parts
			sub = append(sub, name)
			var below []state
			if len(rules) > 0 {
				below = make([]state, len(rules))
				for i := range rules {
					below[i] = rules[i].step(seen[i], name)
				}
				if ignored(rules, below, sub, true) {
					continue
				}
			}
			if err := w.dir(join(path, name), sub, rules, below); err != nil {
				return err
			}
			continue
		}
		if !e.Type().IsRegular() {
			continue // symlinks and devices are not followed
		}
		isCompose, ok := candidate(name)
		sniff := !ok && isYAMLName(name)
		if !ok && !sniff {
			continue
		}
		if ignoredFile(rules, seen, parts, name) && !w.isTracked(parts, name) {
			continue
		}
		if ok && !canonicalName(name) && !sniff && !plausible(join(path, name), isCompose) {
			// Named like one, but not one: a GitHub workflow called
			// docker-compose-integration.yml, a Dockerfile.append
			// fragment with no FROM that CI pastes onto another.
			continue
		}
		if sniff {
			if !sniffCompose(join(path, name)) {
				continue
			}
			if w.r.Sniffed == nil {
				w.r.Sniffed = map[string]bool{}
			}
			w.r.Sniffed[join(path, name)] = true
			isCompose = true
		}
		if err := w.visit(join(path, name), isCompose); err != nil {
			return err
		}
	}
	return nil
}

// IsOverride reports a file name Compose merges by default onto the base
// file of its folder (docker-compose.override.yml, compose.override.yaml).
func IsOverride(name string) bool {
	return overrideName.MatchString(name)
}

// canonicalName reports the names that are a compose file or a Dockerfile
// whatever they hold: compose.yaml, docker-compose.yml, Dockerfile.
func canonicalName(name string) bool {
	switch name {
	case "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml", "fig.yml", "fig.yaml", "Dockerfile", "dockerfile", "Containerfile":
		return true
	}
	return overrideName.MatchString(name)
}

// foreignTopLevel reports the top-level keys of YAML files that share
// compose's names or its services: key but are no compose file: Kubernetes
// manifests (apiVersion, kind), OpenAPI documents, CI configs (jobs, stages).
func foreignTopLevel(key string) bool {
	switch key {
	case "apiVersion", "kind", "openapi", "swagger", "jobs", "stages":
		return true
	}
	return false
}

// plausible reads the start of a file found by a variant name (compose
// pattern or Dockerfile pattern) and reports whether it can be one: a
// compose file is no CI config or manifest (top-level jobs:, stages:,
// apiVersion:), a Dockerfile has a FROM line.
func plausible(path string, isCompose bool) bool {
	src := readStart(path)
	if src == nil {
		return true // unreadable: the loader says why
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a byte-order mark, which BuildKit strips
	for _, raw := range bytes.Split(src, []byte("\n")) {
		line := strings.TrimRight(string(raw), " \t\r")
		if isCompose {
			if key, _, isKey := strings.Cut(line, ":"); isKey && foreignTopLevel(key) {
				return false
			}
			continue
		}
		if word, _, _ := strings.Cut(strings.TrimLeft(line, " \t"), " "); strings.EqualFold(word, "FROM") {
			return true
		}
	}
	return isCompose
}

// readStart reads up to sniffLimit bytes of a file; nil when it cannot.
func readStart(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	// Most files are small: a buffer of the whole limit for each was most
	// of a large tree's garbage.
	size := int64(sniffLimit)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() < size {
		size = st.Size() + 1 // one more byte sees a file that grew
	}
	buf := make([]byte, size)
	n, _ := io.ReadFull(f, buf)
	return buf[:n]
}

func isYAMLName(name string) bool {
	return strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")
}

// sniffLimit is how much of a YAML file is read to recognise a compose
// file by its content; a compose file says so in its first lines.
const sniffLimit = 64 << 10

// sniffCompose reads the start of a YAML file whose name does not say
// compose and reports whether it is one.
func sniffCompose(path string) bool {
	src := readStart(path)
	return src != nil && LooksLikeCompose(src)
}

// LooksLikeCompose recognises a compose file by its content: a top-level
// `services:` mapping whose entries carry `image:` or `build:`. Kubernetes
// manifests (apiVersion/kind), CI configs (GitLab's and Travis's `services:`
// are lists; GitHub's workflows have `jobs:`) and OpenAPI files fail it.
// It reads lines rather than parsing YAML: a search visits every YAML file
// of a tree, and most are not compose files, so the test must cost a scan,
// not a parse. The loader parses what passes.
func LooksLikeCompose(src []byte) bool {
	if !bytes.Contains(src, []byte("services")) {
		return false
	}
	inServices := false
	serviceIndent := -1 // indent of the service names under services:
	for _, raw := range bytes.Split(src, []byte("\n")) {
		line := strings.TrimRight(string(raw), " \t\r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || line == "---" {
			continue
		}
		indent := len(line) - len(trimmed)
		if indent == 0 {
			key, _, isKey := strings.Cut(trimmed, ":")
			switch {
			case !isKey:
				inServices = false
			case foreignTopLevel(key):
				return false
			case key == "services" || key == `"services"`:
				rest := strings.TrimSpace(strings.TrimPrefix(trimmed, key+":"))
				inServices = rest == "" || strings.HasPrefix(rest, "#")
				serviceIndent = -1
				continue
			default:
				inServices = false
			}
			continue
		}
		if !inServices {
			continue
		}
		if serviceIndent < 0 {
			if strings.HasPrefix(trimmed, "- ") || trimmed == "-" {
				inServices = false // a list: CI services, not compose
				continue
			}
			serviceIndent = indent
			continue
		}
		if indent > serviceIndent {
			key, _, _ := strings.Cut(trimmed, ":")
			if key == "image" || key == "build" {
				return true
			}
		}
	}
	return false
}

// candidate reports whether name is that of a compose file or a
// Dockerfile, and which.
func candidate(name string) (isCompose, ok bool) {
	if IsComposeName(name) {
		return true, true
	}
	return false, IsDockerfileName(name)
}

// rule is one .gitignore pattern. A pattern without a slash (node_modules,
// *.log, dist/) matches a path when it matches one of its names below the
// pattern's folder; gitignore.Pattern tries each name in turn. Those are
// matched one name at a time, as the walk goes down, with the same
// outcome: the state of such a rule along a path is that of its first name
// that matches or that the pattern cannot be matched against.
// Other patterns are left to gitignore.Pattern.
type rule struct {
	pattern gitignore.Pattern
	simple  bool
	name    string // a simple rule's pattern, for filepath.Match
	dirOnly bool
	include bool // a negated pattern: !name
}

// state is that of a simple rule along a path.
type state uint8

const (
	open    state = iota // no name matched yet
	matched              // a name matched
	failed               // the pattern is malformed: it never matches
)

// step is the state of a simple rule below the folder name, given its
// state above.
func (r *rule) step(above state, name string) state {
	if !r.simple || above != open {
		return above
	}
	ok, err := filepath.Match(r.name, name)
	switch {
	case err != nil:
		return failed
	case ok:
		return matched
	}
	return open
}

// last is the state of a simple rule for the file name, given its state
// above: a pattern ending in a slash only matches a file through a folder
// above it.
func (r *rule) last(above state, name string) state {
	s := r.step(above, name)
	if above == open && s == matched && r.dirOnly {
		return open
	}
	return s
}

// ignored reports whether the last rule that matches path (split in
// folders) excludes it, as gitignore.Matcher does. states are those of the
// simple rules along the whole path: for a file, as rule.last gives them.
func ignored(rules []rule, states []state, path []string, isDir bool) bool {
	for i := len(rules) - 1; i >= 0; i-- {
		r := &rules[i]
		if r.simple {
			if states[i] == matched {
				return !r.include
			}
			continue
		}
		if m := r.pattern.Match(path, isDir); m != gitignore.NoMatch {
			return m == gitignore.Exclude
		}
	}
	return false
}

// ignoredFile is ignored for the file name in the folder parts, seen the
// states of the simple rules along parts.
func ignoredFile(rules []rule, seen []state, parts []string, name string) bool {
	for i := len(rules) - 1; i >= 0; i-- {
		r := &rules[i]
		if r.simple {
			if r.last(seen[i], name) == matched {
				return !r.include
			}
			continue
		}
		if m := r.pattern.Match(append(parts, name), false); m != gitignore.NoMatch {
			return m == gitignore.Exclude
		}
	}
	return false
}

// join is filepath.Join of a clean folder and a name from its listing,
// without cleaning again.
func join(dir, name string) string {
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir + name
	}
	return dir + string(filepath.Separator) + name
}

// readIgnore reads one .gitignore; its patterns apply below its folder.
func readIgnore(path string, domain []string) []rule {
	var rs []rule
	for _, line := range readIgnoreLines(path) {
		r := rule{pattern: gitignore.ParsePattern(line, domain)}
		// As gitignore.ParsePattern reads the line.
		p, include := strings.CutPrefix(line, "!")
		r.include = include
		if !strings.HasSuffix(p, "\\ ") {
			p = strings.TrimRight(p, " ")
		}
		p, r.dirOnly = strings.CutSuffix(p, "/")
		if !strings.Contains(p, "/") {
			r.simple, r.name = true, p
		}
		rs = append(rs, r)
	}
	return rs
}

// readIgnoreLines reads the patterns of one .gitignore.
func readIgnoreLines(path string) []string {
	// Only a regular file, and not a huge one: a pipe would block the read.
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() || st.Size() > 1<<20 {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}
