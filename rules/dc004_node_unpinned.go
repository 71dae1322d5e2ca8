package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/nodeversion"
)

var nodeUnpinned = &Rule{
	Rule: &analysis.Rule{
		Code: "DC004", Name: "node-unpinned", Severity: analysis.Warning,
		Summary: "a runtime image with no major version (node, node:latest, node:lts, node:current)",
		Doc:     docDC004,
	},
	Run: runNodeUnpinned,
}

const docDC004 = `## Why
` + "`node`, `node:latest`, `node:lts`, `node:current` and `node:alpine`" + ` float: the
next pull may bring a new Node major, with a new V8, a new npm, removed APIs
and native modules that no longer load. With a decoupled runtime, the Node
version is the one line you change on purpose (` + "`decouple bump`" + `); a floating
tag changes it behind your back, on whichever host happens to pull first.

## Bad
` + "```" + `yaml
services:
  app:
    image: node:lts-alpine
    volumes_from: [app-code]
` + "```" + `
` + "```" + `dockerfile
FROM node
COPY . /app
` + "```" + `

## Good
` + "```" + `yaml
services:
  app:
    image: node:22.11.0-alpine   # or node:22-alpine to take patches within the major
` + "```" + `

## What it looks at
The ` + "`image:`" + ` of compose services that run a Node image, and the FROM line
(or the ARG default it takes its tag from) of the image a service or a
standalone Dockerfile runs: its final or ` + "`build.target`" + ` stage, followed
through ` + "`FROM <stage>`" + ` chains. Builder stages that do not ship are left
alone. A digest pin (` + "`node@sha256:…`" + `) counts as pinned, and so does a
third-party tag that names the major after a word (` + "`latest-24`" + `, ` + "`lts-22-alpine`" + `,
or the variant first: ` + "`mhart/alpine-node:slim-15`" + ` is Node 15).

## Fix
Name the major the tag floats to today (the message says which), keeping the
variant: ` + "`node:lts-alpine`" + ` becomes ` + "`node:22-alpine`" + `.
`

func runNodeUnpinned(p *Pass) {
	ws := p.WS
	today := p.Settings.today()
	seen := map[string]bool{}
	for _, proj := range ws.Projects {
		for _, s := range proj.Judged() {
			if runsImage(s) {
				if site, ok := composeImageSite(ws, s); ok {
					checkUnpinned(p, site, today, seen)
				}
				continue
			}
			if s.Dockerfile == nil || s.Stage == nil || s.BuiltBy != nil {
				continue
			}
			root := s.Stage.Root()
			if len(root.Unresolved) == 0 {
				checkUnpinned(p, fromSite(ws, s.Dockerfile, root), today, seen)
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		root := d.File.Final().Root()
		if len(root.Unresolved) == 0 {
			checkUnpinned(p, fromSite(ws, d.File, root), today, seen)
		}
	}
}

func checkUnpinned(p *Pass, site imageSite, today time.Time, seen map[string]bool) {
	ni, ok := p.cacheOf().parseNodeImage(site.resolved)
	if !ok || ni.version.Pinned || ni.ref.Digest != "" {
		return
	}
	key := siteKey(site.pos, site.resolved)
	if seen[key] {
		return
	}
	seen[key] = true
	var floats string
	switch ni.version.Kind {
	case nodeversion.KindLTS:
		floats = "the newest LTS line"
	case nodeversion.KindCurrent:
		floats = "the newest release line"
	default:
		floats = "the newest release line, LTS or not,"
	}
	msg := fmt.Sprintf("%s names no Node major: it follows %s and moves to the next major without notice", site.describe(), floats)
	retired := ni.official && retiredVariant(ni.version.Variant)
	if retired {
		// lts-buster-slim stopped moving when buster builds ended: it
		// holds the last Node that had one, long out of support.
		msg = fmt.Sprintf("%s names no Node major, and its variant is no longer published: the tag stopped moving and holds an old, end-of-life Node", site.describe())
	}
	switch r, ok := nodeversion.Resolve(ni.version, today); {
	case ok && site.hidden:
		// The reference came from a value that is not printed: only
		// the major to pin, not the tag built from that value.
		msg += fmt.Sprintf("; today it is Node %s, so pin that major", r.Major)
	case ok && retired:
		msg += fmt.Sprintf("; pin a current major, %s", pinnedTag(ni, r.Major))
	case ok:
		msg += fmt.Sprintf("; today it is Node %s, so pin %s", r.Major, pinnedTag(ni, r.Major))
	default:
		msg += "; pin a major"
	}
	p.Report(analysis.Diagnostic{
		Pos: site.pos, Message: msg, Service: site.service, Dockerfile: site.file, Stage: site.stage,
	})
}

// pinnedTag is the reference with its floating version replaced by a major,
// keeping registry, path and variant.
func pinnedTag(ni nodeImage, major string) string {
	v := ni.version
	variant := v.Variant
	if v.Kind == nodeversion.KindVariantOnly && variant != "" && !strings.HasPrefix(variant, "-") {
		variant = "-" + variant
	}
	if ni.official {
		variant = currentVariant(variant)
	}
	return ni.ref.WithTag(major + variant)
}

// retiredVariant reports a variant of the official node image that is no
// longer published for any major: onbuild and the old Debian codenames.
func retiredVariant(variant string) bool {
	v := strings.TrimPrefix(variant, "-")
	for _, old := range []string{"onbuild", "jessie", "stretch", "buster"} {
		if v == old || strings.HasPrefix(v, old+"-") {
			return true
		}
	}
	return false
}

// currentVariant maps a variant of the official node image to one that is
// published for current majors: onbuild images ended with Node 8, and the
// Debian codenames move on (buster, stretch, jessie are gone); the default
// Debian and -slim always exist.
func currentVariant(variant string) string {
	v := strings.TrimPrefix(variant, "-")
	switch {
	case v == "" || v == "alpine" || v == "slim" || v == "bookworm" || v == "bookworm-slim" || v == "trixie" || v == "trixie-slim":
		return variant
	case strings.HasPrefix(v, "alpine"):
		return "-alpine" // alpine3.NN moves with each major
	case strings.HasSuffix(v, "-slim"):
		return "-slim"
	}
	return "" // onbuild, an old Debian codename, anything else
}
