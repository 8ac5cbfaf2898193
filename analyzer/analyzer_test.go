package analyzer

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// callPattern matches a call of spawn, as V8 reports its position: at the s.
var callPattern = regexp.MustCompile(`spawn(?:\s|/\*[^*]*\*/)*(?:\?\.)?(?:\s|/\*[^*]*\*/)*\(`)

// siteOf returns the 1-based line and UTF-16 column of the n-th (0-based)
// call of spawn in src, counting lines at LF only.
func siteOf(t *testing.T, src string, n int) (line, column int) {
	t.Helper()
	matches := callPattern.FindAllStringIndex(src, -1)
	if n >= len(matches) {
		t.Fatalf("source has %d spawn calls, want call %d", len(matches), n)
	}
	return positionOf(src, matches[n][0])
}

// positionOf returns the 1-based line and UTF-16 column of a byte offset,
// counting lines at LF only.
func positionOf(src string, offset int) (line, column int) {
	before := src[:offset]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return strings.Count(before, "\n") + 1, len(utf16.Encode([]rune(before[lineStart:]))) + 1
}

// want is the expected content of a Plan, in a compact form:
//
//	captures    "name kind line:column"
//	imports     "local imported specifier kind line:column"
//	helpers     "name kind line:column"
//	diagnostics "line:column text that the message contains"
type want struct {
	captures    []string
	imports     []string
	helpers     []string
	globals     []string
	diagnostics []string
	funcSource  string // checked when set
}

type planCase struct {
	name string
	src  string
	call int // which spawn call, 0-based
	want want
}

func checkWant(t *testing.T, src string, plan *Plan, w want) {
	t.Helper()
	var captures, imports, helpers, diagnostics []string
	for _, c := range plan.Captures {
		captures = append(captures, fmt.Sprintf("%s %s %d:%d", c.Name, c.Kind, c.Line, c.Column))
	}
	for _, i := range plan.Imports {
		imports = append(imports, fmt.Sprintf("%s %s %s %s %d:%d", i.Local, i.Imported, i.Specifier, i.Kind, i.Line, i.Column))
	}
	for _, h := range plan.Helpers {
		helpers = append(helpers, fmt.Sprintf("%s %s %d:%d", h.Name, h.Kind, h.Line, h.Column))
	}
	for _, d := range plan.Diagnostics {
		diagnostics = append(diagnostics, fmt.Sprintf("%d:%d %s", d.Line, d.Column, d.Message))
	}

	if !slices.Equal(captures, w.captures) {
		t.Errorf("captures = %q, want %q", captures, w.captures)
	}
	if !slices.Equal(imports, w.imports) {
		t.Errorf("imports = %q, want %q", imports, w.imports)
	}
	if !slices.Equal(helpers, w.helpers) {
		t.Errorf("helpers = %q, want %q", helpers, w.helpers)
	}
	if !slices.Equal(plan.Globals, w.globals) && (len(plan.Globals) > 0 || len(w.globals) > 0) {
		t.Errorf("globals = %q, want %q", plan.Globals, w.globals)
	}

	if len(diagnostics) != len(w.diagnostics) {
		t.Errorf("diagnostics = %q, want %d matching %q", diagnostics, len(w.diagnostics), w.diagnostics)
	} else {
		for i, d := range diagnostics {
			position, text, _ := strings.Cut(w.diagnostics[i], " ")
			if !strings.HasPrefix(d, position+" ") || !strings.Contains(d, text) {
				t.Errorf("diagnostic %d = %q, want %q", i, d, w.diagnostics[i])
			}
		}
	}
	if w.funcSource != "" && plan.FuncSource != w.funcSource {
		t.Errorf("funcSource = %q, want %q", plan.FuncSource, w.funcSource)
	}

	for _, d := range plan.Diagnostics {
		if want := strings.Split(src, "\n")[d.Line-1]; d.SourceLine != want {
			t.Errorf("diagnostic at %d:%d has source line %q, want %q", d.Line, d.Column, d.SourceLine, want)
		}
	}
}

func runPlanCases(t *testing.T, cases []planCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			line, column := siteOf(t, tc.src, tc.call)
			plan, err := Analyze("case.js", []byte(tc.src), line, column)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			checkWant(t, tc.src, plan, tc.want)
		})
	}
}

func TestAnalyzeScopes(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "no free names",
			src:  "spawn(() => 1)",
			want: want{funcSource: "() => 1"},
		},
		{
			name: "const and globals",
			src:  "const a = 1;\nspawn(() => console.log(a + b))",
			want: want{captures: []string{"a const 1:7"}, globals: []string{"console", "b"}},
		},
		{
			name: "parameter shadows import",
			src:  "import fs from 'node:fs';\nfunction read(fs) { return spawn(() => fs.x) }",
			want: want{captures: []string{"fs param 2:15"}},
		},
		{
			name: "closure local shadows import",
			src:  "import fs from 'node:fs';\nspawn(() => { const fs = 1; return fs })",
		},
		{
			name: "parameters of every form",
			src:  "function outer(a, {b}, [c], {d: e = 1}, ...f) {\n  return spawn(() => a + b + c + e + f)\n}",
			want: want{captures: []string{"a param 1:16", "b param 1:20", "c param 1:25", "e param 1:33", "f param 1:44"}},
		},
		{
			name: "block scope shadows module",
			src:  "let x = 1;\n{\n  let x = 2;\n  spawn(() => x)\n}",
			want: want{captures: []string{"x let 3:7"}},
		},
		{
			name: "block inside closure is local",
			src:  "const y = 0;\nspawn(() => { { let y = 1 } return y })",
			want: want{captures: []string{"y const 1:7"}},
		},
		{
			name: "catch binding",
			src:  "try { f() } catch (err) {\n  spawn(() => err.message)\n}",
			want: want{captures: []string{"err catch 1:20"}, globals: []string{}},
		},
		{
			name: "catch destructuring",
			src:  "try {} catch ({ message, code: c }) { spawn(() => message + c) }",
			want: want{captures: []string{"message catch 1:17", "c catch 1:32"}},
		},
		{
			name: "class name inside its method",
			src:  "const y = 1;\nclass Point {\n  x = y;\n  static make() { return spawn(() => new Point()) }\n}",
			want: want{helpers: []string{"Point class 2:7"}, captures: []string{"y const 1:7"}, globals: []string{"spawn"}},
		},
		{
			name: "class expression name",
			src:  "const K = class Inner { m() { return spawn(() => Inner) } }",
			want: want{helpers: []string{"Inner class 1:17"}, globals: []string{"spawn"}},
		},
		{
			name: "class fields and keys inside closure",
			src:  "spawn(() => { class A { x = q; [k] = 1; static s = this; m() { return this.x } } return new A() })",
			want: want{globals: []string{"q", "k"}},
		},
		{
			name: "labels are not variables",
			src:  "const outer = 1;\nspawn(() => { outer: for (;;) { if (x) continue outer; break outer } })",
			want: want{globals: []string{"x"}},
		},
		{
			name: "object shorthand",
			src:  "const x = 1;\nspawn(() => ({ x, y: x }))",
			want: want{captures: []string{"x const 1:7"}},
		},
		{
			name: "destructuring default uses outer",
			src:  "const outer = 1;\nspawn(({a = outer}) => a)",
			want: want{captures: []string{"outer const 1:7"}},
		},
		{
			name: "computed keys",
			src:  "const k = 'a';\nspawn(() => ({ [k]: 1, [j]() {} }))",
			want: want{captures: []string{"k const 1:7"}, globals: []string{"j"}},
		},
		{
			name: "optional chaining",
			src:  "const o = {};\nspawn(() => o?.p?.[q]?.(r))",
			want: want{captures: []string{"o const 1:7"}, globals: []string{"q", "r"}},
		},
		{
			name: "tagged template",
			src:  "const tag = (s) => s;\nspawn(() => tag`x${y}z`)",
			want: want{helpers: []string{"tag const 1:7"}, globals: []string{"y"}},
		},
		{
			name: "default parameter uses outer",
			src:  "const d = 1;\nspawn((a = d, b = a) => a + b)",
			want: want{captures: []string{"d const 1:7"}},
		},
		{
			name: "var hoisted inside closure",
			src:  "spawn(() => { x = 1; var x; return x })",
		},
		{
			name: "var hoisted in enclosing function",
			src:  "function f() {\n  spawn(() => v);\n  var v = 1;\n}",
			want: want{captures: []string{"v var 3:7"}},
		},
		{
			name: "function declared in block",
			src:  "{\n  function h() { return 1 }\n  spawn(() => h())\n}",
			want: want{helpers: []string{"h function 2:12"}},
		},
		{
			name: "async arrow",
			src:  "const a = 1;\nspawn(async () => await a)",
			want: want{captures: []string{"a const 1:7"}, funcSource: "async () => await a"},
		},
		{
			name: "function expression",
			src:  "const a = 1;\nspawn(function () { return a })",
			want: want{captures: []string{"a const 1:7"}, funcSource: "function () { return a }"},
		},
		{
			name: "named async generator",
			src:  "spawn(async function* gen(n) { yield* gen(n - 1) })",
			want: want{funcSource: "async function* gen(n) { yield* gen(n - 1) }"},
		},
		{
			name: "parenthesized closure",
			src:  "spawn(( (x) => x ))",
			want: want{funcSource: "(x) => x"},
		},
		{
			name: "loop variable",
			src:  "for (let i = 0; i < 3; i++) spawn(() => i)",
			want: want{captures: []string{"i let 1:10"}},
		},
		{
			name: "for-of variable",
			src:  "for (const [key, value] of entries) {\n  spawn(() => key + value)\n}",
			want: want{captures: []string{"key const 1:13", "value const 1:18"}},
		},
		{
			name: "class method",
			src:  "class S {\n  run(x) { return spawn(() => x + this.y) }\n}",
			want: want{captures: []string{"x param 2:7"}, diagnostics: []string{"2:35 the closure uses `this`"}},
		},
		{
			name: "nested closures",
			src:  "const outer = (p) => items.map((q) => spawn(() => p + q));",
			want: want{captures: []string{"p param 1:16", "q param 1:33"}},
		},
		{
			name: "property names after dot",
			src:  "const name = 1;\nspawn(() => obj.name + obj?.name)",
			want: want{globals: []string{"obj"}},
		},
		{
			name: "escaped identifier",
			src:  "const \\u0061 = 1;\nspawn(() => a)",
			want: want{captures: []string{"a const 1:7"}},
		},
		{
			name: "first use order",
			src:  "const a = 1, b = 2, c = 3;\nspawn(() => c + a + c + b)",
			want: want{captures: []string{"c const 1:21", "a const 1:7", "b const 1:14"}},
		},
		{
			name: "CommonJS names are globals",
			src:  "spawn(() => [require('x'), module, exports, __dirname, __filename])",
			want: want{globals: []string{"require", "module", "exports", "__dirname", "__filename"}},
		},
		{
			name: "import.meta and new.target-free code",
			src:  "spawn(() => import.meta.url + meta)",
			want: want{globals: []string{"meta"}},
		},
		{
			name: "declarations local to the closure",
			src:  "const outer = 1;\nspawn(() => { class K { m() { return outer } } function f() { return inner } let inner = 2; return [new K(), f()] })",
			want: want{captures: []string{"outer const 1:7"}},
		},
		{
			name: "label named like a capture",
			src:  "const x = 1;\nspawn(() => { x: for (;;) { break x } return x })",
			want: want{captures: []string{"x const 1:7"}},
		},
		{
			name: "getters and private names inside closure",
			src:  "const v = 1;\nspawn(() => { const o = { get v() { return v }, set v(n) {} }; class P { #v = v; has(x) { return #v in x } } return o })",
			want: want{captures: []string{"v const 1:7"}},
		},
		{
			name: "function declared after the call",
			src:  "spawn(() => later());\nfunction later() { return 1 }",
			want: want{helpers: []string{"later function 2:10"}},
		},
		{
			name: "global used by closure and helper",
			src:  "function h() { return Math.PI }\nspawn(() => Math.max(h(), 1))",
			want: want{helpers: []string{"h function 1:10"}, globals: []string{"Math"}},
		},
		{
			name: "contextual keywords as names",
			src:  "const of = [1], async = 2, get = 3;\nspawn(() => { for (const x of of) {} return { get: get, async } })",
			want: want{captures: []string{"of const 1:7", "get const 1:28", "async const 1:17"}},
		},
	})
}

func TestAnalyzeImports(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "import forms",
			src: "import d from 'a';\nimport { x as y, z } from \"b\";\nimport * as ns from 'c';\nimport e, { f } from 'd';\n" +
				"import { default as g, 'h-i' as h } from 'e';\nspawn(() => [d, y, z, ns, e, f, g, h])",
			want: want{imports: []string{
				"d default a import 1:8", "y x b import 2:15", "z z b import 2:18", "ns * c import 3:13",
				"e default d import 4:8", "f f d import 4:13", "g default e import 5:21", "h h-i e import 5:33",
			}},
		},
		{
			name: "require forms",
			src: "const fs = require('node:fs');\nconst { join, resolve: res } = require(\"node:path\");\nvar os = require('os').cpus;\n" +
				"let util = require('util');\nspawn(() => [fs, join, res, os, util])",
			want: want{imports: []string{
				"fs * node:fs require 1:7", "join join node:path require 2:9", "res resolve node:path require 2:24",
				"os cpus os require 3:5", "util * util require 4:5",
			}},
		},
		{
			name: "require inside function",
			src:  "function f() {\n  const crypto = require('node:crypto');\n  return spawn(() => crypto.randomUUID())\n}",
			want: want{imports: []string{"crypto * node:crypto require 2:9"}},
		},
		{
			name: "locally rebound require",
			src:  "function f(require) {\n  const m = require('m');\n  return spawn(() => m)\n}",
			want: want{captures: []string{"m const 2:9"}},
		},
		{
			name: "require with default or rest",
			src:  "const { a = 1, ...rest } = require('m');\nspawn(() => [a, rest])",
			want: want{captures: []string{"a const 1:9", "rest const 1:19"}},
		},
		{
			name: "dynamic require",
			src:  "const m = require(name);\nspawn(() => m)",
			want: want{captures: []string{"m const 1:7"}, globals: []string{}},
		},
		{
			name: "import used by helper",
			src:  "import { hash } from 'h';\nfunction digest(s) { return hash(s) }\nspawn(() => digest('x'))",
			want: want{imports: []string{"hash hash h import 1:10"}, helpers: []string{"digest function 2:10"}},
		},
	})
}

func TestAnalyzeHelpers(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "transitive helpers and captures",
			src: "const base = 10;\nfunction a(n) { return b(n) + base }\nfunction b(n) { return n > 0 ? a(n - 1) : c() }\n" +
				"const c = () => limit;\nlet limit = 5;\nspawn(() => a(3))",
			want: want{
				helpers:  []string{"a function 2:10", "b function 3:10", "c const 4:7"},
				captures: []string{"base const 1:7", "limit let 5:5"},
			},
		},
		{
			name: "helper kinds",
			src: "function f() {}\nclass C extends f {}\nconst g = function () {};\nlet h = class {};\nvar k = (x) => x;\n" +
				"const n = 1;\nspawn(() => [f, C, g, h, k, n])",
			want: want{
				helpers:  []string{"f function 1:10", "C class 2:7", "g const 3:7", "h let 4:5", "k var 5:5"},
				captures: []string{"n const 6:7"},
			},
		},
		{
			name: "helpers in declaration order",
			src:  "class Base {}\nclass Derived extends Base {}\nspawn(() => new Derived() instanceof Base)",
			want: want{helpers: []string{"Base class 1:7", "Derived class 2:7"}},
		},
		{
			name: "recursive helper",
			src:  "function fact(n) { return n ? n * fact(n - 1) : 1 }\nspawn(() => fact(5))",
			want: want{helpers: []string{"fact function 1:10"}},
		},
		{
			name: "helper shadowed at call site",
			src: "const x = 1;\nfunction helper() { return x }\nfunction run() {\n  const x = 2;\n" +
				"  return spawn(() => helper())\n}",
			want: want{
				helpers:     []string{"helper function 2:10"},
				captures:    []string{"x const 1:7"},
				diagnostics: []string{"2:28 helper `helper` uses `x` declared at 1:7, but at the spawn call at 5:10 the name refers to the declaration at 4:9"},
			},
		},
		{
			name: "helper and closure disagree on a name",
			src:  "const name = 'outer';\nfunction helper() { return name }\nfunction run(name) {\n  return spawn(() => helper() + name)\n}",
			want: want{
				helpers:     []string{"helper function 2:10"},
				captures:    []string{"name param 3:14"},
				diagnostics: []string{"2:28 helper `helper` uses `name` declared at 1:7, but the closure or another helper uses `name` declared at 3:14"},
			},
		},
		{
			name: "helper uses this and assigns",
			src:  "let count = 0;\nconst bump = () => { count++; return this };\nspawn(() => bump())",
			want: want{
				helpers:  []string{"bump const 2:7"},
				captures: []string{"count let 1:5"},
				diagnostics: []string{
					"2:22 helper `bump` assigns to captured variable `count` (declared at 1:5)",
					"2:38 helper `bump` uses `this`",
				},
			},
		},
		{
			name: "helper class contains the closure",
			src:  "let n = 0;\nclass Job {\n  start() { return spawn(() => { n++; return Job }) }\n}",
			want: want{
				helpers:     []string{"Job class 2:7"},
				captures:    []string{"n let 1:5"},
				globals:     []string{"spawn"},
				diagnostics: []string{"3:34 the closure assigns to captured variable `n`"},
			},
		},
		{
			name: "method of helper class has its own this",
			src:  "class Counter { n = 0; inc() { return ++this.n } }\nspawn(() => new Counter().inc())",
			want: want{helpers: []string{"Counter class 1:7"}},
		},
	})
}

func TestAnalyzeDiagnostics(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "this arguments super new.target",
			src:  "class A extends B {\n  m() {\n    return spawn(() => [this, arguments, super.m(), new.target])\n  }\n}",
			want: want{diagnostics: []string{
				"3:25 the closure uses `this`, which is not available on the worker thread; pass the values it needs as captured variables",
				"3:31 `arguments`",
				"3:42 `super`",
				"3:53 `new.target`",
			}, helpers: []string{}},
		},
		{
			name: "nested function has its own this and arguments",
			src:  "spawn(() => { function f() { return [this, arguments, new.target] } return f })",
		},
		{
			name: "nested arrow shares the closure's this",
			src:  "spawn(() => () => this)",
			want: want{diagnostics: []string{"1:19 `this`"}},
		},
		{
			name: "function closure has its own this",
			src:  "spawn(function () { return [this, arguments, () => this] })",
		},
		{
			name: "class inside closure",
			src:  "spawn(() => class extends Base { m() { return super.m() + this.x } })",
			want: want{globals: []string{"Base"}},
		},
		{
			name: "assignments to captures",
			src: "let a = 1, b = 2, c = 3, d = 4, e = 5, f = 6;\nspawn(() => {\n  a = 1; b += 1; c++; --d;\n" +
				"  [e] = [1]; ({ f } = {});\n  let local = 0; local++;\n})",
			want: want{
				captures: []string{"a let 1:5", "b let 1:12", "c let 1:19", "d let 1:26", "e let 1:33", "f let 1:40"},
				diagnostics: []string{
					"3:3 assigns to captured variable `a` (declared at 1:5); the worker gets a copy, so the change would be lost. Return the new value instead",
					"3:10 `b`", "3:18 `c`", "3:25 `d`", "4:4 `e`", "4:17 `f`",
				},
			},
		},
		{
			name: "for-of target and nested default target",
			src:  "let x, y;\nspawn(() => { for (x of [1]) {} [y = 1] = [] })",
			want: want{
				captures:    []string{"x let 1:5", "y let 1:8"},
				diagnostics: []string{"2:20 `x`", "2:34 `y`"},
			},
		},
		{
			name: "assignment to import",
			src:  "let fs = require('fs');\nspawn(() => { fs = null })",
			want: want{
				imports:     []string{"fs * fs require 1:5"},
				diagnostics: []string{"2:15 assigns to imported binding `fs`"},
			},
		},
		{
			name: "arguments at top level",
			src:  "spawn(() => arguments[0])",
			want: want{globals: []string{"arguments"}},
		},
	})
}

func TestAnalyzeCallSites(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "second call on one line",
			src:  "const a = 1, b = 2;\nspawn(() => a); spawn(() => b)",
			call: 1,
			want: want{captures: []string{"b const 1:14"}, funcSource: "() => b"},
		},
		{
			name: "member call broken over lines",
			src:  "const a = 1;\nlib\n  .spawn(() => a)",
			want: want{captures: []string{"a const 1:7"}},
		},
		{
			name: "optional member call",
			src:  "lib?.spawn(() => 1)",
			want: want{funcSource: "() => 1"},
		},
		{
			name: "optional call",
			src:  "spawn?.(() => 2)",
			want: want{funcSource: "() => 2"},
		},
		{
			name: "comments between callee and closure",
			src:  "spawn /* a */ ( // b\n  /* c */ () => 3 /* d */, opts)",
			want: want{funcSource: "() => 3"},
		},
		{
			name: "function declaration by name",
			src:  "const k = 1;\nasync function work(n) { return n > 0 ? work(n - 1) : k }\nspawn(work)",
			want: want{captures: []string{"k const 1:7"}, funcSource: "async function work(n) { return n > 0 ? work(n - 1) : k }"},
		},
		{
			name: "arrow variable by name",
			src:  "const work = (n) => n ? work(n - 1) : 0\nspawn(work)",
			want: want{helpers: []string{"work const 1:7"}, funcSource: "(n) => n ? work(n - 1) : 0"},
		},
		{
			name: "parenthesized function variable by name",
			src:  "let work = (function () { return 1 });\nspawn(work)",
			want: want{funcSource: "function () { return 1 }"},
		},
		{
			name: "closure inside template literal",
			src:  "const a = 1;\nconst s = `${spawn(() => `${a}`)}`",
			want: want{captures: []string{"a const 1:7"}, funcSource: "() => `${a}`"},
		},
		{
			name: "spawn after a regular expression",
			src:  "const a = 1, re = /\\/spawn(x)/g;\nre.test(a) / 2; spawn(() => a)",
			call: 1,
			want: want{captures: []string{"a const 1:7"}},
		},
		{
			name: "module with top-level return",
			src:  "const a = 1;\nif (!a) return;\nspawn(() => a)",
			want: want{captures: []string{"a const 1:7"}},
		},
	})
}

// The shim maps later calls to a site by the closure's position only when
// the closure is a literal argument, because a function passed by name can
// reach spawn from several calls.
func TestPlanLiteral(t *testing.T) {
	cases := []struct {
		name, src string
		literal   bool
	}{
		{"arrow", "spawn(() => 1)", true},
		{"async arrow", "spawn(async (n) => n)", true},
		{"function expression", "spawn(function work() { return 1 })", true},
		{"parenthesized arrow", "spawn((() => 1))", true},
		{"function declaration by name", "function work() { return 1 }\nspawn(work)", false},
		{"arrow variable by name", "const work = () => 1\nspawn(work)", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line, column := siteOf(t, c.src, 0)
			plan, err := Analyze("literal.js", []byte(c.src), line, column)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Literal != c.literal {
				t.Errorf("Literal = %v, want %v", plan.Literal, c.literal)
			}
		})
	}
}

func TestAnalyzeUTF16Columns(t *testing.T) {
	src := "const s = '😀é'; spawn(() => s + '✓'); spawn(() => t)"
	line, column := siteOf(t, src, 1)
	if column != 40 {
		t.Fatalf("siteOf column = %d, want 40: a character outside the BMP counts 2 units", column)
	}
	plan, err := Analyze("utf16.js", []byte(src), line, column)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FuncColumn != 46 || plan.FuncSource != "() => t" {
		t.Errorf("closure at %d:%d %q, want 1:46 %q", plan.FuncLine, plan.FuncColumn, plan.FuncSource, "() => t")
	}
	if !slices.Equal(plan.Globals, []string{"t"}) {
		t.Errorf("globals = %q, want [t]", plan.Globals)
	}

	line, column = siteOf(t, src, 0)
	plan, err = Analyze("utf16.js", []byte(src), line, column)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Captures) != 1 || plan.Captures[0].Column != 7 {
		t.Errorf("captures = %+v, want s at 1:7", plan.Captures)
	}

	// A column in the middle of a surrogate pair points at no character.
	if _, err := Analyze("utf16.js", []byte(src), 1, 13); err == nil {
		t.Error("Analyze at the second half of a surrogate pair succeeded, want an error")
	}
}

func TestAnalyzeLineTerminators(t *testing.T) {
	for _, terminator := range []string{"\r\n", "\r", "\u2028", "\u2029"} {
		src := "const a = 1;" + terminator + "spawn(() => a)"
		plan, err := Analyze("lines.js", []byte(src), 2, 1)
		if err != nil {
			t.Errorf("terminator %q: %v", terminator, err)
			continue
		}
		if plan.FuncLine != 2 || plan.FuncColumn != 7 || len(plan.Captures) != 1 {
			t.Errorf("terminator %q: closure at %d:%d with captures %+v", terminator, plan.FuncLine, plan.FuncColumn, plan.Captures)
		}
	}
}

func TestAnalyzeByteOrderMarkAndShebang(t *testing.T) {
	src := "\uFEFF#!/usr/bin/env node\nconst a = 1; spawn(() => a)"
	plan, err := Analyze("bom.js", []byte(src), 2, 14)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FuncColumn != 20 || len(plan.Captures) != 1 || plan.Captures[0].Column != 7 {
		t.Errorf("plan = %+v", plan)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	cases := []struct {
		name         string
		src          string
		line, column int    // position passed to Analyze
		at           string // "line:column" of the error
		message      string
	}{
		{"syntax error", "const a = 1;\nlet b = (;\nspawn(() => a)", 3, 1, "2:10", "syntax error: unexpected ; in expression"},
		{"syntax error after wide character", "const s = '😀'; let b = (;", 1, 1, "1:26", "syntax error"},
		{"no call at position", "const a = 1;\nspawn(() => a)", 2, 3, "2:3", "no function call starts at this position"},
		{"line outside file", "spawn(() => 1)", 5, 1, "5:1", "line 5, column 1 is outside the file"},
		{"column outside line", "spawn(() => 1)\nx", 2, 9, "2:9", "is outside the file"},
		{"no arguments", "spawn()", 1, 1, "1:1", "the call has no arguments"},
		{"not a function", "spawn(42)", 1, 1, "1:1", "the first argument is not a function"},
		{"spread argument", "spawn(...fns)", 1, 1, "1:1", "spread syntax"},
		{"undeclared name", "spawn(work)", 1, 1, "1:7", "`work` is not declared in this file"},
		{"imported name", "import { work } from 'w';\nspawn(work)", 2, 1, "2:7", "`work` is imported"},
		{"name of a value", "const work = 1;\nspawn(work)", 2, 1, "2:7", "`work` (declared at 1:7) is not a function declaration"},
		{"name of a class", "class Work {}\nspawn(Work)", 2, 1, "2:7", "is not a function declaration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := Analyze("bad.js", []byte(tc.src), tc.line, tc.column)
			if plan != nil {
				t.Fatalf("plan = %+v, want nil", plan)
			}
			var positionError *PositionError
			if !errors.As(err, &positionError) {
				t.Fatalf("error = %T %v, want *PositionError", err, err)
			}
			if !strings.Contains(positionError.Message, tc.message) {
				t.Errorf("message = %q, want it to contain %q", positionError.Message, tc.message)
			}
			if at := fmt.Sprintf("%d:%d", positionError.Line, positionError.Column); at != tc.at {
				t.Errorf("position = %s, want %s", at, tc.at)
			}
		})
	}
}

func TestPositionErrorFormat(t *testing.T) {
	err := &PositionError{Path: "a.js", Line: 3, Column: 5, Message: "syntax error: unexpected ;", SourceLine: "\tx = ;"}
	want := "a.js:3:5: syntax error: unexpected ;\n\tx = ;\n\t   ^"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	long := strings.Repeat("a", 1000) + ";" + strings.Repeat("b", 1000)
	err = &PositionError{Path: "min.js", Line: 1, Column: 1001, Message: "m", SourceLine: long}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || len(lines[1]) > maxDisplayedLine || lines[1][len(lines[2])-1] != ';' {
		t.Errorf("Error() of a long line = %q, want an excerpt with the caret under ;", err.Error())
	}

	err = &PositionError{Path: "a.js", Line: 1, Column: 1, Message: "m"}
	if got := err.Error(); got != "a.js:1:1: m" {
		t.Errorf("Error() without source line = %q", got)
	}
}

func TestPlanJSON(t *testing.T) {
	plan, err := Analyze("json.js", []byte("import x from 'x';\nconst a = 1;\nfunction h() {}\nspawn(() => [a, x, h, g, this])"), 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"funcLine", "funcColumn", "funcSource", "literal", "captures", "imports", "helpers", "globals", "diagnostics"} {
		if _, ok := fields[key]; !ok {
			t.Errorf("JSON has no %q: %s", key, data)
		}
	}
	for _, fragment := range []string{`"name":"a"`, `"local":"x"`, `"specifier":"x"`, `"imported":"default"`, `"sourceLine":`, `"kind":"function"`} {
		if !strings.Contains(string(data), fragment) {
			t.Errorf("JSON has no %s: %s", fragment, data)
		}
	}

	empty, err := Analyze("json.js", []byte("spawn(() => 1)"), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	data, _ = json.Marshal(empty)
	if strings.Contains(string(data), "null") {
		t.Errorf("JSON of an empty plan has null lists: %s", data)
	}
}
