package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(small, 0); err != nil || string(got) != "hello" {
		t.Fatalf("Read(small) = %q, %v", got, err)
	}
	if got, err := Read(small, 5); err != nil || string(got) != "hello" {
		t.Fatalf("Read(small, 5) = %q, %v; a file exactly at the limit is read", got, err)
	}
	var big *TooLargeError
	if _, err := Read(small, 4); !errors.As(err, &big) || big.Max != 4 || big.Size != 5 {
		t.Fatalf("Read(small, 4) = %v, want a TooLargeError of 5 over 4", err)
	} else if !strings.Contains(err.Error(), small) {
		t.Errorf("error %q does not name the file", err)
	}
	if _, err := Read(dir, 0); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Read(dir) = %v, want an is-a-directory error", err)
	}
	if _, err := Read(filepath.Join(dir, "absent"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(absent) = %v, want ErrNotExist", err)
	}
}
