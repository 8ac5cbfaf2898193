package analyzer

import (
	"bytes"
	"math"
	"sort"

	"github.com/tdewolff/parse/v2/js"
)

// eventKind selects how alignEvents finds the token of an event.
type eventKind uint8

const (
	eventKnown     eventKind = iota // the parser's token data gives the offset
	eventName                       // the next token whose text is the event's text
	eventNewTarget                  // the next `new` followed by `.target`
)

// event is a token that the walk met. The parser's AST stores no positions,
// and one *js.Var stands for every use of a name in a scope, so the walk
// records events in source order and alignEvents matches each name to the
// next token with the same text. Tokens whose offsets are known (literals,
// property names, labels) keep the matching in step. An event holds no
// pointers, so that the garbage collector need not scan the event list.
type event struct {
	offset int32 // for eventKnown, the offset of the token
	// text and length locate the text to match for eventName: a range of the
	// source when text >= 0, or words[-text-1] otherwise.
	text, length int32
	kind         eventKind
}

// Contextual keywords that the walk records as events, so that a variable of
// the same name after them is not matched to the keyword.
var (
	wordAsync  = []byte("async")
	wordGet    = []byte("get")
	wordSet    = []byte("set")
	wordStatic = []byte("static")
	wordOf     = []byte("of")
	wordMeta   = []byte("meta")
	wordTarget = []byte("target")
)

// walker visits an AST in source order, builds scopes, declares bindings and
// records references, uses of this, super and new.target, and calls.
type walker struct {
	text        []byte
	scope       *scope
	context     int32 // id of the innermost this-context
	nextScope   int32
	nextContext int32
	events      []event
	words       [][]byte // name texts that are not slices of the source
	refs        []reference
	specials    []special
	calls       []call
	regexps     []int32
	names       map[string]string // interned names, keyed by their text in the source

	// Scopes and bindings are allocated in slabs of slabSize, because one
	// allocation for many of them is cheaper. A slab stays in memory while
	// any of its elements is referenced.
	freeScopes   []scope
	freeBindings []binding
}

const slabSize = 256

func newWalker(s *source) *walker {
	// The capacities avoid most regrowth of the largest lists. The npm
	// CLI's sources have about one event per 16 bytes and one reference per
	// 41 bytes, and the dense code of the benchmark module one per 10 and
	// 32 bytes.
	w := &walker{
		text:        s.text,
		names:       make(map[string]string),
		nextContext: 1,
		events:      make([]event, 0, len(s.text)/12),
		refs:        make([]reference, 0, len(s.text)/32),
	}
	w.pushScope(true) // the module; its this-context is 0
	return w
}

func (w *walker) pushScope(isVar bool) {
	if len(w.freeScopes) == 0 {
		w.freeScopes = make([]scope, slabSize)
	}
	s := &w.freeScopes[0]
	w.freeScopes = w.freeScopes[1:]
	*s = scope{parent: w.scope, id: w.nextScope, isVar: isVar}
	w.scope = s
	w.nextScope++
}

func (w *walker) popScope() {
	w.scope = w.scope.parent
}

func (w *walker) newContext() int32 {
	w.nextContext++
	return w.nextContext - 1
}

func (w *walker) beginSpan(kind spanKind) *span {
	return &span{
		kind:     kind,
		refs:     interval{start: int32(len(w.refs))},
		scopes:   interval{start: w.nextScope},
		contexts: interval{start: w.nextContext},
		specials: interval{start: int32(len(w.specials))},
	}
}

func (w *walker) endSpan(sp *span) {
	sp.refs.end = int32(len(w.refs))
	sp.scopes.end = w.nextScope
	sp.contexts.end = w.nextContext
	sp.specials.end = int32(len(w.specials))
}

// name records an event for the next token with the given text.
func (w *walker) name(text []byte) int32 {
	e := event{offset: -1, length: int32(len(text)), kind: eventName}
	if offset := offsetIn(w.text, text); offset >= 0 {
		e.text = int32(offset)
	} else {
		w.words = append(w.words, text)
		e.text = -int32(len(w.words))
	}
	w.events = append(w.events, e)
	return int32(len(w.events) - 1)
}

// eventText returns the text that a name event matches.
func (w *walker) eventText(e *event) []byte {
	if e.text >= 0 {
		return w.text[e.text : e.text+e.length]
	}
	return w.words[-e.text-1]
}

// known records an event for token data that the parser sliced from the
// text. It returns -1 and records nothing for data that the parser copied.
func (w *walker) known(data []byte) int32 {
	offset := offsetIn(w.text, data)
	if offset < 0 {
		return -1
	}
	w.events = append(w.events, event{offset: int32(offset), kind: eventKnown})
	return int32(len(w.events) - 1)
}

// intern returns the name as a string, with Unicode escape sequences
// decoded, sharing one string per distinct name.
func (w *walker) intern(text []byte) string {
	if name, ok := w.names[string(text)]; ok {
		return name
	}
	name := string(text)
	if bytes.IndexByte(text, '\\') >= 0 {
		name = decodeIdentifier(name)
	}
	w.names[string(text)] = name
	return name
}

// declare records the name token and binds it in s.
func (w *walker) declare(text []byte, kind bindingKind, s *scope) *binding {
	return w.bind(w.intern(text), w.name(text), kind, s)
}

// bind adds a binding to s. A repeated var or function declaration of a name
// in one scope is the same binding at run time, so the first declaration is
// kept. A function declaration replaces what came before, because its value
// does so when the scope is entered.
func (w *walker) bind(name string, event int32, kind bindingKind, s *scope) *binding {
	if old := s.find(name); old != nil && kind != kindFunction {
		return old
	}
	if len(w.freeBindings) == 0 {
		w.freeBindings = make([]binding, slabSize)
	}
	b := &w.freeBindings[0]
	w.freeBindings = w.freeBindings[1:]
	*b = binding{name: name, kind: kind, event: event, scope: s, requireRef: -1}
	s.add(b)
	return b
}

// use records a reference to v and returns its index in w.refs, or -1 for a
// private name, which is not a variable.
func (w *walker) use(v *js.Var, write bool) int32 {
	if v == nil || len(v.Data) == 0 || v.Data[0] == '#' {
		return -1
	}
	event := w.name(v.Data)
	w.refs = append(w.refs, reference{name: w.intern(v.Data), event: event, scope: w.scope, write: write})
	return int32(len(w.refs) - 1)
}

func (w *walker) addSpecial(kind specialKind, event int32) {
	w.specials = append(w.specials, special{kind: kind, event: event, context: w.context})
}

func (w *walker) stmts(list []js.IStmt) {
	for _, n := range list {
		w.stmt(n)
	}
}

func (w *walker) stmt(n js.IStmt) {
	switch n := n.(type) {
	case *js.BlockStmt:
		if n != nil {
			w.pushScope(false)
			w.stmts(n.List)
			w.popScope()
		}
	case *js.ExprStmt:
		w.expr(n.Value)
	case *js.VarDecl:
		w.varDecl(n)
	case *js.FuncDecl:
		w.function(n, true)
	case *js.ClassDecl:
		w.class(n, true)
	case *js.IfStmt:
		w.expr(n.Cond)
		w.body(n.Body)
		w.body(n.Else)
	case *js.DoWhileStmt:
		w.body(n.Body)
		w.expr(n.Cond)
	case *js.WhileStmt:
		w.expr(n.Cond)
		w.body(n.Body)
	case *js.ForStmt:
		w.pushScope(false) // let and const of the initializer
		w.forInit(n.Init, false)
		w.expr(n.Cond)
		w.expr(n.Post)
		w.loopBody(n.Body)
		w.popScope()
	case *js.ForInStmt:
		w.pushScope(false)
		w.forInit(n.Init, true)
		w.expr(n.Value)
		w.loopBody(n.Body)
		w.popScope()
	case *js.ForOfStmt:
		w.pushScope(false)
		w.forInit(n.Init, true)
		w.name(wordOf)
		w.expr(n.Value)
		w.loopBody(n.Body)
		w.popScope()
	case *js.SwitchStmt:
		w.expr(n.Init)
		w.pushScope(false) // one scope for all clauses
		for i := range n.List {
			w.expr(n.List[i].Cond)
			w.stmts(n.List[i].List)
		}
		w.popScope()
	case *js.BranchStmt:
		w.known(n.Label)
	case *js.ReturnStmt:
		w.expr(n.Value)
	case *js.WithStmt:
		// NOTE: names inside a with statement may be properties of its
		// object at run time; they are resolved as if the with were absent.
		w.expr(n.Cond)
		w.body(n.Body)
	case *js.LabelledStmt:
		w.known(n.Label)
		w.stmt(n.Value)
	case *js.ThrowStmt:
		w.expr(n.Value)
	case *js.TryStmt:
		w.tryStmt(n)
	case *js.ImportStmt:
		w.importStmt(n)
	case *js.ExportStmt:
		w.exportStmt(n)
	case *js.DirectivePrologueStmt:
		w.known(n.Value)
	}
}

// body walks the body of an if, loop or with statement. A declaration there
// (allowed for functions in sloppy mode) is scoped to the body.
func (w *walker) body(n js.IStmt) {
	if n == nil {
		return
	}
	if _, ok := n.(*js.BlockStmt); ok {
		w.stmt(n)
		return
	}
	w.pushScope(false)
	w.stmt(n)
	w.popScope()
}

// loopBody walks the body of a for statement, which the parser stores as a
// block even without braces.
func (w *walker) loopBody(n *js.BlockStmt) {
	if n == nil {
		return
	}
	w.pushScope(false)
	w.stmts(n.List)
	w.popScope()
}

// forInit walks the initializer of a for statement. In for-in and for-of
// statements an expression there is an assignment target.
func (w *walker) forInit(n js.IExpr, assigns bool) {
	switch n := n.(type) {
	case nil:
	case *js.VarDecl:
		w.varDecl(n)
	default:
		if assigns {
			w.target(n)
		} else {
			w.expr(n)
		}
	}
}

func (w *walker) tryStmt(n *js.TryStmt) {
	if n.Body != nil {
		w.stmt(n.Body)
	}
	if n.Catch != nil {
		w.pushScope(false) // the catch parameter
		if n.Binding != nil {
			w.pattern(n.Binding, kindCatch, w.scope, nil)
		}
		w.pushScope(false)
		w.stmts(n.Catch.List)
		w.popScope()
		w.popScope()
	}
	if n.Finally != nil {
		w.stmt(n.Finally)
	}
}

func (w *walker) importStmt(n *js.ImportStmt) {
	specifier := unquote(n.Module)
	var attributes map[string]string
	if len(n.Attributes) > 0 {
		attributes = make(map[string]string, len(n.Attributes))
		for _, attribute := range n.Attributes {
			key := string(attribute.Key)
			if key != "" && (key[0] == '"' || key[0] == '\'') {
				key = unquote(attribute.Key)
			}
			attributes[key] = unquote(attribute.Value)
		}
	}
	if n.Default != nil {
		w.importBinding(n.Default, "default", specifier, attributes)
	}
	for _, alias := range n.List {
		if alias.Binding == nil {
			continue // the parser's marker for a trailing comma
		}
		imported := ""
		switch {
		case alias.Name == nil:
			imported = w.intern(alias.Binding)
		case alias.Name[0] == '"' || alias.Name[0] == '\'':
			imported = unquote(alias.Name)
		default:
			imported = w.intern(alias.Name) // "*" for a namespace import
		}
		w.known(alias.Name)
		w.importBinding(alias.Binding, imported, specifier, attributes)
	}
	w.known(n.Module)
	w.attributes(n.Attributes)
}

func (w *walker) importBinding(local []byte, imported, specifier string, attributes map[string]string) {
	name := w.intern(local)
	b := w.bind(name, w.known(local), kindImport, w.scope)
	b.imported = &Import{Local: name, Specifier: specifier, Imported: imported, Kind: "import", Attributes: attributes}
}

func (w *walker) attributes(list []js.ImportAttribute) {
	for _, attribute := range list {
		w.known(attribute.Key)
		w.known(attribute.Value)
	}
}

func (w *walker) exportStmt(n *js.ExportStmt) {
	for _, alias := range n.List {
		w.known(alias.Name)
		w.known(alias.Binding)
	}
	w.known(n.Module)
	w.attributes(n.Attributes)
	switch decl := n.Decl.(type) {
	case nil:
	case *js.VarDecl:
		w.varDecl(decl)
	case *js.FuncDecl:
		w.function(decl, true)
	case *js.ClassDecl:
		w.class(decl, true)
	default:
		w.expr(decl)
	}
}

// requireCall is a call require("specifier"), or a property of its result.
type requireCall struct {
	specifier string
	property  string // name after the dot, or "" for the whole exports object
}

// requireOf returns the require call that e is, or nil. Whether require is
// the global one is known only after resolution.
func requireOf(e js.IExpr) *requireCall {
	property := ""
	if dot, ok := e.(*js.DotExpr); ok && !dot.Optional {
		literal, ok := dot.Y.(js.LiteralExpr)
		if !ok {
			return nil
		}
		property = string(literal.Data)
		e = dot.X
	}
	c, ok := e.(*js.CallExpr)
	if !ok || c.Optional || len(c.Args.List) != 1 || c.Args.List[0].Rest {
		return nil
	}
	callee, ok := c.X.(*js.Var)
	if !ok || string(callee.Data) != "require" {
		return nil
	}
	argument, ok := c.Args.List[0].Value.(*js.LiteralExpr)
	if !ok || argument.TokenType != js.StringToken {
		return nil
	}
	return &requireCall{specifier: unquote(argument.Data), property: property}
}

func (w *walker) varDecl(n *js.VarDecl) {
	if n == nil {
		return
	}
	kind, target := kindVar, w.scope.varScope()
	switch n.TokenType {
	case js.LetToken:
		kind, target = kindLet, w.scope
	case js.ConstToken:
		kind, target = kindConst, w.scope
	}
	for i := range n.List {
		element := &n.List[i]
		require := requireOf(element.Default)
		var required []*binding
		var single *binding
		if v, ok := element.Binding.(*js.Var); ok && v != nil {
			single = w.declare(v.Data, kind, target)
			if require != nil {
				imported := require.property
				if imported == "" {
					imported = "*"
				}
				single.imported = &Import{Local: single.name, Specifier: require.specifier, Imported: imported, Kind: "require"}
				required = append(required, single)
			}
		} else if require != nil && require.property == "" {
			required = w.pattern(element.Binding, kind, target, require)
		} else {
			w.pattern(element.Binding, kind, target, nil)
		}

		requireRef := int32(len(w.refs)) // the first reference in a require call is require
		value := w.initializer(element.Default)
		if single != nil && value != nil {
			single.value = value
		}
		for _, b := range required {
			b.requireRef = requireRef
		}
	}
}

// initializer walks the initializer of a variable and returns the span of
// the function, arrow function or class that it is, possibly in parentheses.
func (w *walker) initializer(e js.IExpr) *span {
	switch f := unwrapGroups(e).(type) {
	case *js.ArrowFunc:
		return w.arrow(f)
	case *js.FuncDecl:
		return w.function(f, false)
	case *js.ClassDecl:
		return w.class(f, false)
	}
	w.expr(e)
	return nil
}

func unwrapGroups(e js.IExpr) js.IExpr {
	for {
		group, ok := e.(*js.GroupExpr)
		if !ok || group == nil {
			return e
		}
		e = group.X
	}
}

// pattern declares the names of a binding pattern in s and walks its
// default values and computed keys. With a require call, the names bound to
// a plain property of the exports object become imports, and pattern
// returns their bindings.
func (w *walker) pattern(n js.IBinding, kind bindingKind, s *scope, require *requireCall) []*binding {
	var required []*binding
	switch n := n.(type) {
	case *js.Var:
		if n != nil {
			w.declare(n.Data, kind, s)
		}
	case *js.BindingArray:
		for i := range n.List {
			w.bindingElement(&n.List[i], kind, s)
		}
		w.pattern(n.Rest, kind, s, nil)
	case *js.BindingObject:
		for i := range n.List {
			item := &n.List[i]
			key, plainKey := "", false
			if item.Key != nil {
				if item.Key.IsComputed() {
					w.expr(item.Key.Computed)
				} else {
					w.known(item.Key.Literal.Data)
					key, plainKey = propertyKey(item.Key.Literal)
				}
			}
			if v, ok := item.Value.Binding.(*js.Var); ok && v != nil && require != nil && plainKey && item.Value.Default == nil {
				b := w.declare(v.Data, kind, s)
				b.imported = &Import{Local: b.name, Specifier: require.specifier, Imported: key, Kind: "require"}
				required = append(required, b)
				continue
			}
			w.bindingElement(&item.Value, kind, s)
		}
		if n.Rest != nil {
			w.declare(n.Rest.Data, kind, s)
		}
	}
	return required
}

func (w *walker) bindingElement(n *js.BindingElement, kind bindingKind, s *scope) {
	if n.Binding != nil {
		w.pattern(n.Binding, kind, s, nil)
	}
	w.expr(n.Default)
}

// propertyKey returns the property name that a literal key stands for.
func propertyKey(literal js.LiteralExpr) (string, bool) {
	switch {
	case literal.TokenType == js.StringToken:
		return unquote(literal.Data), true
	case js.IsIdentifierName(literal.TokenType):
		return decodeIdentifier(string(literal.Data)), true
	case js.IsNumeric(literal.TokenType):
		return string(literal.Data), true
	}
	return "", false
}

// callable walks the parameters and body of a function, method or arrow
// function. Arrow functions share this, super, new.target and arguments with
// the code around them; the others have their own.
func (w *walker) callable(params *js.Params, body []js.IStmt, ownContext bool) {
	saved := w.context
	if ownContext {
		w.context = w.newContext()
	}
	// Parameters get a scope of their own: their default values cannot see
	// the declarations of the body.
	w.pushScope(false)
	if ownContext {
		w.bind("arguments", -1, kindArguments, w.scope)
	}
	for i := range params.List {
		w.bindingElement(&params.List[i], kindParam, w.scope)
	}
	if params.Rest != nil {
		w.pattern(params.Rest, kindParam, w.scope, nil)
	}
	w.pushScope(true)
	w.stmts(body)
	w.popScope()
	w.popScope()
	w.context = saved
}

// function walks a function declaration or expression and returns its span.
func (w *walker) function(n *js.FuncDecl, declaration bool) *span {
	if n == nil {
		return nil
	}
	if n.Async {
		w.name(wordAsync)
	}
	var declared *binding
	if declaration && n.Name != nil {
		// NOTE: a function declared in a block is scoped to the block, as
		// in strict code. In sloppy mode the enclosing function can also
		// use it after the block has run, and a closure that relies on
		// that gets the name as a global.
		declared = w.declare(n.Name.Data, kindFunction, w.scope)
	}
	sp := w.beginSpan(spanFunction)
	outer := w.scope
	if !declaration && n.Name != nil {
		w.pushScope(false) // the name of a function expression is visible only inside it
		w.declare(n.Name.Data, kindFunctionName, w.scope).value = sp
	}
	w.callable(&n.Params, n.Body.List, true)
	w.scope = outer
	w.endSpan(sp)
	if declared != nil {
		declared.value = sp
	}
	return sp
}

func (w *walker) arrow(n *js.ArrowFunc) *span {
	if n == nil {
		return nil
	}
	if n.Async {
		w.name(wordAsync)
	}
	sp := w.beginSpan(spanArrow)
	w.callable(&n.Params, n.Body.List, false)
	w.endSpan(sp)
	return sp
}

func (w *walker) method(n *js.MethodDecl) {
	if n.Static {
		w.name(wordStatic)
	}
	if n.Async {
		w.name(wordAsync)
	}
	if n.Get {
		w.name(wordGet)
	}
	if n.Set {
		w.name(wordSet)
	}
	w.elementName(&n.Name)
	w.callable(&n.Params, n.Body.List, true)
}

func (w *walker) elementName(n *js.ClassElementName) {
	if n.Private != nil {
		return // #name is not a variable
	}
	w.propertyName(&n.PropertyName)
}

func (w *walker) propertyName(n *js.PropertyName) {
	if n.Computed != nil {
		w.expr(n.Computed)
		return
	}
	w.known(n.Literal.Data)
}

// class walks a class declaration or expression and returns its span. A
// class has an inner binding of its name, visible in its body, apart from
// the binding that a declaration adds to the enclosing scope.
func (w *walker) class(n *js.ClassDecl, declaration bool) *span {
	if n == nil {
		return nil
	}
	var declared *binding
	nameEvent := int32(-1)
	if n.Name != nil {
		if declaration {
			declared = w.declare(n.Name.Data, kindClass, w.scope)
			nameEvent = declared.event
		} else {
			nameEvent = w.name(n.Name.Data)
		}
	}
	sp := w.beginSpan(spanClass)
	outer := w.scope
	w.pushScope(false)
	if n.Name != nil {
		w.bind(w.intern(n.Name.Data), nameEvent, kindClassName, w.scope).value = sp
	}
	w.expr(n.Extends)
	for i := range n.List {
		w.classElement(&n.List[i])
	}
	w.scope = outer
	w.endSpan(sp)
	if declared != nil {
		declared.value = sp
	}
	return sp
}

func (w *walker) classElement(n *js.ClassElement) {
	switch {
	case n.StaticBlock != nil:
		w.name(wordStatic)
		saved := w.context
		w.context = w.newContext()
		w.pushScope(true)
		w.stmts(n.StaticBlock.List)
		w.popScope()
		w.context = saved
	case n.Method != nil:
		w.method(n.Method)
	default:
		if n.Static {
			w.name(wordStatic)
		}
		w.elementName(&n.Name)
		if n.Init != nil {
			// A field initializer runs as a method of the instance or
			// class would, with its own this.
			saved := w.context
			w.context = w.newContext()
			w.pushScope(true)
			w.expr(n.Init)
			w.popScope()
			w.context = saved
		}
	}
}

func (w *walker) expr(n js.IExpr) {
	switch n := n.(type) {
	case nil:
	case *js.Var:
		w.use(n, false)
	case *js.LiteralExpr:
		if n != nil {
			w.literal(n)
		}
	case js.LiteralExpr:
		w.literal(&n)
	case *js.ArrayExpr:
		for i := range n.List {
			w.expr(n.List[i].Value)
		}
	case *js.ObjectExpr:
		w.object(n)
	case *js.TemplateExpr:
		w.expr(n.Tag)
		for i := range n.List {
			w.known(n.List[i].Value)
			w.expr(n.List[i].Expr)
		}
		w.known(n.Tail)
	case *js.GroupExpr:
		w.expr(n.X)
	case *js.IndexExpr:
		w.expr(n.X)
		w.expr(n.Y)
	case *js.DotExpr:
		w.dot(n)
	case *js.NewTargetExpr:
		w.events = append(w.events, event{offset: -1, kind: eventNewTarget})
		w.addSpecial(specialNewTarget, int32(len(w.events)-1))
	case *js.ImportMetaExpr:
		w.name(wordMeta)
	case *js.NewExpr:
		w.expr(n.X)
		if n.Args != nil {
			w.args(n.Args.List)
		}
	case *js.CallExpr:
		w.call(n)
	case *js.UnaryExpr:
		switch n.Op {
		case js.PreIncrToken, js.PreDecrToken, js.PostIncrToken, js.PostDecrToken:
			w.target(n.X)
		default:
			w.expr(n.X)
		}
	case *js.BinaryExpr:
		if isAssignment(n.Op) {
			w.target(n.X)
		} else {
			w.expr(n.X)
		}
		w.expr(n.Y)
	case *js.CondExpr:
		w.expr(n.Cond)
		w.expr(n.X)
		w.expr(n.Y)
	case *js.YieldExpr:
		w.expr(n.X)
	case *js.ArrowFunc:
		w.arrow(n)
	case *js.FuncDecl:
		w.function(n, false)
	case *js.ClassDecl:
		w.class(n, false)
	case *js.CommaExpr:
		for _, item := range n.List {
			w.expr(item)
		}
	}
}

func (w *walker) literal(n *js.LiteralExpr) {
	switch n.TokenType {
	case js.ThisToken:
		w.addSpecial(specialThis, w.known(n.Data))
	case js.SuperToken:
		w.addSpecial(specialSuper, w.known(n.Data))
	case js.RegExpToken:
		if offset := offsetIn(w.text, n.Data); offset >= 0 {
			w.regexps = append(w.regexps, int32(offset))
		}
		w.known(n.Data)
	default:
		w.known(n.Data)
	}
}

func (w *walker) object(n *js.ObjectExpr) {
	for i := range n.List {
		property := &n.List[i]
		if property.Spread {
			w.expr(property.Value)
			continue
		}
		if method, ok := property.Value.(*js.MethodDecl); ok && method != nil {
			w.method(method)
			continue
		}
		if property.Name != nil {
			w.propertyName(property.Name)
		}
		w.expr(property.Value)
		w.expr(property.Init)
	}
}

// dot walks a member expression and returns the event of the property name,
// or -1 for a private name.
func (w *walker) dot(n *js.DotExpr) int32 {
	w.expr(n.X)
	switch y := n.Y.(type) {
	case js.LiteralExpr:
		return w.known(y.Data)
	case *js.LiteralExpr:
		return w.known(y.Data)
	}
	return -1
}

func (w *walker) args(list []js.Arg) {
	for i := range list {
		w.expr(list[i].Value)
	}
}

// call walks a call and records it when its callee ends in a name, the
// position V8 reports for the frame of the callee's caller.
func (w *walker) call(n *js.CallExpr) {
	callee := int32(-1)
	switch x := n.X.(type) {
	case *js.Var:
		if ref := w.use(x, false); ref >= 0 {
			callee = w.refs[ref].event
		}
	case *js.DotExpr:
		callee = w.dot(x)
	default:
		w.expr(n.X)
	}
	if callee < 0 {
		w.args(n.Args.List)
		return
	}
	c := call{scope: w.scope, callee: callee, ref: -1}
	for i := range n.Args.List {
		if i == 0 {
			w.firstArgument(&n.Args.List[0], &c)
		} else {
			w.expr(n.Args.List[i].Value)
		}
	}
	w.calls = append(w.calls, c)
}

func (w *walker) firstArgument(arg *js.Arg, c *call) {
	if arg.Rest {
		w.expr(arg.Value)
		c.argument = argumentSpread
		return
	}
	switch f := unwrapGroups(arg.Value).(type) {
	case *js.ArrowFunc:
		c.function = w.arrow(f)
		c.argument = argumentFunction
	case *js.FuncDecl:
		c.function = w.function(f, false)
		c.argument = argumentFunction
	case *js.Var:
		c.ref = w.use(f, false)
		c.argument = argumentIdentifier
		if c.ref < 0 {
			c.argument = argumentOther
		}
	default:
		w.expr(arg.Value)
		c.argument = argumentOther
	}
}

// target walks an assignment target: a name, which the assignment writes, or
// an array or object pattern of targets.
func (w *walker) target(n js.IExpr) {
	switch n := n.(type) {
	case *js.Var:
		w.use(n, true)
	case *js.GroupExpr:
		w.target(n.X)
	case *js.ArrayExpr:
		for i := range n.List {
			w.target(n.List[i].Value)
		}
	case *js.ObjectExpr:
		for i := range n.List {
			property := &n.List[i]
			if !property.Spread && property.Name != nil {
				w.propertyName(property.Name)
			}
			w.target(property.Value)
			w.expr(property.Init)
		}
	case *js.BinaryExpr:
		if n.Op == js.EqToken { // a target with a default value
			w.target(n.X)
			w.expr(n.Y)
		} else {
			w.expr(n)
		}
	default:
		w.expr(n)
	}
}

func isAssignment(op js.TokenType) bool {
	switch op {
	case js.EqToken, js.MulEqToken, js.DivEqToken, js.ModEqToken, js.ExpEqToken,
		js.AddEqToken, js.SubEqToken, js.LtLtEqToken, js.GtGtEqToken, js.GtGtGtEqToken,
		js.BitAndEqToken, js.BitXorEqToken, js.BitOrEqToken,
		js.AndEqToken, js.OrEqToken, js.NullishEqToken:
		return true
	}
	return false
}

// alignEvents finds the token of each event and returns their offsets, -1
// where no token was found. A name event is matched to the first token with
// its text after the previous event's token, and before the next event whose
// offset is known.
func alignEvents(w *walker, tokens []token) []int32 {
	events := w.events
	offsets := make([]int32, len(events))
	limit := int32(math.MaxInt32)
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].kind == eventKnown {
			limit = events[i].offset
		}
		offsets[i] = limit
	}

	cursor := 0
	for i := range events {
		e := &events[i]
		if e.kind == eventKnown {
			offsets[i] = e.offset
			for cursor < len(tokens) && tokens[cursor].start <= e.offset {
				cursor++
			}
			continue
		}
		limit := offsets[i]
		offsets[i] = -1
		for j := cursor; j < len(tokens) && tokens[j].start < limit; j++ {
			if tokenIs(w, tokens, j, e) {
				offsets[i] = tokens[j].start
				cursor = j + 1
				if e.kind == eventNewTarget {
					cursor = j + 3
				}
				break
			}
		}
	}
	return offsets
}

func tokenIs(w *walker, tokens []token, j int, e *event) bool {
	t := tokens[j]
	if e.kind == eventName {
		return t.end-t.start == e.length && bytes.Equal(w.text[t.start:t.end], w.eventText(e))
	}
	return t.kind == js.NewToken && j+2 < len(tokens) && tokens[j+1].kind == js.DotToken &&
		bytes.Equal(w.text[tokens[j+2].start:tokens[j+2].end], wordTarget)
}

// sortedOffsets returns the offsets in increasing order.
func sortedOffsets(offsets []int32) []int32 {
	if !sort.SliceIsSorted(offsets, func(i, j int) bool { return offsets[i] < offsets[j] }) {
		sort.Slice(offsets, func(i, j int) bool { return offsets[i] < offsets[j] })
	}
	return offsets
}
