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
// key, else its declaration. A service that inherits its build through
// extends: is placed at its own extends: key, so that each heir of one base
// has a line of its own (to read, and to suppress) rather than all sharing
// the base's build line.
func actPos(ws relater, s *workspace.Service) analysis.Position {
	switch {
	case s.Build != nil && s.Key != nil:
		_, v := s.Key.File.ServiceNode(s.Name)
		if bk, _ := compose.MapGet(v, "build"); bk == nil {
			if ek, _ := compose.MapGet(v, "extends"); ek != nil {
				return analysis.Position{File: ws.Rel(s.Key.File.Path), Line: ek.Line, Column: ek.Column}
			}
		}
		return composePos(ws, s.Build)
	case s.Build != nil:
		return composePos(ws, s.Build)
	case s.Image != nil:
		return composePos(ws, s.Image)
	}
	return composePos(ws, s.Key)
}

// dfPos is a Dockerfile line for a finding or its evidence.
// An inline Dockerfile's lines are placed in the compose file that holds
// it (dockerfile.File.Place).
func dfPos(ws relater, f *dockerfile.File, line int) analysis.Position {
	path, l, _ := f.Place(line, 0)
	return analysis.Position{File: ws.Rel(path), Line: l}
}

// stagePos is a stage's FROM line, with its column.
func stagePos(ws relater, f *dockerfile.File, s *dockerfile.Stage) analysis.Position {
	path, l, c := f.Place(s.Line, s.Column)
	return analysis.Position{File: ws.Rel(path), Line: l, Column: c}
}
