package compose

import "testing"

// TestOffsetCountsCharacters: yaml.v3 columns count characters; a line
// with "é" (two bytes) before a value must not put an edit a byte off.
func TestOffsetCountsCharacters(t *testing.T) {
	src := []byte("services:\n  \"wébapp\": {image: node:18}\n")
	f, err := ParseFile("compose.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	_, svc := MapGet(f.Root, "services")
	_, v := MapGet(svc.Content[1], "image")
	off := f.Offset(v.Line, v.Column)
	if got := string(src[off : off+len("node:18")]); got != "node:18" {
		t.Errorf("value at the offset = %q, want node:18 (column %d)", got, v.Column)
	}
	if Offset(src, LineStarts(src), 9, 1) != -1 {
		t.Error("a line past the end has no offset")
	}
}
