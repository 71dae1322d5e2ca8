// Package transform plans the big rewrites behind decouple's fixes: the
// split of a bundled service into a code-only image and a runtime service,
// the .dockerignore that goes with it, and the move of Compose v1 files to
// the Compose Spec layout. Planners return text edits on the original
// bytes; they never re-serialise a whole YAML file and never write.
package transform
