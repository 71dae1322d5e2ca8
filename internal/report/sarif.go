package report

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/decouple-dev/decouple/internal/analysis"
)

const (
	sarifSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion   = "2.1.0"
	informationURI = "https://github.com/decouple-dev/decouple"
	// srcRoot is the base every relative artifact URI is resolved against;
	// code-scanning services map it to the repository checkout.
	srcRoot = "%SRCROOT%"
	// fingerprintKey names decouple's partial fingerprint; the version
	// suffix lets the recipe change without matching old alerts wrongly.
	fingerprintKey = "decouple/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	Invocations        []sarifInvocation                `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult                    `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifMessage    `json:"shortDescription"`
	FullDescription      sarifMessage    `json:"fullDescription"`
	Help                 sarifMessage    `json:"help"`
	HelpURI              string          `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fixes               []sarifFix        `json:"fixes,omitempty"`
	Properties          *sarifResultProps `json:"properties,omitempty"`
}

// sarifResultProps carries what SARIF has no field for: what the finding
// is about, and why no fix is offered.
type sarifResultProps struct {
	Service    string `json:"service,omitempty"`
	Dockerfile string `json:"dockerfile,omitempty"`
	Stage      string `json:"stage,omitempty"`
	FixRefused string `json:"fixRefused,omitempty"`
}

type sarifLocation struct {
	ID               int           `json:"id,omitempty"` // related locations count from 1
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifMessage `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
	Properties      sarifFixProps         `json:"properties"`
}

// sarifFixProps records whether --fix applies the fix on its own or needs
// --unsafe-fixes; SARIF has no notion of fix safety.
type sarifFixProps struct {
	Safe bool `json:"safe"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifByteRegion `json:"deletedRegion"`
	InsertedContent *sarifContent   `json:"insertedContent,omitempty"` // absent: a pure deletion
}

// sarifByteRegion addresses bytes, as TextEdit offsets are byte offsets
// into the original file; line/column or character offsets would need the
// file's content to compute. Both fields are always written, since offset
// 0 and length 0 (an insertion) are meaningful.
type sarifByteRegion struct {
	ByteOffset int `json:"byteOffset"`
	ByteLength int `json:"byteLength"`
}

type sarifContent struct {
	Text   *string `json:"text,omitempty"`
	Binary string  `json:"binary,omitempty"`
}

func sarifLevel(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "error"
	case analysis.Warning:
		return "warning"
	default:
		return "note"
	}
}

func writeSARIF(buf *bytes.Buffer, in *Input, _ Options) error {
	rules, index := sarifRules(in)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "decouple",
			Version:        in.Version,
			InformationURI: informationURI,
			Rules:          rules,
		}},
		// The run itself completed: files that could not be checked are
		// reported as error-level notifications, which by SARIF's Appendix
		// I already mark the results as possibly incomplete. false would
		// claim the tool crashed and makes some consumers drop the results.
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     make([]sarifResult, 0, len(in.Diagnostics)),
	}
	if in.Root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: rootURI(in.Root)}}
	}
	for _, e := range in.Errors {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications,
			sarifNotification{
				Level:     "error",
				Message:   sarifMessage{Text: e.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalAt(e.Pos)}},
			})
	}
	fps := fingerprints(in.Diagnostics)
	for i := range in.Diagnostics {
		d := &in.Diagnostics[i]
		res := sarifResult{
			RuleID:              ruleCode(d),
			RuleIndex:           ruleIndex(index, d),
			Level:               sarifLevel(d.Severity),
			Message:             sarifMessage{Text: d.Message},
			Locations:           []sarifLocation{{PhysicalLocation: sarifPhysicalAt(d.Pos)}},
			PartialFingerprints: map[string]string{fingerprintKey: fps[i]},
		}
		for j, r := range d.Related {
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               j + 1,
				PhysicalLocation: sarifPhysicalAt(r.Pos),
				Message:          &sarifMessage{Text: r.Message},
			})
		}
		if d.Fix != nil {
			res.Fixes = []sarifFix{sarifFixOf(d.Fix, in.Root)}
		}
		props := sarifResultProps{Service: d.Service, Dockerfile: d.Dockerfile, Stage: d.Stage, FixRefused: d.FixRefused}
		if props != (sarifResultProps{}) {
			res.Properties = &props
		}
		run.Results = append(run.Results, res)
	}
	return encodeJSON(buf, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRules lists the catalogue, plus any rule a finding names that the
// catalogue lacks (so every ruleIndex is valid), and maps codes to indexes.
func sarifRules(in *Input) (rules []sarifRule, index map[string]int) {
	catalogue := slices.Clone(in.Rules)
	for i := range in.Diagnostics {
		catalogue = append(catalogue, in.Diagnostics[i].Rule)
	}
	rules = make([]sarifRule, 0, len(in.Rules))
	index = make(map[string]int, len(in.Rules))
	for _, r := range catalogue {
		if r == nil {
			continue
		}
		if _, dup := index[r.Code]; dup {
			continue
		}
		index[r.Code] = len(rules)
		doc := cmp.Or(strings.TrimSpace(r.Doc), r.Summary)
		rules = append(rules, sarifRule{
			ID:                   r.Code,
			Name:                 r.Name,
			ShortDescription:     sarifMessage{Text: r.Summary},
			FullDescription:      sarifMessage{Text: cmp.Or(firstParagraph(doc), r.Summary)},
			Help:                 sarifMessage{Text: doc, Markdown: doc},
			HelpURI:              r.URL(),
			DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(r.Severity)},
		})
	}
	return rules, index
}

// ruleIndex is -1, SARIF's "unknown", for a finding without a rule.
func ruleIndex(index map[string]int, d *analysis.Diagnostic) int {
	if i, ok := index[ruleCode(d)]; ok && d.Rule != nil {
		return i
	}
	return -1
}

// firstParagraph is the rationale that opens a rule's Markdown doc, joined
// into one line, for viewers that show fullDescription as plain text.
func firstParagraph(doc string) string {
	para, _, _ := strings.Cut(strings.ReplaceAll(doc, "\r\n", "\n"), "\n\n")
	if strings.HasPrefix(para, "#") || strings.HasPrefix(para, "```") {
		return ""
	}
	return strings.Join(strings.Fields(para), " ")
}

func sarifPhysicalAt(p analysis.Position) sarifPhysical {
	phys := sarifPhysical{ArtifactLocation: sarifArtifact(p.File)}
	if p.Line > 0 {
		phys.Region = &sarifRegion{StartLine: p.Line, StartColumn: p.Column}
	}
	return phys
}

func sarifArtifact(file string) sarifArtifactLocation {
	uri, relative := fileURI(file)
	loc := sarifArtifactLocation{URI: uri}
	if relative {
		loc.URIBaseID = srcRoot
	}
	return loc
}

// sarifFixOf groups the edits by file, in the order the files first
// appear, with each file's replacements ascending by offset.
func sarifFixOf(fix *analysis.SuggestedFix, root string) sarifFix {
	out := sarifFix{
		Description:     sarifMessage{Text: fix.Message},
		ArtifactChanges: []sarifArtifactChange{},
		Properties:      sarifFixProps{Safe: fix.Safe},
	}
	byFile := map[string]int{}
	for _, e := range fix.Edits {
		file := relPath(e.File, root)
		i, ok := byFile[file]
		if !ok {
			i = len(out.ArtifactChanges)
			byFile[file] = i
			out.ArtifactChanges = append(out.ArtifactChanges, sarifArtifactChange{ArtifactLocation: sarifArtifact(file)})
		}
		rep := sarifReplacement{DeletedRegion: sarifByteRegion{ByteOffset: e.Start, ByteLength: e.End - e.Start}}
		if len(e.NewText) > 0 {
			rep.InsertedContent = sarifInserted(e.NewText)
		}
		out.ArtifactChanges[i].Replacements = append(out.ArtifactChanges[i].Replacements, rep)
	}
	for i := range out.ArtifactChanges {
		slices.SortStableFunc(out.ArtifactChanges[i].Replacements, func(a, b sarifReplacement) int {
			return cmp.Compare(a.DeletedRegion.ByteOffset, b.DeletedRegion.ByteOffset)
		})
	}
	return out
}

// sarifInserted keeps bytes exact: text when they are UTF-8 (JSON strings
// cannot carry anything else), base64 otherwise.
func sarifInserted(b []byte) *sarifContent {
	if utf8.Valid(b) {
		s := string(b)
		return &sarifContent{Text: &s}
	}
	return &sarifContent{Binary: base64.StdEncoding.EncodeToString(b)}
}
