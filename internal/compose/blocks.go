package compose

import "go.yaml.in/yaml/v3"

// Block is the lines one service is written on in one file: from its key
// to the line before the next key of the same mapping (or of the top
// level, for the last service), 1-based and inclusive.
type Block struct {
	Name      string
	Line, End int
}

// ServiceBlocks lists the blocks of the services the file declares, in
// order. A block ends where the next key begins rather than at its last
// node, so a block scalar (`command: |`) or trailing comments stay inside.
func (f *File) ServiceBlocks() []Block {
	svcs := f.ServicesNode()
	if svcs == nil || svcs.Kind != yaml.MappingNode {
		return nil
	}
	// The line after the services mapping: the next top-level key's, or
	// past the end of the file.
	after := len(f.LineStarts()) + 1
	if !f.Legacy {
		for i := 0; i+2 < len(f.Root.Content); i += 2 {
			if f.Root.Content[i].Value == "services" {
				after = f.Root.Content[i+2].Line
			}
		}
	}
	names := map[string]bool{}
	for _, n := range f.ServiceNames() {
		names[n] = true
	}
	var out []Block
	for i := 0; i+1 < len(svcs.Content); i += 2 {
		k := svcs.Content[i]
		if !names[k.Value] {
			continue // a top-level key of a v1 file, not a service
		}
		next := after
		if i+2 < len(svcs.Content) {
			next = svcs.Content[i+2].Line
		}
		out = append(out, Block{Name: k.Value, Line: k.Line, End: max(k.Line, next-1)})
	}
	return out
}
