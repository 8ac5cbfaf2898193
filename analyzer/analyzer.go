// Package analyzer finds the closure passed to a spawn call in a JavaScript
// module and classifies the closure's free variables, so that the closure can
// run on a worker thread with the same bindings as on the main thread.
//
// The caller gives the file and the position that V8 reports for the frame
// that called spawn: a 1-based line and a 1-based column counted in UTF-16
// code units. The position is the first character of the callee's last
// identifier, which is the s of spawn in spawn(f), lib.spawn(f) and
// lib?.spawn(f). The first argument of that call is the closure. It may be an
// arrow function, a function expression, or the name of a function declared
// in the file.
//
// Parsing uses github.com/tdewolff/parse/v2/js. Scope resolution is the
// package's own, because that parser's AST carries no source positions and
// its scopes merge bindings in ways that do not match the language in every
// case (class expression names, for example).
package analyzer

import (
	"fmt"
	"strings"
)

// Binding is a free variable of the closure whose value the bridge reads in
// the caller's scope and copies to the worker.
type Binding struct {
	Name   string `json:"name"`
	Line   int    `json:"line"`   // 1-based line of the declaration's name
	Column int    `json:"column"` // 1-based UTF-16 column of the declaration's name
	Kind   string `json:"kind"`   // "const", "let", "var", "param" or "catch"
}

// Import is a free variable of the closure bound by an import declaration or
// by a plain require call with one string literal argument. The worker
// imports or requires the specifier itself.
type Import struct {
	Local     string `json:"local"`     // name of the binding in the file
	Specifier string `json:"specifier"` // module specifier, unquoted
	Imported  string `json:"imported"`  // "default", "*" for the namespace or the whole exports object, or the export name
	Kind      string `json:"kind"`      // "import" or "require"
	Line      int    `json:"line"`      // 1-based line of the local name
	Column    int    `json:"column"`    // 1-based UTF-16 column of the local name
	// Attributes are the import attributes of the declaration, such as
	// type: "json" for `import data from "./data.json" with { type: "json" }`.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Helper is a free variable of the closure bound to a function or class. The
// bridge reads its value in the caller's scope and the worker recompiles it
// from its source text.
type Helper struct {
	Name   string `json:"name"`
	Line   int    `json:"line"`   // 1-based line of the declaration's name
	Column int    `json:"column"` // 1-based UTF-16 column of the declaration's name
	Kind   string `json:"kind"`   // "function", "class", or "const", "let" or "var" for a variable initialized with a function, arrow function or class expression
	// SourceLine and SourceColumn locate the first character of the
	// helper's function or class text, where the worker places the text so
	// that stack frames inside the helper show the caller's file positions.
	// Both are 0 when the text was not found.
	SourceLine   int `json:"sourceLine"`
	SourceColumn int `json:"sourceColumn"`
	// Source is the helper's function or class text as analyzed, or empty
	// when the text was not found or the module assigns the name again, so
	// that the value at call time may be other code.
	Source string `json:"source,omitempty"`
}

// Diagnostic is a problem that keeps the closure from running correctly on a
// worker thread.
type Diagnostic struct {
	Line       int    `json:"line"`   // 1-based line
	Column     int    `json:"column"` // 1-based UTF-16 column
	Message    string `json:"message"`
	SourceLine string `json:"sourceLine"` // text of the line, without its line terminator
	Syntax     bool   `json:"syntax"`     // the file does not parse, as opposed to a closure the analyzer cannot handle
}

// Plan is the result of analyzing one spawn call site. A Plan returned by
// Cache.Analyze is shared between callers and must not be modified.
type Plan struct {
	FuncLine   int    `json:"funcLine"`   // 1-based line of the closure's first character
	FuncColumn int    `json:"funcColumn"` // 1-based UTF-16 column of the closure's first character
	FuncSource string `json:"funcSource"` // the closure's text as written in the file
	// Literal is true when the closure is a function written as the call's
	// first argument, as in spawn(() => …), and false for spawn(name). A
	// function made from a literal reaches no other call, so the shim may
	// recognise later calls at this site by the function alone.
	Literal bool `json:"literal"`

	// Captures are listed in order of first use: the closure's own uses
	// first, then those of its helpers.
	Captures []Binding `json:"captures"`
	// Imports are listed in order of first use, like Captures.
	Imports []Import `json:"imports"`
	// Helpers are listed in order of declaration in the file, so that a
	// class helper comes after the helpers its extends clause names.
	Helpers []Helper `json:"helpers"`
	// Globals are the free names bound nowhere in the file, in order of
	// first use.
	Globals []string `json:"globals"`
	// Diagnostics are sorted by position. The shim refuses to run a closure
	// with any diagnostic.
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// PositionError is an error at a position in a source file: a syntax error,
// or a call site where no suitable spawn call was found.
type PositionError struct {
	Path       string `json:"path"`
	Line       int    `json:"line"`   // 1-based line
	Column     int    `json:"column"` // 1-based UTF-16 column
	Message    string `json:"message"`
	SourceLine string `json:"sourceLine"` // text of the line, without its line terminator
	Syntax     bool   `json:"syntax"`     // true when the file does not parse
}

// maxDisplayedLine is the number of bytes of a long source line that Error
// shows around the column, so that an error in a minified bundle stays
// readable.
const maxDisplayedLine = 160

// Error returns "path:line:column: message", followed by the source line and
// a caret under the column when the source line is known.
func (e *PositionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Message)
	if e.SourceLine == "" {
		return b.String()
	}
	line, caret := excerpt(e.SourceLine, e.Column, maxDisplayedLine)
	b.WriteString("\n")
	b.WriteString(line)
	b.WriteString("\n")
	b.WriteString(caret)
	return b.String()
}

// Analyze parses src, the contents of the file at path, and builds the Plan
// for the spawn call whose callee's last identifier starts at line and column
// (1-based, column in UTF-16 code units). The path is used only in errors.
// Syntax errors and call sites that do not fit are returned as
// *PositionError.
func Analyze(path string, src []byte, line, column int) (*Plan, error) {
	m, err := loadModule(path, src, nil)
	if err != nil {
		return nil, err
	}
	return m.plan(line, column)
}

// Options describes how the source given to AnalyzeWithOptions was derived
// from the file as written. Every change must keep each line and UTF-16
// column where it was, as blanking TypeScript types and MaskJSX do.
type Options struct {
	// Written is the file as written. Error messages and diagnostics quote
	// its lines instead of those of the source. Nil quotes the source.
	Written []byte
	// JSX lists the positions of the elements that MaskJSX replaced. The
	// plan gets a diagnostic when the closure, or a helper shipped by
	// source, contains one of them.
	JSX []Position
}

// AnalyzeWithOptions is Analyze for a source derived from the file as
// options describe.
func AnalyzeWithOptions(path string, src []byte, line, column int, options Options) (*Plan, error) {
	m, err := loadModule(path, src, options.Written)
	if err != nil {
		return nil, err
	}
	return m.planMasked(line, column, options.JSX)
}
