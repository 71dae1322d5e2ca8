package composeschema

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
)

var update = flag.Bool("update", false, "rewrite table.go from compose-go's schema")

// TestTableIsCurrent: table.go is the schema compose-go embeds, compiled.
// After a compose-go upgrade it fails until `go generate
// ./internal/composeschema` writes it again.
func TestTableIsCurrent(t *testing.T) {
	root, err := compile(schema.Schema)
	if err != nil {
		t.Fatal(err)
	}
	src, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("table.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile("table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Error("table.go is not compose-go's schema: run go generate ./internal/composeschema")
	}
}

// TestTableIsCompiled: the table's tree is the one compile builds (the
// generator dropped nothing).
func TestTableIsCompiled(t *testing.T) {
	root, err := compile(schema.Schema)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := generate(root)
	b, _ := generate(table())
	if !bytes.Equal(a, b) {
		t.Error("the table's tree differs from the compiled schema's")
	}
}

// generate writes a tree as Go source: the nodes as one array, each
// pointer an index into it, in the order a walk from the root meets them.
func generate(root *node) ([]byte, error) {
	index := map[*node]int{}
	var order []*node
	var visit func(n *node)
	visit = func(n *node) {
		if n == nil {
			return
		}
		if _, ok := index[n]; ok {
			return
		}
		index[n] = len(order)
		order = append(order, n)
		for _, c := range childrenOf(n) {
			visit(c)
		}
	}
	visit(root)
	ref := func(n *node) string { return fmt.Sprintf("&n[%d]", index[n]) }
	// Each regexp once, compiled on first use wherever it appears.
	var sources []string
	reIndex := map[string]int{}
	reRef := func(l *lazyRegexp) string {
		i, ok := reIndex[l.src]
		if !ok {
			i = len(sources)
			reIndex[l.src] = i
			sources = append(sources, l.src)
		}
		return fmt.Sprintf("r[%d]", i)
	}
	list := func(ns []*node) string {
		var b bytes.Buffer
		b.WriteString("[]*node{")
		for i, c := range ns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ref(c))
		}
		b.WriteString("}")
		return b.String()
	}
	var body bytes.Buffer
	b := &body
	for i, n := range order {
		fmt.Fprintf(b, "\tn[%d] = node{", i)
		var f []string
		if n.never {
			f = append(f, "never: true")
		}
		if n.types != 0 {
			f = append(f, fmt.Sprintf("types: %d", n.types))
		}
		if len(n.props) > 0 {
			keys := make([]string, 0, len(n.props))
			for k := range n.props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var p bytes.Buffer
			p.WriteString("props: map[string]*node{")
			for j, k := range keys {
				if j > 0 {
					p.WriteString(", ")
				}
				fmt.Fprintf(&p, "%s: %s", strconv.Quote(k), ref(n.props[k]))
			}
			p.WriteString("}")
			f = append(f, p.String())
		}
		if len(n.patterns) > 0 {
			var p bytes.Buffer
			p.WriteString("patterns: []patternNode{")
			for j, pn := range n.patterns {
				if j > 0 {
					p.WriteString(", ")
				}
				if pn.re == nil {
					fmt.Fprintf(&p, "{prefix: %s, n: %s}", strconv.Quote(pn.prefix), ref(pn.n))
				} else {
					fmt.Fprintf(&p, "{re: %s, n: %s}", reRef(pn.re), ref(pn.n))
				}
			}
			p.WriteString("}")
			f = append(f, p.String())
		}
		for _, kv := range []struct {
			name string
			n    *node
		}{{"additional", n.additional}, {"unevaluated", n.unevaluated}, {"items", n.items}, {"ref", n.ref}} {
			if kv.n != nil {
				f = append(f, kv.name+": "+ref(kv.n))
			}
		}
		if len(n.required) > 0 {
			var p bytes.Buffer
			p.WriteString("required: []string{")
			for j, r := range n.required {
				if j > 0 {
					p.WriteString(", ")
				}
				p.WriteString(strconv.Quote(r))
			}
			p.WriteString("}")
			f = append(f, p.String())
		}
		if n.enum != nil {
			var p bytes.Buffer
			p.WriteString("enum: []any{")
			for j, e := range n.enum {
				if j > 0 {
					p.WriteString(", ")
				}
				switch e := e.(type) {
				case string:
					p.WriteString(strconv.Quote(e))
				case float64:
					p.WriteString("float64(" + strconv.FormatFloat(e, 'g', -1, 64) + ")")
				case bool:
					p.WriteString(strconv.FormatBool(e))
				case nil:
					p.WriteString("nil")
				default:
					return nil, fmt.Errorf("enum value %#v: not generated", e)
				}
			}
			p.WriteString("}")
			f = append(f, p.String())
		}
		if n.pattern != nil {
			f = append(f, "pattern: "+reRef(n.pattern))
		}
		if n.minimum != nil {
			f = append(f, "minimum: bound("+strconv.FormatFloat(*n.minimum, 'g', -1, 64)+")")
		}
		if n.maximum != nil {
			f = append(f, "maximum: bound("+strconv.FormatFloat(*n.maximum, 'g', -1, 64)+")")
		}
		if n.unique {
			f = append(f, "unique: true")
		}
		for _, kv := range []struct {
			name string
			ns   []*node
		}{{"allOf", n.allOf}, {"anyOf", n.anyOf}, {"oneOf", n.oneOf}} {
			if kv.ns != nil {
				f = append(f, kv.name+": "+list(kv.ns))
			}
		}
		for j, s := range f {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s)
		}
		b.WriteString("}\n")
	}
	var out bytes.Buffer
	out.WriteString(`// Code generated by "go test ./internal/composeschema -run TestTableIsCurrent -update"; DO NOT EDIT.

package composeschema

// buildTable returns compose-go's schema, compiled (see compile).
func buildTable() *node {
`)
	out.WriteString("\tr := []*lazyRegexp{")
	for i, src := range sources {
		if i > 0 {
			out.WriteString(", ")
		}
		fmt.Fprintf(&out, "{src: %s}", strconv.Quote(src))
	}
	out.WriteString("}\n")
	fmt.Fprintf(&out, "\tn := make([]node, %d)\n", len(order))
	out.Write(body.Bytes())
	out.WriteString("\treturn &n[0]\n}\n")
	return format.Source(out.Bytes())
}

// childrenOf lists n's subschemas in a fixed order.
func childrenOf(n *node) []*node {
	var out []*node
	keys := make([]string, 0, len(n.props))
	for k := range n.props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, n.props[k])
	}
	for _, p := range n.patterns {
		out = append(out, p.n)
	}
	out = append(out, n.additional, n.unevaluated, n.items, n.ref)
	out = append(out, n.allOf...)
	out = append(out, n.anyOf...)
	return append(out, n.oneOf...)
}
