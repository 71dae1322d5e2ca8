package transform

import (
	"path/filepath"
	"slices"
	"strings"
)

// defaultComposeFiles and defaultOverrideFiles are what `docker compose`
// reads from its working folder when given no -f, in the order it prefers
// them (compose-go's cli.DefaultFileNames and DefaultOverrideFileNames).
var (
	defaultComposeFiles  = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
	defaultOverrideFiles = []string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
)

// ComposeFiles returns the -f arguments `docker compose`, run in dir, needs
// to load the project made of files (absolute paths, those a fix creates
// included): none when its default discovery finds exactly these files,
// else each file relative to dir. A rollout command for a docker-compose.prod.yml
// project that named no file would act on another project.
func ComposeFiles(fsys FS, dir string, files []string) []string {
	present := func(name string) bool {
		p := filepath.Join(dir, name)
		return slices.Contains(files, p) || fsys.Exists(p)
	}
	var want []string
	for _, n := range defaultComposeFiles {
		if present(n) {
			want = append(want, filepath.Join(dir, n))
			for _, o := range defaultOverrideFiles {
				if present(o) {
					want = append(want, filepath.Join(dir, o))
					break
				}
			}
			break
		}
	}
	if slices.Equal(want, files) {
		return nil
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f
		if r, err := filepath.Rel(dir, f); err == nil {
			out[i] = filepath.ToSlash(r)
		}
	}
	return out
}

// RenewCommand is how to roll out new code to the named services of the
// project that files select (ComposeFiles): -V renews their anonymous
// volumes, so the code service's volume is filled from the new code image.
// Naming the services keeps -V off the others (a database's anonymous
// volume among them).
func RenewCommand(files, services []string) string {
	return RenewCommandIn("", files, services)
}

// RenewCommandIn is RenewCommand for a named project (-p), "" for the one
// Compose derives.
func RenewCommandIn(project string, files, services []string) string {
	return "`" + composeCommand(project, files) + "up -d --build -V " + strings.Join(services, " ") + "`"
}

// UpCommand starts a project's files: `docker compose [-p P] -f F up`.
func UpCommand(project string, files []string) string {
	return "`" + composeCommand(project, files) + "up`"
}

// composeCommand is `docker compose` with the project's -p and -f
// arguments, ending in a space.
func composeCommand(project string, files []string) string {
	var b strings.Builder
	b.WriteString("docker compose ")
	if project != "" {
		b.WriteString("-p " + shellWord(project) + " ")
	}
	for _, f := range files {
		b.WriteString("-f " + shellWord(f) + " ")
	}
	return b.String()
}

// shellWord quotes a path for a shell when it needs it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$&|;<>()*?`\\#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// renewFiles are the -f arguments of the split service's project. A lone
// file that the project's scripts or comments layer on another file of its
// folder declaring the same service (docker compose -f compose.yaml -f
// compose.build.yaml) is rolled out as it is run: with that file first.
func (p *splitPlan) renewFiles() []string {
	var files []string
	for _, f := range p.s.Project.Files {
		files = append(files, f.Path)
	}
	if len(files) == 1 {
		dir := filepath.Dir(files[0])
		for _, o := range p.ws.ServicesNamed(dir, p.s.Name) {
			if o.Project == p.s.Project || len(o.Project.Files) != 1 || o.Key.File.Path == files[0] {
				continue
			}
			other := o.Key.File.Path
			if len(filepath.Base(other)) > len(filepath.Base(files[0])) {
				continue // the longer name is the variant: docker-compose.yml, then docker-compose.dev.yml
			}
			if layeredUse(p.ws, dir, other, files[0]) != "" {
				files = []string{other, files[0]}
				break
			}
		}
	}
	return ComposeFiles(p.ws, p.ws.Cwd, files)
}
