package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoNetworkCode backs SECURITY.md's promise that decouple opens no
// network connection: the built binary links no code that could. The
// linker drops every function nothing calls, so a dial, a listen or a raw
// socket anywhere in decouple or its libraries would leave one of these
// symbols in the binary. (The net package itself is linked for IP address
// parsing, by compose-go and go-connections.)
func TestNoNetworkCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "decouple")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(goTool, "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	opens := regexp.MustCompile(`^(net\.(Dial|Listen|Lookup|\(\*Resolver\)|\(\*Dialer\)|\(\*ListenConfig\)|\(\*sysDialer\)|socket|internetSocket)|syscall\.(Socket|Connect|connect|socket)$|net/http\.|crypto/tls\.)`)
	linked := 0
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		linked++
		if sym := f[len(f)-1]; opens.MatchString(sym) {
			found = append(found, sym)
		}
	}
	if len(found) > 0 {
		t.Errorf("the binary links %d functions that can open a network connection, such as %s", len(found), strings.Join(found[:min(5, len(found))], ", "))
	}
	if linked < 1000 {
		t.Fatalf("go tool nm listed %d symbols: the check would pass on anything", linked)
	}
}
