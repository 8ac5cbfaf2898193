package analyzer

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are sources whose spawn call is at the given position.
var fuzzSeeds = []struct {
	src          string
	line, column int
}{
	{"spawn(() => 1)", 1, 1},
	{"const a = 1;\nspawn(() => a + b)", 2, 1},
	{"import x, {y as z} from 'm';\nlib.spawn(async function f(q = x) { return z(q, this, arguments) })", 2, 5},
	{"function work(n) { return n ? work(n - 1) : helper() }\nconst helper = () => k; let k = 2;\nspawn(work)", 3, 1},
	{"for (const [i, {v = i}] of list) { lib?.spawn(() => { i++; v += 1; return `${i}${v}` }) }", 1, 41},
	{"class A extends B { m() { return spawn(() => super.m() + new.target + this) } static #p = 1; static { spawn(() => A) } }", 1, 34},
	{"const {a, b: c} = require('m'), d = require('n').e;\nspawn(() => [a, c, d, /re/g.test(a) / 2])", 2, 1},
	{"label: for (x of of) { if (x) continue label; spawn(x => ({ x, [of]: get, async: async }))}", 1, 47},
	{"try { f() } catch ({ message }) { spawn(() => message) }", 1, 35},
	{"var 𝒳 = 1; spawn(() => 𝒳)", 1, 14},
	{"x = 1\n/re/g.exec(y); spawn(() => x)", 2, 16},
	{"let s = `a${b}c${`d${e}`}`; spawn(function* () { yield s })", 1, 29},
	{"if (a) function f() {} else { class C {} }\nspawn(() => [f, C])", 2, 1},
	{"export default async () => spawn(() => 1);\nexport const q = 1;", 1, 28},
	{"#!/usr/bin/env node\nreturn spawn(() => 1)", 2, 8},
	{"\uFEFFspawn(() => 1)", 1, 1},
	{"const f = () => {} // c\n[1].forEach(f)\nspawn(() => {\n  const g = async x => {}\n  (g)(`${f}`)\n})", 3, 1},
}

func FuzzAnalyze(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed.src, seed.line, seed.column)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*js"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), 1, 1)
	}
	f.Fuzz(func(t *testing.T, src string, line, column int) {
		plan, err := Analyze("fuzz.js", []byte(src), line, column)
		checkResult(t, plan, err)

		m, err := loadModule("fuzz.js", []byte(src), nil)
		if err != nil {
			checkResult(t, nil, err)
			return
		}
		checkAligned(t, m)
		for i, c := range m.calls {
			if i == 20 {
				break
			}
			if m.offsets[c.callee] < 0 {
				continue
			}
			line, column := m.src.position(int(m.offsets[c.callee]))
			plan, err := m.plan(line, column)
			checkResult(t, plan, err)
			if plan != nil {
				checkPlan(t, m, plan)
			}
		}
	})
}

// checkResult fails unless exactly one of plan and err is set, and err is a
// PositionError.
func checkResult(t *testing.T, plan *Plan, err error) {
	t.Helper()
	if (plan == nil) == (err == nil) {
		t.Fatalf("Analyze returned plan %v and error %v; want exactly one", plan, err)
	}
	var positionError *PositionError
	if err != nil && !errors.As(err, &positionError) {
		var internal *internalError
		if errors.As(err, &internal) {
			t.Fatalf("internal error: %v\n%s", err, internal.stack)
		}
		t.Fatalf("error %T %v; want *PositionError", err, err)
	}
}

// checkAligned fails unless every token that the walk recorded was found,
// with the text that the walk expected.
func checkAligned(t *testing.T, m *module) {
	t.Helper()
	for i, r := range m.refs {
		offset := m.offsets[r.event]
		if offset < 0 {
			t.Fatalf("reference %d to %q has no token", i, r.name)
		}
		if !strings.Contains(r.name, `\`) && !bytes.HasPrefix(m.src.text[offset:], []byte(r.name)) && !bytes.Contains(m.src.text[offset:min(len(m.src.text), int(offset)+len(r.name)+12)], []byte(`\`)) {
			t.Fatalf("reference %d to %q is aligned with %q", i, r.name, m.src.text[offset:min(len(m.src.text), int(offset)+10)])
		}
	}
	for i, offset := range m.offsets {
		if offset < 0 {
			t.Fatalf("event %d has no token", i)
		}
	}
}

// checkPlan fails unless the plan's positions point at the text they name.
func checkPlan(t *testing.T, m *module, plan *Plan) {
	t.Helper()
	start := m.src.offset(plan.FuncLine, plan.FuncColumn)
	if start < 0 || !bytes.HasPrefix(m.src.original[m.src.originalOffset(start):], []byte(plan.FuncSource)) {
		t.Fatalf("funcSource %q is not at %d:%d", plan.FuncSource, plan.FuncLine, plan.FuncColumn)
	}
	named := func(kind, name string, line, column int) {
		at := m.src.offset(line, column)
		if at < 0 || (!bytes.HasPrefix(m.src.text[at:], []byte(name)) && !bytes.HasPrefix(m.src.text[at:], []byte(`\`)) && !bytes.Contains(m.src.text[at:min(len(m.src.text), at+len(name)+12)], []byte(`\`))) {
			t.Fatalf("%s %q is not at %d:%d", kind, name, line, column)
		}
	}
	for _, c := range plan.Captures {
		named("capture", c.Name, c.Line, c.Column)
	}
	for _, h := range plan.Helpers {
		named("helper", h.Name, h.Line, h.Column)
	}
	for _, i := range plan.Imports {
		named("import", i.Local, i.Line, i.Column)
	}
	for _, d := range plan.Diagnostics {
		if m.src.offset(d.Line, d.Column) < 0 {
			t.Fatalf("diagnostic at %d:%d is outside the file", d.Line, d.Column)
		}
	}
}

// TestAnalyzeNodeModules checks the invariants of the fuzz target on every
// JavaScript file under the repository's node_modules, when there is one.
func TestAnalyzeNodeModules(t *testing.T) {
	root := filepath.Join("..", "node_modules")
	if _, err := os.Stat(root); err != nil {
		t.Skip("no node_modules next to the module")
	}
	files := 0
	filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || !(strings.HasSuffix(path, ".js") || strings.HasSuffix(path, ".mjs") || strings.HasSuffix(path, ".cjs")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files++
		t.Run(path, func(t *testing.T) {
			m, err := loadModule(path, src, nil)
			if err != nil {
				checkResult(t, nil, err)
				return
			}
			checkAligned(t, m)
			for _, c := range m.calls {
				if c.argument != argumentFunction || m.offsets[c.callee] < 0 {
					continue
				}
				line, column := m.src.position(int(m.offsets[c.callee]))
				plan, err := m.plan(line, column)
				checkResult(t, plan, err)
				checkPlan(t, m, plan)
			}
		})
		return nil
	})
	t.Logf("checked %d files", files)
}
