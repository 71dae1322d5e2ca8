// Package config reads decouple's configuration file, .decouple.yaml. Keys
// are checked by hand on the yaml.v3 node tree so that a misspelt key is an
// error naming its file and line, not silently ignored.
package config

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/safefile"
)

// FileName is the configuration file looked for upward from the working
// folder.
const FileName = ".decouple.yaml"

// altNames are also accepted, in this order after FileName.
var altNames = []string{".decouple.yml"}

// RuleSetting is one entry of the rules mapping: a code or name and either
// "off" or a severity.
type RuleSetting struct {
	ID    string // as written: a code (DC001) or a name (node-runtime-bundled)
	Value string // off, error, warning or info
	Line  int
}

// Config is a parsed configuration file. Zero values mean "not set".
type Config struct {
	Path           string // the file it was read from
	Rules          []RuleSetting
	IgnorePaths    []string
	FailOn         string
	FixStrategy    string
	FixCodeImage   string
	NodeImages     []string
	EOLWarningDays *int

	ignore []*regexp.Regexp
}

// Error is a configuration error at a file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	return analysis.Position{File: e.File, Line: e.Line}.String() + ": " + e.Msg
}

// Find looks for a configuration file in dir and its parents. It stops at
// the first folder holding one, and after a folder holding .git (the top of
// a repository). It returns "" when there is none.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		for _, name := range append([]string{FileName}, altNames...) {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				// One found in the repository is read only where it
				// resolves inside the working folder (a symlink out is
				// an error naming it); one named with --config is read
				// where the user says.
				if err := safefile.Check(p); err != nil {
					return "", err
				}
				return p, nil
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads and parses a configuration file: one named with --config, or
// one Find returned (Find refuses one that leads out of the working
// folder), so it is read where the path leads.
func Load(file string) (*Config, error) {
	src, err := safefile.ReadAnywhere(file, 0)
	if err != nil {
		return nil, err
	}
	return Parse(file, src)
}

// Parse parses configuration text; file names the source in errors.
func Parse(file string, src []byte) (*Config, error) {
	c := &Config{Path: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, yamlError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return c, nil
	}
	p := &parser{file: file}
	m := p.mapping(root, "the configuration")
	for i := 0; i+1 < len(m); i += 2 {
		k, v := m[i], m[i+1]
		switch k.Value {
		case "rules":
			rm := p.mapping(v, "rules")
			for j := 0; j+1 < len(rm); j += 2 {
				val := p.scalar(rm[j+1], "rules."+rm[j].Value)
				switch strings.ToLower(val) {
				case "off", "error", "warning", "info":
				default:
					if p.err == nil {
						p.fail(rm[j+1], "rules.%s: want off, error, warning or info, not %q", rm[j].Value, val)
					}
				}
				c.Rules = append(c.Rules, RuleSetting{ID: rm[j].Value, Value: strings.ToLower(val), Line: rm[j].Line})
			}
		case "ignore-paths":
			c.IgnorePaths = p.strings(v, "ignore-paths")
			for _, g := range c.IgnorePaths {
				re, err := globRegexp(g)
				if err != nil {
					p.fail(v, "ignore-paths: %v", err)
					break
				}
				c.ignore = append(c.ignore, re)
			}
		case "fail-on":
			c.FailOn = p.scalar(v, "fail-on")
			switch c.FailOn {
			case "error", "warning", "info", "never":
			default:
				p.fail(v, "fail-on: want error, warning, info or never, not %q", c.FailOn)
			}
		case "fix":
			fm := p.mapping(v, "fix")
			for j := 0; j+1 < len(fm); j += 2 {
				switch fm[j].Value {
				case "strategy":
					c.FixStrategy = p.scalar(fm[j+1], "fix.strategy")
					if c.FixStrategy != "build" && c.FixStrategy != "install" {
						p.fail(fm[j+1], "fix.strategy: want build or install, not %q", c.FixStrategy)
					}
				case "code-image":
					c.FixCodeImage = p.scalar(fm[j+1], "fix.code-image")
					if c.FixCodeImage == "" {
						p.fail(fm[j+1], "fix.code-image: want an image name")
					}
				default:
					p.fail(fm[j], "unknown key %q in fix (want strategy or code-image)", fm[j].Value)
				}
			}
		case "node-images":
			c.NodeImages = p.strings(v, "node-images")
		case "eol-warning-days":
			var n int
			if v.Kind != yaml.ScalarNode || v.Decode(&n) != nil || n < 0 {
				p.fail(v, "eol-warning-days: want a whole number of days, 0 or more")
			} else {
				c.EOLWarningDays = &n
			}
		default:
			p.fail(k, "unknown key %q (want rules, ignore-paths, fail-on, fix, node-images or eol-warning-days)", k.Value)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

func yamlError(file string, err error) error {
	line, msg := compose.YAMLErrorLine(err)
	return &Error{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

type parser struct {
	file string
	err  error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
}

// mapping returns a mapping node's key/value pairs, with duplicate keys
// refused.
func (p *parser) mapping(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s: want a mapping", what)
		return nil
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			p.fail(k, "%s: keys must be plain strings", what)
			return nil
		}
		if seen[k.Value] {
			p.fail(k, "%s: duplicate key %q", what, k.Value)
			return nil
		}
		seen[k.Value] = true
	}
	return n.Content
}

func (p *parser) scalar(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, "%s: want a single value", what)
		return ""
	}
	return n.Value
}

// strings reads a list of strings; a single string is a list of one.
func (p *parser) strings(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return nil
		}
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "%s: want a list of strings", what)
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode {
			p.fail(e, "%s: want a list of strings", what)
			return nil
		}
		out = append(out, e.Value)
	}
	return out
}

// Ignored reports whether a finding's file matches one of ignore-paths.
// file is as findings name it: relative to cwd, or absolute. Patterns are
// relative to the folder holding the configuration file; one that matches
// a folder ignores everything under it.
func (c *Config) Ignored(file, cwd string) bool {
	if c == nil || len(c.ignore) == 0 {
		return false
	}
	abs := filepath.FromSlash(file)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	base := cwd
	if c.Path != "" {
		if p, err := filepath.Abs(c.Path); err == nil {
			base = filepath.Dir(p)
		}
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	file = path.Clean(filepath.ToSlash(rel))
	for _, re := range c.ignore {
		for p := file; ; {
			if re.MatchString(p) {
				return true
			}
			d := path.Dir(p)
			if d == p || d == "." || d == "/" {
				break
			}
			p = d
		}
	}
	return false
}

// globRegexp turns a glob into a regular expression: * and ? stay within a
// path segment, ** crosses segments, [...] is a character class.
func globRegexp(glob string) (*regexp.Regexp, error) {
	g := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(glob), "./"), "/")
	if g == "" {
		return nil, errors.New("empty pattern")
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		switch ch := g[i]; ch {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				i++
				if i+1 < len(g) && g[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("pattern %q: unclosed [", glob)
			}
			class := g[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %v", glob, err)
	}
	return re, nil
}
