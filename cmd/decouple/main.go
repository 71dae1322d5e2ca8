// Command decouple lints docker-compose files and Dockerfiles for images
// that bundle the Node.js runtime with app code, and rewrites them into a
// code-only image plus a runtime service on a stock Node image.
package main

import (
	"os"
)

func main() { os.Exit(decoupleMain()) }

// decoupleMain is main with an exit status, so testscript can run the
// command in-process.
func decoupleMain() int { return run(os.Args, os.Stdin, os.Stdout, os.Stderr) }
