// Package compose loads a compose project: compose-go gives its meaning
// (overrides, extends, include, profiles, anchors, interpolation) and a
// yaml.Node parse of the same bytes gives the positions compose-go does not
// keep. Compose v1 files (services at the top level, fig.yml) load too.
package compose

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/dotenv"
	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/schema"
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
	Dir   string  // project directory (of the first file, or Limits.ProjectDir), absolute
	Files []*File // the files named, in order
	// Model is compose-go's view; nil when it could not load at all.
	Model *types.Project
	// Unresolved lists required variables (${X:?}) that had no value and
	// were given a placeholder so the rest could be judged. Names only.
	Unresolved []string
	// Degraded says what compose-go could not do, when it had to be
	// retried without validation, extends or include; DegradedAt is where
	// a file says what it refused, when that could be found.
	Degraded   string
	DegradedAt Position
	// Fast says the fast path loaded it (see fast.go), not compose-go.
	Fast bool
	// FastMiss names the key (as a path, services.*.KEY for a service's
	// key) the fast path could not model, when it gave up; "" otherwise.
	FastMiss string
	// EnvFallback names the committed example (.env.example, ...) read for
	// interpolation because the project has no .env; "" otherwise.
	EnvFallback string
	// Refused are files the project would read that were not read because
	// they lead out of the working folder through a symlink (a .env):
	// *os.PathError values naming each, wrapping safefile.ErrOutside or
	// safefile.ErrLoop. The load went on without them.
	Refused []error

	// fastDegraded is the consistency error compose-go would stop at, when
	// the fast path loaded the project as compose-go's retry would.
	fastDegraded error

	extra  map[string]*File // files reached through include/extends, by path
	limits Limits
	refErr error             // the first referenced file that broke a limit or is no file
	env    map[string]string // the interpolation environment, for referenced paths
}

// LoadLimited reads and loads a project from its files (absolute paths). A
// file that breaks a limit is refused with a *LimitError naming it.
func LoadLimited(paths []string, lim Limits) (*Project, error) {
	return load(paths, lim, nil, false)
}

// Check loads a project the way `docker compose config` would judge it:
// with compose-go alone (never the fast path), schema validation and the
// consistency check on, extends and include resolved. overlay gives the
// content of files by absolute path in place of what is on disk (a file
// there need not exist yet); files it does not name are read from disk,
// as are the files extends and include reach. A required variable with no
// value gets a placeholder, as in a lint: its value is the environment's
// business. The error names the file and line when the YAML does not
// parse, and never quotes an interpolated value.
func Check(paths []string, overlay map[string][]byte, lim Limits) error {
	_, err := load(paths, lim, overlay, true)
	return err
}

// load is LoadLimited, reading overlay contents first; strict loads with
// compose-go's full validation only, with no fallback.
func load(paths []string, lim Limits, overlay map[string][]byte, strict bool) (*Project, error) {
	silence()
	lim = lim.withDefaults()
	if strict && !lim.KeepDuplicateKeys {
		lim.RefuseDuplicateKeys = true
	}
	p := &Project{Dir: filepath.Dir(paths[0]), extra: map[string]*File{}, limits: lim}
	if lim.ProjectDir != "" {
		p.Dir = lim.ProjectDir
	}
	for _, path := range paths {
		src, ok := overlay[path]
		var err error
		if !ok {
			src, err = lim.ReadFile(path)
		}
		if err != nil {
			return nil, err
		}
		f, err := ParseFileLimited(path, src, lim)
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, f)
	}
	env, fromFile, envFile, refused := environment(p.Dir)
	p.env = env
	if err := p.checkReferenced(); err != nil {
		return nil, err
	}
	p.EnvFallback = envFile
	if refused != nil {
		p.Refused = append(p.Refused, refused)
	}
	details := types.ConfigDetails{WorkingDir: p.Dir, Environment: env}
	looked := &lookups{names: map[string]bool{}}
	lookup := func(name string) (string, bool) {
		looked.add(name)
		return details.LookupEnv(name)
	}
	for _, f := range p.Files {
		cf := types.ConfigFile{Filename: f.Path, Content: f.Src}
		if (len(f.Duplicates) > 0 || f.Template) && !f.Legacy {
			// compose-go would parse the bytes and refuse them: it gets
			// the tree as Compose v1 read it, the last of each key kept,
			// or a template's with its placeholders as plain names.
			var top map[string]any
			if err := f.Root.Decode(&top); err != nil {
				return nil, &ParseError{Path: f.Path, Msg: err.Error()}
			}
			cf = types.ConfigFile{Filename: f.Path, Config: top}
		}
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
	kinds := &standIns{kinds: fieldKinds(p.Files)}
	if envFile != "" {
		kinds.examples = fromFile
	}
	attempts := []struct {
		why  string
		opts func(*loader.Options)
	}{
		{"", func(*loader.Options) {}},
		{"the project does not validate (docker compose would refuse it); loaded without validation", func(o *loader.Options) {
			o.SkipValidation, o.SkipConsistencyCheck = true, true
		}},
		{"extends/include could not be resolved; loaded without them", func(o *loader.Options) {
			o.SkipValidation, o.SkipConsistencyCheck, o.SkipExtends, o.SkipInclude = true, true, true, true
		}},
	}
	if strict {
		attempts = attempts[:1]
	}
	var firstErr error
	if !lim.NoFastPath && !strict {
		p.Model = p.fastLoad(env, lookup, unresolved, kinds)
		p.Fast = p.Model != nil
		if p.Fast && p.fastDegraded != nil {
			p.Degraded = attempts[1].why + ": " + scrub(p.fastDegraded.Error(), secrets(env, fromFile, looked, p.Dir))
			p.DegradedAt = position(p.fastDegraded.Error(), p.Files)
		}
	}
	for i, a := range attempts {
		if p.Model != nil {
			break
		}
		model, err := safeLoad(details, func(o *loader.Options) {
			o.SetProjectName(projectName(p.Dir), true)
			o.Profiles = []string{"*"}
			o.SkipResolveEnvironment = true
			o.SkipResolveLabels = true
			// Paths made absolute serve the lint; a check has no use for
			// them, and resolving them is a fifth of compose-go's time.
			o.ResolvePaths = !strict
			// compose-go counts every node it visits, aliased or not,
			// against the same default: raising our limit raises its.
			o.MaxNodeVisits = max(lim.MaxAliasNodes, DefaultMaxAliasNodes)
			// Keep compose-go's type casts (ToOptions sets them).
			ip := interp.Options{}
			if o.Interpolate != nil {
				ip = *o.Interpolate
			}
			ip.LookupValue, ip.Substitute = lookup, tolerantSubstitute(unresolved, kinds)
			o.Interpolate = &ip
			a.opts(o)
		})
		if err == nil {
			p.Model = model
			if firstErr != nil && i == 1 {
				// Only a model loaded with its extends and includes can
				// be checked again: without them a service that gets its
				// image through extends would look broken.
				firstErr = stableDegraded(firstErr, model, p.Files)
			}
			if firstErr != nil {
				p.Degraded = a.why + ": " + scrub(oneLine(firstErr.Error()), secrets(env, fromFile, looked, p.Dir))
				p.DegradedAt = position(firstErr.Error(), p.Files)
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
		if errors.Is(firstErr, errPanicked) {
			// compose-go panicked before it validated: the schema says
			// what it choked on, by its path in the file.
			if why := schemaReason(p.Files); why != nil {
				firstErr = why
			}
		}
		msg, f, line, col := firstPlace(firstErr.Error(), p.Files)
		err := &LoadError{Msg: scrub(msg, secrets(env, fromFile, looked, p.Dir)), Unresolved: p.Unresolved}
		if f != nil {
			err.Path, err.Line, err.Column = f.Path, line, col
		}
		return p, err
	}
	return p, nil
}

// firstPlace is a load error on one line (oneLine), its causes in the
// order of the places they name in the files, and the first of those
// places. compose-go lists the causes of a decoder error in map order,
// which changes from run to run: the line reported, and the message,
// would too.
func firstPlace(msg string, files []*File) (string, *File, int, int) {
	causes := strings.Split(oneLine(msg), "; ")
	if len(causes) < 2 {
		f, line, col := locate(msg, files)
		return oneLine(msg), f, line, col
	}
	type placed struct {
		text           string
		file, line, cl int
	}
	ps := make([]placed, len(causes))
	for i, c := range causes {
		ps[i] = placed{text: c, file: len(files)}
		if f, line, col := locate(c, files); f != nil {
			ps[i].file, ps[i].line, ps[i].cl = slices.Index(files, f), line, col
		}
	}
	slices.SortStableFunc(ps, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line), cmp.Compare(a.cl, b.cl), strings.Compare(a.text, b.text))
	})
	for i, pl := range ps {
		causes[i] = pl.text
	}
	one := strings.Join(causes, "; ")
	if ps[0].file == len(files) {
		f, line, col := locate(one, files)
		return one, f, line, col
	}
	return one, files[ps[0].file], ps[0].line, ps[0].cl
}

// oneLine puts a decoder error on one line: mapstructure heads its list of
// causes with a line of its own and a blank one ("decoding failed due to
// the following error(s):"), which would leave a diagnostic with no reason
// on its first line.
func oneLine(msg string) string {
	var causes []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasSuffix(l, "following error(s):") {
			causes = append(causes, l)
		}
	}
	return strings.Join(causes, "; ")
}

// LoadError is a project compose-go could not load. When required
// variables were unset it is a note, not a failure: the values decide, and
// the lint cannot know them.
type LoadError struct {
	Msg        string
	Unresolved []string
	// Path, Line and Column are where the file says what the message
	// refuses, when its model path could be found there (else "", 0).
	Path         string
	Line, Column int
}

func (e *LoadError) Error() string {
	if len(e.Unresolved) > 0 {
		verb := "is"
		if len(e.Unresolved) > 1 {
			verb = "are"
		}
		return fmt.Sprintf("not judged: it needs %s, which %s unset (%s)", strings.Join(e.Unresolved, ", "), verb, e.Msg)
	}
	return e.Msg
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

// standIn is the type a compose field expects, for a stand-in value.
type standIn int

const (
	untyped standIn = iota
	portField
	numberField
	durationField
	boolField
	// mountField is a service's volume: short syntax (src:dst) or a long
	// syntax source, where an empty source breaks the load.
	mountField
)

// standIns says what stands in for variables: the kind of field each
// value is written in, and which variables took their value from an
// example file (.env.example) rather than a real .env or the environment.
type standIns struct {
	kinds    map[string]standIn
	examples map[string]bool
}

var (
	portText     = regexp.MustCompile(`^[0-9.:\-\[\]a-fA-F/]*[0-9]$`)
	numberText   = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?([bkmgtBKMGT][bB]?)?$`)
	durationText = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$`)
)

// validFor reports whether a substituted value fits the field's type.
func validFor(kind standIn, v string) bool {
	switch kind {
	case portField:
		return v == "" || portText.MatchString(v)
	case numberField:
		return numberText.MatchString(v)
	case durationField:
		return durationText.MatchString(v)
	case boolField:
		switch strings.ToLower(v) {
		case "true", "false", "yes", "no", "on", "off", "y", "n":
			return true
		}
		return false
	}
	return true
}

// standInFor is the stand-in for an unset variable in a value of the given
// kind. A plain ${X} in an untyped field stays "", as Compose substitutes;
// a required ${X:?} keeps placeholderFor's stand-in.
func standInFor(kind standIn, value, name string, required bool) string {
	switch kind {
	case portField:
		return placeholderFor(value, name)
	case numberField:
		return "1"
	case durationField:
		return "1s"
	case boolField:
		return "false"
	case mountField:
		i := strings.Index(value, "${"+name)
		if i < 0 {
			i = strings.Index(value, "$"+name)
		}
		switch {
		case i == 0 || i > 0 && value[i-1] == ':':
			// A host path stands in for a source that lives in an
			// uncommitted env file (a name would be a named volume
			// the file does not declare), and an absolute path for a
			// target (./${SRC}:${DEST}).
			return "/unset-" + name
		case i > 0:
			return "unset-" + name // a part of a path (./${APP_DIR})
		}
	}
	if required {
		return placeholderFor(value, name)
	}
	return ""
}

// Fields by the type Compose decodes them to. A value there that is only
// an unset variable would make the whole project fail to load
// ("No port specified", "missing unit in duration"), which is the normal
// state of a checkout whose .env is git-ignored.
var (
	durationKeys = map[string]bool{
		"interval": true, "timeout": true, "start_period": true, "start_interval": true,
		"stop_grace_period": true, "delay": true, "window": true, "monitor": true,
	}
	boolKeys = map[string]bool{
		"read_only": true, "privileged": true, "init": true, "tty": true, "stdin_open": true,
		"oom_kill_disable": true, "external": true, "internal": true, "attachable": true,
		"enable_ipv4": true, "enable_ipv6": true, "disable": true, "required": true,
		"use_api_socket": true, "nocopy": true, "create_host_path": true,
	}
	numberKeys = map[string]bool{
		"scale": true, "replicas": true, "cpu_count": true, "cpu_percent": true, "cpu_shares": true,
		"cpu_period": true, "cpu_quota": true, "cpu_rt_period": true, "cpu_rt_runtime": true,
		"cpus": true, "pids_limit": true, "oom_score_adj": true, "mem_swappiness": true,
		"retries": true, "parallelism": true, "max_attempts": true, "priority": true,
		"weight": true, "max_replicas_per_node": true,
		"mem_limit": true, "memswap_limit": true, "mem_reservation": true, "shm_size": true,
		"memory": true, "size": true, "published": true, "target": true,
	}
)

// fieldKind reads a field's type from its key path (list items skipped).
func fieldKind(keys []string) standIn {
	if len(keys) == 0 {
		return untyped
	}
	last := keys[len(keys)-1]
	under := func(k string) bool { return slices.Contains(keys[:len(keys)-1], k) }
	switch {
	case last == "ports" || last == "expose" || under("ports"):
		if last == "target" || last == "published" || last == "ports" || last == "expose" {
			return portField
		}
		return untyped
	case last == "restart":
		if under("depends_on") {
			return boolField
		}
		return untyped
	case last == "volumes" && under("services") || last == "source" && under("volumes") && under("services"):
		return mountField
	case last == "target" || last == "published":
		return untyped // volume and secret targets are paths
	case durationKeys[last]:
		return durationField
	case boolKeys[last]:
		return boolField
	case numberKeys[last] || under("ulimits"):
		return numberField
	}
	return untyped
}

// fieldKinds maps each scalar that mentions a variable to the kind of the
// field it is written in, reading the files' own YAML trees. Substitution
// sees only the value, so the value is the key; a value written in fields
// of two kinds keeps the first typed one.
func fieldKinds(files []*File) map[string]standIn {
	kinds := map[string]standIn{}
	var walk func(n *yaml.Node, keys []string, depth int)
	walk = func(n *yaml.Node, keys []string, depth int) {
		if n == nil || depth > 64 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, keys, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], append(keys[:len(keys):len(keys)], n.Content[i].Value), depth+1)
			}
		case yaml.ScalarNode:
			if strings.Contains(n.Value, "$") {
				if k := fieldKind(keys); k != untyped || kinds[n.Value] == untyped {
					if _, seen := kinds[n.Value]; !seen || kinds[n.Value] == untyped {
						kinds[n.Value] = k
					}
				}
			}
		}
	}
	for _, f := range files {
		walk(f.Root, nil, 0)
	}
	return kinds
}

// tolerantSubstitute is compose-go's substitution, except that a variable
// with no value never stops the load: a required one (${X:?msg}) and a
// plain one (${X}, $X) in a typed field (ports, numbers, durations, sizes,
// booleans) get a stand-in that keeps the field valid. Their names are
// recorded so the lint can say what it did not know.
func tolerantSubstitute(unresolved map[string]bool, si *standIns) func(string, template.Mapping) (string, error) {
	return func(value string, mapping template.Mapping) (string, error) {
		kind := si.kinds[value]
		repl := func(sub string, m template.Mapping, cfg *template.Config) (string, error) {
			v, applied, err := template.DefaultReplacementAppliedFunc(sub, m, cfg)
			var missing *template.MissingRequiredError
			if errors.As(err, &missing) {
				unresolved[missing.Variable] = true
				return standInFor(kind, value, missing.Variable, true), nil
			}
			name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(sub, "$"), "{"), "}")
			if err == nil && applied && si.examples[name] && (!validFor(kind, v) || v == "" && kind != untyped) {
				// A value from .env.example is an example ("db_port_number",
				// or left empty for the user to fill in): where it does not
				// fit the field, a stand-in does.
				unresolved[name] = true
				return standInFor(kind, value, name, true), nil
			}
			if err != nil || applied {
				return v, err
			}
			// A plain ${X} or $X whose variable is unset.
			if name == "" || strings.ContainsAny(name, ":-+?{}$") {
				return v, nil
			}
			if stand := standInFor(kind, value, name, false); stand != "" {
				unresolved[name] = true
				return stand, nil
			}
			return v, nil
		}
		return template.SubstituteWithOptions(value, mapping, template.WithReplacementFunction(repl), template.WithoutLogging)
	}
}

// envFallbacks are the committed examples of a git-ignored .env, read in
// this order when .env itself is absent: a fresh checkout has only them.
var envFallbacks = []string{".env.example", ".env.sample", ".env.dist", ".env.template", ".env.defaults"}

// environment is the process environment plus the project's .env file, as
// Compose uses for interpolation, and the names the .env file set. When
// there is no .env, the first of envFallbacks found stands in for it, and
// envFile names it. Values never leave this package in messages (see
// scrub).
//
// refused is a .env that was not read because it leads out of the working
// folder (a *os.PathError naming it); nil otherwise.
func environment(dir string) (env map[string]string, fromFile map[string]bool, envFile string, refused error) {
	env = map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	// ${PWD} is the folder compose runs in, as the shell says. A program
	// started from another (a git hook runs at the top of the repository,
	// a runner sets the working folder and leaves PWD alone) inherits a PWD
	// that names somewhere else: the shell would say the working folder.
	if wd, err := os.Getwd(); err == nil && env["PWD"] != wd {
		env["PWD"] = wd
	}
	names := append([]string{".env"}, envFallbacks...)
	for i, name := range names {
		path := filepath.Join(dir, name)
		// compose-go's dotenv reads the file whole: only a regular file (a
		// pipe would block) of sane size (a huge one is left out, as if
		// absent).
		st, err := os.Lstat(path)
		if err != nil {
			continue
		}
		if i == 0 && st.Mode()&os.ModeSymlink != 0 {
			// A .env symlink is followed only inside the working folder
			// (safefile.Check): one that leads out is not read, as if
			// absent, and said.
			if err := safefile.Check(path); err != nil {
				return env, nil, "", err
			}
			st, err = os.Stat(path)
			if err != nil {
				continue
			}
		}
		if !st.Mode().IsRegular() || st.Size() > safefile.DefaultMax {
			if i == 0 {
				return env, nil, "", nil
			}
			continue
		}
		withFile, err := dotenv.GetEnvFromFile(env, []string{path})
		if err != nil {
			if i == 0 {
				return env, nil, "", nil
			}
			continue
		}
		// The shell's environment wins over the file, as in Compose;
		// GetEnvFromFile returns the file's values alone.
		fromFile = map[string]bool{}
		for k, v := range withFile {
			if _, ok := env[k]; !ok {
				env[k] = v
				fromFile[k] = true
			}
		}
		if i > 0 {
			envFile = name
		}
		return env, fromFile, envFile, nil
	}
	return env, nil, "", nil
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
		if strings.HasPrefix(k, "COMPOSE_") {
			// Compose's own settings (the loader writes the project
			// name, the folder's, into COMPOSE_PROJECT_NAME): hiding
			// them would mask paths in every message.
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
	src, err := p.limits.ReadFile(path)
	if err == nil {
		f, err = ParseFileLimited(path, src, p.limits)
	}
	var le *LimitError
	if (errors.As(err, &le) || errors.Is(err, ErrNotRegular) || errors.Is(err, safefile.ErrOutside) || errors.Is(err, safefile.ErrLoop)) && p.refErr == nil {
		// compose-go would open the file itself, with no limit and
		// wherever a symlink leads: the load stops here, naming it.
		p.refErr = err
	}
	p.extra[path] = f
	return f
}

// checkReferenced applies the limits to the files compose-go would open
// itself, `include:` and `extends: file:` targets (and theirs in turn),
// before it does: one of them that breaks a limit, is a pipe or device
// that would block the read, or leads out of the working folder through a
// symlink, stops the load with an error naming it.
// Files that are missing or invalid are left for compose-go to report.
func (p *Project) checkReferenced() error {
	files := append(append([]*File(nil), p.Files...), p.includedFiles()...)
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Path] = true
	}
	for i := 0; i < len(files); i++ {
		f := files[i]
		svcs := f.ServicesNode()
		if svcs == nil || svcs.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(svcs.Content); i += 2 {
			_, ext := MapGet(svcs.Content[i], "extends")
			_, file := MapGet(ext, "file")
			if file == nil || file.Kind != yaml.ScalarNode || file.Value == "" {
				continue
			}
			path, ok := p.expandPath(file.Value)
			if !ok {
				continue
			}
			if !filepath.IsAbs(path) {
				path = filepath.Join(filepath.Dir(f.Path), path)
			}
			if ef := p.fileAt(path); ef != nil && !seen[ef.Path] {
				// The base may extend from a file of its own.
				seen[ef.Path] = true
				files = append(files, ef)
			}
		}
	}
	return p.refErr
}

// expandPath interpolates a referenced file's path (`include: ${DIR}/x.yml`)
// as compose-go will before it opens the file, so the same checks apply to
// it. ok is false when the path cannot be told (a syntax compose-go will
// report, a required variable with no value) or comes out empty.
func (p *Project) expandPath(path string) (string, bool) {
	if !strings.Contains(path, "$") {
		return path, true
	}
	out, err := template.Substitute(path, func(name string) (string, bool) {
		v, ok := p.env[name]
		return v, ok
	})
	return out, err == nil && out != ""
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
				rel, ok := p.expandPath(rel)
				if !ok {
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

// errPanicked marks a load that compose-go gave up on with a panic.
var errPanicked = errors.New("compose-go could not load the file")

// schemaReason validates each file as it is written against the Compose
// schema, and returns the first refusal, naming the file.
func schemaReason(files []*File) error {
	for _, f := range files {
		var doc map[string]any
		if yaml.Unmarshal(f.Src, &doc) != nil || doc == nil {
			continue
		}
		if err := schema.Validate(doc); err != nil {
			return fmt.Errorf("validating %s: %w", f.Path, err)
		}
	}
	return nil
}

// safeLoad is compose-go's LoadWithContext with its panics turned into
// errors: without schema validation it panics on some malformed files (such
// as `services: name`), and one broken file must not take down the run.
func safeLoad(details types.ConfigDetails, opt func(*loader.Options)) (model *types.Project, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, fmt.Errorf("%w (%v)", errPanicked, r)
		}
	}()
	return loader.LoadWithContext(context.Background(), details, opt)
}

// ScrubEnv removes from a message every value of the environment Compose
// would interpolate with in dir (the process environment and dir's .env):
// for messages of tools that do not say which variables they read, such
// as `docker compose config`.
func ScrubEnv(dir, msg string) string {
	env, fromFile, _, _ := environment(dir)
	looked := &lookups{names: map[string]bool{}}
	for k := range env {
		looked.names[k] = true
	}
	return scrub(msg, secrets(env, fromFile, looked, dir))
}
