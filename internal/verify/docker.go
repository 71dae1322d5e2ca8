package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/decouple-dev/decouple/internal/compose"
)

// dockerTimeout bounds one `docker compose` call: it reads files only, so
// anything longer is a hung daemon socket or plugin, not work.
const dockerTimeout = 30 * time.Second

var (
	dockerOnce sync.Once
	dockerPath string
)

// DockerCompose returns the docker binary on PATH when `docker compose
// version` succeeds with it (a Compose v2 plugin is installed), else "".
// It asks once per process. exec.LookPath never returns a binary found
// through a relative PATH entry, so nothing in the project is run.
func DockerCompose() string {
	dockerOnce.Do(func() {
		path, err := exec.LookPath("docker")
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, "compose", "version")
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if cmd.Run() == nil {
			dockerPath = path
		}
	})
	return dockerPath
}

// dockerConfig runs `docker compose config -q` on a project whose files
// are given by absolute path, overlay contents replacing what is on disk.
// Overlaid files are written to a temporary folder outside the project
// (nothing is written into it before the plan passes), and the project
// folder is passed explicitly so relative paths keep their meaning.
// Before and after the plan the same way is used, so a file that only
// fails because its copy lives elsewhere (a relative extends: file) fails
// both times and does not count.
func dockerConfig(docker string, files []string, overlay map[string][]byte) error {
	dir := filepath.Dir(files[0])
	tmp, err := os.MkdirTemp("", "decouple-verify-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	args := []string{"compose", "--project-directory", dir}
	names := map[string]string{}
	for i, f := range files {
		src, ok := overlay[f]
		if !ok {
			if src, err = os.ReadFile(f); err != nil {
				return err
			}
		}
		copyDir := filepath.Join(tmp, fmt.Sprint(i))
		if err := os.Mkdir(copyDir, 0o700); err != nil {
			return err
		}
		p := filepath.Join(copyDir, filepath.Base(f))
		if err := os.WriteFile(p, src, 0o600); err != nil {
			return err
		}
		names[p] = f
		args = append(args, "-f", p)
	}
	args = append(args, "config", "-q")
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, docker, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		for copyPath, real := range names {
			msg = strings.ReplaceAll(msg, copyPath, real)
		}
		if msg == "" {
			msg = err.Error()
		}
		return errors.New(compose.ScrubEnv(dir, msg))
	}
	return nil
}
