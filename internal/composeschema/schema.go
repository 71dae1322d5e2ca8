// Package composeschema says whether a compose document passes the Compose
// schema compose-go validates against (compose-go/v2/schema), giving the
// same answer as compose-go's schema.Validate for the documents the fast
// path loads.
//
// Why not call compose-go: its schema.Validate compiles the schema with
// santhosh-tekuri/jsonschema on first use, checking it against the JSON
// Schema metaschema on the way, which costs about 10 ms of CPU in every
// process, more than the rest of a one-project lint; each call then copies
// the document through encoding/json and allocates a validation scope per
// keyword. This package compiles the same schema text (compose-go's
// embedded schema.Schema) into a small tree of the few keywords that
// schema uses, once, when table.go is generated: a run only builds the
// tree from Go literals. It evaluates documents without copying them. A
// keyword it does not know fails the compile (TestSchemaHasOnlyKnownKeywords),
// and table.go must be the compile of the schema compose-go embeds now
// (TestTableIsCurrent: after a compose-go upgrade, `go generate` writes it
// again); a differential test and a fuzz target hold the answers to
// compose-go's.
package composeschema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// kinds of JSON values, as a bit set for "type".
const (
	tNull = 1 << iota
	tBoolean
	tObject
	tArray
	tNumber
	tInteger
	tString
)

var typeBits = map[string]uint8{
	"null": tNull, "boolean": tBoolean, "object": tObject, "array": tArray,
	"number": tNumber, "integer": tInteger, "string": tString,
}

// node is one compiled schema: only the keywords the Compose schema uses.
type node struct {
	never       bool  // the false schema
	types       uint8 // 0: any type
	props       map[string]*node
	patterns    []patternNode
	additional  *node
	unevaluated *node
	items       *node
	required    []string
	enum        []any
	pattern     *lazyRegexp
	minimum     *float64
	maximum     *float64
	unique      bool
	allOf       []*node
	anyOf       []*node
	oneOf       []*node
	ref         *node
}

// patternNode is one of patternProperties: a prefix when the pattern is
// ^ and a literal (^x-, nearly all of them: a prefix test is what the
// regexp would do, ten times faster), a regexp otherwise.
type patternNode struct {
	prefix string
	re     *lazyRegexp
	n      *node
}

// matches reports whether a property name matches the pattern.
func (p patternNode) matches(name string) bool {
	if p.re == nil {
		return strings.HasPrefix(name, p.prefix)
	}
	return p.re.MatchString(name)
}

// lazyRegexp is compiled on first use (compile checked that it compiles):
// most runs match none of the schema's few regexps.
type lazyRegexp struct {
	src  string
	once sync.Once
	re   *regexp.Regexp
}

func (l *lazyRegexp) MatchString(s string) bool {
	l.once.Do(func() { l.re = regexp.MustCompile(l.src) })
	return l.re.MatchString(s)
}

// bound is a minimum or maximum, for the generated table.
func bound(f float64) *float64 { return &f }

//go:generate go test -run TestTableIsCurrent -update .

// table is the Compose schema, compiled (table.go, built on first use).
var table = sync.OnceValue(buildTable)

// annotation keywords, and containers whose entries are compiled when a
// $ref names them.
var ignored = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"deprecated": true, "default": true, "examples": true, "$defs": true, "definitions": true,
}

type compiler struct {
	defs    map[string]any
	byRef   map[string]*node
	regexps map[string]*lazyRegexp
	pending []func() error
}

// compile reads the schema text into a node tree.
func compile(text string) (*node, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	defs, _ := doc["$defs"].(map[string]any)
	c := &compiler{defs: defs, byRef: map[string]*node{}, regexps: map[string]*lazyRegexp{}}
	root, err := c.node(doc, "#")
	if err != nil {
		return nil, err
	}
	// $refs are resolved after every node exists, so that recursive
	// definitions point at one node.
	for len(c.pending) > 0 {
		f := c.pending[0]
		c.pending = c.pending[1:]
		if err := f(); err != nil {
			return nil, err
		}
	}
	return root, nil
}

func (c *compiler) regexp(src string) (*lazyRegexp, error) {
	if re, ok := c.regexps[src]; ok {
		return re, nil
	}
	// jsonschema's default engine is Go's regexp too.
	if _, err := regexp.Compile(src); err != nil {
		return nil, err
	}
	re := &lazyRegexp{src: src}
	c.regexps[src] = re
	return re, nil
}

func (c *compiler) nodes(v any, at string) ([]*node, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an array of schemas", at)
	}
	out := make([]*node, len(list))
	for i, s := range list {
		n, err := c.node(s, fmt.Sprintf("%s/%d", at, i))
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// node compiles the schema v found at the JSON pointer at.
func (c *compiler) node(v any, at string) (*node, error) {
	switch v := v.(type) {
	case bool:
		return &node{never: !v}, nil
	case map[string]any:
		return c.object(v, at)
	}
	return nil, fmt.Errorf("%s: a schema must be an object or a boolean", at)
}

func (c *compiler) object(m map[string]any, at string) (*node, error) {
	n := &node{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // errors name the same keyword on every run
	for _, k := range keys {
		v, err := m[k], error(nil)
		where := at + "/" + k
		switch k {
		case "type":
			n.types, err = typeSet(v, where)
		case "properties":
			n.props, err = c.propMap(v, where)
		case "patternProperties":
			var ps map[string]*node
			ps, err = c.propMap(v, where)
			srcs := make([]string, 0, len(ps))
			for src := range ps {
				srcs = append(srcs, src)
			}
			sort.Strings(srcs)
			for _, src := range srcs {
				re, rerr := c.regexp(src)
				if rerr != nil {
					return nil, fmt.Errorf("%s: %w", where, rerr)
				}
				pn := patternNode{re: re, n: ps[src]}
				if lit, ok := strings.CutPrefix(src, "^"); ok && lit != "" && regexp.QuoteMeta(lit) == lit {
					pn.prefix, pn.re = lit, nil
				}
				n.patterns = append(n.patterns, pn)
			}
		case "additionalProperties":
			n.additional, err = c.node(v, where)
		case "unevaluatedProperties":
			n.unevaluated, err = c.node(v, where)
		case "items":
			n.items, err = c.node(v, where)
		case "required":
			n.required, err = strings1(v, where)
		case "enum":
			var ok bool
			if n.enum, ok = v.([]any); !ok {
				err = fmt.Errorf("%s: not an array", where)
			}
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: not a string", where)
			}
			n.pattern, err = c.regexp(s)
		case "minimum", "maximum":
			f, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("%s: not a number", where)
			}
			if k == "minimum" {
				n.minimum = &f
			} else {
				n.maximum = &f
			}
		case "uniqueItems":
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("%s: not a boolean", where)
			}
			n.unique = b
		case "allOf":
			n.allOf, err = c.nodes(v, where)
		case "anyOf":
			n.anyOf, err = c.nodes(v, where)
		case "oneOf":
			n.oneOf, err = c.nodes(v, where)
		case "$ref":
			err = c.ref(n, v, where)
		default:
			if !ignored[k] {
				return nil, fmt.Errorf("%s: keyword %q is not supported", at, k)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (c *compiler) propMap(v any, at string) (map[string]*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an object", at)
	}
	out := make(map[string]*node, len(m))
	for k, s := range m {
		n, err := c.node(s, at+"/"+k)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// ref records a $ref to a definition ("#/$defs/NAME", the only form the
// Compose schema uses), compiled once and resolved after the tree is built.
func (c *compiler) ref(n *node, v any, at string) error {
	s, ok := v.(string)
	name, isDef := strings.CutPrefix(s, "#/$defs/")
	if !ok || !isDef || strings.Contains(name, "/") {
		return fmt.Errorf("%s: $ref %v is not supported", at, v)
	}
	c.pending = append(c.pending, func() error {
		target, ok := c.byRef[name]
		if !ok {
			def, found := c.defs[name]
			if !found {
				return fmt.Errorf("%s: $ref %s names no definition", at, s)
			}
			target = &node{}
			c.byRef[name] = target // before compiling: recursion ends here
			compiledDef, err := c.node(def, "#/$defs/"+name)
			if err != nil {
				return err
			}
			*target = *compiledDef
		}
		n.ref = target
		return nil
	})
	return nil
}

func typeSet(v any, at string) (uint8, error) {
	names := []any{v}
	if list, ok := v.([]any); ok {
		names = list
	}
	var bits uint8
	for _, name := range names {
		s, _ := name.(string)
		b, ok := typeBits[s]
		if !ok {
			return 0, fmt.Errorf("%s: unknown type %v", at, name)
		}
		bits |= b
	}
	return bits, nil
}

func strings1(v any, at string) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an array", at)
	}
	out := make([]string, len(list))
	for i, s := range list {
		if out[i], ok = s.(string); !ok {
			return nil, fmt.Errorf("%s: not an array of strings", at)
		}
	}
	return out, nil
}
