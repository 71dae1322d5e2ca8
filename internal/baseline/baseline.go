// Package baseline records a run's findings so that later runs report only
// new ones. Entries are keyed by rule, file, service or stage and message,
// without positions, so edits that shift lines do not invalidate them;
// identical findings are counted.
package baseline

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// Version is the file format's version.
const Version = 1

// Entry is one kind of finding and how many times it occurred.
type Entry struct {
	Rule       string `json:"rule"`
	File       string `json:"file"`
	Service    string `json:"service,omitempty"`
	Dockerfile string `json:"dockerfile,omitempty"`
	Stage      string `json:"stage,omitempty"`
	Message    string `json:"message"`
	Count      int    `json:"count"`
}

// File is the baseline file's content.
type File struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool"`
	Findings []Entry `json:"findings"`
}

type key struct{ rule, file, service, dockerfile, stage, message string }

func keyOf(d analysis.Diagnostic) key {
	code := ""
	if d.Rule != nil {
		code = d.Rule.Code
	}
	return key{code, d.Pos.File, d.Service, d.Dockerfile, d.Stage, Normalize(d.Message)}
}

// filePos is a "file:line" or "file:line:col" reference inside a message.
// The name must look like a path (a slash, a dot or a Dockerfile name) and
// the number must end the reference, so image tags such as node:22-alpine
// stay.
var filePos = regexp.MustCompile(`([^\s(]*(?:/|\.|ockerfile|ontainerfile)[^\s(:]*):\d+(?::\d+)?([),;]|$)`)

// Normalize strips line numbers from the file references in a message
// ("COPY . . (api/Dockerfile:3)" becomes "COPY . . (api/Dockerfile)"), so
// that a finding survives lines moving above it.
func Normalize(msg string) string { return filePos.ReplaceAllString(msg, "$1$2") }

// Make records findings.
func Make(diags []analysis.Diagnostic) *File {
	counts := map[key]int{}
	for _, d := range diags {
		counts[keyOf(d)]++
	}
	f := &File{Version: Version, Tool: "decouple", Findings: []Entry{}}
	for k, n := range counts {
		f.Findings = append(f.Findings, Entry{Rule: k.rule, File: k.file, Service: k.service, Dockerfile: k.dockerfile, Stage: k.stage, Message: k.message, Count: n})
	}
	sort.Slice(f.Findings, func(i, j int) bool {
		a, b := f.Findings[i], f.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Stage != b.Stage {
			return a.Stage < b.Stage
		}
		return a.Message < b.Message
	})
	return f
}

// Write saves a baseline of findings to path.
func Write(path string, diags []analysis.Diagnostic) error {
	data, err := json.MarshalIndent(Make(diags), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Read loads a baseline file.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: not a decouple baseline: %v", path, err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%s: baseline version %d, want %d", path, f.Version, Version)
	}
	return &f, nil
}

// folded compares stage names, and the messages that quote them, in any
// case, as BuildKit matches stages: a baseline written when decouple
// quoted stage PRD as prd still holds.
func folded(k key) key {
	k.stage, k.message = strings.ToLower(k.stage), strings.ToLower(k.message)
	return k
}

// Filter returns the findings not recorded in the baseline: for each key,
// as many findings as were recorded are dropped, the rest kept in order.
func (f *File) Filter(diags []analysis.Diagnostic) []analysis.Diagnostic {
	left := map[key]int{}
	for _, e := range f.Findings {
		left[folded(key{e.Rule, e.File, e.Service, e.Dockerfile, e.Stage, Normalize(e.Message)})] += e.Count
	}
	var out []analysis.Diagnostic
	for _, d := range diags {
		k := folded(keyOf(d))
		if left[k] > 0 {
			left[k]--
			continue
		}
		out = append(out, d)
	}
	return out
}
