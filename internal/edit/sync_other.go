//go:build !linux

package edit

import (
	"os"
	"sync"
)

// durability syncs each temporary file as it is written, and each folder
// that gained names once the renames are done. Temporary files are written
// by several goroutines at once: mu guards folders.
type durability struct {
	mu      sync.Mutex
	folders folderList
}

func (du *durability) track(*folder, *os.Root) error { return nil }

func (du *durability) written(d *folder, f *os.File) error {
	du.mu.Lock()
	du.folders.add(d.name)
	du.mu.Unlock()
	return f.Sync()
}

func (du *durability) barrier() error { return nil }

func (du *durability) done(c *committer) error {
	c.syncFolders(du.folders.names)
	return nil
}

func (du *durability) close() {}
