package dockerfile

import (
	"bytes"
	"path"
	"slices"
	"strings"
)

// A RUN that executes a shell script copied from the build context
// (ADD clone-app.sh /build/; RUN /build/clone-app.sh) does what the script
// says: its git clone, npm install or Node install are the image's as much
// as a RUN line's. The facts read such a script's lines as if they were the
// RUN's, when the Dockerfile's reader can fetch it from the context
// (File.ReadContext); without one, or for a script it cannot read, the RUN
// is read as written, as before.

// contextCopy is a COPY or ADD from the build context: src (a path in the
// context, slash-separated, "" for its root) lands at dest in the image;
// dir says dest is a folder the sources go into.
type contextCopy struct {
	src, dest string
	dir       bool
}

// maxContextScript bounds a script read from the context: a build script
// is a few KiB; anything larger is not read as one.
const maxContextScript = 256 << 10

// noteContextCopies records where a COPY or ADD from the context puts its
// sources (expanded as the build does); wildcards and remote sources are
// left out, since the files they name cannot be told.
func (fa *Facts) noteContextCopies(srcs []string, written, dest string) {
	dir := strings.HasSuffix(written, "/") || path.Base(written) == "." || len(srcs) > 1
	for _, src := range srcs {
		if strings.ContainsAny(src, "*?[$") || strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			continue
		}
		// The context is the root: COPY /x and COPY ../x name the
		// context's own x, as BuildKit reads them.
		rel := strings.TrimPrefix(path.Clean("/"+src), "/")
		fa.contextCopies = append(fa.contextCopies, contextCopy{src: rel, dest: dest, dir: dir})
	}
}

// contextSources lists the context paths the image file at p may come
// from, the latest copy first.
func (fa *Facts) contextSources(p string) []string {
	var out []string
	for i := len(fa.contextCopies) - 1; i >= 0; i-- {
		cc := fa.contextCopies[i]
		switch {
		case !cc.dir && p == cc.dest:
			out = append(out, cc.src)
		case cc.src != "" && p == path.Join(cc.dest, path.Base(cc.src)):
			// Into a folder (COPY x.sh /build/), or a destination that
			// is a folder in the image already.
			out = append(out, cc.src)
		case strings.HasPrefix(p, strings.TrimSuffix(cc.dest, "/")+"/"):
			// A file under a copied folder (COPY . /app; RUN /app/x.sh).
			out = append(out, path.Join(cc.src, strings.TrimPrefix(p, strings.TrimSuffix(cc.dest, "/")+"/")))
		}
	}
	return out
}

// scriptRun is the image path of the script a command executes: a path as
// the program (./setup.sh, /build/setup.sh), or a shell or source given
// one (sh setup.sh, bash -e /build/x.sh, . ./env.sh); "" otherwise, or when
// the path cannot be placed (a relative one after a cd decouple could not
// follow).
func scriptRun(c Command, cwd string) string {
	prog := c.Args[0]
	if Shells[c.Name] || c.Name == "source" || c.Name == "." {
		prog = ""
		for _, a := range c.Args[1:] {
			if a == "-c" || a == "-s" {
				return "" // a command line or stdin, not a file
			}
			if !strings.HasPrefix(a, "-") {
				prog = a
				break
			}
		}
	}
	if prog == "" || strings.Contains(prog, "$") || (!strings.Contains(prog, "/") && !Shells[c.Name] && c.Name != "source" && c.Name != ".") {
		return ""
	}
	if !strings.HasPrefix(prog, "/") && cwd == "" {
		return ""
	}
	return absPath(cwd, prog)
}

// isShellScript reports text a shell runs: a #! line naming a shell, or no
// #! line and a name a shell script has (.sh, or no extension).
func isShellScript(name string, text []byte) bool {
	if bytes.IndexByte(text, 0) >= 0 {
		return false // a binary
	}
	if first, _, _ := bytes.Cut(text, []byte("\n")); bytes.HasPrefix(first, []byte("#!")) {
		fields := strings.Fields(strings.TrimPrefix(string(first), "#!"))
		if len(fields) > 0 && path.Base(fields[0]) == "env" {
			fields = slices.DeleteFunc(fields[1:], func(f string) bool { return strings.HasPrefix(f, "-") })
		}
		return len(fields) > 0 && Shells[path.Base(fields[0])]
	}
	ext := path.Ext(name)
	return ext == ".sh" || ext == ""
}

// scriptFacts reads the lines of a context script that a RUN at line
// executes as if they were the RUN's. Scripts are read one level deep: a
// script that runs another is read as written. Evidence found there says
// which script it came from.
func (fa *Facts) scriptFacts(c Command, cwd string, line int, env map[string]string) {
	if fa.readContext == nil || fa.inScript {
		return
	}
	p := scriptRun(c, cwd)
	if p == "" {
		return
	}
	if src, text := fa.contextScript(p); src != "" {
		code, blockers, runtimeBy := len(fa.Code), len(fa.Blockers), fa.RuntimeBy
		fa.inScript = true
		runFacts(fa, string(text), line, env)
		fa.inScript, fa.runEnv = false, env
		in := " (in " + src + ")"
		for i := code; i < len(fa.Code); i++ {
			fa.Code[i].What += in
		}
		for i := blockers; i < len(fa.Blockers); i++ {
			fa.Blockers[i].What += in
		}
		if fa.RuntimeBy != runtimeBy && fa.RuntimeBy.Line == line {
			fa.RuntimeBy.What += in
		}
	}
}

// contextScript reads the shell script at image path p from the build
// context: its path there and its text, "" when no copy of the context
// put a readable shell script there.
func (fa *Facts) contextScript(p string) (string, []byte) {
	for _, src := range fa.contextSources(p) {
		if text, ok := fa.readContext(src); ok && len(text) <= maxContextScript && isShellScript(src, text) {
			return src, text
		}
	}
	return "", nil
}

// noteStageCopies records where a COPY --from of a stage puts files that
// stage got from the context (COPY --from=builder /app/entrypoint.sh .,
// after the builder's COPY . /app): single files only, by their paths in
// that stage.
func (fa *Facts) noteStageCopies(from *Facts, srcs []string, written, dest string, env map[string]string, f *File) {
	dir := strings.HasSuffix(written, "/") || path.Base(written) == "." || len(srcs) > 1
	for _, src := range srcs {
		src = f.ExpandInStage(src, env)
		if strings.ContainsAny(src, "*?[$") {
			continue
		}
		for _, ctx := range from.contextSources(absPath(from.Workdir, src)) {
			fa.contextCopies = append(fa.contextCopies, contextCopy{src: ctx, dest: dest, dir: dir})
		}
	}
}

// EntryScript is the shell script from the build context that the image's
// ENTRYPOINT (or CMD, with none) runs by its path, and its path in the
// context; "" when it runs none, or the script cannot be read.
func (fa *Facts) EntryScript() (name string, text []byte) {
	if fa.readContext == nil {
		return "", nil
	}
	words := fa.command.entrypoint
	if len(words) == 0 {
		words = fa.command.cmd
	}
	if len(words) == 0 {
		return "", nil
	}
	c, ok := Classify(words)
	if !ok {
		return "", nil
	}
	if p := scriptRun(c, fa.Workdir); p != "" {
		return fa.contextScript(p)
	}
	return "", nil
}
