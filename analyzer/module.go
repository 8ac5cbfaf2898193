package analyzer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// bindingKind is the kind of declaration that created a binding.
type bindingKind uint8

const (
	kindVar          bindingKind = iota // var
	kindLet                             // let
	kindConst                           // const
	kindParam                           // function, method or arrow function parameter
	kindCatch                           // catch clause parameter
	kindFunction                        // function declaration
	kindClass                           // class declaration
	kindFunctionName                    // name of a function expression, visible inside it
	kindClassName                       // name of a class, visible inside its body
	kindImport                          // import declaration
	kindArguments                       // implicit arguments object of a non-arrow function
)

var bindingKindNames = [...]string{
	kindVar:          "var",
	kindLet:          "let",
	kindConst:        "const",
	kindParam:        "param",
	kindCatch:        "catch",
	kindFunction:     "function",
	kindClass:        "class",
	kindFunctionName: "function",
	kindClassName:    "class",
	kindImport:       "import",
	kindArguments:    "arguments",
}

func (k bindingKind) String() string { return bindingKindNames[k] }

// binding is a declared name.
type binding struct {
	name  string
	kind  bindingKind
	event int32 // index into module.offsets of the name token, or -1 for an implicit binding
	scope *scope
	// value is the function or class that the binding holds: for a function
	// or class declaration, a function expression name, a class name, or a
	// variable whose initializer is a function, arrow function or class
	// expression. It is nil for other bindings.
	value *span
	// imported describes the module binding for an import declaration or a
	// require call. For a require call, the binding is an import only when
	// requireRef resolves to no declaration in the file.
	imported   *Import
	requireRef int32 // index into module.refs of `require` in the initializer, or -1
}

// scope is a lexical environment.
type scope struct {
	parent *scope
	id     int32 // position in a pre-order walk; scopes inside a span have consecutive ids
	isVar  bool  // function body, static block or module: var declarations land here
	// bindings lists the scope's bindings; most scopes have a few, which a
	// linear search finds faster than a map. byName indexes them once there
	// are more than maxListedBindings.
	bindings []*binding
	byName   map[string]*binding
}

const maxListedBindings = 8

// find returns the binding of name in s itself, or nil.
func (s *scope) find(name string) *binding {
	if s.byName != nil {
		return s.byName[name]
	}
	for _, b := range s.bindings {
		if b.name == name {
			return b
		}
	}
	return nil
}

// add adds b to s, replacing a binding of the same name.
func (s *scope) add(b *binding) {
	if s.byName != nil {
		s.byName[b.name] = b
		return
	}
	for i, old := range s.bindings {
		if old.name == b.name {
			s.bindings[i] = b
			return
		}
	}
	s.bindings = append(s.bindings, b)
	if len(s.bindings) > maxListedBindings {
		s.byName = make(map[string]*binding, 2*len(s.bindings))
		for _, listed := range s.bindings {
			s.byName[listed.name] = listed
		}
		s.bindings = nil
	}
}

// varScope returns the scope that receives var declarations made in s.
func (s *scope) varScope() *scope {
	for !s.isVar && s.parent != nil {
		s = s.parent
	}
	return s
}

// lookup returns the binding that name resolves to in s, or nil.
func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b := s.find(name); b != nil {
			return b
		}
	}
	return nil
}

// reference is a use of a name as a variable.
type reference struct {
	name    string
	event   int32
	scope   *scope
	write   bool     // the use assigns to the variable
	binding *binding // resolved declaration, or nil for a global
}

// specialKind is the kind of a use of this, super or new.target.
type specialKind uint8

const (
	specialThis specialKind = iota
	specialSuper
	specialNewTarget
)

// special is a use of this, super or new.target, whose meaning comes from
// the innermost non-arrow function, class field initializer or static block:
// its context.
type special struct {
	kind    specialKind
	event   int32
	context int32
}

// interval is a half-open range of indices.
type interval struct{ start, end int32 }

func (r interval) contains(i int32) bool { return r.start <= i && i < r.end }

// spanKind is the kind of code that a span covers.
type spanKind uint8

const (
	spanArrow spanKind = iota
	spanFunction
	spanClass
)

// span is a function, arrow function or class, described by the ranges of
// what the walk recorded inside it. The walk visits nodes in source order, so
// the references, scopes, contexts and special uses inside the span are
// consecutive.
type span struct {
	kind     spanKind
	refs     interval
	scopes   interval
	contexts interval
	specials interval
}

// owns reports whether the binding was declared inside the span.
func (sp *span) owns(b *binding) bool {
	return b != nil && sp.scopes.contains(b.scope.id)
}

// argumentKind is the form of the first argument of a call.
type argumentKind uint8

const (
	argumentMissing argumentKind = iota
	argumentSpread
	argumentFunction   // arrow function or function expression
	argumentIdentifier // a name
	argumentOther
)

// call is a call expression whose callee ends in a name: f(…), a.f(…) or
// a?.f(…).
type call struct {
	scope    *scope
	callee   int32 // index into module.offsets of the callee's last identifier
	argument argumentKind
	function *span // for argumentFunction
	ref      int32 // index into module.refs for argumentIdentifier
}

// module is a parsed file with everything that plans for its call sites
// need. It is not modified after loadModule returns, so plans for several
// sites may be built concurrently.
type module struct {
	src    *source
	tokens *tokenList
	// offsets holds the byte offset of each token that the walk recorded an
	// event for, or -1 where no token was found.
	offsets  []int32
	refs     []reference
	specials []special
	calls    []call
	callAt   map[int32]int32 // callee offset → index into calls
	// calleeEndAt maps the offset just past each callee's last identifier
	// to the call. JavaScriptCore reports that position, not the
	// identifier's start, for calls in code compiled by Bun's node:vm
	// (seen with Bun 1.4.5).
	calleeEndAt map[int32]int32
}

// internalError reports a failure of the analyzer itself, not of the input.
type internalError struct {
	message string
	stack   []byte // stack of the panic, if the failure was one
}

func (e *internalError) Error() string {
	return "analyzer: internal error: " + e.message
}

// recoverInternal turns a panic into an internalError in *err. A panic
// would take down the Node.js process that loads the addon.
func recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = &internalError{message: fmt.Sprint(r), stack: debug.Stack()}
	}
}

// loadModule parses src and records its scopes, references and calls.
// Messages quote the lines of written, the file as written, when src was
// derived from it, and of src when written is nil.
func loadModule(path string, src, written []byte) (m *module, err error) {
	defer func() {
		recoverInternal(&err)
		if err != nil {
			m = nil
		}
	}()
	if len(src) >= math.MaxInt32 {
		return nil, &PositionError{Path: path, Line: 1, Column: 1, Message: "the file is too large to analyze: " + strconv.Itoa(len(src)) + " bytes"}
	}
	s := newSource(path, src)
	if written != nil {
		s.written = bytes.TrimPrefix(written, byteOrderMark)
		s.writtenLines = lineStarts(s.written)
	}
	ast, err := parseModule(s)
	if err != nil {
		return nil, err
	}

	w := newWalker(s)
	w.stmts(ast.List)
	tokens, err := lexTokens(s.text, sortedOffsets(w.regexps))
	if err != nil {
		return nil, &internalError{message: "lexing a file that parsed: " + err.Error()}
	}
	m = &module{
		src:         s,
		tokens:      tokens,
		offsets:     alignEvents(w, tokens.tokens),
		refs:        w.refs,
		specials:    w.specials,
		calls:       w.calls,
		callAt:      make(map[int32]int32, len(w.calls)),
		calleeEndAt: make(map[int32]int32, len(w.calls)),
	}
	for i := range m.refs {
		r := &m.refs[i]
		r.binding = r.scope.lookup(r.name)
	}
	for i, c := range m.calls {
		if offset := m.offsets[c.callee]; offset >= 0 {
			m.callAt[offset] = int32(i)
			if t := tokens.at(int(offset)); t >= 0 {
				m.calleeEndAt[tokens.tokens[t].end] = int32(i)
			}
		}
	}
	return m, nil
}

// parseModule parses the text as an ECMAScript module. A CommonJS module may
// return at its top level, which a module may not, so on a syntax error the
// text is parsed again as a function body, and the first error is reported
// if that fails too. Each parse is repeated after rewriteUsing turns a
// `using` declaration that the parser stopped at into a `const`, and after
// insertSemicolon adds a semicolon that the parser failed to insert.
//
// NOTE: github.com/tdewolff/parse/v2 v2.25.0 also skips automatic semicolon
// insertion after a postfix `++` or `--` and after a `yield` without an
// operand, when the next line starts with [ or (. Such files are still
// reported as syntax errors.
func parseModule(s *source) (*js.AST, error) {
	ast, err := parseRewriting(s, js.Options{})
	if err == nil {
		return ast, nil
	}
	if bytes.Contains(s.text, []byte("return")) {
		if body, bodyErr := parseRewriting(s, js.Options{Inline: true}); bodyErr == nil {
			return body, nil
		}
	}
	return nil, syntaxError(s, err)
}

// parseRewriting parses s.text, rewriting it with rewriteUsing and
// insertSemicolon where the parser fails, until it parses or no rewrite
// applies.
func parseRewriting(s *source, options js.Options) (*js.AST, error) {
	// The semicolon inserted before this parse, the offset of the token that
	// the previous parse failed at, and its error.
	semicolon, token := -1, -1
	var tokenErr error
	for {
		ast, err := js.Parse(parse.NewInputBytes(s.text), options)
		if err == nil {
			return ast, nil
		}
		if semicolon >= 0 {
			var perr *parse.Error
			if errors.As(err, &perr) && errorOffset(s, perr) <= token {
				// No statement ends before the token: report the error as
				// it was.
				removeSemicolon(s, semicolon)
				return nil, tokenErr
			}
			semicolon = -1
		}
		if rewriteUsing(s, err) {
			continue
		}
		if len(s.inserted) < maxInsertedSemicolons {
			if semicolon, token = insertSemicolon(s, err); semicolon >= 0 {
				tokenErr = err
				continue
			}
		}
		return ast, err
	}
}

// rewriteUsing handles `using x = …` and `await using x = …` (explicit
// resource management, ES2026), which tdewolff/parse v2.25.0 does not parse:
// it reads `using` as an identifier and fails at the name after it, or at
// the `await` of `for await (await using x of …)`. When err is at such a
// place, rewriteUsing replaces `using` with `const` and the `await` before
// it with spaces, in s.text only, and reports true. A `const` binds the name
// in the same block and forbids assignment to it, as `using` does, and
// offsets do not change.
func rewriteUsing(s *source, err error) bool {
	var perr *parse.Error
	if !errors.As(err, &perr) {
		return false
	}
	at := errorOffset(s, perr)
	if hasWordAt(s.text, at, "await") {
		// Move to the name after `await using`, if that is what follows.
		keyword := skipSpaceForward(s.text, at+len("await"))
		if keyword == at+len("await") || !hasWordAt(s.text, keyword, "using") {
			return false
		}
		at = skipSpaceForward(s.text, keyword+len("using"))
		if at == keyword+len("using") {
			return false
		}
	}
	if at >= len(s.text) || !isIdentifierStart(s.text[at]) {
		return false
	}
	keyword := skipSpaceBack(s.text, at)
	if keyword == at || !hasWordBefore(s.text, keyword, "using") {
		return false
	}
	keyword -= len("using")
	copy(s.text[keyword:], "const")
	if before := skipSpaceBack(s.text, keyword); before < keyword && hasWordBefore(s.text, before, "await") {
		copy(s.text[before-len("await"):], "     ")
	}
	return true
}

// skipSpaceForward returns the offset of the first byte at or after start
// that is not a space or a tab.
func skipSpaceForward(text []byte, start int) int {
	for start < len(text) && (text[start] == ' ' || text[start] == '\t') {
		start++
	}
	return start
}

// hasWordAt reports whether word starts at text[start] and no identifier
// character follows it.
func hasWordAt(text []byte, start int, word string) bool {
	end := start + len(word)
	if start < 0 || end > len(text) || string(text[start:end]) != word {
		return false
	}
	return end == len(text) || !isIdentifierPart(text[end])
}

// skipSpaceBack returns the offset just after the last byte before end that
// is not a space or a tab. Line terminators stop it, because neither
// `using` nor `await using` may be followed by one.
func skipSpaceBack(text []byte, end int) int {
	for end > 0 && (text[end-1] == ' ' || text[end-1] == '\t') {
		end--
	}
	return end
}

// hasWordBefore reports whether text[:end] ends with word, not preceded by
// an identifier character.
func hasWordBefore(text []byte, end int, word string) bool {
	start := end - len(word)
	if start < 0 || string(text[start:end]) != word {
		return false
	}
	return start == 0 || !isIdentifierPart(text[start-1])
}

func isIdentifierStart(b byte) bool {
	return b == '_' || b == '$' || b >= 0x80 || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

func isIdentifierPart(b byte) bool {
	return isIdentifierStart(b) || ('0' <= b && b <= '9')
}

// errorOffset converts the line and column of a parser error to a byte
// offset in s.text. The parser counts columns in code points.
func errorOffset(s *source, perr *parse.Error) int {
	offset := 0
	if perr.Line >= 1 && perr.Line <= len(s.lines) {
		offset = s.lines[perr.Line-1]
		end := s.lineEnd(perr.Line - 1)
		for column := 1; column < perr.Column && offset < end; column++ {
			_, size := utf8.DecodeRune(s.text[offset:end])
			offset += size
		}
	} else if perr.Line > len(s.lines) {
		offset = len(s.text)
	}
	return offset
}

// syntaxError converts an error of the parser to a PositionError. The parser
// counts columns in code points, and V8 in UTF-16 code units.
func syntaxError(s *source, err error) error {
	var perr *parse.Error
	if !errors.As(err, &perr) {
		return &PositionError{Path: s.path, Line: 1, Column: 1, Message: "syntax error: " + err.Error(), Syntax: true}
	}
	positioned := s.errorAt(errorOffset(s, perr), "syntax error: "+perr.Message)
	positioned.Syntax = true
	return positioned
}

// offsetIn returns the offset of b in text when b is a slice of text, and -1
// otherwise. The parser returns token data as slices of its input, so this
// recovers the positions that its AST does not store. Comparing addresses is
// sound because text is live and Go's garbage collector does not move heap
// objects.
func offsetIn(text, b []byte) int {
	if len(b) == 0 || len(b) > len(text) {
		return -1
	}
	offset := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(text)))
	if offset > uintptr(len(text)-len(b)) {
		return -1
	}
	return int(offset)
}
