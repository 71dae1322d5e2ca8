package compose

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// Service is one service of a loaded project with the places in the files
// where it is written.
type Service struct {
	Name   string
	Config types.ServiceConfig
	// Key is where the service is declared; Build and Image where its
	// `build:` and `image:` keys are (nil when absent). Build is found in
	// the file that defines it, following `extends`.
	Key   *Pos
	Build *Pos
	Image *Pos
	// ImageText is the `image:` value as written, ${VAR} kept.
	ImageText string
}

// Services lists the project's services in name order, with positions.
func (p *Project) Services() []*Service {
	if p.Model == nil {
		return nil
	}
	files := append(append([]*File(nil), p.Files...), p.includedFiles()...)
	names := make([]string, 0, len(p.Model.Services))
	for name := range p.Model.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]*Service, 0, len(names))
	for _, name := range names {
		s := &Service{Name: name, Config: p.Model.Services[name]}
		for _, f := range files {
			k, v := f.ServiceNode(name)
			if k == nil {
				continue
			}
			if s.Key == nil {
				s.Key = &Pos{File: f, Line: k.Line, Column: k.Column}
			}
			if bk, _ := MapGet(v, "build"); bk != nil {
				s.Build = &Pos{File: f, Line: bk.Line, Column: bk.Column}
			}
			if ik, iv := MapGet(v, "image"); ik != nil {
				s.Image = &Pos{File: f, Line: ik.Line, Column: ik.Column}
				s.ImageText = iv.Value
			}
			if s.Build == nil {
				s.Build = p.buildInExtends(f, v, 0)
			}
		}
		out = append(out, s)
	}
	return out
}

// buildInExtends follows `extends:` to the file and service that hold the
// `build:` key; paths are relative to the extending file, as in Compose.
func (p *Project) buildInExtends(f *File, svc *yaml.Node, depth int) *Pos {
	if depth > 8 {
		return nil
	}
	_, ext := MapGet(svc, "extends")
	if ext == nil {
		return nil
	}
	target, file := "", f
	switch ext.Kind {
	case yaml.ScalarNode:
		target = ext.Value
	case yaml.MappingNode:
		if _, sv := MapGet(ext, "service"); sv != nil {
			target = sv.Value
		}
		if _, fv := MapGet(ext, "file"); fv != nil {
			if strings.Contains(fv.Value, "$") {
				return nil
			}
			path := fv.Value
			if !filepath.IsAbs(path) {
				path = filepath.Join(filepath.Dir(f.Path), path)
			}
			file = p.fileAt(path)
		}
	}
	if file == nil || target == "" {
		return nil
	}
	_, base := file.ServiceNode(target)
	if base == nil {
		return nil
	}
	if bk, _ := MapGet(base, "build"); bk != nil {
		return &Pos{File: file, Line: bk.Line, Column: bk.Column}
	}
	return p.buildInExtends(file, base, depth+1)
}

// DockerfilePath is the Dockerfile a service builds, absolute, or "" when
// it builds none, builds from a remote context, or inlines it.
func DockerfilePath(s types.ServiceConfig) string {
	b := s.Build
	if b == nil || b.DockerfileInline != "" || isRemote(b.Context) {
		return ""
	}
	df := b.Dockerfile
	if df == "" {
		df = "Dockerfile"
	}
	if filepath.IsAbs(df) {
		return df
	}
	return filepath.Join(b.Context, df)
}

func isRemote(ctx string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://", "github.com/", "ssh://"} {
		if strings.HasPrefix(ctx, p) {
			return true
		}
	}
	return false
}
