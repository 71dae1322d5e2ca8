package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// File is one compose file as written: its bytes and a yaml.Node tree that
// carries the line and column of every key. compose-go keeps no positions,
// so findings are placed with this tree.
type File struct {
	Path string // absolute
	Src  []byte
	Root *yaml.Node // the document's top mapping; nil for an empty file
	// Legacy is set for a Compose v1 layout: services at the top level.
	Legacy bool
	// Template says the file is a project template whose {{ placeholders }}
	// YAML refuses: it was read with each as a plain name.
	Template bool
	// Duplicates are the keys given again later in their mapping, dropped
	// from Root as Compose v1 dropped them (Limits.RefuseDuplicateKeys).
	Duplicates []Duplicate

	startsOnce sync.Once
	starts     []int
}

// LineStarts is LineStarts(f.Src), computed once: every fix planned in the
// file needs it. Callers must not modify the slice.
func (f *File) LineStarts() []int {
	f.startsOnce.Do(func() { f.starts = LineStarts(f.Src) })
	return f.starts
}

// LineStarts returns the byte offset of every line start; a final newline
// starts no line.
func LineStarts(src []byte) []int {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// Pos is a 1-based position in a compose file.
type Pos struct {
	File   *File
	Line   int
	Column int
}

// ParseError is a compose file that is not valid YAML, or not a mapping.
type ParseError struct {
	Path string
	Line int
	Msg  string
	// Template says a template placeholder ({{ name }}, {% tag %}) sits
	// at the line YAML refused, or one beside it (yaml.v3 may name the
	// line before): the file is a project template, not yet rendered.
	Template bool
}

func (e *ParseError) Error() string {
	return analysis.Position{File: e.Path, Line: e.Line}.String() + ": " + e.Msg
}

// ParseFile parses compose bytes into a position tree, within the default
// Limits.
func ParseFile(path string, src []byte) (*File, error) {
	return ParseFileLimited(path, src, Limits{})
}

// ParseFileLimited parses compose bytes into a position tree. A document
// that breaks a limit (size, nesting depth, alias expansion) is refused
// with a *LimitError, before compose-go sees it.
func ParseFileLimited(path string, src []byte, lim Limits) (*File, error) {
	lim = lim.withDefaults()
	if int64(len(src)) > lim.MaxFileSize {
		return nil, &LimitError{Path: path, Flag: "max-file-size",
			Msg: fmt.Sprintf("file is larger than the limit of %d bytes (%d bytes)", lim.MaxFileSize, len(src))}
	}
	f := &File{Path: path, Src: src}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		// A project template (cookiecutter, django startproject) with a
		// placeholder where YAML wants a plain value: read with each
		// placeholder as a name of the same length, so every position
		// holds. The file is still what the template renders. (Not in a
		// check as Compose v2's, which reads the bytes as they are.)
		plain := placeholder.ReplaceAllFunc(src, plainPlaceholder)
		doc = yaml.Node{}
		if lim.RefuseDuplicateKeys || bytes.Equal(plain, src) || yaml.NewDecoder(bytes.NewReader(plain)).Decode(&doc) != nil {
			return nil, templateError(yamlError(path, src, err), src, !bytes.Equal(plain, src))
		}
		f.Template = true
	}
	if len(doc.Content) == 0 {
		return f, nil
	}
	root := doc.Content[0]
	dups, err := checkTree(path, root, lim)
	if err != nil {
		return nil, err
	}
	f.Duplicates = dups
	if root.Kind != yaml.MappingNode {
		return nil, &ParseError{Path: path, Line: root.Line, Msg: "top-level object must be a mapping"}
	}
	f.Root = root
	f.Legacy = isLegacy(root)
	return f, nil
}

// templateError marks a YAML error at a placeholder of a file that holds
// some.
func templateError(err error, src []byte, placeholders bool) error {
	var pe *ParseError
	if !placeholders || !errors.As(err, &pe) || pe.Line <= 0 {
		return err
	}
	lines := bytes.Split(src, []byte("\n"))
	for _, l := range lines[max(pe.Line-2, 0):min(pe.Line+1, len(lines))] {
		if placeholder.Match(l) {
			pe.Template = true
		}
	}
	return err
}

// placeholder is a template placeholder written on one line: {{ name }}
// or {% tag %}.
var placeholder = regexp.MustCompile(`\{\{[^\n{}]*\}\}|\{%[^\n{}]*%\}`)

// plainPlaceholder writes a placeholder as a plain name of its length:
// {{project_name}} becomes __project_name__.
func plainPlaceholder(p []byte) []byte {
	out := make([]byte, len(p))
	for i, b := range p {
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
			out[i] = b
		default:
			out[i] = '_'
		}
	}
	return out
}

// yamlError turns yaml.v3's "yaml: line N: msg" into a located error.
// When the line is indented with a tab, it says so: yaml.v3's message
// ("found character that cannot start any token") does not.
func yamlError(path string, src []byte, err error) error {
	line, msg := YAMLErrorLine(err)
	if line > 0 {
		lines := bytes.SplitN(src, []byte("\n"), line+1)
		if len(lines) >= line {
			l := lines[line-1]
			indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				msg += " (the line is indented with a tab: YAML indents with spaces only)"
			}
		}
	}
	return &ParseError{Path: path, Line: line, Msg: "invalid YAML: " + msg}
}

// YAMLErrorLine splits a yaml.v3 error ("yaml: line N: msg") into its line
// (0 when it names none) and message.
func YAMLErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
	}
	return line, msg
}

// topLevelKeys of the Compose Specification; anything else at the top of
// a file without `services:` is a v1 service.
var topLevelKeys = map[string]bool{
	"version": true, "services": true, "networks": true, "volumes": true, "configs": true,
	"secrets": true, "include": true, "name": true, "models": true,
}

// isLegacy recognises the Compose v1 layout: no `services:` key and at
// least one top-level mapping that looks like a service.
func isLegacy(root *yaml.Node) bool {
	if k, _ := MapGet(root, "services"); k != nil {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, resolveAlias(root.Content[i+1])
		if topLevelKeys[key] || strings.HasPrefix(key, "x-") || val.Kind != yaml.MappingNode {
			continue
		}
		for _, k := range []string{"image", "build", "extends", "command"} {
			if kn, _ := MapGet(val, k); kn != nil {
				return true
			}
		}
	}
	return false
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// MapGet finds a key in a mapping node, looking through `<<` merge keys as
// Compose does. It returns the key and value nodes, or nils.
func MapGet(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = resolveAlias(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return m.Content[i], m.Content[i+1]
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		src := resolveAlias(m.Content[i+1])
		if src.Kind == yaml.SequenceNode {
			for _, s := range src.Content {
				if k, v := MapGet(s, key); k != nil {
					return k, v
				}
			}
		} else if k, v := MapGet(src, key); k != nil {
			return k, v
		}
	}
	return nil, nil
}

// ServicesNode is the mapping that holds the services: `services:` or, in
// the v1 layout, the top level itself.
func (f *File) ServicesNode() *yaml.Node {
	if f.Root == nil {
		return nil
	}
	if f.Legacy {
		return f.Root
	}
	_, v := MapGet(f.Root, "services")
	return resolveAlias(v)
}

// ServiceNode returns the key and value nodes of one service.
func (f *File) ServiceNode(name string) (k, v *yaml.Node) {
	if k, v = f.serviceEntry(name); v != nil {
		v = resolveAlias(v)
	}
	return k, v
}

// RawServiceNode is the value node of a service as written: an alias
// (web: *app) is not resolved. nil when the file does not declare it.
func (f *File) RawServiceNode(name string) *yaml.Node {
	_, v := f.serviceEntry(name)
	return v
}

// serviceEntry is a service's key and value as written, or nils.
func (f *File) serviceEntry(name string) (k, v *yaml.Node) {
	s := f.ServicesNode()
	if s == nil || s.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(s.Content); i += 2 {
		if s.Content[i].Value == name {
			return s.Content[i], s.Content[i+1]
		}
	}
	return nil, nil
}

// ServiceNames lists the services a file declares, in order.
func (f *File) ServiceNames() []string {
	s := f.ServicesNode()
	if s == nil || s.Kind != yaml.MappingNode {
		return nil
	}
	var names []string
	for i := 0; i+1 < len(s.Content); i += 2 {
		key := s.Content[i].Value
		if f.Legacy && (topLevelKeys[key] || strings.HasPrefix(key, "x-")) {
			continue
		}
		names = append(names, key)
	}
	return names
}

// TopLevelKeys lists the keys of a top-level mapping such as volumes: or
// networks: (nil when the file has none).
func (f *File) TopLevelKeys(section string) []string {
	if f == nil || f.Root == nil || f.Legacy {
		return nil
	}
	_, m := MapGet(f.Root, section)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// Offset is the byte offset in src of a yaml.v3 position: a 1-based line,
// and a 1-based column that counts characters, not bytes (an edit on a line
// with "é" before it would otherwise land a byte off). starts are src's
// line starts (LineStarts); -1 when the position is not in src.
func Offset(src []byte, starts []int, line, col int) int {
	if line < 1 || line > len(starts) {
		return -1
	}
	off := starts[line-1]
	if line == 1 && bytes.HasPrefix(src, utf8BOM) {
		off = len(utf8BOM) // yaml.v3 reads past a byte order mark: column 1 is after it
	}
	for c := 1; c < col; c++ {
		if off >= len(src) || src[off] == '\n' {
			return -1
		}
		_, w := utf8.DecodeRune(src[off:])
		off += w
	}
	return off
}

var utf8BOM = []byte("\ufeff")

// Offset is the byte offset of a node position in the file (see Offset).
func (f *File) Offset(line, col int) int { return Offset(f.Src, f.LineStarts(), line, col) }

// BuildRef is one build a file's YAML names: the context and the
// Dockerfile (context/Dockerfile when it names none), as absolute paths,
// and the line of its build: key.
type BuildRef struct {
	Context, Dockerfile string
	Named               bool // build.dockerfile names the Dockerfile
	Line                int
}

// Builds reads what the file's services build from its YAML alone, as
// written in this file (not merged with others): for a file compose-go
// could not load, and for a base file whose override builds something
// else. Values that hold a variable or name a remote context are left out.
func (f *File) Builds() []BuildRef {
	s := f.ServicesNode()
	if s == nil || s.Kind != yaml.MappingNode {
		return nil
	}
	dir := filepath.Dir(f.Path)
	local := func(v string) bool {
		return v != "" && !strings.Contains(v, "$") && !strings.Contains(v, "://") && !strings.HasPrefix(v, "git@")
	}
	var out []BuildRef
	for i := 1; i < len(s.Content); i += 2 {
		svc := resolveAlias(s.Content[i])
		if svc == nil || svc.Kind != yaml.MappingNode {
			continue
		}
		k, b := MapGet(svc, "build")
		if b = resolveAlias(b); b == nil {
			continue
		}
		ctx, df := ".", ""
		switch b.Kind {
		case yaml.ScalarNode:
			ctx = b.Value
		case yaml.MappingNode:
			if _, c := MapGet(b, "context"); c != nil && c.Kind == yaml.ScalarNode {
				ctx = c.Value
			}
			if _, d := MapGet(b, "dockerfile"); d != nil && d.Kind == yaml.ScalarNode {
				df = d.Value
			}
		}
		if !local(ctx) || df != "" && !local(df) {
			continue
		}
		if !filepath.IsAbs(ctx) {
			ctx = filepath.Join(dir, ctx)
		}
		ref := BuildRef{Context: filepath.Clean(ctx), Dockerfile: filepath.Join(ctx, "Dockerfile"), Named: df != "", Line: k.Line}
		if df != "" {
			ref.Dockerfile = df
			if !filepath.IsAbs(df) {
				ref.Dockerfile = filepath.Join(ctx, df)
			}
			ref.Dockerfile = filepath.Clean(ref.Dockerfile)
		}
		out = append(out, ref)
	}
	return out
}
