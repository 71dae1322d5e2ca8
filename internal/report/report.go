// Package report renders the findings of one decouple run in the formats
// that people and CI systems read: gcc-style text for terminals, a JSON
// contract for scripts, SARIF for code-scanning services, GitHub Actions
// workflow commands, GitLab Code Quality, JUnit XML, Checkstyle XML and
// reviewdog's rdjson.
//
// Every format sees the findings in the same order (file, line, column,
// rule) so output is reproducible and diffs between runs stay small. Each
// format is rendered into memory first and written with a single Write, so
// a failing writer never leaves half a document behind unreported.
package report

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// Input is everything one run has to report.
type Input struct {
	// Diagnostics are the findings, in any order.
	Diagnostics []analysis.Diagnostic
	// Rules is the whole catalogue, in catalogue order. SARIF lists every
	// rule, not only those that fired, so viewers can show their docs.
	Rules []*analysis.Rule
	// Errors are the files that could not be read or parsed and so were
	// not checked.
	Errors []FileError
	// Files optionally lists every file checked (slash paths, as in
	// analysis.Position). JUnit and Checkstyle use it to show clean files
	// too, so a CI test tab proves they were looked at.
	Files []string
	// Version is decouple's version, recorded in JSON and SARIF.
	Version string
	// Root is the absolute working folder that relative paths are relative
	// to. It is optional: SARIF records it as %SRCROOT%, and fix edits whose
	// paths are absolute and under Root are reported relative to it.
	Root string
	// Source optionally returns the text a fix was planned on, by the path
	// its edits name: rdjson needs it to turn their byte offsets into
	// lines and columns. That is the text that was linted, which for
	// standard input is not the file on disk.
	Source func(path string) ([]byte, error)
}

// FileError is a file that could not be read or parsed.
type FileError struct {
	Pos     analysis.Position
	Message string
}

// fileErrorCheck is the check name (GitLab) and failure type (JUnit) of
// file errors, in the place formats put a rule code.
const fileErrorCheck = "decouple-error"

// Options tune rendering.
type Options struct {
	// Color enables ANSI colours in the text format. The caller decides
	// (a terminal, and NO_COLOR unset); other formats ignore it.
	Color bool
}

// format is one output format. Renderers get a normalized Input and write
// into memory; Write does the only I/O.
type format struct {
	name   string
	render func(*bytes.Buffer, *Input, Options) error
}

// formats lists the renderers in the order Formats reports them.
var formats = []format{
	{"text", writeText},
	{"json", writeJSON},
	{"sarif", writeSARIF},
	{"github", writeGitHub},
	{"gitlab", writeGitLab},
	{"junit", writeJUnit},
	{"checkstyle", writeCheckstyle},
	{"rdjson", writeRDJSON},
}

// Formats returns the names Write accepts, the default ("text") first.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// Write renders in to w in the named format (one of Formats).
func Write(w io.Writer, name string, in Input, opts Options) error {
	i := slices.IndexFunc(formats, func(f format) bool { return f.name == name })
	if i < 0 {
		return fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(Formats(), ", "))
	}
	norm := normalize(in)
	var buf bytes.Buffer
	if err := formats[i].render(&buf, &norm, opts); err != nil {
		return fmt.Errorf("%s report: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// normalize returns a copy of in with findings and errors sorted, so that
// every renderer can rely on the order without mutating the caller's slices.
func normalize(in Input) Input {
	in.Diagnostics = slices.Clone(in.Diagnostics)
	slices.SortStableFunc(in.Diagnostics, func(a, b analysis.Diagnostic) int {
		return cmp.Or(
			comparePos(a.Pos, b.Pos),
			cmp.Compare(ruleCode(&a), ruleCode(&b)),
			cmp.Compare(a.Message, b.Message),
		)
	})
	in.Errors = slices.Clone(in.Errors)
	slices.SortStableFunc(in.Errors, func(a, b FileError) int {
		return cmp.Or(comparePos(a.Pos, b.Pos), cmp.Compare(a.Message, b.Message))
	})
	in.Files = slices.Clone(in.Files)
	slices.Sort(in.Files)
	in.Files = slices.Compact(in.Files)
	return in
}

func comparePos(a, b analysis.Position) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
	)
}

// ruleCode and ruleName tolerate a diagnostic without a rule rather than
// panicking in the middle of a report.
func ruleCode(d *analysis.Diagnostic) string {
	if d.Rule == nil {
		return ""
	}
	return d.Rule.Code
}

func ruleName(d *analysis.Diagnostic) string {
	if d.Rule == nil {
		return ""
	}
	return d.Rule.Name
}

// allFiles is the sorted union of the files checked, the files with
// findings and the files with errors.
func allFiles(in *Input) []string {
	files := slices.Clone(in.Files)
	for i := range in.Diagnostics {
		files = append(files, in.Diagnostics[i].Pos.File)
	}
	for _, e := range in.Errors {
		files = append(files, e.Pos.File)
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// countFixes splits the fixable findings into those --fix applies and
// those that also need --unsafe-fixes.
func countFixes(ds []analysis.Diagnostic) (safe, unsafe int) {
	for i := range ds {
		switch fix := ds[i].Fix; {
		case fix == nil:
		case fix.Safe:
			safe++
		default:
			unsafe++
		}
	}
	return safe, unsafe
}

// Position references inside messages, which move when lines are added
// above a finding and so must not change its fingerprint. Image tags such
// as node:20 are deliberately left alone: they tell findings apart.
var (
	lineRefRE = regexp.MustCompile(`(?i)\b(lines?|col(?:umn)?s?)\s+\d+(?:\s*(?:-|–|,|and|to)\s*\d+)*`)
	fileRefRE = regexp.MustCompile(`(?i)(\.ya?ml|\.json|(?:docker|container)file[\w.-]*):\d+(?::\d+)?`)
	lineColRE = regexp.MustCompile(`:\d+:\d+\b`)
)

func withoutPositions(msg string) string {
	msg = lineRefRE.ReplaceAllString(msg, "$1 N")
	msg = fileRefRE.ReplaceAllString(msg, "$1:N")
	return lineColRE.ReplaceAllString(msg, ":N:N")
}

// fingerprints returns one identity per finding of the sorted ds. It
// hashes what the finding is about (rule, file, service, Dockerfile, stage
// and the message without positions), so it survives lines being inserted
// above it.
func fingerprints(ds []analysis.Diagnostic) []string {
	keys := make([]string, len(ds))
	for i := range ds {
		d := &ds[i]
		keys[i] = strings.Join([]string{
			ruleCode(d), d.Pos.File, d.Service, d.Dockerfile, d.Stage, withoutPositions(d.Message),
		}, "\x00")
	}
	return uniqueHashes(keys)
}

// uniqueHashes hashes each key; keys that repeat are told apart by their
// order of appearance, which keeps every fingerprint in a report unique.
func uniqueHashes(keys []string) []string {
	seen := make(map[string]int, len(keys))
	out := make([]string, len(keys))
	for i, key := range keys {
		n := seen[key]
		seen[key]++
		if n > 0 {
			key += "\x00" + strconv.Itoa(n)
		}
		out[i] = hash(key)
	}
	return out
}

// hash is 32 hex digits (128 bits of SHA-256): the length of the MD5 GitLab
// documents, and ample for findings in one repository.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// relPath turns a path as the driver opened it into the slash path used in
// reports: relative to root when it lies under it.
func relPath(p, root string) string {
	p = filepath.ToSlash(p)
	if root != "" && isAbs(p) {
		r := strings.TrimSuffix(filepath.ToSlash(root), "/")
		if rest, ok := strings.CutPrefix(p, r+"/"); ok {
			return rest
		}
	}
	if isAbs(p) {
		return p
	}
	return path.Clean(p)
}

// isAbs recognises both POSIX and Windows (C:/...) absolute slash paths, as
// reports may be rendered on one system from paths found on another.
func isAbs(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && p[2] == '/' &&
		('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// fileURI returns the URI of a slash path: a relative reference (to be
// resolved against baseID) when it is relative, a file: URI otherwise.
func fileURI(p string) (uri string, relative bool) {
	if !isAbs(p) {
		return (&url.URL{Path: p}).String(), true
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x -> file:///C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), false
}

// rootURI is Root as a file: URI ending in a slash, as SARIF requires of
// a base URI.
func rootURI(root string) string {
	u, _ := fileURI(strings.TrimSuffix(filepath.ToSlash(root), "/") + "/")
	return u
}
