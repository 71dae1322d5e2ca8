package workspace

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// A build context may be a git URL, Docker's "URL#ref:subdir"
// (https://github.com/acme/shop.git#production:web). A deploy compose file
// often builds its own repository's folders that way, so that the server
// needs no checkout. decouple has no network: it judges such a build from
// the local copy of that folder, when the URL names this repository (or
// nothing says it is another) and the folder holds the Dockerfile.

// redactURL drops the user information of a URL (https://token@host,
// https://user:${TOKEN}@host): interpolated, it may be a secret, and
// messages land in CI logs.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	end := strings.IndexAny(rest, "/#?")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

// gitContext is a git URL build context: the repository, as host/path
// lower-cased without ".git", and the folder within it ("" for its root).
type gitContext struct {
	repo, subdir string
}

// parseGitContext reads a build context that Docker would fetch with git:
// git@host:path, git://, ssh://, github.com/…, or an http(s) URL whose path
// ends in .git. Other URLs (a tarball) are not git.
func parseGitContext(ctx string) (gitContext, bool) {
	url, frag, _ := strings.Cut(ctx, "#")
	_, subdir, _ := strings.Cut(frag, ":")
	if u, query, ok := strings.Cut(url, "?"); ok {
		// BuildKit's query form: URL?ref=main&subdir=web.
		url = u
		for _, kv := range strings.Split(query, "&") {
			if v, ok := strings.CutPrefix(kv, "subdir="); ok {
				subdir = v
			}
		}
	}
	var repo string
	switch {
	case strings.HasPrefix(url, "git@"):
		host, p, ok := strings.Cut(strings.TrimPrefix(url, "git@"), ":")
		if !ok {
			return gitContext{}, false
		}
		repo = host + "/" + p
	case strings.HasPrefix(url, "github.com/"):
		repo = url
	default:
		scheme, rest, ok := strings.Cut(url, "://")
		if !ok {
			return gitContext{}, false
		}
		switch scheme {
		case "git", "ssh", "git+ssh":
		case "http", "https":
			if !strings.HasSuffix(rest, ".git") {
				return gitContext{}, false
			}
		default:
			return gitContext{}, false
		}
		if at := strings.Index(rest, "@"); at >= 0 && at < strings.Index(rest+"/", "/") {
			rest = rest[at+1:] // user@host
		}
		repo = rest
	}
	repo = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(repo, "/"), ".git"))
	if host, p, ok := strings.Cut(repo, "/"); ok {
		// ssh://git@host:22/owner/name: the port is no part of the name.
		host, _, _ = strings.Cut(host, ":")
		repo = host + "/" + p
	}
	subdir = strings.Trim(path.Clean("/"+subdir), "/")
	if strings.Contains(repo, "..") || !strings.Contains(repo, "/") {
		return gitContext{}, false
	}
	return gitContext{repo: repo, subdir: subdir}, true
}

// localGitContext is the folder of the working tree that a git URL build
// context names, or "". The repository's root is the nearest folder from
// the compose file's up to the working folder that holds .git; when that
// .git names remotes, one must be the URL's repository. With no .git up to
// the filesystem's root, the URL must name a subfolder, and the root is the
// nearest such folder where that subfolder holds the build's Dockerfile.
func (ws *Workspace) localGitContext(composeDir, ctx, dockerfileName string) string {
	g, ok := parseGitContext(ctx)
	if !ok {
		return ""
	}
	if dockerfileName == "" {
		dockerfileName = "Dockerfile"
	}
	if filepath.IsAbs(dockerfileName) {
		return ""
	}
	holds := func(root string) string {
		dir := filepath.Join(root, filepath.FromSlash(g.subdir))
		if ws.beneath(dir) && ws.Exists(ws.lowercaseFallback(filepath.Join(dir, dockerfileName))) {
			return dir
		}
		return ""
	}
	found := ""
	for d := composeDir; ws.beneath(d); d = filepath.Dir(d) {
		if st, err := ws.Stat(filepath.Join(d, ".git")); err == nil && st.IsDir() {
			if remotes := ws.gitRemotes(d); len(remotes) > 0 && !remotes[g.repo] {
				return ""
			}
			return holds(d)
		}
		if found == "" {
			found = holds(d)
		}
		if d == ws.Cwd {
			break
		}
	}
	if g.subdir == "" {
		// No .git says which repository this is, and the URL names a
		// repository's root: any folder with a Dockerfile would match.
		return ""
	}
	for d := filepath.Dir(ws.Cwd); ; d = filepath.Dir(d) {
		// A repository whose root is above the working folder: the
		// URL's folder is relative to that root, and its remotes are
		// not read (nothing outside the working folder is).
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return ""
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	return found
}

// gitRemotes are the repositories the remotes of root/.git/config name, as
// parseGitContext writes them.
func (ws *Workspace) gitRemotes(root string) map[string]bool {
	src, err := ws.ReadFile(filepath.Join(root, ".git", "config"))
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || strings.TrimSpace(k) != "url" {
			continue
		}
		v = strings.TrimSpace(v)
		if !strings.HasSuffix(v, ".git") && strings.Contains(v, "://") {
			v += ".git" // https://github.com/acme/shop is git here
		}
		if g, ok := parseGitContext(v); ok {
			out[g.repo] = true
		}
	}
	return out
}
