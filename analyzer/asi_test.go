package analyzer

import (
	"strings"
	"testing"
)

// An arrow function with a block body ends its statement at a line break
// when the next line starts with [, ( or a template literal. The parser
// rejects that, so the analyzer inserts the semicolon itself.
func TestAnalyzeArrowFollowedByBracketLine(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "bracket line",
			src:  "const f = () => {}\n[1, 2].forEach(f)\nspawn(() => f())",
			want: want{helpers: []string{"f const 1:7"}},
		},
		{
			name: "parenthesis line",
			src:  "const run = () => {}\n(async () => { await eval(spawn(() => run())) })()",
			want: want{helpers: []string{"run const 1:7"}},
		},
		{
			name: "template line",
			src:  "const t = (s) => {}\n`x`; spawn(() => t)",
			want: want{helpers: []string{"t const 1:7"}},
		},
		{
			name: "async arrow with one parameter",
			src:  "let g = async x => { await x }\n[g].map(String)\nspawn(() => g)",
			want: want{helpers: []string{"g let 1:5"}},
		},
		{
			name: "captures on the line of the semicolon keep their columns",
			src:  "const a = 1, f = () => {}\n[a].forEach(f)\nspawn(() => a + f())",
			want: want{captures: []string{"a const 1:7"}, helpers: []string{"f const 1:14"}},
		},
		{
			name: "inside the closure",
			src:  "spawn(() => {\n  const g = () => {}\n  [1].forEach(g)\n  return 1\n})",
			want: want{funcSource: "() => {\n  const g = () => {}\n  [1].forEach(g)\n  return 1\n}"},
		},
		{
			name: "two lines in a row",
			src:  "const f = () => {}\n[1].forEach(f)\nconst g = () => {}\n(f)(g)\nspawn(() => [f, g])",
			want: want{helpers: []string{"f const 1:7", "g const 3:7"}},
		},
		{
			name: "line comment after the brace",
			src:  "const f = () => {} // done\n[1].forEach(f)\nspawn(() => f)",
			want: want{helpers: []string{"f const 1:7"}},
		},
		{
			name: "block comment over the line break",
			src:  "const f = () => {} /* a\n b */ [1].forEach(f)\nspawn(() => f)",
			want: want{helpers: []string{"f const 1:7"}},
		},
		{
			name: "blank lines between",
			src:  "const f = () => {}\n\n\n  [1].forEach(f)\nspawn(() => f)",
			want: want{helpers: []string{"f const 1:7"}},
		},
		{
			name: "class field",
			src:  "const k = 'key';\nclass A { f = () => {}\n[k] = 1 }\nspawn(() => new A())",
			want: want{captures: []string{"k const 1:7"}, helpers: []string{"A class 2:7"}},
		},
		{
			name: "export default",
			src:  "export default () => {}\n(function () { spawn(() => 1) })()",
			want: want{funcSource: "() => 1"},
		},
		{
			name: "diagnostic quotes the line as written",
			src:  "spawn(() => { const f = () => { this.x }\n[1].forEach(f) })",
			want: want{diagnostics: []string{"1:33 the closure uses `this`"}},
		},
	})
}

func TestAnalyzeArrowFollowedByBracketLineCRLF(t *testing.T) {
	src := "const f = () => {}\r\n[1].forEach(f)\r\nspawn(() => {\r\n  const g = () => {}\r\n  (g)()\r\n})"
	plan, err := Analyze("case.js", []byte(src), 3, 1)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if want := "() => {\r\n  const g = () => {}\r\n  (g)()\r\n}"; plan.FuncSource != want {
		t.Errorf("FuncSource = %q, want %q", plan.FuncSource, want)
	}
}

// A semicolon inserted where no statement can end is removed again, and the
// parser's error is reported as it was.
func TestAnalyzeArrowSyntaxErrorStays(t *testing.T) {
	cases := []struct {
		name, src, position, line string
	}{
		{"in call arguments", "g(() => {}\n[1])\nspawn(() => 1)", "2:1", "[1])"},
		{"in an array", "x = [() => {}\n(1)]\nspawn(() => 1)", "2:1", "(1)]"},
		{"on the same line", "const f = () => {} [1]\nspawn(() => 1)", "1:20", "const f = () => {} [1]"},
		{"in a conditional", "x = a ? () => {}\n[1] : 2\nspawn(() => 1)", "2:1", "[1] : 2"},
		{"later in the file", "const f = () => {}\n[1].forEach(f)\nlet b = (;\nspawn(() => f)", "3:10", "let b = (;"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Analyze("case.js", []byte(tc.src), 3, 1)
			pe, ok := err.(*PositionError)
			if !ok || !pe.Syntax {
				t.Fatalf("Analyze: got error %v, want a syntax error", err)
			}
			if !strings.Contains(err.Error(), "case.js:"+tc.position+":") {
				t.Errorf("error %q is not at %s", err, tc.position)
			}
			if pe.SourceLine != tc.line {
				t.Errorf("SourceLine = %q, want %q", pe.SourceLine, tc.line)
			}
		})
	}
}
