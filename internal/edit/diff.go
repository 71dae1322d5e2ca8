package edit

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// contextLines is the number of unchanged lines shown around a change, as
// in diff -u and git diff. Changes separated by at most twice as many
// unchanged lines share a hunk, so no line is printed twice.
const contextLines = 3

// maxDiffLines bounds the lines handed to diffmatchpatch, which encodes
// each distinct line as one rune and panics past about 1.1 million of them.
// Larger inputs get one hunk replacing everything, which is still correct.
const maxDiffLines = 1 << 20

// diffTimeout stops diffmatchpatch from searching for a minimal diff on
// pathological input; it then returns a coarser but still correct diff.
// Files that decouple edits are small enough never to reach it, so output
// stays deterministic in practice.
const diffTimeout = 5 * time.Second

// UnifiedDiff prints changes as a git-style unified diff that `git apply`
// and `patch -p1` turn the old files into the new ones with, byte for byte:
// lines keep their own line endings (CRLF included) and a missing final
// newline is marked "\ No newline at end of file". Changes that change
// nothing are skipped; no changes give "".
func UnifiedDiff(changes []Change) string {
	var b strings.Builder
	for i := range changes {
		writeFileDiff(&b, &changes[i])
	}
	return b.String()
}

func writeFileDiff(b *strings.Builder, c *Change) {
	if c.Exists && bytes.Equal(c.Old, c.New) {
		return
	}
	a, z := quoteName("a/"+c.Path), quoteName("b/"+c.Path)
	fmt.Fprintf(b, "diff --git %s %s\n", a, z)
	oldName, old := a, c.Old
	if !c.Exists {
		fmt.Fprintf(b, "new file mode %s\n", gitMode(c.Mode))
		oldName, old = "/dev/null", nil // what is not there cannot be removed
	}
	ops := lineDiff(string(old), string(c.New))
	hunks := groupHunks(ops)
	if len(hunks) == 0 {
		return // an empty new file: git prints only the header too
	}
	// Like git, end a name holding a space with a tab, so that patch does
	// not take the space for the end of the name.
	tab := ""
	if strings.Contains(c.Path, " ") {
		tab = "\t"
	}
	if oldName == a {
		oldName += tab
	}
	fmt.Fprintf(b, "--- %s\n+++ %s%s\n", oldName, z, tab)
	var oldLine, newLine, pos int
	for _, h := range hunks {
		for ; pos < h.start; pos++ {
			if ops[pos].kind != '+' {
				oldLine++
			}
			if ops[pos].kind != '-' {
				newLine++
			}
		}
		writeHunk(b, ops[h.start:h.end], oldLine, newLine)
	}
}

// lineOp is one line of the edit script: ' ' kept, '-' removed, '+' added.
// text keeps its line ending; only the last line of a file may lack one.
type lineOp struct {
	kind byte
	text string
}

// lineDiff diffs two texts line by line. diffmatchpatch has no unified diff
// printer, only a diff of strings; its DiffLinesToChars trick maps each
// distinct line to one rune, so diffing those strings compares whole lines.
// Lines are compared with their endings, so "a\r\n", "a\n" and a final "a"
// are all different lines, as they are to patch.
func lineDiff(oldText, newText string) []lineOp {
	if strings.Count(oldText, "\n")+strings.Count(newText, "\n") >= maxDiffLines {
		return replaceAll(oldText, newText)
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = diffTimeout
	a, b, lines := dmp.DiffLinesToChars(oldText, newText)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	var ops, dels, adds []lineOp
	// Within a run of changes, print removals before additions, as diff
	// and git do; diffmatchpatch may interleave them.
	flush := func() {
		ops = append(append(ops, dels...), adds...)
		dels, adds = dels[:0], adds[:0]
	}
	for _, d := range diffs {
		for _, l := range splitLines(d.Text) {
			switch d.Type {
			case diffmatchpatch.DiffDelete:
				dels = append(dels, lineOp{'-', l})
			case diffmatchpatch.DiffInsert:
				adds = append(adds, lineOp{'+', l})
			default:
				flush()
				ops = append(ops, lineOp{' ', l})
			}
		}
	}
	flush()
	return ops
}

func replaceAll(oldText, newText string) []lineOp {
	var ops []lineOp
	for _, l := range splitLines(oldText) {
		ops = append(ops, lineOp{'-', l})
	}
	for _, l := range splitLines(newText) {
		ops = append(ops, lineOp{'+', l})
	}
	return ops
}

// splitLines splits s after each "\n"; the last line may lack one.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// hunk is a half-open range of indices into the edit script.
type hunk struct{ start, end int }

// groupHunks finds the changed lines of ops and surrounds them with context,
// merging changes whose contexts would touch or overlap.
func groupHunks(ops []lineOp) []hunk {
	var hunks []hunk
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		h := hunk{start: max(0, i-contextLines)}
		for {
			for i < len(ops) && ops[i].kind != ' ' {
				i++
			}
			j := i // first unchanged line after the run
			for j < len(ops) && ops[j].kind == ' ' {
				j++
			}
			if j == len(ops) || j-i > 2*contextLines {
				break
			}
			i = j
		}
		h.end = min(len(ops), i+contextLines)
		hunks = append(hunks, h)
		i = h.end
	}
	return hunks
}

// writeHunk prints the lines ops of one hunk, which start after oldLine
// lines of the old file and newLine lines of the new one.
func writeHunk(b *strings.Builder, ops []lineOp, oldLine, newLine int) {
	var oldCount, newCount int
	for _, op := range ops {
		if op.kind != '+' {
			oldCount++
		}
		if op.kind != '-' {
			newCount++
		}
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(oldLine, oldCount), hunkRange(newLine, newCount))
	for _, op := range ops {
		b.WriteByte(op.kind)
		b.WriteString(op.text)
		if !strings.HasSuffix(op.text, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats one side of a hunk header given the number of lines
// before the hunk: a range of n lines starts on the next line, and an empty
// range names the line it follows (0 before the first line). Like git, a
// count of one is left out.
func hunkRange(before, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, n)
}

// gitMode is the mode git records for a regular file.
func gitMode(m fs.FileMode) string {
	if m&0o111 != 0 {
		return "100755"
	}
	return "100644"
}

// quoteName quotes a path as git does (core.quotePath): names holding a
// double quote, a backslash, a control character or a non-ASCII byte are
// written as C strings, which both git apply and GNU patch read back.
func quoteName(name string) string {
	needs := false
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			needs = true
			break
		}
	}
	if !needs {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\%03o`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
