package transform

import (
	"strings"

	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// MergeCreatedDockerfile joins the code-only Dockerfiles that several
// fixes generate for one Dockerfile (a service that builds one stage of it
// and the standalone split of its final stage): each is the original
// Dockerfile (nothing, with --strategy install) followed by generated
// stages. The merged file has the original once and every generated stage;
// the one stage a build without target: must get (an unnamed last stage)
// stays last. It returns false when the texts are not such files, when two
// both need to be last, or when generated stage names clash.
func MergeCreatedDockerfile(texts [][]byte) ([]byte, bool) {
	var head string
	var named []string
	last := ""
	names := map[string]bool{}
	for i, t := range texts {
		s := string(t)
		cut := 0
		if !strings.HasPrefix(s, dockerfile.GeneratedMarker) {
			cut = strings.Index(s, "\n"+dockerfile.GeneratedMarker) + 1
			if cut == 0 {
				return nil, false
			}
		}
		if i == 0 {
			head = s[:cut]
		} else if s[:cut] != head {
			return nil, false
		}
		tail := s[cut:]
		unnamedLast := false
		froms := 0
		for _, line := range strings.Split(tail, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || !strings.EqualFold(f[0], "FROM") {
				continue
			}
			froms++
			if unnamedLast {
				return nil, false // an unnamed stage that is not the last
			}
			if len(f) >= 4 && strings.EqualFold(f[len(f)-2], "AS") {
				name := strings.ToLower(f[len(f)-1])
				if names[name] {
					return nil, false
				}
				names[name] = true
			} else {
				unnamedLast = true
			}
		}
		switch {
		case froms == 0:
			return nil, false
		case !unnamedLast:
			named = append(named, tail)
		case last != "":
			return nil, false
		default:
			last = tail
		}
	}
	if last != "" {
		named = append(named, last)
	}
	return []byte(head + strings.Join(named, "\n")), true
}
