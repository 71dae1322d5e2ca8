// Package dockerfile loads a Dockerfile into stages with positions and works
// out, per stage, what the image it produces holds: a JavaScript runtime
// (Node, Bun, Deno) and application code, each with the instruction that
// brought it in. Parsing is BuildKit's own parser, so heredocs, `# escape=`
// and line continuations behave exactly as in `docker build`.
package dockerfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/safefile"
)

// File is one parsed Dockerfile.
type File struct {
	Path string // as the loader named it
	Src  []byte
	// Origin is where the text is written when it is not a file of its
	// own (a compose file's dockerfile_inline); nil for a Dockerfile.
	Origin *Origin
	Stages []*Stage
	// ReadContext reads a file of the build context by its path there
	// (slash-separated, local), for the scripts a RUN executes
	// (scripts.go); nil when the context is not known. Set it before the
	// facts are first read.
	ReadContext func(name string) ([]byte, bool)
	// MetaArgs are the ARGs declared before the first FROM, with defaults.
	MetaArgs map[string]*string
	escape   rune
	// buildArgs are the build's values (compose build.args): they win
	// over ARG defaults, in FROM lines and inside stages alike.
	buildArgs map[string]string

	// facts memoises Analyze: one File is shared by every service that
	// builds it, and several rules read its facts.
	// modulesOnce memoises ModulesFromContext.
	modulesOnce sync.Once
	modules     bool

	factsMu    sync.Mutex
	facts      []*Facts
	factsExtra string
}

// Origin places a Dockerfile's text inside another file: its first line
// is Line of Path, each line indented by Indent columns (a YAML literal
// block), or, when Flat, every line is at Line (a quoted scalar).
type Origin struct {
	Path         string
	Line, Indent int
	Flat         bool
}

// Place is where line and column of the text are in the file that holds
// it: the File's own path and the same place without an Origin.
func (f *File) Place(line, column int) (path string, l, c int) {
	o := f.Origin
	switch {
	case o == nil:
		return f.Path, line, column
	case o.Flat || line <= 0:
		return o.Path, o.Line, 0
	}
	if column > 0 {
		column += o.Indent
	}
	return o.Path, o.Line + line - 1, column
}

// Stage is one FROM block.
type Stage struct {
	Index int
	Name  string // the AS name, lower-cased as BuildKit does; "" when unnamed
	// Written is the AS name as written (PRD), which findings quote.
	Written string
	// BaseRaw is the FROM argument as written; Base is it with ARGs expanded.
	BaseRaw string
	Base    string
	// BaseStage is the earlier stage this one builds on, or nil for an image.
	BaseStage *Stage
	Line      int // line of the FROM instruction
	Column    int
	Commands  []instructions.Command
	// Unresolved lists ARGs used in FROM that have no value.
	Unresolved []string
	// Platform is FROM --platform with ARGs expanded; "" when absent or
	// when it names one of the build's own platforms ($BUILDPLATFORM).
	Platform string
}

// Root follows FROM <stage> chains to the stage that names an image.
func (s *Stage) Root() *Stage {
	// A stage builds only on earlier ones; the bound is a guard.
	for i := 0; s.BaseStage != nil && i < 256; i++ {
		s = s.BaseStage
	}
	return s
}

// ID is the stage's name as written, or its index when it has none, as
// findings report it.
func (s *Stage) ID() string {
	if s.Written != "" {
		return s.Written
	}
	if s.Name != "" {
		return s.Name
	}
	return strconv.Itoa(s.Index)
}

// ParseError is a Dockerfile that BuildKit refuses, with the line when known.
type ParseError struct {
	Path string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	return analysis.Position{File: e.Path, Line: e.Line}.String() + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrNoInstructions is a Dockerfile that is empty or all comments: a build
// of it fails, but one no build names is a file set aside.
var ErrNoInstructions = errors.New("file with no instructions (empty, or all comments)")

// Parse reads a Dockerfile. buildArgs are values given by the build (compose
// `build.args`); they override ARG defaults when FROM lines are expanded.
func Parse(path string, src []byte, buildArgs map[string]string) (f *File, err error) {
	defer func() {
		// A parser bug must not end the whole run: the file is reported
		// as unreadable, at its path, and the others are judged.
		if r := recover(); r != nil {
			f, err = nil, &ParseError{Path: path, Err: fmt.Errorf("the Dockerfile parser failed on this file: %v", r)}
		}
	}()
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil && strings.Contains(err.Error(), "file with no instructions") {
		return nil, &ParseError{Path: path, Line: lineOf(err), Err: ErrNoInstructions}
	}
	if err != nil {
		line := lineOf(err)
		if n := longLine(src); n > 0 && strings.Contains(err.Error(), "greater than max allowed size") {
			// BuildKit's scanner gives up without saying where.
			line = n
		}
		return nil, parseError(path, line, err, src)
	}
	// BuildKit's instructions.Parse dereferences its linter when a
	// comment holds a check= directive (# check=skip=…): it gets one that
	// runs no rule (no Warn), never nil.
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{SkipAll: true}))
	if err != nil {
		return nil, parseError(path, lineOf(err), err, src)
	}
	if len(stages) == 0 {
		return nil, &ParseError{Path: path, Err: fmt.Errorf("no FROM instruction")}
	}
	f = &File{Path: path, Src: src, MetaArgs: map[string]*string{}, escape: res.EscapeToken, buildArgs: buildArgs}
	for _, ma := range metaArgs {
		for _, kv := range ma.Args {
			f.MetaArgs[kv.Key] = kv.Value
		}
	}
	lex := shell.NewLex(res.EscapeToken)
	env := argEnv(f.MetaArgs, buildArgs)
	byName := map[string]*Stage{}
	for i := range stages {
		st := &stages[i]
		s := &Stage{Index: i, Name: st.Name, Written: writtenName(st), BaseRaw: st.BaseName, Commands: st.Commands}
		if len(st.Location) > 0 {
			s.Line = st.Location[0].Start.Line
		}
		s.Column = FirstColumn(src, s.Line)
		s.Base, s.Unresolved = expand(lex, st.BaseName, env)
		if st.Platform != "" {
			if pl, missing := expand(lex, st.Platform, env); len(missing) == 0 && pl != "" {
				s.Platform = pl
			}
		}
		if prev, ok := byName[strings.ToLower(s.Base)]; ok {
			s.BaseStage = prev
		}
		if s.Name != "" {
			byName[strings.ToLower(s.Name)] = s
		}
		f.Stages = append(f.Stages, s)
	}
	return f, nil
}

// parseError is the parser's error at line, with a hint when the file is
// a compose file saved under a Dockerfile's name.
func parseError(path string, line int, err error, src []byte) *ParseError {
	if composeText(src) {
		err = fmt.Errorf("%w (this file holds a compose file's YAML, not Dockerfile instructions)", err)
	}
	return &ParseError{Path: path, Line: line, Err: err}
}

// composeText reports a text that opens as a compose file does (a services:
// or version: key on a line of its own, before any instruction), for the
// error on a compose file saved under a Dockerfile's name.
func composeText(src []byte) bool {
	for line := range bytes.Lines(src) {
		t := strings.TrimSpace(string(line))
		switch {
		case t == "" || strings.HasPrefix(t, "#") || t == "---":
			continue
		case strings.HasPrefix(t, "services:"), strings.HasPrefix(t, "version:"):
			return true
		}
		return false
	}
	return false
}

// Stage finds a stage by name (case-insensitive) or index; nil if absent.
func (f *File) Stage(ref string) *Stage {
	for _, s := range f.Stages {
		if s.Name != "" && strings.EqualFold(s.Name, ref) {
			return s
		}
	}
	if i, err := strconv.Atoi(ref); err == nil && i >= 0 && i < len(f.Stages) {
		return f.Stages[i]
	}
	return nil
}

// Final is the stage `docker build` produces without --target.
func (f *File) Final() *Stage { return f.Stages[len(f.Stages)-1] }

// argEnv merges ARG defaults with build args, build args winning.
func argEnv(meta map[string]*string, buildArgs map[string]string) map[string]string {
	env := map[string]string{}
	for k, v := range meta {
		if v != nil {
			env[k] = *v
		}
	}
	for k, v := range buildArgs {
		env[k] = v
	}
	return env
}

type mapEnv map[string]string

func (m mapEnv) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }
func (m mapEnv) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// expand resolves ARG references in a FROM argument with BuildKit's own shell
// lexer, so ${A:-b} and friends behave as in a real build. It returns the
// names that had no value.
func expand(lex *shell.Lex, word string, env map[string]string) (string, []string) {
	res, err := lex.ProcessWordWithMatches(word, mapEnv(env))
	if err != nil {
		return word, nil
	}
	var missing []string
	for name := range res.Unmatched {
		missing = append(missing, name)
	}
	return res.Result, missing
}

// ExpandInStage expands ${VAR} in a word with the stage's ARG/ENV values seen
// so far, and removes quotes and escapes as the build's shell-style word
// processing does (WORKDIR '/srv/app' is /srv/app); good enough to resolve
// WORKDIR and COPY paths.
func (f *File) ExpandInStage(word string, env map[string]string) string {
	out, _ := f.expandWord(word, env)
	return out
}

// expandWord is ExpandInStage that also returns the names that had no
// value (they expand to nothing, as in a build).
func (f *File) expandWord(word string, env map[string]string) (string, []string) {
	if !strings.ContainsAny(word, "$'\"") && !strings.ContainsRune(word, f.escape) {
		return word, nil
	}
	return expand(shell.NewLex(f.escape), word, env)
}

// FirstColumn is the 1-based column of the first non-blank byte of a line;
// BuildKit reports lines only.
func FirstColumn(src []byte, line int) int {
	start := LineStart(src, line)
	if start < 0 {
		return 1
	}
	for i := start; i < len(src) && src[i] != '\n'; i++ {
		if src[i] != ' ' && src[i] != '\t' {
			return i - start + 1
		}
	}
	return 1
}

// LineStart is the byte offset where a 1-based line starts, -1 past the end.
func LineStart(src []byte, line int) int {
	if line <= 1 {
		return 0
	}
	n := 1
	for i, b := range src {
		if b == '\n' {
			n++
			if n == line {
				return i + 1
			}
		}
	}
	return -1
}

// lineOf digs the line number out of a BuildKit error, which carries it in
// a wrapped location error rather than a field of its own.
func lineOf(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		return le.Locations[0][0].Start.Line
	}
	var ue *instructions.UnknownInstructionError
	if errors.As(err, &ue) {
		return ue.Line
	}
	if m := onLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var onLine = regexp.MustCompile(`on line (\d+)`)

// longLine is the 1-based number of the first line BuildKit's scanner
// cannot hold (longer than bufio.MaxScanTokenSize-1 bytes), or 0.
func longLine(src []byte) int {
	for n := 1; len(src) > 0; n++ {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			i = len(src)
		}
		if i >= bufio.MaxScanTokenSize {
			return n
		}
		src = src[min(i+1, len(src)):]
	}
	return 0
}

// CodeDockerfilePath names the code-only Dockerfile decouple's split
// generates beside a Dockerfile: Dockerfile -> Dockerfile.code,
// api.Dockerfile -> api.code.Dockerfile.
func CodeDockerfilePath(path string) string {
	dir, name := filepath.Dir(path), filepath.Base(path)
	const ext = ".dockerfile"
	if strings.HasSuffix(strings.ToLower(name), ext) {
		cut := len(name) - len(ext)
		return filepath.Join(dir, name[:cut]+".code"+name[cut:])
	}
	return filepath.Join(dir, name+".code")
}

// GeneratedMarker starts the comment decouple writes into a generated
// code-only Dockerfile, followed by the source Dockerfile's name.
const GeneratedMarker = "# Generated by decouple from "

// Superseded reports whether a Dockerfile has been split by decouple: its
// generated code-only Dockerfile exists beside it and names it. It then is
// the recipe the code image copies, not an image anything runs.
func Superseded(path string) bool {
	data, err := safefile.Read(CodeDockerfilePath(path), 0)
	if err != nil {
		return false
	}
	return bytes.Contains(data, []byte(GeneratedMarker+filepath.Base(path)+":"))
}

// IsGenerated reports whether a Dockerfile is one decouple generated (a
// code Dockerfile, with its runtime stages).
func IsGenerated(path string, src []byte) bool {
	return bytes.Contains(src, []byte(GeneratedMarker))
}

// writtenName is a stage's AS name as its FROM line writes it: BuildKit
// lower-cases Name, and `FROM node AS PRD` is built as `--target PRD`.
func writtenName(st *instructions.Stage) string {
	w := strings.Fields(st.SourceCode)
	if n := len(w); st.Name != "" && n >= 4 && strings.EqualFold(w[n-2], "as") && strings.EqualFold(w[n-1], st.Name) {
		return w[n-1]
	}
	return st.Name
}

// ModulesFromContext reports a Dockerfile that copies the whole build
// context and installs no dependencies anywhere after a package manifest
// arrives (RUN npm install before COPY . ., or none at all): its
// node_modules are the ones the context holds, so an ignore file that keeps
// them out leaves the image without dependencies. A file that installs in
// some stage (a deps stage whose node_modules a later stage copies before
// its COPY . .) gets them from the build, where the host's would only
// overwrite them. A code-only image's stages (scratch, tianon/true) do not
// count.
func (f *File) ModulesFromContext() bool {
	// DC002 asks for each build context and the split for each service:
	// the answer is the file's, read once.
	f.modulesOnce.Do(func() { f.modules = f.modulesFromContext() })
	return f.modules
}

func (f *File) modulesFromContext() bool {
	type state struct{ manifest bool }
	states := make([]state, len(f.Stages))
	whole := false
	for i, st := range f.Stages {
		var s state
		if st.BaseStage != nil {
			s = states[st.BaseStage.Index]
		}
		if IsScratchLike(st.Root().Base) {
			// A code-only image (FROM tianon/true): its runtime installs
			// what the app needs, as decouple's own do.
			continue
		}
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					// Another stage's files may hold the manifest (turbo
					// prune's out/json).
					s.manifest = true
				}
			case *instructions.RunCommand:
				for _, script := range RunScripts(c) {
					for _, cmd := range Commands(script) {
						if s.manifest && cmd.Kind == ProjectInstall {
							return false
						}
					}
				}
			}
			for _, p := range contextPaths(cmd) {
				if p == "" {
					whole, s.manifest = true, true
					continue
				}
				if ok, _ := path.Match(path.Base(p), "package.json"); ok {
					s.manifest = true
				}
			}
		}
		states[i] = s
	}
	return whole
}

// contextPaths are the sources a COPY or ADD takes from the build context,
// cleaned and relative to it ("" for the context itself); none for other
// instructions and COPY --from.
func contextPaths(cmd instructions.Command) []string {
	var srcs []string
	switch c := cmd.(type) {
	case *instructions.CopyCommand:
		if c.From == "" {
			srcs = c.SourcePaths
		}
	case *instructions.AddCommand:
		srcs = c.SourcePaths
	}
	out := make([]string, len(srcs))
	for i, src := range srcs {
		out[i] = path.Clean("/" + strings.TrimSpace(src))[1:]
	}
	return out
}

// CopiesFromContext reports whether a COPY or ADD of the build context
// names the top-level entry name, or something inside it, as a source
// (`COPY node_modules node_modules`, `ADD ./.git/HEAD /rev`): an ignore
// file that leaves it out would break that build. Wildcards count when
// they match the name; `COPY . .` names nothing in particular.
func (f *File) CopiesFromContext(name string) bool {
	for _, st := range f.Stages {
		for _, cmd := range st.Commands {
			for _, p := range contextPaths(cmd) {
				first, _, _ := strings.Cut(p, "/")
				if first == name {
					return true
				}
				if ok, err := path.Match(first, name); err == nil && ok && first != "*" {
					return true
				}
			}
		}
	}
	return false
}
