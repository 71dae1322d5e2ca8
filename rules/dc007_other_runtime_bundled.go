package rules

import (
	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// otherRuntimeBundled is DC001's pattern for Bun and Deno: the same
// coupling, reported apart and at a lower severity because decouple's fix
// and bump target Node.
var otherRuntimeBundled = &Rule{
	Rule: &analysis.Rule{
		Code: "DC007", Name: "js-runtime-bundled", Severity: analysis.Warning,
		Summary: "the image a service runs holds the Bun or Deno runtime and app code",
		Doc: `## Why
The same coupling as DC001 with another JavaScript runtime: patching Bun or
Deno means rebuilding every app image. Keep the runtime on a stock image and
ship the code as a volume. An image named for Node as well (` + "`imbios/bun-node`" + `)
ships Node, whichever runtime starts the app: that is DC001's, with its fix.

## Bad
` + "```" + `dockerfile
FROM denoland/deno:1.40
COPY . /app
CMD ["deno", "run", "/app/main.ts"]
` + "```" + `

## Good
A code-only image (` + "`FROM tianon/true`, `COPY . /app`, `VOLUME /app`" + `) and a
runtime service on ` + "`denoland/deno:1.40`" + ` with ` + "`volumes_from`" + `.

## Fix
None automatic yet (the finding says so); DC001's split works the same way by hand.
`,
	},
	Run: func(p *Pass) {
		checkBundles(p, func(rt dockerfile.Runtime) bool { return rt == dockerfile.Bun || rt == dockerfile.Deno },
			"patching the runtime means rebuilding and re-releasing this image",
			"decouple has no automatic split for Bun or Deno images yet: split it by hand as decouple splits Node images (decouple explain DC007)")
	},
}
