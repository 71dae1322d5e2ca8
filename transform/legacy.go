package transform

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
	"go.yaml.in/yaml/v3"
)

// ConvertV1 moves a Compose v1 file (services at the top level) under
// `services:`, indenting each service block one step and keeping every
// comment and blank line. Other bytes are not touched.
func ConvertV1(path string, src []byte) ([]byte, error) {
	f, err := compose.ParseFile(path, src)
	if err != nil {
		return nil, err
	}
	if !f.Legacy {
		return src, nil
	}
	services := map[string]bool{}
	for _, name := range f.ServiceNames() {
		services[name] = true
	}
	starts := compose.LineStarts(src)
	nl := newline(src)
	step := "  "
	root := f.Root
	type block struct {
		from, to int // lines, inclusive start, exclusive end
		service  bool
	}
	var blocks []block
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Column != 1 {
			return nil, fmt.Errorf("%s:%d: top-level key is not at column 1", path, k.Line)
		}
		if len(blocks) > 0 {
			blocks[len(blocks)-1].to = k.Line
		}
		blocks = append(blocks, block{from: k.Line, to: len(starts) + 1, service: services[k.Value]})
	}
	var out strings.Builder
	first := -1
	for _, b := range blocks {
		if b.service {
			first = b.from
			break
		}
	}
	if first < 0 {
		return src, nil
	}
	inService := func(n int) bool {
		for _, b := range blocks {
			if n >= b.from && n < b.to {
				return b.service
			}
		}
		return false
	}
	for n := 1; n <= len(starts); n++ {
		end := len(src)
		if n < len(starts) {
			end = starts[n]
		}
		text := string(src[starts[n-1]:end])
		if n == first {
			out.WriteString("services:" + nl)
		}
		if inService(n) && strings.TrimSpace(text) != "" {
			text = step + text
		}
		out.WriteString(text)
	}
	return []byte(out.String()), nil
}

// legacyWhole applies the split's edits to a v1 file and moves the result
// to the Compose Spec layout, as one edit over the whole file: the two
// changes interleave line by line, so they cannot be separate edits.
func (p *splitPlan) legacyWhole(edits []analysis.TextEdit) (analysis.TextEdit, string) {
	applied, err := edit.Apply(p.file.Src, edits)
	if err != nil {
		return analysis.TextEdit{}, "cannot combine the split with the v1 conversion: " + err.Error()
	}
	converted, err := ConvertV1(p.file.Path, applied)
	if err != nil {
		return analysis.TextEdit{}, "cannot move the file to the Compose Spec layout: " + err.Error()
	}
	return analysis.TextEdit{File: p.file.Path, Start: 0, End: len(p.file.Src), NewText: converted}, ""
}

// The DC005 planners: small edits that move a compose file off the forms
// the Compose Specification dropped. Each works on the original bytes and
// refuses (with a reason) what it cannot change line by line.

// LegacyWhole applies edits to a v1 file's bytes and moves the result to
// the Compose Spec layout, as one edit over the whole file: the deletion of
// `version:` or a key rename interleave with the re-indentation, so they
// cannot be separate edits.
func LegacyWhole(f *compose.File, edits []analysis.TextEdit) (analysis.TextEdit, error) {
	applied, err := edit.Apply(f.Src, edits)
	if err != nil {
		return analysis.TextEdit{}, err
	}
	converted, err := ConvertV1(f.Path, applied)
	if err != nil {
		return analysis.TextEdit{}, err
	}
	return analysis.TextEdit{File: f.Path, Start: 0, End: len(f.Src), NewText: converted}, nil
}

// scalarSpan is the byte range of a scalar written on one line, quotes
// included, and the rest of its line after it (without the line ending).
func scalarSpan(f *compose.File, n *yaml.Node) (start, end int, rest string, ok bool) {
	src := f.Src
	if n == nil || n.Kind != yaml.ScalarNode || strings.ContainsAny(n.Value, "\r\n") {
		return 0, 0, "", false
	}
	start = f.Offset(n.Line, n.Column)
	if start < 0 || start >= len(src) {
		return 0, 0, "", false
	}
	lineEnd := start
	for lineEnd < len(src) && src[lineEnd] != '\n' && src[lineEnd] != '\r' {
		lineEnd++
	}
	end = start
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		end++
		for end < lineEnd && src[end] != '"' {
			if src[end] == '\\' {
				end++
			}
			end++
		}
		if end >= lineEnd {
			return 0, 0, "", false
		}
		end++
	case yaml.SingleQuotedStyle:
		end++
		for end < lineEnd {
			if src[end] == '\'' {
				if end+1 < lineEnd && src[end+1] == '\'' {
					end += 2
					continue
				}
				break
			}
			end++
		}
		if end >= lineEnd {
			return 0, 0, "", false
		}
		end++
	case 0:
		for end < lineEnd && !(src[end] == '#' && end > start && (src[end-1] == ' ' || src[end-1] == '\t')) {
			end++
		}
		for end > start && (src[end-1] == ' ' || src[end-1] == '\t') {
			end--
		}
		if end == start && n.Value != "" {
			return 0, 0, "", false
		}
	default:
		return 0, 0, "", false
	}
	return start, end, strings.TrimSpace(string(src[end:lineEnd])), true
}

// lineRange is the byte range of line n (1-based), its line ending included.
func lineRange(src []byte, starts []int, n int) (int, int) {
	if n < len(starts) {
		return starts[n-1], starts[n]
	}
	return starts[n-1], len(src)
}

// keyLineEdit deletes the line that holds a key and its one-line scalar
// value, and nothing else. A trailing comment is kept, as its own line at
// the key's indentation.
func keyLineEdit(f *compose.File, k, v *yaml.Node) (analysis.TextEdit, string) {
	src := f.Src
	_, _, rest, ok := scalarSpan(f, v)
	if !ok || v.Line != k.Line {
		return analysis.TextEdit{}, "its value is not a one-line scalar on the key's line"
	}
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return analysis.TextEdit{}, "its line holds more than the key"
	}
	starts := f.LineStarts()
	from, to := lineRange(src, starts, k.Line)
	if from == 0 && bytes.HasPrefix(src, []byte("\ufeff")) {
		from = len("\ufeff") // the byte order mark stays
	}
	keyAt := f.Offset(k.Line, k.Column)
	if keyAt < from || keyAt > to {
		return analysis.TextEdit{}, "its position in the file could not be found"
	}
	pad := string(src[from:keyAt])
	if strings.TrimLeft(pad, " ") != "" {
		return analysis.TextEdit{}, "its line holds more than the key"
	}
	var text string
	if rest != "" {
		text = pad + rest + newline(src)
	}
	return analysis.TextEdit{File: f.Path, Start: from, End: to, NewText: []byte(text)}, ""
}

// VersionEdit deletes the top-level `version:` line; a comment after the
// value stays, on its own line.
func VersionEdit(f *compose.File, k, v *yaml.Node) (analysis.TextEdit, string) {
	if k.Column != 1 {
		return analysis.TextEdit{}, "version: is not at the start of its line"
	}
	e, why := keyLineEdit(f, k, v)
	if why != "" || len(e.NewText) != 0 {
		return e, why
	}
	if k.Line != 1 && !blankBefore(f.Src, e.Start) {
		return e, ""
	}
	// The file's first line goes, or a line between blank ones: take the
	// blank lines after it too, so the file does not start with an empty
	// line and the blank lines around it do not add up.
	for e.End < len(f.Src) {
		n := e.End
		for n < len(f.Src) && (f.Src[n] == ' ' || f.Src[n] == '\t' || f.Src[n] == '\r') {
			n++
		}
		if n >= len(f.Src) || f.Src[n] != '\n' {
			break
		}
		e.End = n + 1
	}
	return e, ""
}

// blankBefore reports whether the line before the one starting at off is
// blank (spaces and tabs at most).
func blankBefore(src []byte, off int) bool {
	if off == 0 || src[off-1] != '\n' {
		return false
	}
	prev := bytes.LastIndexByte(src[:off-1], '\n') + 1
	return len(bytes.TrimSpace(src[prev:off-1])) == 0
}

// RenameKeyEdit replaces a key's name, and only its bytes: `net:` becomes
// `network_mode:`, its value and comment untouched.
func RenameKeyEdit(f *compose.File, k *yaml.Node, name string) (analysis.TextEdit, string) {
	start, end, _, ok := scalarSpan(f, k)
	if ok && k.Style == 0 {
		// A plain key ends at its name; the line goes on with ": value".
		end = start + len(k.Value)
		ok = end <= len(f.Src) && string(f.Src[start:end]) == k.Value
	}
	if !ok {
		return analysis.TextEdit{}, "the key is not written on one line"
	}
	return analysis.TextEdit{File: f.Path, Start: start, End: end, NewText: []byte(name)}, ""
}

// DockerfileEdits moves a service-level v1 `dockerfile: X` under `build:`.
// With `build: ctx` (a scalar) the result is the block mapping
//
//	build:
//	  context: ctx
//	  dockerfile: X
//
// and the fix is safe: it is what Compose v1 built. With a block mapping
// `build:` that names no dockerfile, `dockerfile: X` joins it; that is unsafe,
// since no Compose version accepted both forms together and the intent is
// a guess. Anything else is refused. The value texts are kept as written.
func DockerfileEdits(f *compose.File, svcKey, svc, dk, dv *yaml.Node) (edits []analysis.TextEdit, safe bool, refused string) {
	src := f.Src
	nl := newline(src)
	dfStart, dfEnd, _, ok := scalarSpan(f, dv)
	if !ok {
		return nil, false, "its value is not a one-line scalar"
	}
	del, why := keyLineEdit(f, dk, dv)
	if why != "" {
		return nil, false, "dockerfile: " + why
	}
	dfText := string(src[dfStart:dfEnd])
	var bk, bv *yaml.Node
	for i := 0; i+1 < len(svc.Content); i += 2 {
		if svc.Content[i].Value == "build" {
			bk, bv = svc.Content[i], svc.Content[i+1]
		}
	}
	if bk == nil {
		return nil, false, "the service has no build: to move it under"
	}
	starts := f.LineStarts()
	step := bk.Column - svcKey.Column
	if step <= 0 {
		step = 2
	}
	switch {
	case bv.Kind == yaml.ScalarNode && bv.Tag != "!!null":
		ctxStart, ctxEnd, rest, ok := scalarSpan(f, bv)
		if !ok || bv.Line != bk.Line {
			return nil, false, "build: is not a one-line scalar on the key's line"
		}
		if rest != "" && !strings.HasPrefix(rest, "#") {
			return nil, false, "build:'s line holds more than the key"
		}
		keyAt := f.Offset(bk.Line, bk.Column)
		keyEnd := keyAt + len("build")
		if keyAt < 0 || keyEnd >= ctxStart || string(src[keyAt:keyEnd]) != "build" || src[keyEnd] != ':' {
			return nil, false, "build: is written in an unusual form"
		}
		pad := strings.Repeat(" ", bk.Column-1+step)
		_, lineEnd := lineRange(src, starts, bk.Line)
		lines := pad + "context: " + string(src[ctxStart:ctxEnd]) + nl + pad + "dockerfile: " + dfText + nl
		value := analysis.TextEdit{File: f.Path, Start: keyEnd + 1, End: ctxEnd, NewText: nil}
		if lineEnd == len(src) && (len(src) == 0 || src[len(src)-1] != '\n') {
			lines = nl + lines
		}
		insert := analysis.TextEdit{File: f.Path, Start: lineEnd, End: lineEnd, NewText: []byte(lines)}
		return []analysis.TextEdit{value, insert, del}, true, ""
	case bv.Kind == yaml.MappingNode && bv.Style&yaml.FlowStyle == 0 && len(bv.Content) >= 2:
		for i := 0; i+1 < len(bv.Content); i += 2 {
			if bv.Content[i].Value == "dockerfile" {
				return nil, false, "build: already names a dockerfile; delete one of the two by hand"
			}
		}
		first := bv.Content[0]
		at := starts[first.Line-1]
		firstAt := f.Offset(first.Line, first.Column)
		if firstAt < at {
			return nil, false, "build:'s position in the file could not be found"
		}
		pad := string(src[at:firstAt])
		if strings.TrimLeft(pad, " ") != "" || first.Line <= bk.Line {
			return nil, false, "build:'s keys are not one per line"
		}
		insert := analysis.TextEdit{File: f.Path, Start: at, End: at, NewText: []byte(pad + "dockerfile: " + dfText + nl)}
		return []analysis.TextEdit{insert, del}, false, ""
	}
	return nil, false, "build: is neither a path nor a block mapping; move dockerfile: under it by hand"
}

// DuplicateEdit deletes the earlier of a key given twice in one block
// mapping, with its value: from its line to the line of the key after it.
// Compose v1 read the file that way (the last of a key wins); Compose v2
// refuses the file. Comments between the two go with the deleted pair.
func DuplicateEdit(f *compose.File, d compose.Duplicate) (analysis.TextEdit, string) {
	starts := f.LineStarts()
	switch {
	case !d.Block:
		return analysis.TextEdit{}, "the mapping is written in flow style"
	case d.Next == nil || d.Next.Line <= d.Key.Line || d.Next.Column != d.Key.Column || d.Next.Line > len(starts):
		return analysis.TextEdit{}, "the key after it is not on a later line of the same mapping"
	}
	if anchored(d.Key) || anchored(d.Value) {
		// Deleting it would leave the aliases that use it unresolved.
		return analysis.TextEdit{}, "it defines a YAML anchor (&name)"
	}
	// The comment lines right above the next key, at the keys' own
	// indentation, are that key's: they stay.
	keep := d.Next.Line
	for keep-1 > d.Key.Line {
		t := lineText(f.Src, starts, keep-1)
		if !strings.HasPrefix(strings.TrimSpace(t), "#") || indentOf(t) != d.Key.Column-1 {
			break
		}
		keep--
	}
	from, to := starts[d.Key.Line-1], starts[keep-1]
	if strings.TrimSpace(string(f.Src[from:f.Offset(d.Key.Line, d.Key.Column)])) != "" {
		return analysis.TextEdit{}, "the key does not start its line"
	}
	return analysis.TextEdit{File: f.Path, Start: from, End: to}, ""
}

// anchored reports a node, or one under it, that defines an anchor.
func anchored(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Anchor != "" {
		return true
	}
	return slices.ContainsFunc(n.Content, anchored)
}
