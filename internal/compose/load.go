// Package compose loads a compose project: compose-go gives its meaning
// (overrides, extends, include, profiles, anchors, interpolation) and a
// yaml.Node parse of the same bytes gives the positions compose-go does not
// keep. Compose v1 files (services at the top level, fig.yml) load too.
package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/dotenv"
	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/safefile"
)

var silenceOnce sync.Once

// silence mutes compose-go's logrus warnings (obsolete `version`, unset
// variables): decouple reports what matters itself, and a warning could
// echo an environment value.
func silence() { silenceOnce.Do(func() { logrus.SetOutput(io.Discard) }) }

// Project is a loaded compose project.
type Project struct {
	Dir   string  // project directory (of the first file), absolute
	Files []*File // the files named, in order
	// Model is compose-go's view; nil when it could not load at all.
	Model *types.Project
	// Unresolved lists required variables (${X:?}) that had no value and
	// were given a placeholder so the rest could be judged. Names only.
	Unresolved []string
	// Degraded says what compose-go could not do, when it had to be
	// retried without validation, extends or include.
	Degraded string
	// Fast says the fast path loaded it (see fast.go), not compose-go.
	Fast bool

	extra  map[string]*File // files reached through include/extends, by path
	limits Limits
	refErr error // the first referenced file that broke a limit or is no file
}

// Load reads and loads a project from its files (absolute paths), within
// the default Limits.
func Load(paths []string) (*Project, error) { return LoadLimited(paths, Limits{}) }

// LoadLimited reads and loads a project from its files (absolute paths). A
// file that breaks a limit is refused with a *LimitError naming it.
func LoadLimited(paths []string, lim Limits) (*Project, error) {
	silence()
	lim = lim.withDefaults()
	p := &Project{Dir: filepath.Dir(paths[0]), extra: map[string]*File{}, limits: lim}
	for _, path := range paths {
		src, err := ReadFileLimited(path, lim.MaxFileSize)
		if err != nil {
			return nil, err
		}
		f, err := ParseFileLimited(path, src, lim)
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, f)
	}
	if err := p.checkReferenced(); err != nil {
		return nil, err
	}
	env, fromFile := environment(p.Dir)
	details := types.ConfigDetails{WorkingDir: p.Dir, Environment: env}
	looked := &lookups{names: map[string]bool{}}
	lookup := func(name string) (string, bool) {
		looked.add(name)
		return details.LookupEnv(name)
	}
	for _, f := range p.Files {
		cf := types.ConfigFile{Filename: f.Path, Content: f.Src}
		if f.Legacy {
			cfg, err := legacyConfig(f)
			if err != nil {
				return nil, err
			}
			cf = types.ConfigFile{Filename: f.Path, Config: cfg}
		}
		if f.Root == nil {
			cf = types.ConfigFile{Filename: f.Path, Config: map[string]any{}}
		}
		details.ConfigFiles = append(details.ConfigFiles, cf)
	}
	unresolved := map[string]bool{}
	attempts := []struct {
		why  string
		opts func(*loader.Options)
	}{
		{"", func(*loader.Options) {}},
		{"schema validation failed; loaded without it", func(o *loader.Options) {
			o.SkipValidation, o.SkipConsistencyCheck = true, true
		}},
		{"extends/include could not be resolved; loaded without them", func(o *loader.Options) {
			o.SkipValidation, o.SkipConsistencyCheck, o.SkipExtends, o.SkipInclude = true, true, true, true
		}},
	}
	var firstErr error
	if FastPath {
		p.Model = p.fastLoad(env, lookup, unresolved)
		p.Fast = p.Model != nil
	}
	for _, a := range attempts {
		if p.Model != nil {
			break
		}
		model, err := safeLoad(details, func(o *loader.Options) {
			o.SetProjectName(projectName(p.Dir), true)
			o.Profiles = []string{"*"}
			o.SkipResolveEnvironment = true
			o.SkipResolveLabels = true
			o.ResolvePaths = true
			// compose-go counts every node it visits, aliased or not,
			// against the same default: raising our limit raises its.
			o.MaxNodeVisits = max(lim.MaxAliasNodes, DefaultMaxAliasNodes)
			o.Interpolate = &interp.Options{
				LookupValue: lookup,
				Substitute:  tolerantSubstitute(unresolved),
			}
			a.opts(o)
		})
		if err == nil {
			p.Model = model
			if firstErr != nil {
				p.Degraded = a.why + ": " + scrub(firstErr.Error(), secrets(env, fromFile, looked, p.Dir))
			}
			break
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	for name := range unresolved {
		p.Unresolved = append(p.Unresolved, name)
	}
	sort.Strings(p.Unresolved)
	if p.Model == nil {
		err := &LoadError{Msg: scrub(firstErr.Error(), secrets(env, fromFile, looked, p.Dir)), Unresolved: p.Unresolved}
		return p, err
	}
	return p, nil
}

// LoadError is a project compose-go could not load. When required
// variables were unset it is a note, not a failure: the values decide, and
// the lint cannot know them.
type LoadError struct {
	Msg        string
	Unresolved []string
}

func (e *LoadError) Error() string {
	if len(e.Unresolved) > 0 {
		return fmt.Sprintf("not judged: it needs %s, which %s unset (%s)", strings.Join(e.Unresolved, ", "), plural(len(e.Unresolved), "is", "are"), e.Msg)
	}
	return e.Msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// placeholderFor picks a stand-in for a required variable with no value
// that keeps the value parseable: an address where the variable leads an
// ip:host:container port mapping, else the number 1, which ports and sizes
// accept and names and paths tolerate.
func placeholderFor(value, name string) string {
	i := strings.Index(value, "${"+name)
	if i != 0 {
		return "1"
	}
	depth, end := 0, -1
	for j := i; j < len(value); j++ {
		switch value[j] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth == 0 && value[j] == '}' {
			end = j
			break
		}
	}
	if end > 0 && strings.Count(strings.SplitN(value[end+1:], "/", 2)[0], ":") >= 2 {
		return "127.0.0.1"
	}
	return "1"
}

// tolerantSubstitute is compose-go's substitution, except that a required
// variable with no value (${X:?msg}) gets a placeholder instead of aborting
// the load; its name is recorded so findings can say what was not known.
func tolerantSubstitute(unresolved map[string]bool) func(string, template.Mapping) (string, error) {
	return func(value string, mapping template.Mapping) (string, error) {
		m := mapping
		for range 64 {
			out, err := template.Substitute(value, m)
			var missing *template.MissingRequiredError
			if !errors.As(err, &missing) {
				return out, err
			}
			name, prev := missing.Variable, m
			unresolved[name] = true
			stand := placeholderFor(value, name)
			m = func(k string) (string, bool) {
				if k == name {
					return stand, true
				}
				return prev(k)
			}
		}
		return template.Substitute(value, m)
	}
}

// environment is the process environment plus the project's .env file, as
// Compose uses for interpolation, and the names the .env file set. Values
// never leave this package in messages (see scrub).
func environment(dir string) (env map[string]string, fromFile map[string]bool) {
	env = map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	dotEnv := filepath.Join(dir, ".env")
	// compose-go's dotenv reads the file whole: only a regular file (a pipe
	// would block) of sane size (a huge one is left out, as if absent).
	if st, err := os.Stat(dotEnv); err == nil && st.Mode().IsRegular() && st.Size() <= safefile.DefaultMax {
		if withFile, err := dotenv.GetEnvFromFile(env, []string{dotEnv}); err == nil {
			fromFile = map[string]bool{}
			for k, v := range withFile {
				if old, ok := env[k]; !ok || old != v {
					fromFile[k] = true
				}
			}
			return withFile, fromFile
		}
	}
	return env, nil
}

// lookups records the variables interpolation asked for.
type lookups struct {
	mu    sync.Mutex
	names map[string]bool
}

func (l *lookups) add(name string) {
	l.mu.Lock()
	l.names[name] = true
	l.mu.Unlock()
}

// secrets are the values an error message may quote that could be secret:
// those the .env file set and those interpolated into this project. A value
// that is the project folder or one of its parents is a path, not a secret.
func secrets(env map[string]string, fromFile map[string]bool, looked *lookups, dir string) []string {
	looked.mu.Lock()
	defer looked.mu.Unlock()
	var out []string
	for k, v := range env {
		if !fromFile[k] && !looked.names[k] {
			continue
		}
		if len(v) < minSecret || isPathPrefix(v, dir) {
			continue
		}
		out = append(out, v)
	}
	// Longest first, so a value that contains another is hidden whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

const minSecret = 4

func isPathPrefix(v, dir string) bool {
	if !filepath.IsAbs(v) {
		return false
	}
	v = filepath.Clean(v)
	return dir == v || strings.HasPrefix(dir, strings.TrimSuffix(v, string(filepath.Separator))+string(filepath.Separator))
}

// scrub removes secret values from an error message: compose-go errors may
// quote interpolated text, and it may be a secret.
func scrub(msg string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= minSecret && strings.Contains(msg, v) {
			msg = strings.ReplaceAll(msg, v, "***")
		}
	}
	return msg
}

func projectName(dir string) string {
	name := loader.NormalizeProjectName(filepath.Base(dir))
	if name == "" {
		return "project"
	}
	return name
}

// legacyConfig turns a v1 file into the Compose Spec shape in memory
// (services moved under `services:`, v1-only keys mapped to their successors),
// so compose-go can load it. The file on disk is not touched.
func legacyConfig(f *File) (map[string]any, error) {
	var top map[string]any
	if err := f.Root.Decode(&top); err != nil {
		return nil, &ParseError{Path: f.Path, Msg: err.Error()}
	}
	services := map[string]any{}
	out := map[string]any{"services": services}
	for k, v := range top {
		if topLevelKeys[k] || strings.HasPrefix(k, "x-") {
			if k != "version" {
				out[k] = v
			}
			continue
		}
		svc, ok := v.(map[string]any)
		if !ok {
			continue
		}
		services[k] = upgradeV1Service(svc)
	}
	return out, nil
}

// upgradeV1Service maps the v1 keys the Compose Spec renamed.
func upgradeV1Service(svc map[string]any) map[string]any {
	if net, ok := svc["net"]; ok {
		delete(svc, "net")
		if _, has := svc["network_mode"]; !has {
			svc["network_mode"] = net
		}
	}
	if df, ok := svc["dockerfile"]; ok {
		delete(svc, "dockerfile")
		switch b := svc["build"].(type) {
		case string:
			svc["build"] = map[string]any{"context": b, "dockerfile": df}
		case map[string]any:
			if _, has := b["dockerfile"]; !has {
				b["dockerfile"] = df
			}
		}
	}
	return svc
}

// fileAt returns the parsed file at an absolute path, reading it once.
func (p *Project) fileAt(path string) *File {
	for _, f := range p.Files {
		if f.Path == path {
			return f
		}
	}
	if f, ok := p.extra[path]; ok {
		return f
	}
	var f *File
	src, err := ReadFileLimited(path, p.limits.MaxFileSize)
	if err == nil {
		f, err = ParseFileLimited(path, src, p.limits)
	}
	var le *LimitError
	if (errors.As(err, &le) || errors.Is(err, ErrNotRegular)) && p.refErr == nil {
		p.refErr = err
	}
	p.extra[path] = f
	return f
}

// checkReferenced applies the limits to the files compose-go would open
// itself, `include:` and `extends: file:` targets, before it does: one
// of them that breaks a limit, or is a pipe or device that would block the
// read, stops the load with an error naming it.
// Files that are missing or invalid are left for compose-go to report.
func (p *Project) checkReferenced() error {
	files := append(append([]*File(nil), p.Files...), p.includedFiles()...)
	for _, f := range files {
		svcs := f.ServicesNode()
		if svcs == nil || svcs.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(svcs.Content); i += 2 {
			_, ext := MapGet(svcs.Content[i], "extends")
			_, file := MapGet(ext, "file")
			if file == nil || file.Kind != yaml.ScalarNode || file.Value == "" || strings.Contains(file.Value, "$") {
				continue
			}
			path := file.Value
			if !filepath.IsAbs(path) {
				path = filepath.Join(filepath.Dir(f.Path), path)
			}
			p.fileAt(path)
		}
	}
	return p.refErr
}

// includedFiles lists files pulled in by top-level `include:`, recursively,
// so services defined there can be placed.
func (p *Project) includedFiles() []*File {
	var out []*File
	seen := map[string]bool{}
	var walk func(f *File)
	walk = func(f *File) {
		if f == nil || f.Root == nil || seen[f.Path] {
			return
		}
		seen[f.Path] = true
		_, inc := MapGet(f.Root, "include")
		if inc == nil || inc.Kind != yaml.SequenceNode {
			return
		}
		for _, item := range inc.Content {
			var paths []string
			switch item.Kind {
			case yaml.ScalarNode:
				paths = append(paths, item.Value)
			case yaml.MappingNode:
				_, pv := MapGet(item, "path")
				if pv == nil {
					continue
				}
				if pv.Kind == yaml.ScalarNode {
					paths = append(paths, pv.Value)
				}
				for _, s := range pv.Content {
					paths = append(paths, s.Value)
				}
			}
			for _, rel := range paths {
				if strings.Contains(rel, "$") {
					continue
				}
				abs := rel
				if !filepath.IsAbs(abs) {
					abs = filepath.Join(filepath.Dir(f.Path), rel)
				}
				if inc := p.fileAt(abs); inc != nil {
					out = append(out, inc)
					walk(inc)
				}
			}
		}
	}
	for _, f := range p.Files {
		walk(f)
	}
	return out
}

// safeLoad is compose-go's LoadWithContext with its panics turned into
// errors: without schema validation it panics on some malformed files (such
// as `services: name`), and one broken file must not take down the run.
func safeLoad(details types.ConfigDetails, opt func(*loader.Options)) (model *types.Project, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, fmt.Errorf("compose-go could not load the file (%v)", r)
		}
	}()
	return loader.LoadWithContext(context.Background(), details, opt)
}
