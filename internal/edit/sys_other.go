//go:build !unix

package edit

import "io/fs"

// fileID is empty: no cheap identity here.
type fileID struct{}

// fileIDOf has no identity to offer here: fileSet falls back to os.SameFile.
func fileIDOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }

// folderBudget is how many folder handles Commit may keep open.
func folderBudget() int { return maxFolders }
