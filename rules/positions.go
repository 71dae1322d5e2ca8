package rules

import (
	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// relater makes paths relative for findings: the workspace, or a run's
// cache of it.
type relater interface{ Rel(path string) string }

// composePos converts a compose position for a finding.
func composePos(ws relater, p *compose.Pos) analysis.Position {
	return analysis.Position{File: ws.Rel(p.File.Path), Line: p.Line, Column: p.Column}
}

// actPos is where the user acts on a service: its build key, else its image
// key, else its declaration.
func actPos(ws relater, s *workspace.Service) analysis.Position {
	switch {
	case s.Build != nil:
		return composePos(ws, s.Build)
	case s.Image != nil:
		return composePos(ws, s.Image)
	}
	return composePos(ws, s.Key)
}

// dfPos is a Dockerfile line for a finding or its evidence.
func dfPos(ws relater, f *dockerfile.File, line int) analysis.Position {
	return analysis.Position{File: ws.Rel(f.Path), Line: line}
}

// stagePos is a stage's FROM line, with its column.
func stagePos(ws relater, f *dockerfile.File, s *dockerfile.Stage) analysis.Position {
	return analysis.Position{File: ws.Rel(f.Path), Line: s.Line, Column: s.Column}
}
