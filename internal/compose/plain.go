package compose

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// plainValue is what yaml.v3's Node.Decode into an `any` gives for n, for
// the plain documents most compose files are: mappings with unique string
// keys, sequences, and strings, booleans, nulls and decimal integers,
// with aliases followed. false for anything else (merge keys, tags of
// their own, other scalars, duplicate keys), which the caller decodes
// with yaml.v3 itself. Why by hand: the fast path's schema check reads
// every file as an `any`, and Decode's reflection was a fifth of the fast
// path's time on large trees; TestPlainValueIsDecode and FuzzPlainValue
// hold it to Decode.
func plainValue(n *yaml.Node) (any, bool) {
	return plainDepth(n, 0)
}

// plainMaxDepth bounds the recursion (and alias chains) before handing
// the document to yaml.v3, whose own limits then apply.
const plainMaxDepth = 100

func plainDepth(n *yaml.Node, depth int) (any, bool) {
	if n == nil || depth > plainMaxDepth {
		return nil, false
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, false
		}
		return plainDepth(n.Content[0], depth+1)
	case yaml.AliasNode:
		return plainDepth(n.Alias, depth+1)
	case yaml.MappingNode:
		if n.Tag != "" && n.Tag != "!!map" {
			return nil, false
		}
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" || k.Value == "<<" {
				return nil, false // merge keys, and keys that are not strings
			}
			if _, dup := m[k.Value]; dup {
				return nil, false // yaml.v3 refuses it
			}
			v, ok := plainDepth(n.Content[i+1], depth+1)
			if !ok {
				return nil, false
			}
			m[k.Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		if n.Tag != "" && n.Tag != "!!seq" {
			return nil, false
		}
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, ok := plainDepth(c, depth+1)
			if !ok {
				return nil, false
			}
			s[i] = v
		}
		return s, true
	case yaml.ScalarNode:
		return plainScalarValue(n)
	}
	return nil, false
}

// plainScalarValue reads the scalars whose value does not depend on yaml.v3's
// number and time syntax: strings, nulls, the YAML 1.2 booleans and
// decimal integers in an int's range.
func plainScalarValue(n *yaml.Node) (any, bool) {
	switch n.ShortTag() {
	case "!!str":
		if n.Tag != "" && n.Tag != "!!str" && n.Tag != "!" {
			return nil, false // !!binary and the like resolve to !!str too
		}
		return n.Value, true
	case "!!null":
		switch n.Value {
		case "", "~", "null", "Null", "NULL":
			return nil, true
		} // !!null abc: yaml.v3 refuses it
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true, true
		case "false", "False", "FALSE":
			return false, true
		}
	case "!!int":
		if !decimal(n.Value) {
			return nil, false
		}
		if i, err := strconv.ParseInt(n.Value, 10, 0); err == nil {
			return int(i), true
		}
	}
	return nil, false
}

// decimal: an optional sign and digits, with no leading zero (yaml.v3
// reads 0o17 and 017 its own way).
func decimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plainMap is plainValue of a document whose top is a mapping.
func plainMap(n *yaml.Node) (map[string]any, bool) {
	v, ok := plainValue(n)
	m, isMap := v.(map[string]any)
	return m, ok && isMap
}
