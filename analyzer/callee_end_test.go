package analyzer

import (
	"strings"
	"testing"
)

// Bun's node:vm reports a call at the end of the callee's last name, where
// V8 reports the start of that name. Both positions must find the call.
func TestAnalyzeCalleeEndPosition(t *testing.T) {
	cases := []struct {
		name, src, callee string
		funcSource        string
	}{
		{"plain call", "const a = 1;\nspawn(() => a)", "spawn", "() => a"},
		{"member call", "const a = 1;\nlib.threads.spawn(() => a + 1)", "spawn", "() => a + 1"},
		{"optional member call", "lib?.spawn(() => 2)", "spawn", "() => 2"},
		{"space before parenthesis", "spawn  (() => 3)", "spawn", "() => 3"},
		{"callee on its own line", "eval(spawn\n(() => 4))", "spawn", "() => 4"},
		{"non-ASCII before the call", "const s = 'é'; spawn(() => 5)", "spawn", "() => 5"},
		{"nested call", "spawn(() => eval(spawn(() => 6)))", "spawn(() => 6", "() => 6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := strings.LastIndex(tc.src, tc.callee)
			end := start + len("spawn")
			line, column := positionOf(tc.src, end)
			plan, err := Analyze("case.js", []byte(tc.src), line, column)
			if err != nil {
				t.Fatalf("Analyze at the callee end %d:%d: %v", line, column, err)
			}
			if plan.FuncSource != tc.funcSource {
				t.Errorf("FuncSource = %q, want %q", plan.FuncSource, tc.funcSource)
			}
		})
	}
}

func TestAnalyzeCalleeEndOutsideCall(t *testing.T) {
	src := "const spawned = 1;\nspawn(() => spawned)"
	// Just past the name `spawned` in the declaration: no call ends there.
	line, column := positionOf(src, strings.Index(src, "spawned")+len("spawned"))
	if _, err := Analyze("case.js", []byte(src), line, column); err == nil || !strings.Contains(err.Error(), "no function call starts at this position") {
		t.Fatalf("Analyze at %d:%d: got error %v, want a position error", line, column, err)
	}
}
