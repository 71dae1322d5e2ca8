// Package transform plans the big rewrites behind decouple's fixes: the
// split of a bundled service into a code-only image and a runtime service,
// the .dockerignore that goes with it, and the move of Compose v1 files to
// the Compose Spec layout. Planners return text edits on the original
// bytes; they never re-serialise a whole YAML file and never write.
package transform

import "io/fs"

// FS is what the fix planners read of the project besides the files the
// workspace loaded: lockfiles, ignore files, build contexts, the paths a
// fix would create. *workspace.Workspace serves it, memoised per run.
type FS interface {
	Stat(path string) (fs.FileInfo, error)
	Lstat(path string) (fs.FileInfo, error)
	Exists(path string) bool
	ReadFile(path string) ([]byte, error)
	Glob(pattern string) []string
}
