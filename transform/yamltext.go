package transform

import (
	"bytes"
	"sort"

	"encoding/json"
	"strings"

	"github.com/decouple-dev/decouple/internal/compose"
	"go.yaml.in/yaml/v3"
)

// Text helpers for splicing YAML. yaml.v3 gives where a node starts but not
// where it ends, and no Go YAML library re-emits untouched text byte for
// byte, so block extents are found from indentation in the source itself.

// offsetOf is the byte offset of a yaml.v3 line and column (columns count
// characters: see compose.Offset).
func offsetOf(src []byte, starts []int, line, col int) int {
	return compose.Offset(src, starts, line, col)
}

// lineText is line n (1-based) without its line ending.
func lineText(src []byte, starts []int, n int) string {
	end := len(src)
	if n < len(starts) {
		end = starts[n]
	}
	return strings.TrimRight(string(src[starts[n-1]:end]), "\r\n")
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

func isBlankOrComment(s string) bool {
	t := strings.TrimSpace(s)
	return t == "" || strings.HasPrefix(t, "#")
}

// blockEnd returns the byte offset just past the block of the key on line
// keyLine at 1-based column keyCol: its value lines are those indented
// deeper. Trailing blank and comment lines belong to what follows.
func blockEnd(src []byte, starts []int, keyLine, keyCol int) int {
	last := keyLine
	for n := keyLine + 1; n <= len(starts); n++ {
		t := lineText(src, starts, n)
		if isBlankOrComment(t) {
			continue
		}
		if indentOf(t) <= keyCol-1 {
			break
		}
		last = n
	}
	if last < len(starts) {
		return starts[last]
	}
	return len(src)
}

// newline is the file's line ending, so CRLF files stay CRLF.
func newline(src []byte) string {
	if bytes.Contains(src, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// yamlString quotes a value for YAML when it needs it, and doubles `$` so
// Compose does not interpolate text that came from a Dockerfile.
func yamlString(s string) string { return yamlText(strings.ReplaceAll(s, "$", "$$")) }

// yamlText writes compose text that is already as compose should read it
// (${VAR} kept for interpolation), quoted only when YAML needs it.
func yamlText(s string) string {
	if plainSafe(s) {
		return s
	}
	return jsonString(s)
}

// plainSafe reports whether s can be written as a plain YAML scalar and read
// back as the same string.
func plainSafe(s string) bool {
	if s == "" || strings.TrimSpace(s) != s || looksTyped(s) {
		return false
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`") {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	// Flow indicators are fine inside a block-context plain scalar.
	return !strings.ContainsAny(s, "\n\t\r")
}

// jsonString is a double-quoted YAML scalar; JSON's escapes are valid YAML.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// looksTyped reports scalars YAML would read as something other than a string.
func looksTyped(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		return true
	}
	if s == "" {
		return false
	}
	for _, r := range s {
		// ':' too: YAML 1.1 readers (Compose v1's PyYAML) take 1001:1001
		// for a base-60 number.
		if (r < '0' || r > '9') && r != '.' && r != '-' && r != '+' && r != 'e' && r != 'E' && r != '_' && r != ':' {
			return false
		}
	}
	return true
}

// flowList renders a list of strings as a YAML flow sequence.
func flowList(items []string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = jsonString(strings.ReplaceAll(it, "$", "$$"))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// commentsOf is what a deletion of lines first.. up to byte end keeps: the
// full-line comments among them as written, and the comments trailing a
// deleted line (trailing, by line) on lines of their own at that line's
// indentation. A fix may remove keys, never a user's words.
func commentsOf(src []byte, starts []int, first, end int, trailing map[int]string, nl string) string {
	var b strings.Builder
	for n := first; n <= len(starts) && starts[n-1] < end; n++ {
		t := lineText(src, starts, n)
		switch c := trailing[n]; {
		case strings.HasPrefix(strings.TrimSpace(t), "#"):
			b.WriteString(t + nl)
		case c != "":
			b.WriteString(strings.Repeat(" ", indentOf(t)) + c + nl)
		}
	}
	return b.String()
}

// lineComments maps the lines of n and the nodes under it to the comment
// that trails them (`- /app/node_modules # keep`).
func lineComments(out map[int]string, nodes ...*yaml.Node) map[int]string {
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if n.LineComment != "" && out[n.Line] == "" {
			out[n.Line] = n.LineComment
		}
		lineComments(out, n.Content...)
	}
	return out
}

// withTrailingComments extends a block's end (from blockEnd) over the
// comment lines right after it that are indented deeper than its key at
// column keyCol: a commented-out key of the block (# command: npm run
// dev) belongs to it, and what is added after the block goes below them.
// A blank line or a comment at the key's own indentation stops it.
func withTrailingComments(src []byte, starts []int, end, keyCol int) int {
	for n := lineAt(starts, end); n > 0 && n <= len(starts) && starts[n-1] == end; n++ {
		t := lineText(src, starts, n)
		if !strings.HasPrefix(strings.TrimSpace(t), "#") || indentOf(t) <= keyCol-1 {
			break
		}
		end = len(src)
		if n < len(starts) {
			end = starts[n]
		}
	}
	return end
}

// lineAt is the 1-based line that starts at byte offset off, or 0.
func lineAt(starts []int, off int) int {
	i := sort.SearchInts(starts, off)
	if i < len(starts) && starts[i] == off {
		return i + 1
	}
	return 0
}
