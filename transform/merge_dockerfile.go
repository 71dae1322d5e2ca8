package transform

import (
	"strings"

	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// MergeCreatedDockerfile joins the code-only Dockerfiles that the splits
// of several services (or of a service and the standalone Dockerfile)
// generate for one Dockerfile: each is the original Dockerfile (or
// nothing, with --strategy install) followed by its code-only stage. The
// merged file has the original once and every code stage, the unnamed one
// (the final stage's, built without target:) last. It returns false when
// the texts are not such files, or when two of them both need to be last.
func MergeCreatedDockerfile(texts [][]byte) ([]byte, bool) {
	var prefix string
	var named []string
	last := ""
	for i, t := range texts {
		s := string(t)
		cut := strings.LastIndex(s, "\n"+dockerfile.GeneratedMarker) + 1
		if cut == 0 && !strings.HasPrefix(s, dockerfile.GeneratedMarker) {
			return nil, false
		}
		head, tail := s[:cut], s[cut:]
		if i == 0 {
			prefix = head
		} else if head != prefix {
			return nil, false
		}
		from := ""
		for _, line := range strings.Split(tail, "\n") {
			if strings.HasPrefix(line, "FROM ") {
				from = line
				break
			}
		}
		switch {
		case from == "":
			return nil, false
		case strings.Contains(strings.ToUpper(from), " AS "):
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
	return []byte(prefix + strings.Join(named, "\n")), true
}
