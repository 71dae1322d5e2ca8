package transform

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// The built runtime. A stock Node image cannot honour what the old final
// stage set up outside the code path: system packages, global tools,
// users, init, entrypoint scripts. The runtime then builds a code-free
// stage of its own, generated into the code Dockerfile: the old chain's
// FROM and its steps that do not touch the code path, none of the app's
// COPY/ADD. A Node patch is still one line (that FROM, or the ARG that
// feeds it) and a rebuild of the runtime alone; the code image is never
// rebuilt for it.

// runtimeStep is one instruction of the old chain and whether the built
// runtime replays it.
type runtimeStep struct {
	cmd    instructions.Command
	replay bool
	mixed  bool // a RUN that mixes system changes with work on the code
}

// builtRuntime is the code-free runtime stage of one target.
type builtRuntime struct {
	name   string // the stage's name in the code Dockerfile
	text   string // the stage, ready to append
	needed bool   // the chain set up something a stock image lacks
	steps  []runtimeStep
	// fromIndex is the original stage the runtime starts from (its steps
	// are the runtime's), -1 when it starts from an image.
	fromIndex int
	// refuse says why no runtime can be built this way.
	refuse string
}

// runtimeFor plans the built runtime of a target stage. multi names the
// stage after its target when the code Dockerfile has several.
func (p *splitPlan) runtimeFor(target *dockerfile.Stage, wd string, multi bool) builtRuntime {
	df := p.s.Dockerfile
	facts := df.Analyze(p.ws.ExtraNodeImages)
	fa := facts[target.Index]
	br := builtRuntime{name: "runtime"}
	if multi {
		br.name = "runtime-" + target.ID()
	}
	br.name = freeStageName(df, br.name) // never a name the original uses
	var chain []*dockerfile.Stage
	for st := target; st != nil; st = st.BaseStage {
		chain = append([]*dockerfile.Stage{st}, chain...)
	}
	// Node from the Dockerfile rather than the base image: the runtime
	// must replay its install. A code-free Node stage, when there is one,
	// is where the runtime starts instead.
	from := chain[0].BaseRaw
	start := 0
	br.fromIndex = -1
	if fa.UnknownBase || fa.RuntimeBy.Line != fa.RootBaseLine {
		br.needed = true
		for i := len(chain) - 2; i >= 0; i-- {
			if f := facts[chain[i].Index]; f.Runtime == dockerfile.Node && !f.HasCode() && chain[i].Name != "" {
				// A code-free Node stage of the original: the runtime
				// starts there, and is needed only for steps after it.
				from, start, br.needed, br.fromIndex = chain[i].Name, i+1, false, chain[i].Index
				break
			}
		}
	}
	if start == 0 && strings.Contains(imageTagOf(chain[0].Base), "onbuild") {
		// Its ONBUILD triggers would copy the context into the runtime.
		br.refuse = fmt.Sprintf("the base image %s has ONBUILD triggers that copy the build context: a runtime built from it would hold the code again; base the Dockerfile on a plain node image", chain[0].BaseRaw)
	}
	codeLines := map[int]bool{}
	for _, c := range fa.Code {
		codeLines[c.Line] = true
	}
	inCode := func(p string) bool {
		p = path.Clean(p)
		return p == wd || strings.HasPrefix(p, strings.TrimSuffix(wd, "/")+"/")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FROM %s AS %s\n", from, br.name)
	for _, st := range chain[start:] {
		cur := ""
		if st.BaseStage != nil {
			cur = facts[st.BaseStage.Index].Workdir
		}
		for _, c := range st.Commands {
			line := dockerfile.InstructionLine(c)
			step := runtimeStep{cmd: c, replay: true}
			switch c := c.(type) {
			case *instructions.WorkdirCommand:
				cur = absJoin(cur, c.Path)
			case *instructions.CopyCommand:
				dest := absJoin(cur, c.DestPath)
				// Anything the facts count as app code stays out, even a
				// script copied out of the code (the runtime would then
				// bundle it, and DC001 would rightly flag the runtime).
				step.replay = !codeLines[line] && !inCode(dest)
			case *instructions.AddCommand:
				step.replay = !codeLines[line] && !inCode(absJoin(cur, c.DestPath))
			case *instructions.VolumeCommand:
				for _, v := range c.Volumes {
					if inCode(absJoin(cur, v)) {
						step.replay = false
					}
				}
			case *instructions.RunCommand:
				if codeLines[line] {
					step.replay = false
					break
				}
				dep, indep := runDependence(c, cur, inCode)
				step.replay = !dep
				step.mixed = dep && indep
			case *instructions.OnbuildCommand:
				step.replay = false
			}
			if step.replay {
				b.WriteString(instructionSource(df, c))
				if _, ok := c.(*instructions.RunCommand); ok {
					br.needed = true
				}
				switch c.(type) {
				case *instructions.CopyCommand, *instructions.AddCommand:
					br.needed = true
				}
			}
			br.steps = append(br.steps, step)
		}
	}
	br.text = b.String()
	switch p.opts.Runtime {
	case "built":
		br.needed = true
	case "stock":
		br.needed = false
	}
	return br
}

// runDependence reads a RUN: whether it works on the code (a local npm
// install, a path in the code folder) and whether it changes the system.
func runDependence(c *instructions.RunCommand, cwd string, inCode func(string) bool) (dep, indep bool) {
	scripts := []string{strings.Join(c.CmdLine, " ")}
	for _, hd := range c.Files {
		scripts = append(scripts, hd.Data)
	}
	for _, script := range scripts {
		for _, args := range dockerfile.SimpleCommands(script) {
			args = dockerfile.StripWrappers(args)
			if len(args) == 0 {
				continue
			}
			if commandOnCode(args, cwd, inCode) {
				dep = true
			} else {
				indep = true
			}
		}
	}
	return dep, indep
}

// commandOnCode reports whether a simple command works on the app: a
// package manager or node run in the app folder (not a global install), or
// any path argument inside the code folder.
func commandOnCode(args []string, cwd string, inCode func(string) bool) bool {
	cmd := path.Base(args[0])
	switch cmd {
	case "npm", "yarn", "pnpm", "npx", "node", "bun":
		for _, a := range args[1:] {
			if a == "-g" || a == "--global" || a == "--location=global" || a == "global" {
				return false
			}
		}
		if cmd == "npm" && len(args) > 1 && (args[1] == "config" || args[1] == "cache") {
			return false
		}
		return true
	case "cd":
		return len(args) > 1 && inCode(absJoin(cwd, args[1]))
	}
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") || strings.Contains(a, "://") {
			continue
		}
		if path.IsAbs(a) && inCode(a) {
			return true
		}
		if cwd != "" && inCode(cwd) && (a == "." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../")) {
			return true
		}
	}
	return false
}

// absJoin resolves p against a working folder as Docker does.
func absJoin(wd, p string) string {
	if p == "" {
		return wd
	}
	if !path.IsAbs(p) {
		if wd == "" {
			wd = "/"
		}
		p = path.Join(wd, p)
	}
	return path.Clean(p)
}

// instructionSource is an instruction's text as written, with its
// continuation lines and heredoc bodies, ending in a newline.
func instructionSource(df *dockerfile.File, c instructions.Command) string {
	r := c.Location()
	if len(r) == 0 {
		return ""
	}
	first, last := r[0].Start.Line, r[len(r)-1].End.Line
	start := dockerfile.LineStart(df.Src, first)
	end := dockerfile.LineStart(df.Src, last+1)
	if start < 0 {
		return ""
	}
	if end < 0 {
		end = len(df.Src)
	}
	text := string(df.Src[start:end])
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text
}

// imageTagOf is the tag of an image reference, lower-cased.
func imageTagOf(ref string) string {
	ref = strings.ToLower(ref)
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:]
	}
	return ""
}
