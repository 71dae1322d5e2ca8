package composeschema

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// Valid reports whether doc passes the Compose schema: the answer of
// compose-go's schema.Validate(doc). Like it, Valid judges doc as
// encoding/json would copy it; the values yaml.v3 decodes (maps with
// string keys, slices, strings, booleans, numbers, nil) are judged as they
// are, any other (a time, a named type of compose-go's, a map with other
// keys, a non-finite float, text that is not UTF-8) through encoding/json,
// which may refuse it as compose-go's copy does.
func Valid(doc any) bool {
	// compose-go copies the whole document first: a value it cannot copy
	// fails the check wherever it is, even where the schema takes anything
	// (x-: [{2: a}], a map whose key is not a string).
	return encodable(doc) && table().valid(doc, nil)
}

// encodable reports whether encoding/json can write v.
func encodable(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			if !encodable(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !encodable(x) {
				return false
			}
		}
		return true
	case nil, bool, string, int, int64, uint64:
		return true
	case float64:
		return !math.IsInf(v, 0) && !math.IsNaN(v)
	}
	_, err := json.Marshal(v)
	return err == nil
}

// evaluated collects the names of an object's properties that a schema
// and the subschemas it applies in place evaluated, for
// unevaluatedProperties.
type evaluated map[string]struct{}

// valid evaluates v against n; when ev is not nil, it also records the
// properties of v (an object) that n evaluated, as a successful result
// annotates them.
func (n *node) valid(v any, ev evaluated) bool {
	if n.never {
		return false
	}
	kind, ok := kindOf(v)
	if !ok {
		copied, ok := viaJSON(v)
		return ok && n.valid(copied, ev)
	}
	if n.types != 0 && n.types&kind == 0 {
		// "number" admits integers; kindOf marks integral numbers as both.
		return false
	}
	if n.enum != nil && !inEnum(v, n.enum) {
		return false
	}
	switch v := v.(type) {
	case map[string]any:
		return n.object(v, ev)
	case []any:
		if !n.array(v) {
			return false
		}
	case string:
		if n.pattern != nil && !n.pattern.MatchString(v) {
			return false
		}
	default:
		if kind&tNumber != 0 {
			f := number(v)
			if n.minimum != nil && f < *n.minimum || n.maximum != nil && f > *n.maximum {
				return false
			}
		}
	}
	return n.inPlace(v, nil)
}

// object applies the object keywords and the in-place applicators, which
// the unevaluatedProperties of n (or of a schema applying n) reads.
func (n *node) object(obj map[string]any, ev evaluated) bool {
	for _, name := range n.required {
		if _, ok := obj[name]; !ok {
			return false
		}
	}
	mine := ev
	if n.unevaluated != nil {
		mine = evaluated{}
	}
	for name, value := range obj {
		if !utf8.ValidString(name) {
			copied, ok := viaJSON(obj)
			return ok && n.valid(copied, ev)
		}
		seen := false
		if s, ok := n.props[name]; ok {
			seen = true
			if !s.valid(value, nil) {
				return false
			}
		}
		for _, p := range n.patterns {
			if p.matches(name) {
				seen = true
				if !p.n.valid(value, nil) {
					return false
				}
			}
		}
		if !seen && n.additional != nil {
			seen = true
			if !n.additional.valid(value, nil) {
				return false
			}
		}
		if seen && mine != nil {
			mine[name] = struct{}{}
		}
	}
	if !n.inPlace(obj, mine) {
		return false
	}
	if n.unevaluated != nil {
		for name, value := range obj {
			if _, ok := mine[name]; !ok && !n.unevaluated.valid(value, nil) {
				return false
			}
		}
		// Every property is evaluated now, for a schema applying n.
		if ev != nil {
			for name := range obj {
				ev[name] = struct{}{}
			}
		}
	}
	return true
}

// inPlace applies allOf, anyOf, oneOf and $ref to v, recording in ev
// (when not nil: v is an object whose evaluated properties an
// unevaluatedProperties reads) the properties the successful ones
// evaluated.
func (n *node) inPlace(v any, ev evaluated) bool {
	for _, s := range n.allOf {
		if !s.valid(v, ev) {
			return false
		}
	}
	if n.ref != nil && !n.ref.valid(v, ev) {
		return false
	}
	if n.anyOf != nil {
		found := false
		for _, s := range n.anyOf {
			if ev == nil {
				if s.valid(v, nil) {
					found = true
					break
				}
				continue
			}
			// Annotations come from every branch that holds.
			branch := evaluated{}
			if s.valid(v, branch) {
				found = true
				for k := range branch {
					ev[k] = struct{}{}
				}
			}
		}
		if !found {
			return false
		}
	}
	if n.oneOf != nil {
		return oneOf(n.oneOf, v, ev)
	}
	return true
}

// oneOf: exactly one of schemas holds for v.
func oneOf(schemas []*node, v any, ev evaluated) bool {
	var kept evaluated
	count := 0
	for _, s := range schemas {
		var branch evaluated
		if ev != nil {
			branch = evaluated{}
		}
		if s.valid(v, branch) {
			count++
			if count > 1 {
				return false
			}
			kept = branch
		}
	}
	for k := range kept {
		ev[k] = struct{}{}
	}
	return count == 1
}

// array applies items and uniqueItems.
func (n *node) array(arr []any) bool {
	if n.items != nil {
		for _, item := range arr {
			if !n.items.valid(item, nil) {
				return false
			}
		}
	}
	return !n.unique || unique(arr)
}

// unique reports whether no two items of arr are equal: by a set when
// they are all strings (the common case), pair by pair otherwise.
func unique(arr []any) bool {
	if len(arr) > 8 {
		set := make(map[string]struct{}, len(arr))
		for _, item := range arr {
			s, ok := item.(string)
			if !ok {
				set = nil
				break
			}
			if _, dup := set[s]; dup {
				return false
			}
			set[s] = struct{}{}
		}
		if set != nil {
			return true
		}
	}
	for i := 1; i < len(arr); i++ {
		for j := 0; j < i; j++ {
			if equal(arr[i], arr[j]) {
				return false
			}
		}
	}
	return true
}

// kindOf is the JSON type of v as a bit set (an integral number is both a
// number and an integer), or false for a value compose-go's JSON copy
// would change or refuse (see viaJSON).
func kindOf(v any) (uint8, bool) {
	switch v := v.(type) {
	case nil:
		return tNull, true
	case bool:
		return tBoolean, true
	case string:
		return tString, utf8.ValidString(v)
	case map[string]any:
		return tObject, true
	case []any:
		return tArray, true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return tNumber | tInteger, true
	case float32, float64:
		f := number(v)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
		if f == math.Trunc(f) {
			return tNumber | tInteger, true
		}
		return tNumber, true
	}
	return 0, false
}

// number is v as compose-go's JSON copy reads it back: a float64 (a
// float32 through its shortest decimal form, as encoding/json writes it).
func number(v any) float64 {
	switch v := v.(type) {
	case int:
		return float64(v)
	case int8:
		return float64(v)
	case int16:
		return float64(v)
	case int32:
		return float64(v)
	case int64:
		return float64(v)
	case uint:
		return float64(v)
	case uint8:
		return float64(v)
	case uint16:
		return float64(v)
	case uint32:
		return float64(v)
	case uint64:
		return float64(v)
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
		return f
	case float64:
		return v
	}
	return math.NaN()
}

func inEnum(v any, enum []any) bool {
	for _, e := range enum {
		if equal(v, e) {
			return true
		}
	}
	return false
}

// equal is JSON equality: numbers by value, objects by keys and values.
func equal(a, b any) bool {
	ka, _ := kindOf(a)
	kb, _ := kindOf(b)
	if ka&tNumber != 0 || kb&tNumber != 0 {
		return ka&tNumber != 0 && kb&tNumber != 0 && number(a) == number(b)
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !equal(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equal(a[i], bl[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// viaJSON is v copied through encoding/json, as compose-go copies the
// whole document before validating it; false when encoding/json refuses
// it (compose-go's check then fails).
func viaJSON(v any) (any, bool) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil, false
	}
	return out, true
}
