package edit

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// ErrModified means a file no longer holds what Plan read from it: another
// process changed, created or replaced it in the meantime.
var ErrModified = errors.New("changed since it was read")

// maxLinks bounds symbolic link chains, as the kernel's ELOOP does.
const maxLinks = 40

// beforeRename runs before each file is moved into place; tests replace it
// to inject a failure between two renames.
var beforeRename = func(int, string) error { return nil }

// pending is one change on its way to disk.
type pending struct {
	c      *Change
	target string      // where the bytes go: c.Path with symbolic links resolved
	mode   fs.FileMode // mode to give the new file
	owner  owner       // owner to give it, where the platform has one
	info   fs.FileInfo // the existing target, to spot two paths to one file
	dirs   []string    // folders created for a new file, outermost first
	tmp    string      // temporary file not yet renamed over target
	done   bool        // target now holds c.New
}

// Commit writes the new content of every change under root, or of none.
//
// Each file is written to a temporary file in its own folder, synced, given
// the original file's mode and owner, and renamed over the original, so a
// crash leaves either the old or the new bytes, never a mix. Before writing,
// every target is read again and compared with Change.Old; if any differs
// (ErrModified), nothing is written. If anything fails after the first
// rename, files already replaced get their old bytes back, created files
// and folders are removed, and temporary files are deleted.
//
// A symbolic link is never replaced: the file it resolves to is written.
// Links leading outside root are refused, as is any path outside root.
func Commit(root string, changes []Change) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }() // every write was synced already

	ps, err := prepare(r, changes)
	if err != nil {
		return err
	}
	for i := range ps {
		if err := writeTemp(r, &ps[i]); err != nil {
			return rollback(r, ps, err)
		}
	}
	for i := range ps {
		p := &ps[i]
		if err := beforeRename(i, p.target); err != nil {
			return rollback(r, ps, err)
		}
		// Check again right before the swap, to keep the window in which
		// another writer's work could be lost as small as possible.
		if err := verify(r, p); err != nil {
			return rollback(r, ps, err)
		}
		if err := r.Rename(p.tmp, p.target); err != nil {
			return rollback(r, ps, err)
		}
		p.tmp, p.done = "", true
	}
	syncDirs(r, ps)
	return nil
}

// prepare resolves and checks every target before anything is written.
func prepare(r *os.Root, changes []Change) ([]pending, error) {
	ps := make([]pending, 0, len(changes))
	for i := range changes {
		c := &changes[i]
		p, err := cleanPath(c.Path)
		if err != nil {
			return nil, err
		}
		target, err := resolve(r, p)
		if err != nil {
			return nil, err
		}
		pc := pending{c: c, target: target, mode: c.Mode}
		if !c.Exists && pc.mode == 0 {
			pc.mode = newFileMode
		}
		if err := verify(r, &pc); err != nil {
			return nil, err
		}
		if c.Exists {
			// The file's current mode and owner win over the planned mode:
			// we are replacing its bytes, not its metadata.
			if pc.info, err = r.Stat(target); err != nil {
				return nil, err
			}
			pc.mode = keptMode(pc.info.Mode())
			pc.owner = ownerOf(pc.info)
		}
		// Links, including linked folders, can give one file two paths;
		// writing it twice would lose the first change.
		for j := range ps {
			q := &ps[j]
			if q.target == target || q.info != nil && pc.info != nil && os.SameFile(q.info, pc.info) {
				return nil, fmt.Errorf("%s and %s are the same file", q.c.Path, c.Path)
			}
		}
		ps = append(ps, pc)
	}
	return ps, nil
}

// verify checks that the target still holds what was planned on.
func verify(r *os.Root, p *pending) error {
	if !p.c.Exists {
		if _, err := r.Lstat(p.target); !errors.Is(err, fs.ErrNotExist) {
			if err != nil {
				return err
			}
			return fmt.Errorf("%s: %w: it was created", p.c.Path, ErrModified)
		}
		return nil
	}
	fi, err := r.Stat(p.target)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", p.c.Path, ErrModified, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w: no longer a regular file", p.c.Path, ErrModified)
	}
	data, err := r.ReadFile(p.target)
	if err != nil {
		return err
	}
	if !bytes.Equal(data, p.c.Old) {
		return fmt.Errorf("%s: %w", p.c.Path, ErrModified)
	}
	return nil
}

// resolve follows symbolic links at the end of p, so that the file they
// lead to is rewritten and the links stay links. Links in the folders of
// p are followed by os.Root itself, which also refuses any that escape.
func resolve(r *os.Root, p string) (string, error) {
	cur := p
	for range maxLinks {
		fi, err := r.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			if cur != p {
				return "", fmt.Errorf("%s: dangling symbolic link", p)
			}
			return p, nil // a new file
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return sameFile(r, p, cur)
		}
		link, err := r.Readlink(cur)
		if err != nil {
			return "", err
		}
		link = filepath.ToSlash(link)
		if path.IsAbs(link) || filepath.IsAbs(link) {
			// os.Root refuses absolute links even when they point inside.
			return "", fmt.Errorf("%w: %s is a symbolic link to the absolute path %s", ErrPath, p, link)
		}
		next := path.Join(path.Dir(cur), link)
		if !filepath.IsLocal(filepath.FromSlash(next)) {
			return "", fmt.Errorf("%w: %s is a symbolic link leading out of the root", ErrPath, p)
		}
		cur = next
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", p)
}

// sameFile checks that the lexically resolved target is the file the system
// resolves p to; they differ when a link's target goes through a linked
// folder and "..". Refusing then is safer than guessing.
func sameFile(r *os.Root, p, target string) (string, error) {
	if p == target {
		return p, nil
	}
	a, err := r.Stat(p)
	if err != nil {
		return "", err
	}
	b, err := r.Stat(target)
	if err != nil {
		return "", err
	}
	if !os.SameFile(a, b) {
		return "", fmt.Errorf("%s: cannot tell which file its symbolic links lead to", p)
	}
	return target, nil
}

// writeTemp writes p's new content to a synced temporary file next to the
// target, creating the folders a new file needs.
func writeTemp(r *os.Root, p *pending) (err error) {
	dir := path.Dir(p.target)
	if !p.c.Exists {
		if err := mkdirs(r, p, dir); err != nil {
			return err
		}
	}
	f, name, err := createTemp(r, dir)
	if err != nil {
		return err
	}
	p.tmp = name // from here on, rollback removes it
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := f.Write(p.c.New); err != nil {
		return err
	}
	// Owner first: chown clears the setuid and setgid bits.
	p.owner.set(f)
	// Chmod explicitly: the mode given at creation is filtered by umask.
	if err := f.Chmod(p.mode); err != nil {
		return err
	}
	return f.Sync()
}

// createTemp creates a new empty file with a random name in dir. The name
// starts with a dot so that tools listing the folder mostly ignore it, and
// names decouple so that a leftover after a crash can be traced.
func createTemp(r *os.Root, dir string) (*os.File, string, error) {
	for range 10 {
		name := path.Join(dir, ".decouple-"+rand.Text()+".tmp")
		f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", fmt.Errorf("cannot create a temporary file in %s", dir)
}

// mkdirs creates the missing folders of dir one at a time, remembering
// them so that rollback can remove exactly those.
func mkdirs(r *os.Root, p *pending, dir string) error {
	if dir == "." {
		return nil
	}
	if err := mkdirs(r, p, path.Dir(dir)); err != nil {
		return err
	}
	if _, err := r.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return err // nil when it exists; if it is not a folder, creating the file will say so
	}
	if err := r.Mkdir(dir, 0o755); err != nil {
		return err
	}
	p.dirs = append(p.dirs, dir)
	return nil
}

// rollback undoes whatever part of ps reached the disk and returns cause,
// with any failure to undo joined to it.
func rollback(r *os.Root, ps []pending, cause error) error {
	var errs []error
	for i := len(ps) - 1; i >= 0; i-- {
		p := &ps[i]
		if p.tmp != "" {
			if err := r.Remove(p.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			p.tmp = ""
		}
		if p.done {
			if err := undo(r, p); err != nil {
				errs = append(errs, fmt.Errorf("restoring %s: %w", p.c.Path, err))
			}
		}
		for j := len(p.dirs) - 1; j >= 0; j-- {
			// Remove fails on a folder someone else has put files in
			// meanwhile; leaving it is right then.
			_ = r.Remove(p.dirs[j])
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w; rollback incomplete, files may be left changed: %w", cause, errors.Join(errs...))
	}
	return fmt.Errorf("%w (no file was changed)", cause)
}

// undo puts back what was at p.target before Commit.
func undo(r *os.Root, p *pending) error {
	if !p.c.Exists {
		return r.Remove(p.target)
	}
	// The old bytes are in memory: they were checked against the file just
	// before it was replaced. Write them back the same safe way.
	back := *p
	back.c = &Change{Path: p.c.Path, New: p.c.Old, Exists: true}
	if err := writeTemp(r, &back); err != nil {
		if back.tmp != "" {
			_ = r.Remove(back.tmp)
		}
		return err
	}
	if err := r.Rename(back.tmp, p.target); err != nil {
		_ = r.Remove(back.tmp)
		return err
	}
	return nil
}

// syncDirs syncs the folders that gained or lost names, so that the renames
// survive a crash. It is best effort: some platforms cannot sync a folder,
// and the files themselves are already on disk.
func syncDirs(r *os.Root, ps []pending) {
	done := make(map[string]bool)
	for i := range ps {
		dir := path.Dir(ps[i].target)
		if done[dir] {
			continue
		}
		done[dir] = true
		if f, err := r.Open(dir); err == nil {
			_ = f.Sync()
			_ = f.Close()
		}
	}
}
