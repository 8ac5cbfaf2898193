package analyzer

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

func TestMaskJSX(t *testing.T) {
	cases := []struct {
		name, src, want string
		elements        []string // "line:column" of each element in code
	}{
		{
			name:     "element with containers and a nested element",
			src:      "const a = <a href={url}>{label}<b/></a>;",
			want:     "const a = [       ,url  ,label ,[ ]   ];",
			elements: []string{"1:11"},
		},
		{
			name:     "fragment with text, an empty container and a string",
			src:      "x = <><A/>text > {'}'} {}</>",
			want:     "x = [ ,[ ]       ,'}'  ,   ]",
			elements: []string{"1:5"},
		},
		{
			name:     "only a comment in a container",
			src:      "x = <a>{/* note */}</a>",
			want:     "x = [  ,/* note */    ]",
			elements: []string{"1:5"},
		},
		{
			name:     "elements inside a container are elements in code",
			src:      "return (<ul>{items.map(i => <li key={i}>{i}</li>)}</ul>)",
			want:     "return ([   ,items.map(i => [       ,i  ,i     ])     ])",
			elements: []string{"1:9", "1:29"},
		},
		{
			name:     "spawn in an event handler stays",
			src:      "<button onClick={() => eval(spawn(() => n * 2))}>go</button>",
			want:     "[               ,() => eval(spawn(() => n * 2))            ]",
			elements: []string{"1:1"},
		},
		{
			name:     "lines, attribute strings over lines, spread and element values",
			src:      "const el = <div\n  a=\"x\ny\"\n  {...p}\n  b=<i/>\n>\n  hi\n</div>",
			want:     "const el = [   \n      \n  \n  ,...p \n    ,[ ]\n \n    \n     ]",
			elements: []string{"1:12"},
		},
		{
			name:     "CRLF line terminators stay",
			src:      "x = <p>\r\n  a\r\n</p>",
			want:     "x = [  \r\n   \r\n   ]",
			elements: []string{"1:5"},
		},
		{
			name:     "nested element after a line break",
			src:      "x = <a><\nb/></a>",
			want:     "x = [  ,\n[ ]   ]",
			elements: []string{"1:5"},
		},
		{
			name:     "comments inside tags",
			src:      "x = <a /* c */ b=\"1\" // d\n />",
			want:     "x = [                    \n  ]",
			elements: []string{"1:5"},
		},
		{
			name:     "member and namespace names",
			src:      "<Foo.Bar x:y='1'><svg:rect /></Foo.Bar>",
			want:     "[                ,[         ]         ]",
			elements: []string{"1:1"},
		},
		{
			name:     "TypeScript type arguments on an element",
			src:      "<Select<Option> value={v} />",
			want:     "[                     ,v   ]",
			elements: []string{"1:1"},
		},
		{
			name:     "characters outside ASCII keep their UTF-16 length",
			src:      "const é = <p>é😀</p>; const b = <b/>",
			want:     "const é = [        ]; const b = [  ]",
			elements: []string{"1:11", "1:33"},
		},
		{
			name:     "after keywords",
			src:      "function f() { return <a/> }\nexport default <b/>\nx = typeof <c/>",
			want:     "function f() { return [  ] }\nexport default [  ]\nx = typeof [  ]",
			elements: []string{"1:23", "2:16", "3:12"},
		},
		{
			name:     "conditional and logical operands",
			src:      "x = ok ? <A/> : <B/>; y = ok && <C/>",
			want:     "x = ok ? [  ] : [  ]; y = ok && [  ]",
			elements: []string{"1:10", "1:17", "1:33"},
		},
		{
			name:     "template substitution",
			src:      "t = `<b/>${<c/>}`",
			want:     "t = `<b/>${[  ]}`",
			elements: []string{"1:12"},
		},
		{
			name:     "regular expression with a quote before an element",
			src:      "ok = /'/.test(s); el = <p/>",
			want:     "ok = /'/.test(s); el = [  ]",
			elements: []string{"1:24"},
		},
		{
			name:     "byte order mark and shebang",
			src:      "\uFEFF#!/usr/bin/env bun <a/>\nx = <a/>",
			want:     "\uFEFF#!/usr/bin/env bun <a/>\nx = [  ]",
			elements: []string{"2:5"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			masked, elements := MaskJSX([]byte(tc.src))
			if string(masked) != tc.want {
				t.Errorf("MaskJSX(%q) = %q, want %q", tc.src, masked, tc.want)
			}
			var positions []string
			for _, e := range elements {
				positions = append(positions, fmt.Sprintf("%d:%d", e.Line, e.Column))
			}
			if !slices.Equal(positions, tc.elements) {
				t.Errorf("elements = %q, want %q", positions, tc.elements)
			}
			checkMasked(t, []byte(tc.src), masked)
		})
	}
}

// Code with a `<` that is no element is returned as it is.
func TestMaskJSXLeavesCode(t *testing.T) {
	cases := []struct{ name, src string }{
		{"comparisons", "if (a < b && c <d) x = i++ < n;"},
		{"type arguments", "f<T>(x); const m = new Map<string, number[]>(); let v: Array<Array<number>> = [];"},
		{"generic arrow with a comma", "const id = <T,>(x: T) => x;"},
		{"generic arrow with extends", "const id = <T extends object>(x: T) => x;"},
		{"generic arrow with const", "const id = <const T,>(x: T) => x;"},
		{"generic arrow with a default", "const f = <T = string>() => 1;"},
		{"generic function type", "type F = <T>(x: T) => T;\nlet g: <U>(u: U) => U = (u) => u;"},
		{"strings and comments", "s = '<a/>' + \"<b></b>\"; // <c/>\n/* <d/> */"},
		{"template text", "t = `<a/> ${x < y ? 1 : 2}`"},
		{"regular expressions", "s.replace(/<b>/g, '').match(/[<]a\\/>/)"},
		{"property named like a keyword", "x = a.return < b; y = a?.typeof < c"},
		{"mismatched closing tag", "x = <a></b>"},
		{"unclosed element", "x = <a>text"},
		{"no name", "x = < 3; y = <=>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			masked, elements := MaskJSX([]byte(tc.src))
			if string(masked) != tc.src || elements != nil {
				t.Errorf("MaskJSX(%q) = %q, %v; want the source and no elements", tc.src, masked, elements)
			}
		})
	}
}

// A file with JSX in several places analyzes after masking, and the JSX in
// the closure or a helper is reported where it is written.
func TestAnalyzeMaskedJSX(t *testing.T) {
	cases := []struct {
		name string
		src  string
		call int
		want want
	}{
		{
			name: "closure next to components",
			src:  "import { h } from './h';\nconst Row = ({ n }) => <li>{n}</li>;\nconst limit = 2;\nexport const view = <ul><Row n={limit} /></ul>;\nspawn(() => limit * 2);",
			want: want{captures: []string{"limit const 3:7"}},
		},
		{
			name: "spawn in an attribute handler",
			src:  "const n = 1;\nconst b = <button onClick={() => eval(spawn(() => n + 1))}>go</button>;",
			want: want{captures: []string{"n const 1:7"}, funcSource: "() => n + 1"},
		},
		{
			name: "JSX in the closure",
			src:  "const n = 1;\nspawn(() => {\n  return <p>{n}</p>;\n});",
			want: want{captures: []string{"n const 1:7"}, diagnostics: []string{"3:10 the closure contains JSX"}},
		},
		{
			name: "JSX in a function helper",
			src:  "function Badge() { return <i>b</i> }\nspawn(() => Badge());",
			want: want{helpers: []string{"Badge function 1:10"}, diagnostics: []string{"1:27 helper `Badge` contains JSX"}},
		},
		{
			name: "JSX in an arrow helper",
			src:  "const Badge = () => <i>b</i>;\nspawn(() => Badge());",
			want: want{helpers: []string{"Badge const 1:7"}, diagnostics: []string{"1:21 helper `Badge` contains JSX"}},
		},
		{
			name: "JSX in a class helper",
			src:  "class View extends Base({ a: 1 }) { render() { return <>x</> } }\nspawn(() => new View());",
			want: want{helpers: []string{"View class 1:7"}, globals: []string{"Base"}, diagnostics: []string{"1:55 helper `View` contains JSX"}},
		},
		{
			name: "JSX in a class expression helper",
			src:  "const View = class { render() { return <b/> } };\nspawn(() => new View());",
			want: want{helpers: []string{"View const 1:7"}, diagnostics: []string{"1:40 helper `View` contains JSX"}},
		},
		{
			name: "closure passed by name",
			src:  "function work() { return <b/> }\nspawn(work);",
			want: want{diagnostics: []string{"1:26 the closure contains JSX"}},
		},
		{
			name: "JSX after the closure",
			src:  "const n = 1;\nspawn(() => n); const el = <b>{n}</b>;",
			want: want{captures: []string{"n const 1:7"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			masked, elements := MaskJSX([]byte(tc.src))
			line, column := siteOf(t, tc.src, tc.call)
			plan, err := AnalyzeWithOptions("case.jsx", masked, line, column, Options{Written: []byte(tc.src), JSX: elements})
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			checkWant(t, tc.src, plan, tc.want)
		})
	}
}

// Messages quote the file as written, not the masked source.
func TestAnalyzeWithOptionsQuotesWritten(t *testing.T) {
	src := "const el = <p>hi</p>;\nlet b = (;\nspawn(() => 1)"
	masked, elements := MaskJSX([]byte(src))
	_, err := AnalyzeWithOptions("case.jsx", masked, 3, 1, Options{Written: []byte(src), JSX: elements})
	pe, ok := err.(*PositionError)
	if !ok || !pe.Syntax {
		t.Fatalf("AnalyzeWithOptions: got error %v, want a syntax error", err)
	}
	if pe.SourceLine != "let b = (;" {
		t.Errorf("SourceLine = %q, want the line as written", pe.SourceLine)
	}

	src = "const el = <p>hi</p>; spawn(() => this)"
	masked, elements = MaskJSX([]byte(src))
	plan, err := AnalyzeWithOptions("case.jsx", masked, 1, 23, Options{Written: []byte(src), JSX: elements})
	if err != nil {
		t.Fatalf("AnalyzeWithOptions: %v", err)
	}
	if len(plan.Diagnostics) != 1 || plan.Diagnostics[0].SourceLine != src {
		t.Errorf("diagnostics = %+v, want one that quotes %q", plan.Diagnostics, src)
	}
}

func FuzzMaskJSX(f *testing.F) {
	for _, seed := range []string{
		"const a = <a href={url}>{label}<b/></a>;",
		"x = <><A/>text > {'}'} {}</>",
		"type F = <T>(x: T) => T; const g = <T,>(x: T) => x; a < b; f<T>(x)",
		"t = `<b/>${<c/>}`; s = '<a/>'; r = /<a>/g; // <d/>",
		"const el = <div\n  a=\"x\ny\"\n  {...p}\n  b=<i/>\r\n>\u2028é😀</div>",
		"<Select<Option> value={v} />; <Foo.Bar x:y='1'><svg:rect /></Foo.Bar>",
		"<a><a><a>{<b>{`${<c/>}`}</b>}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		masked, elements := MaskJSX([]byte(src))
		checkMasked(t, []byte(src), masked)
		body := bytes.TrimPrefix([]byte(src), byteOrderMark)
		s := &source{text: body, lines: lineStarts(body)}
		for _, e := range elements {
			at := s.offset(e.Line, e.Column)
			if at < 0 || body[at] != '<' {
				t.Fatalf("element at %d:%d is not at a `<`", e.Line, e.Column)
			}
		}
	})
}

// checkMasked fails unless masked has the lines of src, each as long in
// UTF-16 code units, with the same line terminators.
func checkMasked(t *testing.T, src, masked []byte) {
	t.Helper()
	if len(src) > 0 && len(masked) == 0 {
		t.Fatalf("masked text is empty")
	}
	from := newSource("src", src)
	to := newSource("masked", masked)
	if len(from.lines) != len(to.lines) {
		t.Fatalf("masked text has %d lines, want %d:\n%q\n%q", len(to.lines), len(from.lines), src, masked)
	}
	for i := range from.lines {
		fromLine := from.text[from.lines[i]:from.lineEnd(i)]
		toLine := to.text[to.lines[i]:to.lineEnd(i)]
		if utf16Length(fromLine) != utf16Length(toLine) {
			t.Fatalf("line %d is %d UTF-16 units long after masking, want %d:\n%q\n%q", i+1, utf16Length(toLine), utf16Length(fromLine), fromLine, toLine)
		}
		if i+1 == len(from.lines) {
			break
		}
		fromEnd := from.text[from.lineEnd(i):from.lines[i+1]]
		toEnd := to.text[to.lineEnd(i):to.lines[i+1]]
		if !bytes.Equal(fromEnd, toEnd) {
			t.Fatalf("line %d ends with %q after masking, want %q", i+1, toEnd, fromEnd)
		}
	}
}
