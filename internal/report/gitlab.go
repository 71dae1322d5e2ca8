package report

import (
	"bytes"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// GitLab Code Quality is a subset of the Code Climate issue format; these
// are the fields GitLab reads.
type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

func gitlabSeverity(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "major"
	case analysis.Warning:
		return "minor"
	default:
		return "info"
	}
}

// writeGitLab renders a Code Quality report. GitLab's merge request widget
// shows only the description, so it names the rule too; the fingerprint
// is what GitLab compares between the source and target branches, so it
// must not move when lines are inserted above a finding.
func writeGitLab(buf *bytes.Buffer, in *Input, _ Options) error {
	issues := make([]gitlabIssue, 0, len(in.Diagnostics)+len(in.Errors))
	fps := fingerprints(in.Diagnostics)
	for i := range in.Diagnostics {
		d := &in.Diagnostics[i]
		issues = append(issues, gitlabIssue{
			Description: strings.TrimSpace(ruleCode(d)+" "+ruleName(d)) + ": " + d.Message,
			CheckName:   ruleCode(d),
			Fingerprint: fps[i],
			Severity:    gitlabSeverity(d.Severity),
			Location:    gitlabLocationAt(d.Pos),
		})
	}
	// Files that could not be checked are reported rather than dropped: a
	// broken compose file in a merge request is what its reviewer should see.
	keys := make([]string, len(in.Errors))
	for i, e := range in.Errors {
		keys[i] = strings.Join([]string{fileErrorCheck, e.Pos.File, withoutPositions(e.Message)}, "\x00")
	}
	errFPs := uniqueHashes(keys)
	for i, e := range in.Errors {
		issues = append(issues, gitlabIssue{
			Description: "could not check this file: " + e.Message,
			CheckName:   fileErrorCheck,
			Fingerprint: errFPs[i],
			Severity:    "critical",
			Location:    gitlabLocationAt(e.Pos),
		})
	}
	return encodeJSON(buf, issues)
}

// gitlabLocationAt clamps the line to 1: GitLab requires lines.begin, and
// a finding about a whole file has no line.
func gitlabLocationAt(p analysis.Position) gitlabLocation {
	return gitlabLocation{Path: p.File, Lines: gitlabLines{Begin: max(p.Line, 1)}}
}
