package edit

import (
	"bytes"
	"container/list"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

// ErrModified means a file no longer holds what Plan read from it: another
// process changed, created or replaced it in the meantime.
var ErrModified = errors.New("changed since it was read")

// maxLinks bounds symbolic link chains, as the kernel's ELOOP does.
const maxLinks = 40

// beforeRename runs before each file is moved into place; tests replace it
// to inject a failure between two renames.
var beforeRename = func(int, string) error { return nil }

// afterWrite runs, on a writer goroutine, once the temporary file of
// change i is written, before it is synced and closed; tests replace it to
// inject a failure in the middle of the parallel write.
var afterWrite = func(int, string) error { return nil }

// writers is how many temporary files Commit writes at once; tests replace
// it. Creating a file can take much kernel processor time (ext4 looks over
// each recently freed inode before it picks one), which goroutines creating
// files in different folders spend side by side.
var writers = func() int { return runtime.GOMAXPROCS(0) }

// maxOpenFolders bounds the folder handles Commit keeps open at once, so
// that a fix spanning many folders cannot run out of file descriptors;
// tests replace it.
var maxOpenFolders = sync.OnceValue(folderBudget)

// Bounds of folderBudget.
const (
	minFolders = 64
	maxFolders = 8192
)

// pending is one change on its way to disk.
type pending struct {
	c      *Change
	target string      // where the bytes go: c.Path with symbolic links resolved
	mode   fs.FileMode // mode to give the new file
	owner  owner       // owner to give it, where the platform has one
	info   fs.FileInfo // the existing target, to spot two paths to one file
	dirs   []string    // folders created for a new file, outermost first
	tmp    string      // temporary file, in target's folder, not yet renamed over target
	done   bool        // target now holds c.New
}

// Commit writes the new content of every change under root, or of none.
//
// Each file is written to a temporary file in its own folder, given the
// original file's mode and owner, made durable, and renamed over the
// original, so a crash leaves either the old or the new bytes, never a mix.
// Before writing, every target is read again and compared with Change.Old;
// if any differs (ErrModified), nothing is written. Each target, and the
// folder it is in, is checked again right before its rename. If anything
// fails after the first rename, files already replaced get their old bytes
// back, created files and folders are removed, and temporary files are
// deleted. When Commit returns nil, the renames are durable too.
//
// A symbolic link is never replaced: the file it resolves to is written.
// Links leading outside root are refused, as is any path outside root.
func Commit(root string, changes []Change) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }() // every write was synced already
	c := &committer{r: r, folders: make(map[string]*folder), max: maxOpenFolders()}
	defer c.close()

	ps, err := c.prepare(changes)
	if err != nil {
		return err
	}
	if err := c.writeTemps(ps); err != nil {
		return c.rollback(ps, err)
	}
	// Every temporary file must be durable before the first rename makes
	// it visible under the target's name.
	if err := c.dur.barrier(); err != nil {
		return c.rollback(ps, err)
	}
	for i := range ps {
		p := &ps[i]
		if err := beforeRename(i, p.target); err != nil {
			return c.rollback(ps, err)
		}
		// Check again right before the swap, to keep the window in which
		// another writer's work could be lost as small as possible.
		d, _, err := c.verify(p, true)
		if err != nil {
			return c.rollback(ps, err)
		}
		if err := d.root.Rename(p.tmp, path.Base(p.target)); err != nil {
			return c.rollback(ps, err)
		}
		p.tmp, p.done = "", true
	}
	if err := c.dur.done(c); err != nil {
		return c.rollback(ps, err)
	}
	return nil
}

// committer holds what one Commit shares between files: the root, and a
// handle on each folder it writes in, so that each file operation is a
// single step inside its folder rather than a walk from the root.
//
// While temporary files are written, several goroutines share it: mu then
// guards folders, open and the folders in them, and a folder in use is
// pinned so that no other goroutine closes its handle meanwhile.
type committer struct {
	r       *os.Root
	mu      sync.Mutex
	folders map[string]*folder // by slash path from the root
	open    list.List          // folders with an open handle, most recently used first
	max     int                // most folders to keep open, pinned ones aside
	dur     durability         // how written files are made durable
}

// folder is one folder Commit works in.
type folder struct {
	name string        // slash path from the root
	info fs.FileInfo   // what name led to when first opened
	root *os.Root      // open handle, confined like r; nil while closed
	elem *list.Element // place in committer.open while root is open
	pins int           // goroutines using root: it stays open until they are done
}

// folder returns the open handle on the folder name, opening it through
// the root when needed: os.Root follows links on the way only inside the
// root. A folder opened again must be the one first opened there.
func (c *committer) folder(name string) (*folder, error) {
	d := c.folders[name]
	if d != nil && d.root != nil {
		c.open.MoveToFront(d.elem)
		return d, nil
	}
	sub, err := c.r.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	fi, err := sub.Stat(".")
	if err == nil && d != nil && !os.SameFile(d.info, fi) {
		err = fmt.Errorf("%s: %w: the folder was replaced", name, ErrModified)
	}
	if err == nil && d == nil {
		d = &folder{name: name, info: fi}
		err = c.dur.track(d, sub)
	}
	if err != nil {
		_ = sub.Close()
		return nil, err
	}
	c.folders[name] = d
	d.root, d.elem = sub, c.open.PushFront(d)
	// Close the least recently used handles no goroutine has pinned, never
	// the one just opened.
	for e := c.open.Back(); e != d.elem && c.open.Len() > c.max; {
		old, prev := e.Value.(*folder), e.Prev()
		if old.pins == 0 {
			c.open.Remove(e)
			_ = old.root.Close() // only read or written through files, closed already
			old.root, old.elem = nil, nil
		}
		e = prev
	}
	return d, nil
}

// pin is folder for a writer goroutine: the handle stays open until unpin.
func (c *committer) pin(name string) (*folder, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, err := c.folder(name)
	if err == nil {
		d.pins++
	}
	return d, err
}

// unpin lets d's handle be closed again.
func (c *committer) unpin(d *folder) {
	c.mu.Lock()
	d.pins--
	c.mu.Unlock()
}

// forget closes the handle on the folder name, if open, and forgets it.
func (c *committer) forget(name string) {
	d := c.folders[name]
	if d == nil {
		return
	}
	if d.root != nil {
		c.open.Remove(d.elem)
		_ = d.root.Close() // see folder
	}
	delete(c.folders, name)
}

// checkFolder makes sure that d.name still leads, from the root, to the
// folder d holds open, so that no write lands in a folder moved elsewhere.
func (c *committer) checkFolder(d *folder) error {
	fi, err := c.r.Stat(d.name)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", d.name, ErrModified, err)
	}
	if !os.SameFile(fi, d.info) {
		return fmt.Errorf("%s: %w: the folder was replaced", d.name, ErrModified)
	}
	return nil
}

// lstat is Lstat of name, through the handle on its folder.
func (c *committer) lstat(name string) (fs.FileInfo, error) {
	d, err := c.folder(path.Dir(name))
	if err != nil {
		return nil, err
	}
	return d.root.Lstat(path.Base(name))
}

// close closes every folder handle.
func (c *committer) close() {
	for e := c.open.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*folder).root.Close() // see folder
	}
	c.dur.close()
}

// prepare resolves and checks every target before anything is written.
func (c *committer) prepare(changes []Change) ([]pending, error) {
	ps := make([]pending, 0, len(changes))
	targets := make(map[string]int, len(changes))
	var files fileSet
	for i := range changes {
		ch := &changes[i]
		p, err := cleanPath(ch.Path)
		if err != nil {
			return nil, err
		}
		target, err := c.resolve(p)
		if err != nil {
			return nil, err
		}
		pc := pending{c: ch, target: target, mode: ch.Mode}
		if !ch.Exists && pc.mode == 0 {
			pc.mode = newFileMode
		}
		if _, pc.info, err = c.verify(&pc, false); err != nil {
			return nil, err
		}
		if ch.Exists {
			// The file's current mode and owner win over the planned mode:
			// we are replacing its bytes, not its metadata.
			pc.mode = keptMode(pc.info.Mode())
			pc.owner = ownerOf(pc.info)
		}
		// Links, including linked folders, can give one file two paths;
		// writing it twice would lose the first change.
		j, seen := targets[target]
		if !seen && pc.info != nil {
			j, seen = files.add(pc.info, len(ps))
		}
		if seen {
			return nil, fmt.Errorf("%s and %s are the same file", ps[j].c.Path, ch.Path)
		}
		targets[target] = len(ps)
		ps = append(ps, pc)
	}
	return ps, nil
}

// verify checks that the target still holds what was planned on, and
// returns the handle on its folder, when that exists, and the target's
// Lstat. With folder set, it also checks that the folder is still the one
// the handle is open on.
func (c *committer) verify(p *pending, folder bool) (*folder, fs.FileInfo, error) {
	d, err := c.folder(path.Dir(p.target))
	switch {
	case err == nil && folder:
		err = c.checkFolder(d)
	case errors.Is(err, fs.ErrNotExist) && !p.c.Exists && !folder:
		return nil, nil, nil // neither the file nor its folder exist yet
	case err != nil && p.c.Exists:
		err = fmt.Errorf("%s: %w: %w", p.c.Path, ErrModified, err)
	}
	if err != nil {
		return nil, nil, err
	}
	name := path.Base(p.target)
	fi, err := d.root.Lstat(name)
	if !p.c.Exists {
		if !errors.Is(err, fs.ErrNotExist) {
			if err != nil {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%s: %w: it was created", p.c.Path, ErrModified)
		}
		return d, nil, nil
	}
	// Lstat, not Stat: the target was resolved to a file, so a link here
	// is new, and renaming over it would replace the link.
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w: %w", p.c.Path, ErrModified, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w: no longer a regular file", p.c.Path, ErrModified)
	}
	same, err := holds(d.root, name, p.c.Old)
	if err != nil {
		return nil, nil, err
	}
	if !same {
		return nil, nil, fmt.Errorf("%s: %w", p.c.Path, ErrModified)
	}
	return d, fi, nil
}

// holds reports whether the file name in d holds exactly want, reading at
// most one byte more than want.
func holds(d *os.Root, name string, want []byte) (same bool, err error) {
	f, err := d.Open(name)
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }() // read only
	buf := make([]byte, len(want)+1)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, err
	}
	return n == len(want) && bytes.Equal(buf[:n], want), nil
}

// resolve follows symbolic links at the end of p, so that the file they
// lead to is rewritten and the links stay links. Links in the folders of
// p are followed by os.Root itself, which also refuses any that escape.
func (c *committer) resolve(p string) (string, error) {
	cur := p
	for range maxLinks {
		fi, err := c.lstat(cur)
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
			return sameFile(c.r, p, cur)
		}
		d, err := c.folder(path.Dir(cur))
		if err != nil {
			return "", err
		}
		link, err := d.root.Readlink(path.Base(cur))
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

// writeTemps writes the new content of every pending to a temporary file
// next to its target, creating first the folders new files need, and hands
// each file to c.dur to be made durable. Files are written by up to
// writers() goroutines at once; each records its temporary file in its own
// pending, for rollback to remove. On failure, it returns the error of the
// first pending in order that failed, whatever the goroutines' timing:
// pendings are taken in order, and none is taken after a failure, so every
// pending before a failed one has been tried.
func (c *committer) writeTemps(ps []pending) error {
	// Folders first, one pending after the other: new files may share
	// folders to create, and rollback must know which pending made which.
	n := len(ps)
	var mkErr error
	for i := range ps {
		p := &ps[i]
		if p.c.Exists {
			continue
		}
		if err := mkdirs(c.r, p, path.Dir(p.target)); err != nil {
			n, mkErr = i, err // the pendings before it come first
			break
		}
	}
	// A goroutine takes a run of pendings in one folder at a time: creating
	// a file locks its folder, so goroutines in one folder would wait on
	// each other. Plan sorts by path, so a folder's files are mostly one run.
	var runs []int // where each run starts, then n
	for i := range n {
		if i == 0 || path.Dir(ps[i].target) != path.Dir(ps[i-1].target) {
			runs = append(runs, i)
		}
	}
	runs = append(runs, n)
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	work := func() {
		// Once a pending failed, no run is taken; a run taken is finished
		// up to its own first failure, for a run before the failed
		// pending's may hold an earlier one.
		for !failed.Load() {
			r := int(next.Add(1) - 1)
			if r >= len(runs)-1 {
				return
			}
			for i := runs[r]; i < runs[r+1]; i++ {
				if errs[i] = c.writeTemp(i, &ps[i]); errs[i] != nil {
					failed.Store(true)
					break
				}
			}
		}
	}
	if w := min(writers(), len(runs)-1); w > 1 {
		var wg sync.WaitGroup
		for range w {
			wg.Go(work)
		}
		wg.Wait()
	} else {
		work()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return mkErr
}

// writeTemp writes pending i, p, to a temporary file next to its target.
// Several goroutines call it at once, on distinct pendings.
func (c *committer) writeTemp(i int, p *pending) error {
	d, err := c.pin(path.Dir(p.target))
	if err != nil {
		return err
	}
	defer c.unpin(d)
	return writeTemp(d, p, func(d *folder, f *os.File) error {
		if err := afterWrite(i, p.target); err != nil {
			return err
		}
		return c.dur.written(d, f)
	})
}

// writeTemp writes p's new content to a temporary file in d, gives it p's
// owner and mode, and calls sync on it before closing it.
func writeTemp(d *folder, p *pending, sync func(*folder, *os.File) error) (err error) {
	f, name, err := createTemp(d.root)
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
	return sync(d, f)
}

// syncFile is a durability.written that syncs the file at once.
func syncFile(_ *folder, f *os.File) error { return f.Sync() }

// createTemp creates a new empty file with a random name in d. The name
// starts with a dot so that tools listing the folder mostly ignore it, and
// names decouple so that a leftover after a crash can be traced.
func createTemp(d *os.Root) (*os.File, string, error) {
	for range 10 {
		name := ".decouple-" + rand.Text() + ".tmp"
		f, err := d.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", fmt.Errorf("cannot create a temporary file in %s", d.Name())
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
func (c *committer) rollback(ps []pending, cause error) error {
	var errs []error
	for i := len(ps) - 1; i >= 0; i-- {
		p := &ps[i]
		if p.tmp != "" {
			// The temporary file is ours: remove it wherever its folder is.
			d, err := c.folder(path.Dir(p.target))
			if err == nil {
				err = d.root.Remove(p.tmp)
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			p.tmp = ""
		}
		if p.done {
			if err := c.undo(p); err != nil {
				errs = append(errs, fmt.Errorf("restoring %s: %w", p.c.Path, err))
			}
		}
		for j := len(p.dirs) - 1; j >= 0; j-- {
			// Remove fails on a folder someone else has put files in
			// meanwhile; leaving it is right then. Its handle goes first:
			// some systems do not remove an open folder at once.
			c.forget(p.dirs[j])
			_ = c.r.Remove(p.dirs[j])
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w; rollback incomplete, files may be left changed: %w", cause, errors.Join(errs...))
	}
	return fmt.Errorf("%w (no file was changed)", cause)
}

// undo puts back what was at p.target before Commit.
func (c *committer) undo(p *pending) error {
	d, err := c.folder(path.Dir(p.target))
	if err != nil {
		return err
	}
	if err := c.checkFolder(d); err != nil {
		return err
	}
	name := path.Base(p.target)
	if !p.c.Exists {
		return d.root.Remove(name)
	}
	// The old bytes are in memory: they were checked against the file just
	// before it was replaced. Write them back the same safe way, synced on
	// their own since the sync barrier is behind us.
	back := *p
	back.c = &Change{Path: p.c.Path, New: p.c.Old, Exists: true}
	if err := writeTemp(d, &back, syncFile); err != nil {
		if back.tmp != "" {
			_ = d.root.Remove(back.tmp)
		}
		return err
	}
	if err := d.root.Rename(back.tmp, name); err != nil {
		_ = d.root.Remove(back.tmp)
		return err
	}
	return nil
}

// fileSet finds, among existing targets, two paths to one file.
type fileSet struct {
	ids   map[fileID]int
	other []fs.FileInfo // without an ID: compared one by one, index in at
	at    []int
}

// add records fi as the file of pending i, or returns the index of the
// pending already holding the same file.
func (s *fileSet) add(fi fs.FileInfo, i int) (int, bool) {
	if id, ok := fileIDOf(fi); ok {
		if j, seen := s.ids[id]; seen {
			return j, true
		}
		if s.ids == nil {
			s.ids = make(map[fileID]int)
		}
		s.ids[id] = i
		return 0, false
	}
	for k, o := range s.other {
		if os.SameFile(o, fi) {
			return s.at[k], true
		}
	}
	s.other, s.at = append(s.other, fi), append(s.at, i)
	return 0, false
}

// folderList is a list of folder names without repeats.
type folderList struct {
	names []string
	seen  map[string]bool
}

func (l *folderList) add(name string) {
	if l.seen[name] {
		return
	}
	if l.seen == nil {
		l.seen = make(map[string]bool)
	}
	l.seen[name] = true
	l.names = append(l.names, name)
}

// syncFolders syncs the folders that gained or lost names, so that the
// renames survive a crash. It is best effort: some platforms cannot sync a
// folder, and the files themselves are already on disk.
func (c *committer) syncFolders(names []string) {
	for _, name := range names {
		d, err := c.folder(name)
		if err != nil {
			continue
		}
		if f, err := d.root.Open("."); err == nil {
			_ = f.Sync()
			_ = f.Close()
		}
	}
}
