package analyzer

import (
	"strings"
	"testing"
)

// `using` and `await using` declarations bind block-scoped constants; the
// plan quotes them as written.
func TestAnalyzeUsingDeclarations(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "using in the closure",
			src:  "const m = lock();\nspawn(() => {\n  using g = m.lockSync();\n  return g.value;\n})",
			want: want{captures: []string{"m const 1:7"}, funcSource: "() => {\n  using g = m.lockSync();\n  return g.value;\n}"},
		},
		{
			name: "await using in an async closure",
			src:  "const m = lock();\nspawn(async () => {\n  await using g = await m.lock();\n  await  using h = g;\n  return h;\n})",
			want: want{captures: []string{"m const 1:7"}, funcSource: "async () => {\n  await using g = await m.lock();\n  await  using h = g;\n  return h;\n}"},
		},
		{
			name: "using outside the closure is captured",
			src:  "{\n  using g = open();\n  spawn(() => g.id)\n}",
			want: want{captures: []string{"g const 2:9"}},
		},
		{
			name: "using at module top level",
			src:  "using a = open(), b = open();\nspawn(() => a.id + b.id)",
			want: want{captures: []string{"a const 1:7", "b const 1:19"}},
		},
		{
			name: "using in a for-of head",
			src:  "async function f(list) {\n  for (using x of list) spawn(() => x);\n  for await (await using y of list) {}\n}",
			want: want{captures: []string{"x const 2:14"}},
		},
		{
			name: "using as an identifier",
			src:  "const using = 1;\nspawn(() => [using, using(2), using\nx])",
			want: want{captures: []string{"using const 1:7"}, globals: []string{"x"}},
		},
		{
			name: "assignment to a using binding",
			src:  "{\n  using g = open();\n  spawn(() => { g = null })\n}",
			want: want{captures: []string{"g const 2:9"}, diagnostics: []string{"3:17 assigns to captured variable `g`"}},
		},
	})
}

func TestAnalyzeUsingSyntaxErrorStays(t *testing.T) {
	src := "const a = 1;\nusing x y = a;\nspawn(() => a)"
	line, column := siteOf(t, src, 0)
	_, err := Analyze("case.js", []byte(src), line, column)
	if err == nil || !strings.Contains(err.Error(), "2:9") {
		t.Fatalf("Analyze: got error %v, want a syntax error at 2:9", err)
	}
	// The message quotes the line as written.
	if !strings.Contains(err.Error(), "using x y = a;") {
		t.Errorf("error does not quote the line as written: %v", err)
	}
}
