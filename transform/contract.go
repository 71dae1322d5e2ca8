package transform

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// The runtime contract (DESIGN §4): a runtime service must keep what its
// process needs from the old image, or the split is refused. A refused
// split costs the user a minute; one that does not start costs trust in
// every finding. checkContract runs on every split before it is offered.

// contract is what the split must carry over for the runtime to start.
type contract struct {
	// initWrapper is the tini or dumb-init that led the old ENTRYPOINT:
	// the runtime gets `init: true` instead, and entry is what followed.
	initWrapper string
	// user replaces a USER that only the old image created, by its
	// numeric uid[:gid]; "" keeps the USER as it was.
	user string
	// codeVolumes are anonymous volumes the service declares inside the
	// code path: the code stage declares them so volumes_from supplies
	// them, and dropVolumes are their items in the service's list.
	codeVolumes []string
	dropVolumes []*yaml.Node
	// sharedVolumes are named volumes the service mounts inside the code
	// path (node_modules:/app/node_modules), as written: the code service
	// mounts them too, so a new volume is filled from the code image.
	// Docker fills an empty named volume from the image of the first
	// container that mounts it, and the stock runtime has nothing there.
	sharedVolumes []*yaml.Node
	// dataVolumes are the old image's VOLUMEs outside the code path: the
	// runtime keeps them as named volumes.
	dataVolumes []string
}

// origin is an instruction of the old image that put something in it.
type origin struct {
	what string
	line int
}

// oldImage is what the old image's own steps (those the runtime image does
// not repeat) created outside the code path: programs by name and path,
// users and groups, data volumes.
type oldImage struct {
	programs map[string]origin // by base name and by absolute path
	users    map[string]account
	groups   map[string]string // name -> gid
	volumes  []origin
}

type account struct {
	uid, group string
	line       int
}

// shellWords are builtins and keywords, never programs to look for.
var shellWords = map[string]bool{
	"exec": true, "cd": true, "set": true, "export": true, ".": true, "source": true, "test": true,
	"[": true, "[[": true, "true": true, "false": true, ":": true, "echo": true, "printf": true,
	"trap": true, "wait": true, "if": true, "then": true, "else": true, "fi": true, "for": true,
	"do": true, "done": true, "while": true, "case": true, "esac": true, "unset": true, "umask": true,
	"ulimit": true, "read": true, "eval": true, "shift": true, "return": true, "exit": true,
}

// binDirs are where packages install programs.
var binDirs = map[string]bool{"/bin": true, "/sbin": true, "/usr/bin": true, "/usr/sbin": true, "/usr/local/bin": true, "/usr/local/sbin": true}

// notNodePrograms start apps of other runtimes: a split onto a Node image
// cannot run them.
var notNodePrograms = map[string]bool{
	"python": true, "python3": true, "gunicorn": true, "uvicorn": true, "flask": true, "celery": true,
	"django-admin": true, "uwsgi": true, "java": true, "ruby": true, "bundle": true, "rails": true,
	"php": true, "php-fpm": true, "perl": true, "dotnet": true, "nginx": true, "caddy": true,
	"httpd": true, "apache2": true, "apache2-foreground": true, "poetry": true, "pipenv": true,
	// Workers and servers of those runtimes started by their own name.
	"rq": true, "dramatiq": true, "huey_consumer": true, "daphne": true, "hypercorn": true,
	"waitress-serve": true, "streamlit": true, "jupyter": true, "sidekiq": true, "puma": true,
	"unicorn": true, "rackup": true, "rake": true, "mix": true, "elixir": true, "iex": true,
	"cargo": true, "go": true,
}

// oldImageSteps reads the steps of the chain that the runtime image will
// not repeat: all of them on a stock image, those after the runtime stage
// when the runtime builds one.
func (p *splitPlan) oldImageSteps() *oldImage {
	o := &oldImage{programs: map[string]origin{}, users: map[string]account{}, groups: map[string]string{}}
	rel := p.ws.Rel(p.s.Dockerfile.Path)
	add := func(name string, line int, what string) {
		if name == "" || strings.Contains(name, "$") {
			return
		}
		or := origin{what: fmt.Sprintf("%s (%s:%d)", what, rel, line), line: line}
		if path.IsAbs(name) {
			if p.inCode(name) {
				return
			}
			o.programs[path.Clean(name)] = or
			name = path.Base(name)
		}
		if _, ok := o.programs[name]; !ok {
			o.programs[name] = or
		}
	}
	replayed := map[instructions.Command]bool{}
	if p.built != nil {
		for _, st := range p.built.steps {
			replayed[st.cmd] = st.replay
		}
	}
	for _, st := range p.chain {
		if p.runtimeStage != nil && st.Index <= p.runtimeStage.Index || p.built != nil && st.Index <= p.built.fromIndex {
			continue
		}
		for _, c := range st.Commands {
			line := dockerfile.InstructionLine(c)
			if v, ok := c.(*instructions.VolumeCommand); ok {
				// A VOLUME the runtime replays is still anonymous:
				// renewed with -V, so it is kept by name either way. One
				// inside the code path (VOLUME /app/uploads) is data the
				// app writes: left there, it would be part of the code
				// volume, which the code rollout renews. Dependencies
				// (node_modules) are the code image's to carry.
				for _, d := range v.Volumes {
					if d := path.Clean(d); d != p.wd && (!p.inCode(d) || !isDependencyDir(d)) {
						o.volumes = append(o.volumes, origin{what: d, line: line})
					}
				}
				continue
			}
			if replayed[c] {
				continue // the built runtime has it
			}
			switch c := c.(type) {
			case *instructions.RunCommand:
				for _, script := range dockerfile.RunScripts(c) {
					for _, cmd := range dockerfile.Commands(script) {
						o.runStep(cmd, line, add)
					}
				}
			case *instructions.CopyCommand:
				p.copyStep(c.SourcePaths, c.DestPath, line, "COPY", add)
			case *instructions.AddCommand:
				p.copyStep(c.SourcePaths, c.DestPath, line, "ADD", add)
			}
		}
	}
	return o
}

// inCode reports whether an absolute path lies in the code path, which the
// code volume carries.
// isDependencyDir reports whether a folder is, or lies in, a node_modules
// folder: content the image's install made, not data the app writes.
func isDependencyDir(dir string) bool {
	return slices.Contains(strings.Split(dir, "/"), "node_modules")
}

func (p *splitPlan) inCode(abs string) bool {
	abs = path.Clean(abs)
	return abs == p.wd || strings.HasPrefix(abs, strings.TrimSuffix(p.wd, "/")+"/")
}

// copyStep records files a COPY or ADD puts outside the code path.
func (p *splitPlan) copyStep(srcs []string, dest string, line int, verb string, add func(string, int, string)) {
	if !path.IsAbs(dest) {
		return // relative to WORKDIR: the code path
	}
	for _, src := range srcs {
		target := dest
		if strings.HasSuffix(dest, "/") || len(srcs) > 1 {
			target = path.Join(dest, path.Base(src))
		}
		add(target, line, verb+" "+src+" "+dest)
	}
}

// runStep records what one simple command of a RUN creates.
func (o *oldImage) runStep(c dockerfile.Command, line int, add func(string, int, string)) {
	args, cmd, rest := c.Args, c.Name, c.Rest()
	what := strings.Join(args, " ")
	if len(what) > 60 {
		what = what[:59] + "…"
	}
	what = "RUN " + what
	switch c.Kind {
	case dockerfile.SystemInstall:
		for _, a := range c.Packages {
			if f := strings.FieldsFunc(a, func(r rune) bool { return r == '=' || r == '~' || r == '>' || r == '<' }); len(f) > 0 && !strings.HasPrefix(a, "-") {
				add(f[0], line, what) // $(cat list.txt) reads as "": nothing to name
			}
		}
		return
	case dockerfile.GlobalInstall:
		for _, pkg := range c.Packages {
			name := pkg
			if at := strings.LastIndex(pkg, "@"); at > 0 {
				name = pkg[:at]
			}
			if i := strings.LastIndex(name, "/"); i >= 0 {
				name = name[i+1:]
			}
			add(name, line, what)
			if name == "pm2" {
				add("pm2-runtime", line, what)
			}
		}
		return
	}
	switch cmd {
	case "corepack":
		if len(rest) > 0 && rest[0] == "enable" {
			names := []string{"pnpm", "yarn", "pnpx", "yarnpkg"}
			if len(rest) > 1 {
				names = nil
				for _, a := range rest[1:] {
					if !strings.HasPrefix(a, "-") {
						names = append(names, a)
					}
				}
			}
			for _, n := range names {
				if n != "yarn" && n != "yarnpkg" { // the node images ship yarn
					add(n, line, what)
				}
			}
		}
	case "curl", "wget":
		for i, a := range rest {
			if (a == "-o" || a == "-O" || a == "--output") && i+1 < len(rest) && path.IsAbs(rest[i+1]) {
				add(rest[i+1], line, what)
			}
		}
	case "ln", "cp", "mv", "install":
		if len(rest) > 0 && path.IsAbs(rest[len(rest)-1]) {
			add(rest[len(rest)-1], line, what)
		}
	case "adduser", "useradd":
		acc := account{line: line}
		var positional []string
		for i := 0; i < len(rest); i++ {
			a := rest[i]
			next := func() string {
				if i+1 < len(rest) {
					i++
					return rest[i]
				}
				return ""
			}
			switch {
			case a == "-u" || a == "--uid":
				acc.uid = next()
			case strings.HasPrefix(a, "--uid="):
				acc.uid = strings.TrimPrefix(a, "--uid=")
			case a == "-g" && cmd == "useradd", a == "--gid":
				acc.group = next()
			case a == "-G" && cmd == "adduser", a == "--ingroup":
				acc.group = next()
			case strings.HasPrefix(a, "--") && strings.Contains(a, "="):
			case userValueFlags[a]:
				next()
			case strings.HasPrefix(a, "-"):
			default:
				positional = append(positional, a)
			}
		}
		// useradd [options] LOGIN; adduser [options] USER [GROUP].
		if len(positional) > 0 {
			name := positional[len(positional)-1]
			if cmd == "adduser" {
				name = positional[0]
				if len(positional) > 1 && acc.group == "" {
					acc.group = positional[1]
				}
			}
			o.users[name] = acc
		}
	case "addgroup", "groupadd":
		gid, name := "", ""
		for i := 0; i < len(rest); i++ {
			switch a := rest[i]; {
			case (a == "-g" || a == "--gid") && i+1 < len(rest):
				gid = rest[i+1]
				i++
			case strings.HasPrefix(a, "--gid="):
				gid = strings.TrimPrefix(a, "--gid=")
			case strings.HasPrefix(a, "-"):
			default:
				if name == "" {
					name = a
				}
			}
		}
		if name != "" {
			o.groups[name] = gid
		}
	}
}

// userValueFlags are the options of adduser and useradd (Debian, shadow
// and BusyBox) that take a value, so the value is not read as the name.
var userValueFlags = map[string]bool{
	"-h": true, "--home": true, "-d": true, "--home-dir": true, "-s": true, "--shell": true,
	"-c": true, "--comment": true, "--gecos": true, "-k": true, "--skel": true, "-K": true,
	"--key": true, "-e": true, "--expiredate": true, "-f": true, "--inactive": true, "-p": true,
	"--password": true, "-b": true, "--base-dir": true, "-Z": true, "--selinux-user": true,
	"-G": true, "--groups": true, "-g": true, "--firstuid": true, "--lastuid": true, "--conf": true,
}

// initFlagsWithValue are tini and dumb-init options that take a value.
var initFlagsWithValue = map[string]bool{"-e": true, "-p": true, "-r": true, "--rewrite": true}

// initRest is what an init wrapper runs: after "--", else after its
// options.
func initRest(argv []string) []string {
	if i := slices.Index(argv, "--"); i >= 0 {
		return argv[i+1:]
	}
	i := 1
	for i < len(argv) && strings.HasPrefix(argv[i], "-") {
		if initFlagsWithValue[argv[i]] {
			i++
		}
		i++
	}
	return argv[min(i, len(argv)):]
}

// programs lists what a command line starts: its program, and through
// wrappers (tini --, sh -c "...", env, gosu) the programs they start.
func programs(argv []string) []string {
	var out []string
	for len(argv) > 0 {
		argv = dockerfile.StripWrappers(argv)
		prog := argv[0]
		base := path.Base(prog)
		out = append(out, prog)
		switch {
		case dockerfile.InitPrograms[base]:
			argv = initRest(argv)
			continue
		case (base == "sh" || base == "bash" || base == "ash" || base == "dash") && len(argv) > 2 && argv[1] == "-c":
			for _, args := range dockerfile.SimpleCommands(argv[2]) {
				out = append(out, programs(args)...)
			}
		}
		return out
	}
	return out
}

// checkContract holds the runtime to the contract, adjusting what it can
// (init: true for tini, a numeric user, volumes moved into the code stage,
// data volumes kept by name) and refusing what it cannot.
func (p *splitPlan) checkContract(im *image, base string) string {
	rel := p.ws.Rel(p.s.Dockerfile.Path)
	if reason := validImage(base, p.runtimeStage != nil || p.built != nil); reason != "" {
		return reason
	}
	old := p.oldImageSteps()
	// App code put outside the code path is not in the code volume,
	// unless the built runtime replays the step that put it there.
	replayed := map[int]bool{}
	if p.built != nil {
		for _, st := range p.built.steps {
			if st.replay {
				replayed[dockerfile.InstructionLine(st.cmd)] = true
			}
		}
	}
	for i, c := range p.s.Facts.Code {
		if i < len(p.s.Facts.CodeDirs) {
			if d := p.s.Facts.CodeDirs[i]; d != "" && !p.inCode(d) && !replayed[c.Line] && !p.rebased[c.Line] {
				return fmt.Sprintf("app code also goes to %s (%s:%d), outside the code path %s: the code volume would not carry it", d, rel, c.Line, p.wd)
			}
		}
	}

	// What the runtime starts: the service's own entrypoint and command
	// win over the image's.
	entry, cmd := execForm(im.entry, im.entryShell, im.shell), execForm(im.cmd, im.cmdShell, im.shell)
	if len(p.s.Config.Entrypoint) > 0 {
		entry, cmd = p.s.Config.Entrypoint, nil
	}
	if len(p.s.Config.Command) > 0 {
		cmd = p.s.Config.Command
	}
	// On a stock image, a tini or dumb-init the old image installed gives
	// way to Docker's own init. A built runtime replays the ENTRYPOINT
	// itself, so there the wrapper must exist (the check below).
	if len(entry) > 0 && dockerfile.InitPrograms[path.Base(entry[0])] && len(p.s.Config.Entrypoint) == 0 && p.built == nil {
		if _, made := old.programs[path.Base(entry[0])]; made {
			p.contract.initWrapper = entry[0]
			p.dropWrapperCopy(entry[0])
			entry = initRest(entry)
			im.entry, im.entryShell = entry, false
		}
	}
	argv := append(append([]string{}, entry...), cmd...)
	progs := programs(argv)
	for _, pr := range progs {
		if b := path.Base(pr); notNodePrograms[b] || strings.HasPrefix(b, "python") {
			return fmt.Sprintf("the service starts %s, not Node: decouple splits Node runtimes only", b)
		}
	}
	type use struct{ prog, by string }
	var uses []use
	for _, pr := range progs {
		uses = append(uses, use{pr, "its command"})
	}
	hc := im.healthcheck
	var hcTest []string
	if p.s.Config.HealthCheck != nil && len(p.s.Config.HealthCheck.Test) > 0 {
		hcTest = p.s.Config.HealthCheck.Test
	} else if hc != nil && hc.Health != nil {
		hcTest = hc.Health.Test
	}
	if len(hcTest) > 1 {
		switch hcTest[0] {
		case "CMD":
			for _, pr := range programs(hcTest[1:]) {
				uses = append(uses, use{pr, "its healthcheck"})
			}
		case "CMD-SHELL":
			for _, args := range dockerfile.SimpleCommands(strings.Join(hcTest[1:], " ")) {
				for _, pr := range programs(args) {
					uses = append(uses, use{pr, "its healthcheck"})
				}
			}
		}
	}
	for _, u := range uses {
		if shellWords[u.prog] || strings.Contains(u.prog, "$") || u.prog == "" {
			continue
		}
		if !path.IsAbs(u.prog) && strings.Contains(u.prog, "/") {
			continue // relative to the working folder: in the code volume
		}
		if path.IsAbs(u.prog) && p.inCode(u.prog) {
			continue
		}
		or, made := old.programs[path.Clean(u.prog)]
		if !made && (!path.IsAbs(u.prog) || binDirs[path.Dir(path.Clean(u.prog))]) {
			// A package puts its program in a bin folder: /sbin/tini is
			// the tini that `apk add tini` installed.
			or, made = old.programs[path.Base(u.prog)]
		}
		if !made {
			continue // from the base image, which the runtime keeps
		}
		return fmt.Sprintf("%s starts %s, which only the old image has (%s): the runtime image would not; start it from the code volume or the base image first", u.by, u.prog, or.what)
	}

	// The user must exist in the runtime image.
	if reason := p.checkUser(im, old, rel); reason != "" {
		return reason
	}
	if reason := p.checkVolumes(old); reason != "" {
		return reason
	}
	return ""
}

// dropWrapperCopy takes back the unsafe note on the COPY or ADD that put
// the init wrapper outside the code path: Docker's init takes its place,
// so the runtime does not miss it. A bare name is looked for in the bin
// folders.
func (p *splitPlan) dropWrapperCopy(wrapper string) {
	candidates := []string{path.Clean(wrapper)}
	if !path.IsAbs(wrapper) {
		candidates = nil
		for d := range binDirs {
			candidates = append(candidates, path.Join(d, wrapper))
		}
	}
	for _, c := range candidates {
		if i, ok := p.copiedOut[c]; ok {
			p.unsafe = slices.Delete(p.unsafe, i, i+1)
			for k, j := range p.copiedOut {
				if j > i {
					p.copiedOut[k] = j - 1
				}
			}
			delete(p.copiedOut, c)
			return
		}
	}
}

// validImage refuses a runtime image reference that Docker would reject,
// such as quotes kept from an ARG default. ${VAR} parts stand for values.
func validImage(base string, built bool) string {
	if built {
		return ""
	}
	probe := varRef.ReplaceAllString(strings.ReplaceAll(base, "$$", ""), "x")
	if _, err := reference.ParseNormalizedNamed(probe); err != nil {
		return fmt.Sprintf("the runtime image %q is not a valid image reference (%v)", base, err)
	}
	return ""
}

var varRef = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// checkUser keeps the USER resolvable in the runtime image: a name the old
// image created becomes its numeric uid:gid.
func (p *splitPlan) checkUser(im *image, old *oldImage, rel string) string {
	if p.s.Config.User != "" {
		name, _, _ := strings.Cut(p.s.Config.User, ":")
		if acc, ok := old.users[name]; ok {
			return fmt.Sprintf("user: %s names a user only the old image creates (%s:%d): use its numeric uid", name, rel, acc.line)
		}
		return ""
	}
	if im.user == "" {
		return ""
	}
	name, group, _ := strings.Cut(im.user, ":")
	if strings.Contains(name, "$") {
		return ""
	}
	acc, ok := old.users[name]
	if !ok {
		if _, ok := old.groups[group]; ok && group != "" {
			return fmt.Sprintf("USER %s names a group only the old image creates: use a numeric gid", im.user)
		}
		return ""
	}
	if acc.uid == "" || strings.Contains(acc.uid, "$") {
		return fmt.Sprintf("USER %s is created by the old image without a fixed uid (%s:%d), so the runtime image cannot name it: give it one (-u 1001) or use a numeric USER", name, rel, acc.line)
	}
	gid := ""
	switch {
	case group != "":
		if g, ok := old.groups[group]; ok {
			gid = g
		} else if isNumber(group) {
			gid = group
		}
	case acc.group != "":
		if g, ok := old.groups[acc.group]; ok {
			gid = g
		} else if isNumber(acc.group) {
			gid = acc.group
		}
	}
	if gid == "" && (group != "" || acc.group != "") {
		g := group
		if g == "" {
			g = acc.group
		}
		if gv, ok := old.groups[g]; ok && gv == "" {
			return fmt.Sprintf("USER %s's group is created by the old image without a fixed gid (%s:%d): give it one", im.user, rel, acc.line)
		}
		// A group of the base image, which the stock runtime has too.
		switch g {
		case "node":
			gid = "1000"
		case "root":
			gid = "0"
		default:
			p.contract.user = acc.uid
			p.unsafe = append(p.unsafe, fmt.Sprintf("the user runs as uid %s without its group %s (a name the runtime resolves only by the base image's /etc/group)", acc.uid, g))
			return ""
		}
	}
	p.contract.user = acc.uid
	if gid != "" {
		p.contract.user += ":" + gid
	}
	return ""
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// volumeDeclaredIn finds the compose file of the project whose entry for
// the service lists a volume over target (an override's /app/node_modules).
func (p *splitPlan) volumeDeclaredIn(target string) *compose.File {
	for _, f := range p.s.Project.Files {
		_, sv := f.ServiceNode(p.s.Name)
		_, vv := compose.MapGet(sv, "volumes")
		if vv == nil {
			continue
		}
		for _, it := range vv.Content {
			if it.Kind == yaml.ScalarNode && (path.Clean(it.Value) == target || strings.HasPrefix(it.Value, target+":")) {
				return f
			}
			if _, tv := compose.MapGet(it, "target"); tv != nil && path.Clean(tv.Value) == target {
				return f
			}
		}
	}
	return nil
}

// checkVolumes moves the service's anonymous volumes inside the code path
// into the code stage (in the runtime they would start empty, since the
// stock image has nothing there), and keeps the old image's data volumes
// as named volumes.
func (p *splitPlan) checkVolumes(old *oldImage) string {
	var items []*yaml.Node
	flow := false
	if _, v := compose.MapGet(p.svcVal, "volumes"); v != nil && v.Kind == yaml.SequenceNode {
		items, flow = v.Content, v.Style&yaml.FlowStyle != 0
	}
	mounted := map[string]bool{}
	for _, v := range p.s.Config.Volumes {
		mounted[path.Clean(v.Target)] = true
		if v.Type != "volume" {
			continue
		}
		t := path.Clean(v.Target)
		if !p.inCode(t) {
			continue
		}
		if v.Source != "" {
			if reason := p.namedCodeVolume(items, flow, v.Source, t); reason != "" {
				return reason
			}
			continue
		}
		if t == p.wd {
			return fmt.Sprintf("an anonymous volume over %s, the code path, would hide the code volume", t)
		}
		var item *yaml.Node
		for _, it := range items {
			if it.Kind == yaml.ScalarNode && (path.Clean(it.Value) == t || strings.HasPrefix(it.Value, t+":")) {
				item = it
			}
		}
		if item == nil && p.s.Project != nil && p.file != nil {
			if f := p.volumeDeclaredIn(t); f != nil && f != p.file {
				return fmt.Sprintf("the anonymous volume %s inside the code path is declared in %s, which this fix does not edit (it edits %s); it would start empty in the runtime: split the service by hand",
					t, p.ws.Rel(f.Path), p.ws.Rel(p.file.Path))
			}
		}
		if item == nil || p.file == nil || flow {
			return fmt.Sprintf("the anonymous volume %s inside the code path is not a one-line item of the service's volumes: list; it would start empty in the runtime", t)
		}
		p.contract.codeVolumes = append(p.contract.codeVolumes, t)
		p.contract.dropVolumes = append(p.contract.dropVolumes, item)
	}
	for _, v := range old.volumes {
		if !mounted[v.what] {
			p.contract.dataVolumes = append(p.contract.dataVolumes, v.what)
		}
	}
	if len(p.contract.dataVolumes) > 0 && p.file != nil && p.file.Legacy {
		p.unsafe = append(p.unsafe, fmt.Sprintf("the old image's VOLUME %s is not kept as a named volume; data there is lost when the container is recreated", strings.Join(p.contract.dataVolumes, ", ")))
		p.contract.dataVolumes = nil
	}
	// The code stage declares the anonymous volumes of every service that
	// builds it (codeVolumesOf): one that bind-mounts its code instead had
	// the host's files there, and gets the code image's.
	for _, v := range p.codeVolumesOf(p.s.Stage) {
		if slices.Contains(p.contract.codeVolumes, v) {
			continue
		}
		for _, m := range p.s.Config.Volumes {
			if t := path.Clean(m.Target); m.Type == "bind" && m.Target != "" && (t == v || strings.HasPrefix(v, strings.TrimSuffix(t, "/")+"/")) {
				p.unsafe = append(p.unsafe, fmt.Sprintf("the code image declares VOLUME %s for another service that builds this stage with an anonymous volume there: with volumes_from it covers this service's bind mount of %s at %s, where the host's files were", v, m.Target, v))
				break
			}
		}
	}
	return ""
}

// namedCodeVolume plans a named volume the service mounts at t, inside the
// code path: the code service mounts it too (see sharedVolumes).
func (p *splitPlan) namedCodeVolume(items []*yaml.Node, flow bool, name, t string) string {
	if t == p.wd {
		return fmt.Sprintf("the named volume %s over %s, the code path, would hide the code volume, and a new one would start empty in the runtime", name, t)
	}
	var item *yaml.Node
	for _, it := range items {
		switch {
		case it.Kind == yaml.ScalarNode && volumeTarget(it.Value) == t:
			item = it
		case it.Kind == yaml.MappingNode && it.Style&yaml.FlowStyle == 0:
			// The long syntax, copied as a block.
			if _, tv := compose.MapGet(it, "target"); tv != nil && tv.Kind == yaml.ScalarNode && path.Clean(tv.Value) == t {
				item = it
			}
		}
	}
	if item == nil || p.file == nil || flow {
		return fmt.Sprintf("the named volume %s over %s inside the code path is not an item of the service's own volumes: list in block style; a new one would start empty in the runtime", name, t)
	}
	p.contract.sharedVolumes = append(p.contract.sharedVolumes, item)
	return ""
}

// volumeTarget is the container path of a short-syntax volume item
// (source:target[:mode]), cleaned; "" when it has no source.
func volumeTarget(item string) string {
	if _, target, ok := splitVolume(item); ok && target != "" {
		return path.Clean(target)
	}
	return ""
}

// splitVolume splits a short-syntax volume item into its source and
// target (the mode dropped); ok is false for an anonymous volume (the item
// is then its target). A colon inside ${VAR:-default} is not a separator.
func splitVolume(item string) (source, target string, ok bool) {
	first := -1
	topLevel(item, func(i int) bool {
		if item[i] == ':' {
			first = i
			return false
		}
		return true
	})
	if first < 0 {
		return "", item, false
	}
	target, _, _ = strings.Cut(item[first+1:], ":")
	return item[:first], target, true
}

// topLevel calls f with the index of each byte of s outside compose's
// ${...} interpolations, where ':' and '/' separate, until f says stop.
func topLevel(s string, f func(i int) bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case depth == 0:
			if !f(i) {
				return
			}
		}
	}
}

// codeVolumesOf lists the anonymous volumes inside the code path of every
// service, in any project, that builds the same Dockerfile stage, sorted:
// the shared code stage declares them all, so every plan renders the same
// file.
func (p *splitPlan) codeVolumesOf(stage *dockerfile.Stage) []string {
	set := map[string]bool{}
	// Every project that builds this Dockerfile writes the same code
	// Dockerfile, so the union is over all of them.
	for _, s := range p.ws.ServicesBuilding(p.s.Dockerfile.Path) {
		if s.Stage == nil || s.Stage.Index != stage.Index || s.BuiltBy != nil {
			continue
		}
		for _, v := range s.Config.Volumes {
			t := path.Clean(v.Target)
			if v.Type == "volume" && v.Source == "" && p.inCode(t) && t != p.wd {
				set[t] = true
			}
		}
	}
	if stage.Index == p.s.Stage.Index {
		// This plan's own (the service above may be left out of that
		// list); another target's stage gets only its services' volumes,
		// so every plan renders the same file.
		for _, v := range p.contract.codeVolumes {
			set[v] = true
		}
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// dataVolumeName names the volume that keeps an old image's data volume.
func (p *splitPlan) dataVolumeName(dir string) string {
	return dataVolumeName(p.file, p.s.Name, dir)
}

func dataVolumeName(f *compose.File, svc, dir string) string {
	name := strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, svc+"-"+strings.TrimPrefix(dir, "/")), "-")
	taken := f.TopLevelKeys("volumes")
	for i := 2; slices.Contains(taken, name); i++ {
		name = fmt.Sprintf("%s-%d", strings.TrimSuffix(name, fmt.Sprintf("-%d", i-1)), i)
	}
	return name
}

// fileDataVolumeNames names the data volumes that the splits of every
// service of this compose file could add, sorted: when the file has no
// top-level volumes: yet, every fix writes the same block declaring them
// all (one that is not used is harmless), so two fixes never write two
// volumes: keys.
func (p *splitPlan) fileDataVolumeNames() []string {
	set := map[string]bool{}
	for _, s := range p.s.Project.Services {
		if s.Key == nil || s.Key.File != p.file || s.Dockerfile == nil || s.Stage == nil || s.BuiltBy != nil {
			continue
		}
		facts := stageFacts(p.ws, s)
		wd := p.codePath(facts[s.Stage.Index])
		mounted := map[string]bool{}
		for _, v := range s.Config.Volumes {
			mounted[path.Clean(v.Target)] = true
		}
		for st := s.Stage; st != nil; st = st.BaseStage {
			for _, c := range st.Commands {
				if v, ok := c.(*instructions.VolumeCommand); ok {
					for _, d := range v.Volumes {
						d = path.Clean(d)
						if d != wd && !strings.HasPrefix(d, strings.TrimSuffix(wd, "/")+"/") && !mounted[d] {
							set[dataVolumeName(p.file, s.Name, d)] = true
						}
					}
				}
			}
		}
	}
	for _, d := range p.contract.dataVolumes {
		set[p.dataVolumeName(d)] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
