package edit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// applyPatch is a deliberately strict reader of the diffs UnifiedDiff
// prints, used to check them without external tools (in fuzzing, say). It
// applies diff to files (slash path -> content; a missing key is a missing
// file) and returns the new contents. Besides applying, it checks what
// patch would only tolerate: hunks in order and not overlapping, header
// line numbers and counts exact on both sides, context lines matching
// byte for byte, at most contextLines of context at a hunk's ends and less
// than 2*contextLines+1 between two changes.
func applyPatch(diff string, files map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(files))
	for k, v := range files {
		out[k] = v
	}
	if diff == "" {
		return out, nil
	}
	if !strings.HasSuffix(diff, "\n") {
		return nil, fmt.Errorf("diff does not end with a newline")
	}
	p := &patchReader{lines: strings.Split(strings.TrimSuffix(diff, "\n"), "\n")}
	seen := map[string]bool{}
	for !p.eof() {
		name, created, err := p.header()
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("%s: patched twice", name)
		}
		seen[name] = true
		old, exists := out[name]
		if created == exists {
			return nil, fmt.Errorf("%s: created=%v but exists=%v", name, created, exists)
		}
		result, err := p.hunks(old)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = result
	}
	return out, nil
}

type patchReader struct {
	lines []string
	i     int
}

func (p *patchReader) eof() bool { return p.i >= len(p.lines) }

func (p *patchReader) next() string {
	if p.eof() {
		return "\x00EOF"
	}
	p.i++
	return p.lines[p.i-1]
}

func (p *patchReader) peek() string {
	if p.eof() {
		return "\x00EOF"
	}
	return p.lines[p.i]
}

func unquoteName(s string) (string, error) {
	s = strings.TrimSuffix(s, "\t")
	if strings.HasPrefix(s, `"`) {
		return strconv.Unquote(s)
	}
	return s, nil
}

var quotedHeader = regexp.MustCompile(`^("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*")$`)

// splitHeaderNames splits the names of a "diff --git" line. Unquoted names
// may hold spaces, so they are found as git does: both halves name the same
// path.
func splitHeaderNames(rest string) (a, b string, ok bool) {
	if m := quotedHeader.FindStringSubmatch(rest); m != nil {
		return m[1], m[2], true
	}
	if (len(rest)-1)%2 != 0 {
		return "", "", false
	}
	half := (len(rest) - 1) / 2
	return rest[:half], rest[half+1:], rest[half] == ' '
}

// header reads "diff --git", the optional "new file mode" and the ---/+++
// lines, and returns the file's name and whether it is created.
func (p *patchReader) header() (name string, created bool, err error) {
	line := p.next()
	rest, found := strings.CutPrefix(line, "diff --git ")
	qa, qb, ok := splitHeaderNames(rest)
	if !found || !ok {
		return "", false, fmt.Errorf("line %d: want diff --git, got %q", p.i, line)
	}
	a, err := unquoteName(qa)
	if err != nil {
		return "", false, err
	}
	b, err := unquoteName(qb)
	if err != nil {
		return "", false, err
	}
	if !strings.HasPrefix(a, "a/") || !strings.HasPrefix(b, "b/") || a[2:] != b[2:] {
		return "", false, fmt.Errorf("line %d: bad names %q %q", p.i, a, b)
	}
	name = a[2:]
	if strings.HasPrefix(p.peek(), "new file mode ") {
		mode := strings.TrimPrefix(p.next(), "new file mode ")
		if mode != "100644" && mode != "100755" {
			return "", false, fmt.Errorf("bad mode %q", mode)
		}
		created = true
		if !strings.HasPrefix(p.peek(), "--- ") {
			return name, true, nil // an empty new file
		}
	}
	minus, plus := p.next(), p.next()
	wantMinus := "--- " + qa
	if created {
		wantMinus = "--- /dev/null"
	}
	if strings.TrimSuffix(minus, "\t") != wantMinus || strings.TrimSuffix(plus, "\t") != "+++ "+qb {
		return "", false, fmt.Errorf("%s: bad ---/+++ lines %q %q", name, minus, plus)
	}
	if !strings.HasPrefix(p.peek(), "@@ ") {
		return "", false, fmt.Errorf("%s: no hunk", name)
	}
	return name, created, nil
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

func atoiDefault(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// hunks applies the hunks that follow to old.
func (p *patchReader) hunks(old string) (string, error) {
	oldLines := splitLines(old)
	var out strings.Builder
	// Only the last line of a file may lack its newline: nothing may be
	// written after such a line.
	unterminated := false
	write := func(s string) error {
		if unterminated {
			return fmt.Errorf("a line without newline is followed by %q", s)
		}
		unterminated = !strings.HasSuffix(s, "\n")
		out.WriteString(s)
		return nil
	}
	pos, newPos := 0, 0 // lines of old consumed, lines of output written
	for strings.HasPrefix(p.peek(), "@@ ") {
		m := hunkHeader.FindStringSubmatch(p.next())
		if m == nil {
			return "", fmt.Errorf("bad hunk header %q", p.lines[p.i-1])
		}
		oldStart, oldCount := atoiDefault(m[1], 0), atoiDefault(m[2], 1)
		newStart, newCount := atoiDefault(m[3], 0), atoiDefault(m[4], 1)
		if m[2] == "1" || m[4] == "1" {
			return "", fmt.Errorf("count 1 should be left out: %q", p.lines[p.i-1])
		}
		// Where the hunk begins, 0-based: an empty side names the line
		// it follows.
		at, newAt := oldStart-1, newStart-1
		if oldCount == 0 {
			at = oldStart
		}
		if newCount == 0 {
			newAt = newStart
		}
		if at < pos || at > len(oldLines) {
			return "", fmt.Errorf("hunk at old line %d overlaps or is out of order (at %d)", oldStart, pos)
		}
		if pos > 0 && at == pos {
			return "", fmt.Errorf("hunk at old line %d touches the previous one", oldStart)
		}
		for ; pos < at; pos++ {
			if err := write(oldLines[pos]); err != nil {
				return "", err
			}
			newPos++
		}
		if newAt != newPos {
			return "", fmt.Errorf("hunk says new line %d, but it is %d", newStart, newPos+1)
		}
		var body []lineOp
		for nOld, nNew := 0, 0; len(body) < 1 || nOld < oldCount || nNew < newCount; {
			l := p.next()
			if l == "\x00EOF" || l == "" {
				return "", fmt.Errorf("hunk at old line %d is short", oldStart)
			}
			kind := l[0]
			if kind != ' ' && kind != '-' && kind != '+' {
				return "", fmt.Errorf("bad hunk line %q", l)
			}
			text := l[1:] + "\n"
			if strings.HasPrefix(p.peek(), `\`) {
				if p.next() != `\ No newline at end of file` {
					return "", fmt.Errorf("bad marker %q", p.lines[p.i-1])
				}
				text = l[1:]
			}
			body = append(body, lineOp{kind, text})
			if kind != '+' {
				nOld++
			}
			if kind != '-' {
				nNew++
			}
		}
		if countSide(body, '+') != oldCount || countSide(body, '-') != newCount {
			return "", fmt.Errorf("hunk at old line %d: counts do not match its header", oldStart)
		}
		if err := checkContext(body); err != nil {
			return "", fmt.Errorf("hunk at old line %d: %w", oldStart, err)
		}
		for _, op := range body {
			if op.kind != '+' {
				if pos >= len(oldLines) || oldLines[pos] != op.text {
					return "", fmt.Errorf("old line %d does not match %q", pos+1, op.text)
				}
				pos++
			}
			if op.kind != '-' {
				if err := write(op.text); err != nil {
					return "", err
				}
				newPos++
			}
		}
	}
	for ; pos < len(oldLines); pos++ {
		if err := write(oldLines[pos]); err != nil {
			return "", err
		}
	}
	return out.String(), nil
}

// countSide counts the lines of body on the side that skips kind.
func countSide(body []lineOp, skip byte) int {
	n := 0
	for _, op := range body {
		if op.kind != skip {
			n++
		}
	}
	return n
}

// checkContext checks how much context surrounds the changes of a hunk.
func checkContext(body []lineOp) error {
	first, last := -1, -1
	for i, op := range body {
		if op.kind != ' ' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return fmt.Errorf("no change")
	}
	if first > contextLines || len(body)-1-last > contextLines {
		return fmt.Errorf("too much context at an end")
	}
	run := 0
	for _, op := range body[first:last] {
		if op.kind == ' ' {
			run++
			if run > 2*contextLines {
				return fmt.Errorf("changes that far apart belong to two hunks")
			}
		} else {
			run = 0
		}
	}
	return nil
}
