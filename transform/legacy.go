package transform

import (
	"fmt"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
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
	starts := lineStarts(src)
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
