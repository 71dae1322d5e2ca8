package compose

import (
	"fmt"
	"testing"
)

func TestServiceBlocks(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"spec", "x-a: 1\nservices:\n  web:\n    build: .\n    command: |\n      node a.js\n\n      more\n  # about db\n  db: {image: pg}\nvolumes:\n  v: {}\n",
			"[{web 3 9} {db 10 10}]"},
		{"last key", "services:\n  web:\n    image: node\n  api:\n    image: x\n    # trailing\n",
			"[{web 2 3} {api 4 6}]"},
		{"v1", "web:\n  build: .\nversion: '1'\ndb:\n  image: pg\n", "[{web 1 2} {db 4 5}]"},
		{"flow", "services: {a: {image: x}, b: {image: y}}\n", "[{a 1 1} {b 1 1}]"},
		{"empty", "", "[]"},
	} {
		f, err := ParseFile("compose.yaml", []byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := fmt.Sprint(f.ServiceBlocks()); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
