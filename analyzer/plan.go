package analyzer

import (
	"fmt"
	"slices"
	"sort"

	"github.com/tdewolff/parse/v2/js"
)

// closure is the function that a spawn call runs.
type closure struct {
	span       *span
	start, end int // byte offsets of its text
	// self is the binding whose declaration is the closure's own text, for a
	// function passed by name. Its uses inside the closure refer to the
	// function itself.
	self *binding
	// literal is true when the closure is the function written as the
	// call's argument, rather than one passed by name.
	literal bool
}

// plan builds the Plan for the call whose callee's last identifier starts at
// the 1-based line and UTF-16 column.
func (m *module) plan(line, column int) (*Plan, error) {
	return m.planMasked(line, column, nil)
}

// planMasked is plan for a source in which MaskJSX replaced the JSX elements
// that start at the given positions. A closure or helper that contains one
// of them gets a diagnostic.
func (m *module) planMasked(line, column int, elements []Position) (plan *Plan, err error) {
	defer func() {
		recoverInternal(&err)
		if err != nil {
			plan = nil
		}
	}()
	offset := m.src.offset(line, column)
	if offset < 0 {
		return nil, &PositionError{
			Path:       m.src.path,
			Line:       line,
			Column:     column,
			Message:    fmt.Sprintf("line %d, column %d is outside the file, which has %d lines; the file may have changed since the call", line, column, len(m.src.lines)),
			SourceLine: m.src.lineText(line),
		}
	}
	index, ok := m.callAt[int32(offset)]
	if !ok {
		// No identifier can start right after another one ends, so a callee
		// end never coincides with a callee start.
		if index, ok = m.calleeEndAt[int32(offset)]; ok {
			offset = int(m.offsets[m.calls[index].callee])
		}
	}
	if !ok {
		return nil, m.src.errorAt(offset, "no function call starts at this position; expected the position of spawn in a call such as spawn(() => …), so the file may have changed since the call")
	}
	c := &m.calls[index]
	fn, err := m.closureOf(c, offset)
	if err != nil {
		return nil, err
	}

	p := &planner{
		m:            m,
		callScope:    c.scope,
		callAt:       offset,
		closureStart: fn.start,
		self:         fn.self,
		names:        make(map[string]*binding),
		diagnosed:    make(map[diagnosticKey]bool),
		plan: &Plan{
			FuncSource:  m.src.quote(fn.start, fn.end),
			Captures:    []Binding{},
			Imports:     []Import{},
			Helpers:     []Helper{},
			Globals:     []string{},
			Diagnostics: []Diagnostic{},
		},
	}
	p.plan.FuncLine, p.plan.FuncColumn = m.src.position(fn.start)
	p.plan.Literal = fn.literal
	for _, element := range elements {
		if offset := m.src.offset(element.Line, element.Column); offset >= 0 {
			p.jsx = append(p.jsx, offset)
		}
	}
	slices.Sort(p.jsx)
	p.visit(fn.span, nil)
	p.rejectJSX(fn.start, fn.end, nil)
	for len(p.queue) > 0 {
		helper := p.queue[0]
		p.queue = p.queue[1:]
		p.visit(helper.value, helper)
		if start, end, ok := m.valueText(helper); ok {
			p.rejectJSX(start, end, helper)
		}
	}
	p.finish()
	return p.plan, nil
}

// closureOf returns the closure that the call passes as its first argument.
func (m *module) closureOf(c *call, calleeOffset int) (closure, error) {
	switch c.argument {
	case argumentMissing:
		return closure{}, m.src.errorAt(calleeOffset, "the call has no arguments; pass the closure to run, as in spawn(() => …)")
	case argumentSpread:
		return closure{}, m.src.errorAt(calleeOffset, "the closure is passed with spread syntax; pass it directly, as in spawn(() => …)")
	case argumentOther:
		return closure{}, m.src.errorAt(calleeOffset, "the first argument is not a function; pass an arrow function, a function expression or the name of a function declared in this file")
	case argumentIdentifier:
		return m.namedClosure(c, calleeOffset)
	}

	toks := m.tokens
	callee := toks.at(calleeOffset)
	if callee < 0 || c.function == nil {
		return closure{}, &internalError{message: "no callee token or function at " + m.src.formatPosition(calleeOffset)}
	}
	open := callee + 1
	if toks.kind(open) == js.OptChainToken {
		open++
	}
	if toks.kind(open) != js.OpenParenToken {
		return closure{}, &internalError{message: "no parenthesis after the callee at " + m.src.formatPosition(calleeOffset)}
	}
	first := open + 1
	last := toks.argumentEnd(first)
	for toks.kind(first) == js.OpenParenToken && int(toks.match[first]) == last && first < last {
		first, last = first+1, last-1
	}
	return closure{span: c.function, start: int(toks.tokens[first].start), end: int(toks.tokens[last].end), literal: true}, nil
}

// namedClosure returns the closure for spawn(name): the declaration of the
// function that name resolves to at the call.
func (m *module) namedClosure(c *call, calleeOffset int) (closure, error) {
	r := &m.refs[c.ref]
	b := r.binding
	at := calleeOffset
	if offset := m.offsets[r.event]; offset >= 0 {
		at = int(offset)
	}
	switch {
	case b == nil:
		return closure{}, m.src.errorAt(at, fmt.Sprintf("`%s` is not declared in this file, so its source is unknown; pass an arrow function or a function expression, as in spawn(() => %s())", r.name, r.name))
	case m.importOf(b) != nil:
		return closure{}, m.src.errorAt(at, fmt.Sprintf("`%s` is imported, so its source is in another file; call it from a closure instead, as in spawn(() => %s())", r.name, r.name))
	case b.value == nil || b.value.kind == spanClass:
		return closure{}, m.src.errorAt(at, fmt.Sprintf("`%s` (declared at %s) is not a function declaration or a variable initialized with a function; pass an arrow function or a function expression instead", r.name, m.declaredAt(b)))
	}
	start, end, ok := m.valueText(b)
	if !ok {
		return closure{}, &internalError{message: "no source text for `" + b.name + "` declared at " + m.declaredAt(b)}
	}
	fn := closure{span: b.value, start: start, end: end}
	if b.kind == kindFunction || b.kind == kindFunctionName {
		// The text is a function with this name, which binds the name
		// inside itself when compiled as an expression.
		fn.self = b
	}
	return fn, nil
}

// valueText returns the byte range of the function or class that a binding
// holds: a function or class declaration or expression with that name, or
// the initializer of a variable.
func (m *module) valueText(b *binding) (start, end int, ok bool) {
	if b.event < 0 || m.offsets[b.event] < 0 {
		return 0, 0, false
	}
	toks := m.tokens
	name := toks.at(int(m.offsets[b.event]))
	if name < 0 {
		return 0, 0, false
	}
	var first, last int
	switch b.kind {
	case kindFunction, kindFunctionName:
		first = name - 1
		if toks.kind(first) == js.MulToken {
			first--
		}
		if toks.kind(first) != js.FunctionToken {
			return 0, 0, false
		}
		if toks.kind(first-1) == js.AsyncToken && !toks.tokens[first].newline {
			first--
		}
		last = toks.functionEnd(first)
	case kindClass, kindClassName:
		first = name - 1
		if toks.kind(first) != js.ClassToken {
			return 0, 0, false
		}
		last = toks.classEnd(first)
	case kindVar, kindLet, kindConst:
		if toks.kind(name+1) != js.EqToken {
			return 0, 0, false
		}
		first = name + 2
		for toks.kind(first) == js.OpenParenToken && toks.kind(int(toks.match[first])+1) != js.ArrowToken {
			first++ // a parenthesized initializer
		}
		switch b.value.kind {
		case spanArrow:
			last = toks.arrowEnd(first)
		case spanClass:
			last = toks.classEnd(first)
		default:
			last = toks.functionEnd(first)
		}
	default:
		return 0, 0, false
	}
	if first < 0 || last < first {
		return 0, 0, false
	}
	return int(toks.tokens[first].start), int(toks.tokens[last].end), true
}

// importOf returns the import that binds b, or nil. A variable initialized
// with require("…") is an import only while require is the global one.
func (m *module) importOf(b *binding) *Import {
	switch {
	case b.imported == nil:
		return nil
	case b.kind == kindImport:
		return b.imported
	case b.requireRef >= 0 && int(b.requireRef) < len(m.refs):
		if r := &m.refs[b.requireRef]; r.name == "require" && r.binding == nil {
			return b.imported
		}
	}
	return nil
}

// declaredAt returns "line:column" of a binding's declaration.
func (m *module) declaredAt(b *binding) string {
	return m.src.formatPosition(m.declarationOffset(b))
}

func (m *module) declarationOffset(b *binding) int {
	if b.event >= 0 && m.offsets[b.event] >= 0 {
		return int(m.offsets[b.event])
	}
	return 0
}

// planner classifies the free names of a closure and of the helpers it
// uses, transitively.
type planner struct {
	m            *module
	callScope    *scope // the scope in which the bridge reads captures and helpers
	callAt       int    // offset of the callee
	closureStart int
	self         *binding
	plan         *Plan
	// names maps each free name seen so far to its binding, nil for a
	// global. The worker binds each name once.
	names     map[string]*binding
	helpers   []*binding
	queue     []*binding // helpers whose free names are not classified yet
	diagnosed map[diagnosticKey]bool
	jsx       []int // offsets of the JSX elements that MaskJSX replaced, in increasing order
}

// visit classifies the free names of a span: the closure when helper is nil,
// or the value of helper.
func (p *planner) visit(sp *span, helper *binding) {
	subject := "the closure"
	if helper != nil {
		subject = "helper `" + helper.name + "`"
	}
	for i := sp.refs.start; i < sp.refs.end; i++ {
		r := &p.m.refs[i]
		b := r.binding
		if sp.owns(b) || (b != nil && b == p.self) {
			continue
		}
		if b != nil && b.kind == kindArguments {
			p.diagnose(r.event, subject, " uses `arguments` of an enclosing function, which is not available on the worker thread; copy the values it needs into a variable outside the closure")
			continue
		}
		if r.write && b != nil {
			p.assignment(r, b, subject)
		}
		p.classify(r, b, subject)
	}
	for i := sp.specials.start; i < sp.specials.end; i++ {
		s := p.m.specials[i]
		if sp.contexts.contains(s.context) {
			continue
		}
		switch s.kind {
		case specialThis:
			p.diagnose(s.event, subject, " uses `this`, which is not available on the worker thread; pass the values it needs as captured variables")
		case specialSuper:
			p.diagnose(s.event, subject, " uses `super`, which is not available on the worker thread; call the method outside the closure and capture the result")
		case specialNewTarget:
			p.diagnose(s.event, subject, " uses `new.target`, which is not available on the worker thread; copy it into a variable outside the closure")
		}
	}
}

// jsxProblem is the diagnostic for JSX in code that runs on a worker.
const jsxProblem = " contains JSX, which is not supported on a worker thread because the worker compiles the code from its text, without this file's JSX transform and JSX runtime. Move the JSX into a module and call a function imported from it instead"

// rejectJSX adds a diagnostic for the first JSX element that starts in the
// byte range [start, end) of the closure, or of helper when it is not nil.
func (p *planner) rejectJSX(start, end int, helper *binding) {
	i, _ := slices.BinarySearch(p.jsx, start)
	if i == len(p.jsx) || p.jsx[i] >= end {
		return
	}
	key := diagnosticKey{offset: p.jsx[i], problem: jsxProblem}
	if p.diagnosed[key] {
		return
	}
	p.diagnosed[key] = true
	subject := "the closure"
	if helper != nil {
		subject = "helper `" + helper.name + "`"
	}
	p.plan.Diagnostics = append(p.plan.Diagnostics, p.m.src.diagnosticAt(p.jsx[i], subject+jsxProblem))
}

func (p *planner) assignment(r *reference, b *binding, subject string) {
	if p.m.importOf(b) != nil {
		p.diagnose(r.event, subject, fmt.Sprintf(" assigns to imported binding `%s` (declared at %s); the worker imports its own copy, so the change would be lost. Return the new value instead", r.name, p.m.declaredAt(b)))
		return
	}
	p.diagnose(r.event, subject, fmt.Sprintf(" assigns to captured variable `%s` (declared at %s); the worker gets a copy, so the change would be lost. Return the new value instead", r.name, p.m.declaredAt(b)))
}

// classify adds a free name to the plan the first time it is seen.
func (p *planner) classify(r *reference, b *binding, subject string) {
	if first, seen := p.names[r.name]; seen {
		if first != b {
			p.diagnose(r.event, subject, fmt.Sprintf(" uses %s, but the closure or another helper uses %s, and the worker binds each name once; rename one of them", p.describe(r.name, b), p.describe(r.name, first)))
		}
		return
	}
	p.names[r.name] = b

	if b == nil {
		p.plan.Globals = append(p.plan.Globals, r.name)
		return
	}
	if imported := p.m.importOf(b); imported != nil {
		entry := *imported
		entry.Line, entry.Column = p.m.src.position(p.m.declarationOffset(b))
		p.plan.Imports = append(p.plan.Imports, entry)
		return
	}

	// The bridge reads captures and helpers by name in the scope of the
	// call, which must resolve the name to the same declaration.
	if atCall := p.callScope.lookup(r.name); atCall != b {
		if atCall == nil {
			p.diagnose(r.event, subject, fmt.Sprintf(" uses `%s` declared at %s, which is not in scope at the spawn call at %s; declare it where the call can see it, or pass the value as a parameter", r.name, p.m.declaredAt(b), p.m.src.formatPosition(p.callAt)))
		} else {
			p.diagnose(r.event, subject, fmt.Sprintf(" uses `%s` declared at %s, but at the spawn call at %s the name refers to the declaration at %s; rename one of them", r.name, p.m.declaredAt(b), p.m.src.formatPosition(p.callAt), p.m.declaredAt(atCall)))
		}
	}

	if b.value != nil {
		p.helpers = append(p.helpers, b)
		p.queue = append(p.queue, b)
		return
	}
	line, column := p.m.src.position(p.m.declarationOffset(b))
	p.plan.Captures = append(p.plan.Captures, Binding{Name: r.name, Line: line, Column: column, Kind: b.kind.String()})
}

// describe names a binding in a message.
func (p *planner) describe(name string, b *binding) string {
	if b == nil {
		return "the global `" + name + "`"
	}
	return "`" + name + "` declared at " + p.m.declaredAt(b)
}

// diagnose adds a diagnostic with the message subject+problem at the token
// of an event, or at the start of the closure when the token is unknown. A
// problem is reported once per position: a helper class whose method calls
// spawn contains the closure, so both visits meet the closure's problems.
func (p *planner) diagnose(event int32, subject, problem string) {
	offset := p.closureStart
	if event >= 0 && p.m.offsets[event] >= 0 {
		offset = int(p.m.offsets[event])
	}
	key := diagnosticKey{offset: offset, problem: problem}
	if p.diagnosed[key] {
		return
	}
	p.diagnosed[key] = true
	p.plan.Diagnostics = append(p.plan.Diagnostics, p.m.src.diagnosticAt(offset, subject+problem))
}

type diagnosticKey struct {
	offset  int
	problem string
}

// reassignedHelpers returns the helpers that some statement of the module
// assigns to after their declaration, whose value at the time of a call may
// be other code than their declaration's.
func (p *planner) reassignedHelpers() map[*binding]bool {
	helpers := make(map[*binding]bool, len(p.helpers))
	for _, b := range p.helpers {
		helpers[b] = false
	}
	for i := range p.m.refs {
		r := &p.m.refs[i]
		if _, ok := helpers[r.binding]; ok && r.write {
			helpers[r.binding] = true
		}
	}
	return helpers
}

// finish orders the helpers by declaration and the diagnostics by position.
func (p *planner) finish() {
	sort.SliceStable(p.helpers, func(i, j int) bool {
		return p.m.declarationOffset(p.helpers[i]) < p.m.declarationOffset(p.helpers[j])
	})
	reassigned := p.reassignedHelpers()
	for _, b := range p.helpers {
		line, column := p.m.src.position(p.m.declarationOffset(b))
		helper := Helper{Name: b.name, Line: line, Column: column, Kind: b.kind.String()}
		if start, end, ok := p.m.valueText(b); ok {
			helper.SourceLine, helper.SourceColumn = p.m.src.position(start)
			if !reassigned[b] {
				helper.Source = p.m.src.quote(start, end)
			}
		}
		p.plan.Helpers = append(p.plan.Helpers, helper)
	}
	sort.SliceStable(p.plan.Diagnostics, func(i, j int) bool {
		a, b := p.plan.Diagnostics[i], p.plan.Diagnostics[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
