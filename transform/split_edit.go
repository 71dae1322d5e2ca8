package transform

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/imageref"
	"github.com/decouple-dev/decouple/internal/nodeversion"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// endLines makes the lines inserted at the end of a file that does not end
// with a line break start on a line of their own: the first insertion
// there (in the order they apply) gets the break, and it ends the file's
// last line.
func endLines(edits []analysis.TextEdit, file string, src []byte, nl string) {
	if len(src) == 0 || src[len(src)-1] == '\n' {
		return
	}
	for i, e := range edits {
		if e.File == file && e.Start == len(src) && e.End == len(src) && len(e.NewText) > 0 {
			if !bytes.HasPrefix(e.NewText, []byte(nl)) {
				edits[i].NewText = append([]byte(nl), e.NewText...)
			}
			return
		}
	}
}

// build renders the edits: the generated code Dockerfile, the compose
// service turned runtime plus the new code service, and the .dockerignore.
func (p *splitPlan) build() (*analysis.SuggestedFix, string) {
	src := p.file.Src
	nl := newline(src)
	starts := p.file.LineStarts()
	pad := strings.Repeat(" ", p.s.Build.Column-1)
	step := p.indentStep()
	runtime, edits, base, reason := p.runtimeKeys(starts, pad, step, nl)
	if reason != "" {
		return nil, reason
	}
	if reason := p.checkHeirOverrides(runtime); reason != "" {
		return nil, reason
	}

	buildStart := starts[p.s.Build.Line-1]
	buildEnd := blockEnd(src, starts, p.s.Build.Line, p.s.Build.Column)
	edits = append(edits, analysis.TextEdit{File: p.file.Path, Start: buildStart, End: buildEnd, NewText: []byte(runtime)})

	// The code service goes right after the service's block.
	svcEnd := withTrailingComments(src, starts, blockEnd(src, starts, p.svcKey.Line, p.svcKey.Column), p.svcKey.Column)
	// Its keys are indented as the service's (the build: the split moves
	// may sit in an x- extension, a level less deep).
	codeStep := step
	if raw := p.file.RawServiceNode(p.s.Name); p.sharedExt != "" && raw != nil && len(raw.Content) > 0 && raw.Content[0].Column > p.svcKey.Column {
		// The extension may be indented otherwise than the services.
		codeStep = strings.Repeat(" ", raw.Content[0].Column-p.svcKey.Column)
	}
	codeText := p.codeService(starts, strings.Repeat(" ", p.svcKey.Column-1)+codeStep, codeStep, nl)
	edits = append(edits, analysis.TextEdit{File: p.file.Path, Start: svcEnd, End: svcEnd, NewText: []byte(codeText)})
	endLines(edits, p.file.Path, src, nl)

	for _, d := range p.dependents {
		edits = append(edits, p.repoint(d, base)...)
	}
	if p.file.Legacy {
		var own, other []analysis.TextEdit
		for _, e := range edits {
			if e.File == p.file.Path {
				own = append(own, e)
			} else {
				other = append(other, e)
			}
		}
		whole, err := p.legacyWhole(own)
		if err != "" {
			return nil, err
		}
		other = append(other, whole)
		edits = other
	}
	edits = append(edits, p.codeDockerfileEdit())
	edits = append(edits, p.ignoreEdits(p.s.Config.Build.Context)...)

	// Services re-pointed at the code volume are recreated with it.
	renew := []string{p.s.Name, p.codeSvc}
	for _, d := range p.dependents {
		renew = append(renew, d.Name)
	}
	heirs, merged := p.heirs()
	var gated []string
	for _, n := range append(append([]string{}, heirs...), merged...) {
		// Named on the command line, a service behind a profile would
		// be started by every rollout.
		if o := serviceNamed(p.s.Project, n); o != nil && len(o.Config.Profiles) > 0 && len(p.s.Config.Profiles) == 0 {
			gated = append(gated, n)
			continue
		}
		renew = append(renew, n)
	}
	msg := fmt.Sprintf("split service %q into %q (code-only image %s, strategy %s) and a runtime on %s; roll out new code with %s",
		p.s.Name, p.codeSvc, filepath.Base(p.codeDockerfile()), p.opts.Strategy, base, RenewCommand(p.renewFiles(), renew))
	if k, v := compose.MapGet(p.svcVal, "image"); k != nil && v.Kind == yaml.ScalarNode {
		msg += fmt.Sprintf("; the code image is now %s: a release must publish it and the runtime image both", codeImageName(v.Value))
	}
	if _, bv := compose.MapGet(p.svcVal, "build"); bv != nil {
		if _, tv := compose.MapGet(bv, "tags"); tv != nil && tv.Kind == yaml.SequenceNode && len(tv.Content) > 0 {
			var tags []string
			for _, it := range tv.Content {
				tags = append(tags, codeImageName(it.Value))
			}
			msg += fmt.Sprintf("; build.tags move to the code image as %s", strings.Join(tags, ", "))
		}
	}
	if p.layerBase != nil {
		msg += fmt.Sprintf("; written into %s, layered on %s, which declares the service and is left as it is", p.ws.Rel(p.file.Path), p.ws.Rel(p.layerBase.Path))
	}
	if len(heirs) > 0 {
		msg += fmt.Sprintf("; %s extend it and run on the same code volume (Compose v2; Compose v1 does not pass volumes_from through extends)", strings.Join(heirs, ", "))
	}
	switch {
	case p.sharedExt != "" && len(merged) > 0:
		verb := "merges"
		if len(merged) > 1 {
			verb = "merge"
		}
		msg += fmt.Sprintf("; its build: was in %s, which %s %s too (<<:): they run on the same code volume", p.sharedExt, strings.Join(merged, ", "), verb)
	case p.sharedExt != "":
		msg += fmt.Sprintf("; its build: was in %s, which the split edits", p.sharedExt)
	case len(merged) > 0:
		msg += fmt.Sprintf("; %s merge its keys (<<:) and run on the same code volume", strings.Join(merged, ", "))
	}
	if len(gated) > 0 {
		msg += fmt.Sprintf("; %s, behind profiles, are left out of that command: add them to it under their profile when they run", strings.Join(gated, ", "))
	}
	if p.contract.initWrapper != "" {
		msg += fmt.Sprintf("; %s in the old ENTRYPOINT becomes init: true", path.Base(p.contract.initWrapper))
	}
	if p.contract.user != "" {
		msg += fmt.Sprintf("; the user becomes %s, its numeric id", p.contract.user)
	}
	if img := p.s.Config.Image; img != "" && p.built == nil && workspace.NormalizeImage(img) == workspace.NormalizeImage(base) {
		// build: with image: node:22 tagged the app under the stock
		// name: the host's node:22 is that build until pulled again.
		p.unsafe = append(p.unsafe, fmt.Sprintf("the old build was tagged %s, the runtime's own image name: a host that built it runs that image, Node and the old code together, until `docker pull %s` (or `docker compose pull %s`) replaces it", img, img, p.s.Name))
	}
	fix := &analysis.SuggestedFix{Message: msg, Safe: len(p.unsafe) == 0, Edits: edits, Renew: renew, RenewFiles: p.renewFiles()}
	if !fix.Safe {
		fix.Message += "; unsafe: " + strings.Join(p.unsafe, "; ")
	}
	return fix, ""
}

// repoint turns a service that ran the built image into another runtime:
// the base image, the code volume, and the working folder when it set none.
// Its own command and every other key stay.
func (p *splitPlan) repoint(d *workspace.Service, base string) []analysis.TextEdit {
	f := d.Image.File
	starts := f.LineStarts()
	nl := newline(f.Src)
	_, v := f.ServiceNode(d.Name)
	ik, iv := compose.MapGet(v, "image")
	pad := strings.Repeat(" ", ik.Column-1)
	step := p.indentStep()
	text := pad + "volumes_from:" + nl + pad + step + "- " + p.codeSvc + nl
	if k, _ := compose.MapGet(v, "working_dir"); k == nil {
		text += pad + "working_dir: " + yamlString(p.cwd) + nl
	}
	after := len(f.Src)
	if ik.Line < len(starts) {
		after = starts[ik.Line]
	} else if len(f.Src) > 0 && f.Src[len(f.Src)-1] != '\n' {
		text = nl + text
	}
	if p.built != nil || p.runtimeStage != nil {
		// The runtime is built, not pulled: the service builds the same
		// stage (checkDependent made sure it sits in the builder's file,
		// so the build's context text means the same there).
		df := "Dockerfile"
		target := ""
		if p.built != nil {
			rel, _ := filepath.Rel(p.s.Config.Build.Context, p.codeDockerfile())
			df, target = filepath.ToSlash(rel), p.built.name
		} else {
			if p.s.Config.Build.Dockerfile != "" {
				df = p.s.Config.Build.Dockerfile
			}
			target = p.runtimeStage.Name
		}
		block := p.buildBlock(p.file.Src, p.file.LineStarts(), pad, step, nl, yamlString(df), target)
		line := analysis.TextEdit{File: f.Path, Start: starts[ik.Line-1], End: after, NewText: []byte(block + text)}
		return []analysis.TextEdit{line}
	}
	value := scalarEdit(f, starts, iv, yamlText(base))
	text += p.dependentKeys(d, v, pad, step, nl)
	return []analysis.TextEdit{value, {File: f.Path, Start: after, End: after, NewText: []byte(text)}}
}

// imageKeys are the lines that carry what the old image set (ENTRYPOINT,
// CMD as cmd, USER, STOPSIGNAL, HEALTHCHECK, an init wrapper) to a
// runtime whose mapping v does not set them itself.
func (p *splitPlan) imageKeys(v *yaml.Node, cmd []string, cmdShell bool, pad, step, nl string) string {
	im := p.img
	var b strings.Builder
	line := func(format string, args ...any) { b.WriteString(pad + fmt.Sprintf(format, args...) + nl) }
	has := func(key string) bool { k, _ := compose.MapGet(v, key); return k != nil }
	if !has("entrypoint") && len(im.entry) > 0 {
		line("entrypoint: %s", flowList(execForm(im.entry, im.entryShell, im.shell)))
	}
	if !has("init") && p.contract.initWrapper != "" {
		// The old ENTRYPOINT ran the app under tini or dumb-init, which
		// the runtime image lacks: Docker's own init does the same.
		line("init: true")
	}
	// A compose entrypoint: makes Docker ignore the image's CMD, so the
	// CMD is only carried over when the service sets no entrypoint.
	if !has("command") && !has("entrypoint") && len(cmd) > 0 {
		line("command: %s", flowList(execForm(cmd, cmdShell, im.shell)))
	}
	if !has("user") && im.user != "" {
		user := im.user
		if p.contract.user != "" {
			// A user only the old image created: its numeric id, which
			// owns the files in the code volume.
			user = p.contract.user
		}
		line("user: %s", yamlString(user))
	}
	if !has("stop_signal") && im.stopSignal != "" {
		line("stop_signal: %s", yamlString(im.stopSignal))
	}
	if !has("healthcheck") && im.healthcheck != nil && im.healthcheck.Health != nil {
		b.WriteString(healthcheckYAML(im.healthcheck.Health, pad, step, nl))
	}
	return b.String()
}

// dependentKeys are the lines a service that ran the old image needs to
// run on the stock image as it did: what the old image set (ENTRYPOINT,
// CMD, USER, ENV, STOPSIGNAL, HEALTHCHECK) and the service does not.
func (p *splitPlan) dependentKeys(d *workspace.Service, v *yaml.Node, pad, step, nl string) string {
	var b strings.Builder
	b.WriteString(p.imageKeys(v, p.img.cmd, p.img.cmdShell, pad, step, nl))
	missing := missingEnv(p.img.env, p.img.carried, d.Config.Environment)
	ek, _ := compose.MapGet(v, "environment")
	fk, _ := compose.MapGet(v, "env_file")
	switch {
	case len(missing) == 0:
	case ek != nil || fk != nil:
		p.unsafe = append(p.unsafe, fmt.Sprintf("service %q sets its own environment, so the old image's ENV (%s) is not carried to it", d.Name, envNames(missing)))
	default:
		b.WriteString(pad + "environment:" + nl)
		for _, e := range missing {
			b.WriteString(pad + step + yamlString(e.k) + ": " + yamlText(e.v) + nl)
		}
	}
	return b.String()
}

// runtimeKeys renders the keys that make the service a runtime (they take
// the place of build:), the edits to keys it already has, and the runtime
// image; or the reason the split cannot be done.
func (p *splitPlan) runtimeKeys(starts []int, pad, step, nl string) (string, []analysis.TextEdit, string, string) {
	im := p.runtimeImage()
	if p.envRefusal != "" {
		return "", nil, "", p.envRefusal
	}
	base, reason := p.baseImage()
	if reason != "" {
		return "", nil, "", reason
	}
	if reason := p.checkContract(&im, base); reason != "" {
		return "", nil, "", reason
	}
	if p.opaque != "" {
		return "", nil, "", p.opaque
	}
	p.img = im
	var rt strings.Builder
	var edits []analysis.TextEdit
	p.editedKeys = map[string]bool{}

	line := func(format string, args ...any) { rt.WriteString(pad + fmt.Sprintf(format, args...) + nl) }
	switch k, v := compose.MapGet(p.svcVal, "image"); {
	case p.built != nil:
		// The runtime builds its code-free stage of the code Dockerfile;
		// the image name, if any, moves to the code service.
		if k != nil {
			edits = append(edits, p.deleteLine(starts, k))
			p.editedKeys["image"] = true
		}
		df, _ := filepath.Rel(p.s.Config.Build.Context, p.codeDockerfile())
		rt.WriteString(p.buildBlock(p.srcBytes(), starts, pad, step, nl, yamlString(filepath.ToSlash(df)), p.built.name))
	case p.runtimeStage != nil:
		// Node is installed in a code-free stage of the Dockerfile: the
		// runtime builds that stage. The image name, if any, moves to the
		// code service, so it is dropped here.
		if k != nil {
			edits = append(edits, p.deleteLine(starts, k))
			p.editedKeys["image"] = true
		}
		df := "Dockerfile"
		if p.s.Config.Build.Dockerfile != "" {
			df = p.s.Config.Build.Dockerfile
		}
		if p.file == nil {
			// A generated compose file: the Dockerfile as its build
			// context sees it (docker/Dockerfile from a context of ..),
			// as for the code service.
			if r, err := filepath.Rel(p.s.Config.Build.Context, p.s.Dockerfile.Path); err == nil {
				df = filepath.ToSlash(r)
			}
		}
		if _, bv := compose.MapGet(p.svcVal, "build"); bv != nil {
			if _, dv := compose.MapGet(bv, "dockerfile"); dv != nil {
				df = dv.Value
			}
		}
		rt.WriteString(p.buildBlock(p.srcBytes(), starts, pad, step, nl, yamlText(df), p.runtimeStage.Name))
	case k != nil:
		edits = append(edits, p.replaceScalar(starts, v, yamlText(base)))
		p.editedKeys["image"] = true
	default:
		line("image: %s", yamlText(base))
	}
	if pl := p.basePlatform(); pl != "" && p.built == nil && p.runtimeStage == nil {
		// The old image ran on that platform (native modules built for
		// it in the code volume): a stock runtime must too.
		if pk, _ := compose.MapGet(p.svcVal, "platform"); pk == nil {
			line("platform: %s", yamlString(pl))
		}
	}
	if p.layerBase != nil && p.built == nil && p.runtimeStage == nil {
		// The base file's build: would merge back in and build the app
		// under the runtime's image name.
		line("build: !reset null")
	}
	line("volumes_from:")
	rt.WriteString(pad + step + "- " + p.codeSvc + nl)
	if k, _ := compose.MapGet(p.svcVal, "working_dir"); k == nil {
		line("working_dir: %s", yamlString(p.cwd))
	}
	cmd := im.cmd
	cmdShell := im.cmdShell
	if p.opts.Strategy == StrategyInstall {
		if k, _ := compose.MapGet(p.svcVal, "command"); k != nil {
			return "", nil, "", "the service sets command:, so the install step cannot be prepended safely; use --strategy build"
		}
		if len(im.entry) > 0 {
			// compose's command: would be the ENTRYPOINT's arguments.
			return "", nil, "", fmt.Sprintf("the image starts with ENTRYPOINT %s, so an install step cannot be prepended to its command; use --strategy build", dockerfile.Shorten(shellText(im.entry, im.entryShell)))
		}
		start := shellText(cmd, cmdShell)
		if start == "" {
			return "", nil, "", "the image has no CMD to start the app after installing dependencies"
		}
		cmd, cmdShell = []string{p.installCommand(base) + " && " + start}, true
	}
	rt.WriteString(p.imageKeys(p.svcVal, cmd, cmdShell, pad, step, nl))
	volBlock, volEdits, reason := p.volumeEdits(starts, pad, step, nl)
	if reason != "" {
		return "", nil, "", reason
	}
	rt.WriteString(volBlock)
	edits = append(edits, volEdits...)
	if len(volEdits) > 0 {
		p.editedKeys["volumes"] = true
	}
	envEdit, envBlock, envUnsafe := p.environment(im.env, im.carried, starts, pad, step, nl)
	rt.WriteString(envBlock)
	if envEdit != nil {
		edits = append(edits, *envEdit)
		p.editedKeys["environment"] = true
	}
	if envUnsafe != "" {
		p.unsafe = append(p.unsafe, envUnsafe)
	}
	for _, key := range []string{"image", "volumes", "environment"} {
		if !p.editedKeys[key] {
			continue
		}
		if k, _ := compose.MapGet(p.svcVal, key); k != nil && !directKey(p.svcVal, k) {
			// x-base: &base with environment:, merged by postgres too.
			return "", nil, "", fmt.Sprintf("its %s: comes from a mapping it merges (<<:, line %d), which other services may share: the split would change it for them; split it by hand", key, k.Line)
		}
	}

	return rt.String(), edits, base, ""
}

// volumeEdits carries the contract's volumes into the compose file: the
// anonymous volumes inside the code path leave the service's list (the
// code stage declares them), and the old image's data volumes become named
// volumes of the runtime, declared at the top level. It returns lines for
// the runtime block, edits elsewhere, or why it cannot.
func (p *splitPlan) volumeEdits(starts []int, pad, step, nl string) (string, []analysis.TextEdit, string) {
	c := &p.contract
	if len(c.dropVolumes) == 0 && len(c.dataVolumes) == 0 {
		return "", nil, ""
	}
	var block string
	var edits []analysis.TextEdit
	vk, vv := compose.MapGet(p.svcVal, "volumes")
	allDropped := vv != nil && len(c.dropVolumes) == len(vv.Content)
	switch {
	case allDropped:
		start, end := starts[vk.Line-1], blockEnd(p.file.Src, starts, vk.Line, vk.Column)
		kept := commentsOf(p.file.Src, starts, vk.Line, end, lineComments(map[int]string{}, vk, vv), nl)
		edits = append(edits, analysis.TextEdit{File: p.file.Path, Start: start, End: end, NewText: []byte(kept)})
	default:
		for _, it := range c.dropVolumes {
			e := p.deleteLine(starts, it)
			e.NewText = []byte(commentsOf(p.file.Src, starts, it.Line, e.End, lineComments(map[int]string{}, it), nl))
			edits = append(edits, e)
		}
	}
	if len(c.dataVolumes) == 0 {
		return "", edits, ""
	}
	var items strings.Builder
	names := make([]string, len(c.dataVolumes))
	for i, d := range c.dataVolumes {
		names[i] = p.dataVolumeName(d)
	}
	switch {
	case vv == nil || allDropped:
		items.WriteString(pad + "volumes:" + nl)
		for i, d := range c.dataVolumes {
			items.WriteString(pad + step + "- " + yamlString(names[i]+":"+d) + nl)
		}
		block = items.String()
		if p.file == nil {
			// A generated file (a standalone split): SplitStandalone
			// declares the names.
			return block, edits, ""
		}
	case vv.Kind == yaml.SequenceNode && vv.Style&yaml.FlowStyle == 0 && len(vv.Content) > 0:
		itemPad := strings.Repeat(" ", vv.Content[0].Column-3)
		for i, d := range c.dataVolumes {
			items.WriteString(itemPad + "- " + yamlString(names[i]+":"+d) + nl)
		}
		end := blockEnd(p.file.Src, starts, vk.Line, vk.Column)
		edits = append(edits, analysis.TextEdit{File: p.file.Path, Start: end, End: end, NewText: []byte(items.String())})
	default:
		return "", nil, "the service's volumes: is not a block list, so the old image's VOLUME " + strings.Join(c.dataVolumes, ", ") + " cannot be kept as named volumes"
	}
	// Declare the names at the top level.
	var decl strings.Builder
	tk, tv := compose.MapGet(p.file.Root, "volumes")
	switch {
	case tk == nil:
		// A new top-level block goes right before services:, so that
		// code services added at the end of the file stay under services.
		sk, _ := compose.MapGet(p.file.Root, "services")
		if sk == nil || sk.Column != 1 {
			return "", nil, "the file's services: key is not at the start of a line, so the old image's VOLUME " + strings.Join(c.dataVolumes, ", ") + " cannot be declared as named volumes"
		}
		at := starts[sk.Line-1]
		decl.WriteString("volumes:" + nl)
		for _, n := range p.fileDataVolumeNames() {
			decl.WriteString(step + n + ": {}" + nl)
		}
		edits = append(edits, analysis.TextEdit{File: p.file.Path, Start: at, End: at, NewText: []byte(decl.String())})
	case tv.Kind == yaml.MappingNode && tv.Style&yaml.FlowStyle == 0 && len(tv.Content) > 0:
		keyPad := strings.Repeat(" ", tv.Content[0].Column-1)
		for _, n := range names {
			decl.WriteString(keyPad + n + ": {}" + nl)
		}
		end := blockEnd(p.file.Src, starts, tk.Line, tk.Column)
		edits = append(edits, analysis.TextEdit{File: p.file.Path, Start: end, End: end, NewText: []byte(decl.String())})
	default:
		return "", nil, "the top-level volumes: is not a block mapping, so the old image's VOLUME " + strings.Join(c.dataVolumes, ", ") + " cannot be declared as named volumes"
	}
	return block, edits, ""
}

// srcBytes is the compose file's bytes, nil for a generated file.
func (p *splitPlan) srcBytes() []byte {
	if p.file == nil {
		return nil
	}
	return p.file.Src
}

// deleteLine removes the whole line a key is on.
func (p *splitPlan) deleteLine(starts []int, k *yaml.Node) analysis.TextEdit {
	end := len(p.file.Src)
	if k.Line < len(starts) {
		end = starts[k.Line]
	}
	return analysis.TextEdit{File: p.file.Path, Start: starts[k.Line-1], End: end}
}

// indentStep is the file's indentation unit, taken from the service's
// nesting so generated lines look like their neighbours.
func (p *splitPlan) indentStep() string {
	n := p.s.Build.Column - p.ownerKey.Column
	if n <= 0 {
		n = 2
	}
	return strings.Repeat(" ", n)
}

// baseImage is the runtime's image: the chain's FROM as written, with ARGs
// that compose feeds through build.args kept as the ${VAR} text compose
// has, and other ARGs resolved to their defaults.
func (p *splitPlan) baseImage() (string, string) {
	if p.built != nil {
		return fmt.Sprintf("stage %s of %s (the old image's steps without the code)", p.built.name, filepath.Base(p.codeDockerfile())), ""
	}
	if p.runtimeStage != nil {
		return fmt.Sprintf("stage %s of %s", p.runtimeStage.Name, filepath.Base(p.s.Dockerfile.Path)), ""
	}
	raw := p.chain[0].BaseRaw
	out, missing := p.composeText(raw, nil, metaDefaults(p.s.Dockerfile.MetaArgs))
	if missing != "" {
		return "", fmt.Sprintf("the base image %s needs ARG %s, which has no default", raw, missing)
	}
	return out, ""
}

func metaDefaults(meta map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range meta {
		if v != nil {
			// The build unquotes a default as the shell would:
			// ARG NODE="22-alpine" is 22-alpine in FROM.
			out[k] = unquote(*v)
		}
	}
	return out
}

// composeText turns Dockerfile text with $VAR references into compose text
// that means the same: a reference to an ARG that compose feeds through
// build.args becomes that arg's compose text as written (so ${VAR} stays
// interpolated by compose), an earlier ENV becomes its value, an ARG default
// its value; literal `$` are doubled. It returns the name of a reference it
// could not resolve.
func (p *splitPlan) composeText(raw string, env []kv, defaults map[string]string) (string, string) {
	composeArgs := p.rawBuildArgs()
	var b strings.Builder
	last := 0
	for _, m := range argRef.FindAllStringSubmatchIndex(raw, -1) {
		b.WriteString(strings.ReplaceAll(raw[last:m[0]], "$", "$$"))
		last = m[1]
		name, mod := "", ""
		if m[2] >= 0 {
			name, mod = raw[m[2]:m[3]], raw[m[4]:m[5]]
		} else {
			name = raw[m[6]:m[7]]
		}
		v, known, literal := "", false, false
		if cv, ok := composeArgs[name]; ok {
			v, known, literal = cv, true, !strings.Contains(cv, "$")
		} else if ev, ok := lookupKV(env, name); ok {
			v, known, literal = ev, true, !strings.Contains(ev, "$")
		} else if dv, ok := defaults[name]; ok {
			v, known, literal = strings.ReplaceAll(dv, "$", "$$"), true, true
		}
		if mod != "" {
			// ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word], as
			// the build's shell lexer applies them; an ARG declared
			// without a value counts as unset.
			if known && !literal {
				return "", name // compose text: its value is not known here
			}
			set := known && v != ""
			var word string
			switch {
			case strings.HasPrefix(mod, ":-"), strings.HasPrefix(mod, "-"):
				if set {
					b.WriteString(v)
					continue
				}
				word = strings.TrimPrefix(strings.TrimPrefix(mod, ":"), "-")
			case strings.HasPrefix(mod, ":+"), strings.HasPrefix(mod, "+"):
				if !set {
					continue
				}
				word = strings.TrimPrefix(strings.TrimPrefix(mod, ":"), "+")
			default:
				return "", name
			}
			w, missing := p.composeText(word, env, defaults)
			if missing != "" {
				return "", missing
			}
			b.WriteString(w)
			continue
		}
		if known {
			b.WriteString(v)
			continue
		}
		return "", name
	}
	b.WriteString(strings.ReplaceAll(raw[last:], "$", "$$"))
	return b.String(), ""
}

func lookupKV(list []kv, k string) (string, bool) {
	for _, e := range list {
		if e.k == k {
			return e.v, true
		}
	}
	return "", false
}

var argRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// rawBuildArgs reads build.args as written in the compose file.
func (p *splitPlan) rawBuildArgs() map[string]string {
	out := map[string]string{}
	_, b := compose.MapGet(p.svcVal, "build")
	_, args := compose.MapGet(b, "args")
	if args == nil {
		return out
	}
	switch args.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(args.Content); i += 2 {
			out[args.Content[i].Value] = args.Content[i+1].Value
		}
	case yaml.SequenceNode:
		for _, it := range args.Content {
			if k, v, ok := strings.Cut(it.Value, "="); ok {
				out[k] = v
			}
		}
	}
	return out
}

// replaceScalar replaces a one-line scalar value, keeping what follows it
// on the line (a comment).
func (p *splitPlan) replaceScalar(starts []int, v *yaml.Node, text string) analysis.TextEdit {
	return scalarEdit(p.file, starts, v, text)
}

// scalarEdit replaces a one-line scalar value in a file, keeping what
// follows it on the line (a comment).
func scalarEdit(f *compose.File, starts []int, v *yaml.Node, text string) analysis.TextEdit {
	src := f.Src
	start := offsetOf(src, starts, v.Line, v.Column)
	end := start
	switch v.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := src[start]
		end = start + 1
		for end < len(src) && src[end] != q {
			if src[end] == '\\' && q == '"' {
				end++
			}
			end++
		}
		end++
	default:
		for end < len(src) && src[end] != '\n' && src[end] != '\r' && !(src[end] == '#' && end > start && src[end-1] == ' ') {
			end++
		}
		for end > start && src[end-1] == ' ' {
			end--
		}
	}
	return analysis.TextEdit{File: f.Path, Start: start, End: end, NewText: []byte(text)}
}

// environment merges Dockerfile ENV under the service's environment:
// compose values win. It returns an edit of an existing block, or a new
// block to add, and why the merge may change behaviour.
func (p *splitPlan) environment(env []kv, carried map[string]bool, starts []int, pad, step, nl string) (*analysis.TextEdit, string, string) {
	if len(env) == 0 {
		return nil, "", ""
	}
	missing := missingEnv(env, carried, p.s.Config.Environment)
	if len(missing) == 0 {
		return nil, "", ""
	}
	var unsafe string
	if k, _ := compose.MapGet(p.svcVal, "env_file"); k != nil {
		unsafe = "env_file values used to override the image's ENV; as environment: entries the ENV values now win over env_file"
	}
	k, v := compose.MapGet(p.svcVal, "environment")
	if k == nil {
		var b strings.Builder
		b.WriteString(pad + "environment:" + nl)
		for _, e := range missing {
			b.WriteString(pad + step + yamlString(e.k) + ": " + yamlText(e.v) + nl)
		}
		return nil, b.String(), unsafe
	}
	if v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 {
		return nil, "", "the service's environment is in flow style; the image's ENV (" + envNames(missing) + ") was not carried over"
	}
	itemPad := strings.Repeat(" ", v.Content[0].Column-1)
	var b strings.Builder
	for _, e := range missing {
		if v.Kind == yaml.SequenceNode {
			itemPad = strings.Repeat(" ", v.Content[0].Column-3)
			b.WriteString(itemPad + "- " + yamlText(e.k+"="+e.v) + nl)
		} else {
			b.WriteString(itemPad + yamlString(e.k) + ": " + yamlText(e.v) + nl)
		}
	}
	end := blockEnd(p.file.Src, starts, k.Line, k.Column)
	return &analysis.TextEdit{File: p.file.Path, Start: end, End: end, NewText: []byte(b.String())}, "", unsafe
}

// missingEnv is the image's ENV that neither the runtime image carries
// nor the service's environment (have) sets.
func missingEnv(env []kv, carried map[string]bool, have map[string]*string) []kv {
	var missing []kv
	for _, e := range env {
		if _, ok := have[e.k]; !ok && !carried[e.k] {
			missing = append(missing, e)
		}
	}
	return missing
}

func envNames(env []kv) string {
	names := make([]string, len(env))
	for i, e := range env {
		names[i] = e.k
	}
	return strings.Join(names, ", ")
}

// writtenDockerfile is the service's build.dockerfile as its file writes
// it, "" when it names none.
func (p *splitPlan) writtenDockerfile() string {
	_, bv := compose.MapGet(p.svcVal, "build")
	if _, dv := compose.MapGet(bv, "dockerfile"); dv != nil && dv.Kind == yaml.ScalarNode {
		return dv.Value
	}
	return ""
}

// codeService renders the `<svc>-code` service: the original build with the
// generated Dockerfile and no target; build keys and profiles are copied as
// written so ${VAR} text stays.
func (p *splitPlan) codeService(starts []int, pad, step, nl string) string {
	var src []byte // nil for a generated compose file: no nodes to copy
	if p.file != nil {
		src = p.file.Src
	}
	svcPad := pad[:len(pad)-len(step)]
	var b strings.Builder
	b.WriteString(svcPad + p.codeSvc + ":" + nl)
	if k, v := compose.MapGet(p.svcVal, "image"); k != nil && v.Kind == yaml.ScalarNode {
		// The code image gets a name of its own next to the release name
		// (<name>-code, tag kept): under the old name a push would publish
		// a tianon/true image, and a deploy that pulls would run the full
		// old image on top of an empty volume. It is only ever built.
		b.WriteString(pad + "image: " + codeImageName(strings.TrimSpace(stripComment(string(src[offsetOf(src, starts, v.Line, v.Column):lineEndOffset(src, starts, v.Line)])))) + nl)
		b.WriteString(pad + "pull_policy: build" + nl)
	}
	df, _ := filepath.Rel(p.s.Config.Build.Context, p.codeDockerfile())
	dfText := yamlString(filepath.ToSlash(df))
	if written := p.writtenDockerfile(); strings.Contains(written, "$") {
		// dockerfile: ${APP_DOCKERFILE}: the code Dockerfile is named
		// through the same variable (${APP_DOCKERFILE}.code), so the
		// variable keeps choosing the file, and its value from .env is
		// not written into the compose file (check refuses the names
		// no suffix spells).
		dfText = yamlText(written + ".code")
	}
	b.WriteString(p.buildBlock(src, starts, pad, step, nl, dfText, p.codeStageName()))
	// The old image's data VOLUMEs inside the code path (uploads, chowned
	// to the app's user) are filled from the code image the same way: the
	// runtime's image has nothing there, so a new volume would start empty
	// and owned by root.
	var dataInCode []string
	for _, d := range p.contract.dataVolumes {
		if p.inCode(d) {
			dataInCode = append(dataInCode, d)
		}
	}
	if len(p.contract.sharedVolumes) > 0 || len(dataInCode) > 0 {
		b.WriteString(pad + "volumes:" + nl)
		for _, d := range dataInCode {
			b.WriteString(pad + step + "- " + yamlString(p.dataVolumeName(d)+":"+d) + nl)
		}
		for _, it := range p.contract.sharedVolumes {
			if it.Kind == yaml.MappingNode {
				// From its dash to the end of its block, shifted.
				dash := offsetOf(src, starts, it.Line, it.Column) - starts[it.Line-1] - 1
				for dash > 0 && src[starts[it.Line-1]+dash] != '-' {
					dash--
				}
				b.WriteString(reindent(src, starts, &yaml.Node{Line: it.Line, Column: dash + 1}, len(pad)+len(step), nl))
				continue
			}
			item := src[offsetOf(src, starts, it.Line, it.Column):lineEndOffset(src, starts, it.Line)]
			b.WriteString(pad + step + "- " + strings.TrimSpace(string(item)) + nl)
		}
	}
	b.WriteString(p.codeProfiles(src, starts, pad, nl))
	// The code container only has to exist for volumes_from; it needs no
	// network (and so adds none to the project).
	b.WriteString(pad + "network_mode: none" + nl)
	return b.String()
}

// codeImageName names the code image after the release image it came
// from: registry/app:1.2 -> registry/app-code:1.2. Quotes and ${VAR} text
// are kept as written; a digest pin is dropped (the image is built here).
func codeImageName(text string) string {
	q := ""
	if len(text) >= 2 && (text[0] == '"' || text[0] == '\'') && text[len(text)-1] == text[0] {
		q, text = text[:1], text[1:len(text)-1]
	}
	if i := strings.Index(text, "@"); i >= 0 {
		text = text[:i]
	}
	// The tag separator is the last ':' outside ${...} and after the last
	// '/' outside it (registry.example.com:5000/api:${TAG:-dev}).
	colon, slash := -1, -1
	topLevel(text, func(i int) bool {
		switch text[i] {
		case '/':
			slash, colon = i, -1
		case ':':
			colon = i
		}
		return true
	})
	name, tag := text, ""
	if colon > slash {
		name, tag = text[:colon], text[colon:]
	}
	return q + name + "-code" + tag + q
}

// buildBlock renders a build: key for a new service: the original build's
// context and keys (args, secrets...) as written, with the given dockerfile
// text and target ("" for none).
func (p *splitPlan) buildBlock(src []byte, starts []int, pad, step, nl, dockerfile, target string) string {
	var b strings.Builder
	b.WriteString(pad + "build:" + nl)
	_, bv := compose.MapGet(p.svcVal, "build")
	context := "."
	// Without a build node (a generated compose file) the context is the
	// one SplitStandalone chose.
	if p.genContext != "" {
		context = yamlString(p.genContext)
	}
	// A layered split's code service is new in the variant: what the
	// base file's build: sets and the variant's does not is written too
	// (both files sit in one folder, so the text means the same).
	lb := p.layerBuild
	var lsrc []byte
	var lstarts []int
	if lb != nil {
		lsrc, lstarts = p.layerBase.Src, p.layerBase.LineStarts()
	}
	textOf := func(src []byte, starts []int, n *yaml.Node) string {
		return string(src[offsetOf(src, starts, n.Line, n.Column):lineEndOffset(src, starts, n.Line)])
	}
	ck, cv := compose.MapGet(bv, "context")
	_, lcv := compose.MapGet(lb, "context")
	// Comments on the build keys go along: the lines above each key and
	// what follows its value (a split keeps every comment it can).
	above := func(k *yaml.Node) {
		if k != nil && bv != nil && bv.Kind == yaml.MappingNode {
			b.WriteString(commentsAbove(src, starts, k.Line, pad+step, nl))
		}
	}
	after := func(k, v *yaml.Node) string {
		for _, n := range []*yaml.Node{v, k} {
			if n != nil && n.LineComment != "" {
				return " " + n.LineComment
			}
		}
		return ""
	}
	switch {
	case bv != nil && bv.Kind == yaml.ScalarNode:
		context = textOf(src, starts, bv)
	case cv != nil:
		context = textOf(src, starts, cv)
	case lb != nil && lb.Kind == yaml.ScalarNode:
		context = textOf(lsrc, lstarts, lb)
	case lcv != nil:
		context = textOf(lsrc, lstarts, lcv)
	}
	above(ck)
	b.WriteString(pad + step + "context: " + strings.TrimSpace(context) + nl)
	dk, dv := compose.MapGet(bv, "dockerfile")
	above(dk)
	b.WriteString(pad + step + "dockerfile: " + dockerfile + after(dk, dv) + nl)
	if target != "" {
		tk, tv := compose.MapGet(bv, "target")
		above(tk)
		b.WriteString(pad + step + "target: " + yamlString(target) + after(tk, tv) + nl)
	}
	rest := func(src []byte, starts []int, m, over *yaml.Node) {
		if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			key := m.Content[i]
			switch key.Value {
			case "context", "dockerfile", "target", "dockerfile_inline":
				continue
			}
			if k, _ := compose.MapGet(over, key.Value); k != nil {
				continue // the variant sets it
			}
			b.WriteString(commentsAbove(src, starts, key.Line, pad+step, nl))
			if v := m.Content[i+1]; key.Value == "tags" && v.Kind == yaml.SequenceNode {
				// The release's tags name the app image: the code image
				// gets names of its own, as with image: (see codeService).
				b.WriteString(pad + step + "tags:" + after(key, nil) + nl)
				for _, it := range v.Content {
					text := yamlText(it.Value)
					if v.Style&yaml.FlowStyle == 0 && it.Kind == yaml.ScalarNode {
						text = strings.TrimSpace(stripComment(textOf(src, starts, it)))
					}
					b.WriteString(pad + step + step + "- " + codeImageName(text) + after(it, nil) + nl)
				}
				continue
			}
			b.WriteString(reindent(src, starts, key, len(pad)+len(step), nl))
		}
	}
	rest(lsrc, lstarts, lb, bv)
	rest(src, starts, bv, nil)
	return b.String()
}

// reindent copies a key's block verbatim, shifted to a new indentation.
func reindent(src []byte, starts []int, key *yaml.Node, col int, nl string) string {
	end := blockEnd(src, starts, key.Line, key.Column)
	delta := col - (key.Column - 1)
	var b strings.Builder
	for n := key.Line; n <= len(starts) && starts[n-1] < end; n++ {
		t := lineText(src, starts, n)
		switch {
		case strings.TrimSpace(t) == "":
		case delta >= 0:
			t = strings.Repeat(" ", delta) + t
		default:
			t = t[min(-delta, indentOf(t)):]
		}
		b.WriteString(t + nl)
	}
	return b.String()
}

func lineEndOffset(src []byte, starts []int, line int) int {
	end := len(src)
	if line < len(starts) {
		end = starts[line]
	}
	for end > starts[line-1] && (src[end-1] == '\n' || src[end-1] == '\r') {
		end--
	}
	return end
}

// commentsAbove is the run of comment lines right above line, each
// indented by indent.
func commentsAbove(src []byte, starts []int, line int, indent, nl string) string {
	first := line
	for first > 1 {
		t := strings.TrimSpace(lineText(src, starts, first-1))
		if !strings.HasPrefix(t, "#") {
			break
		}
		first--
	}
	var b strings.Builder
	for n := first; n < line; n++ {
		b.WriteString(indent + strings.TrimSpace(lineText(src, starts, n)) + nl)
	}
	return b.String()
}

func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		return s[:i]
	}
	return s
}

// installCommand is the production install the runtime runs, chosen by the
// lockfile and by what the image's npm understands.
func (p *splitPlan) installCommand(base string) string {
	lock := ""
	for _, name := range []string{"pnpm-lock.yaml", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json"} {
		if p.ws.Exists(filepath.Join(p.s.Config.Build.Context, name)) {
			lock = name
			break
		}
	}
	major := ""
	if ref, ok := imageref.Parse(base); ok {
		if v, ok := nodeversion.FromTag(ref.Tag); ok && v.Pinned {
			major = v.Major
		} else if ok {
			if r, ok := nodeversion.Resolve(v, time.Now()); ok {
				major = r.Major
			}
		}
	}
	return nodeversion.InstallCommand(major, lock)
}

// execForm turns a CMD/ENTRYPOINT into the exec form compose runs as is;
// the shell form becomes an explicit shell call, as Docker would run it.
func execForm(words []string, shellForm bool, shell []string) []string {
	if !shellForm {
		return words
	}
	return append(append([]string{}, shell...), strings.Join(words, " "))
}

// shellText is a command as one shell string.
func shellText(words []string, shellForm bool) string {
	if shellForm {
		return strings.Join(words, " ")
	}
	return quoteWords(words, " \t'\"$&|;<>()*?`\\")
}

// quoteWords joins words with spaces, single-quoting each that is empty
// or holds one of special.
func quoteWords(words []string, special string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if w == "" || strings.ContainsAny(w, special) {
			w = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		quoted[i] = w
	}
	return strings.Join(quoted, " ")
}

// healthcheckYAML renders a Dockerfile HEALTHCHECK as compose healthcheck:.
func healthcheckYAML(h *dockerspec.HealthcheckConfig, pad, step, nl string) string {
	var b strings.Builder
	b.WriteString(pad + "healthcheck:" + nl)
	if len(h.Test) == 1 && h.Test[0] == "NONE" {
		b.WriteString(pad + step + "disable: true" + nl)
		return b.String()
	}
	if len(h.Test) > 0 {
		b.WriteString(pad + step + "test: " + flowList(h.Test) + nl)
	}
	for _, d := range []struct {
		key string
		val time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start_period", h.StartPeriod}, {"start_interval", h.StartInterval}} {
		if d.val > 0 {
			b.WriteString(pad + step + d.key + ": " + d.val.String() + nl)
		}
	}
	if h.Retries > 0 {
		fmt.Fprintf(&b, "%s%sretries: %d%s", pad, step, h.Retries, nl)
	}
	return b.String()
}

// heirs are the services of the same file that extend this one, or merge
// its mapping (<<: *api), and so inherit its build: the split makes them
// runtimes on its code volume.
func (p *splitPlan) heirs() (extends, merged []string) {
	var out []string
	for _, o := range p.s.Project.Services {
		if o == p.orig || o.Build == nil || o.Key == nil || o.Key.File != p.file ||
			o.Build.File != p.s.Build.File || o.Build.Line != p.s.Build.Line {
			continue
		}
		_, v := p.file.ServiceNode(o.Name)
		if mergesFrom(v, p.svcVal) {
			// <<: *api: the edited mapping is merged in whole.
			merged = append(merged, o.Name)
			continue
		}
		if _, ev := compose.MapGet(v, "extends"); ev != nil {
			base := ev.Value
			if _, sv := compose.MapGet(ev, "service"); sv != nil {
				base = sv.Value
			}
			if base == p.s.Name {
				out = append(out, o.Name)
			}
		}
	}
	sort.Strings(out)
	sort.Strings(merged)
	return out, merged
}

// basePlatform is the FROM --platform of the stage chain's first stage,
// the one the stock runtime stands in for; "" when it sets none.
func (p *splitPlan) basePlatform() string {
	return p.s.Stage.Root().Platform
}

// mergesFrom reports whether mapping m merges src through a merge key
// (<<: *anchor, or a list of them).
func mergesFrom(m, src *yaml.Node) bool {
	if m == nil || m.Kind != yaml.MappingNode || src == nil {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		for _, it := range mergeSources(m.Content[i+1]) {
			if it.Kind == yaml.AliasNode && it.Alias == src {
				return true
			}
		}
	}
	return false
}

// ignoreEdits adds what the build context's .dockerignore lacks: .git and
// node_modules, and the code Dockerfile when the runtime is built from it:
// a Node patch edits that file, and copied into the code image with the
// context it would make the patch rebuild the code image too (seen on a
// real engine).
func (p *splitPlan) ignoreEdits(contextDir string) []analysis.TextEdit {
	ignorePath, missing := p.opts.missingIgnores(p.ws, contextDir, p.s.Dockerfile.Path)
	missing, _ = WithoutHostModules(WithoutCopied(missing, p.s.Dockerfile), p.s.Dockerfile)
	if p.built != nil {
		// A code Dockerfile outside the context (dockerfile: ../x) is
		// not sent with it: no pattern can name it there.
		if rel, err := filepath.Rel(contextDir, p.codeDockerfile()); err == nil && filepath.IsLocal(rel) && !ignored(p.ws, ignorePath, filepath.ToSlash(rel)) {
			missing = append(missing, filepath.ToSlash(rel))
		}
	}
	var edits []analysis.TextEdit
	if len(missing) > 0 {
		edits = IgnoreFix(p.ws, ignorePath, missing).Edits
	}
	// BuildKit reads <Dockerfile>.dockerignore before the context's: the
	// code Dockerfile needs its own, the same as the original's after the
	// edits above, or its build would send what that one kept out
	// (node_modules, .git, an .env).
	if ignorePath == p.s.Dockerfile.Path+".dockerignore" {
		if own := p.codeDockerfile() + ".dockerignore"; !p.ws.Exists(own) {
			old, _ := p.ws.ReadFile(ignorePath)
			text, err := edit.Apply(old, edits) // all of them edit ignorePath
			if err != nil {
				text = slices.Clone(old)
			}
			if len(text) > 0 && text[len(text)-1] != '\n' {
				text = append(text, newline(text)...) // a new file ends its last line
			}
			edits = append(edits, analysis.TextEdit{File: own, NewText: text})
		}
	}
	return edits
}
