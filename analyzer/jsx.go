package analyzer

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// Position is a place in a source file.
type Position struct {
	Line   int `json:"line"`   // 1-based line
	Column int `json:"column"` // 1-based UTF-16 column
}

// MaskJSX returns a copy of src, a JavaScript or TypeScript file that may
// contain JSX, in which every JSX element and fragment is an array literal
// instead, so that a parser without JSX support reads the file. It also
// returns the position of each element or fragment that starts in code, as
// opposed to inside another element. src is not modified.
//
// The array literal has the same lines and UTF-16 columns as the element,
// and keeps the expressions inside it. The element's `<` becomes `[` and its
// last `>` becomes `]`. The `{` of each expression container becomes `,`, and
// each nested element becomes an array element in the same way. Tags,
// attribute names, strings and text become spaces, except for line
// terminators. So `<a href={url}>{label}<b/></a>` becomes
// `[       ,url  ,label ,[ ]    ]`. A closure passed to spawn inside an
// event handler attribute stays where it is, and the names in the
// expressions remain references.
//
// A `<` starts an element where an expression may start: at the start of
// the file, or after a punctuator or a keyword such as return, and not after
// an identifier, literal or closing parenthesis or bracket, where it is a
// comparison or type arguments (a < b, f<T>(x)). Even there, the element is
// masked only if it is well formed up to its closing tag, so the type
// parameters of a generic function type (type F = <T>(x: T) => T) are left
// alone, and so is a generic arrow function in the forms that TSX allows
// (<T,>(x: T) => x, <T extends U>(x: T) => x).
//
// NOTE: the scanner guesses whether a `/` starts a regular expression from
// the token before it, like the `<`. After `)` it reads a division, so it
// reads a regular expression literal right after the condition of an if or
// while statement as code, as in if (a) /'/.test(b). When such a literal
// contains a quote, backtick or brace, JSX after it may not be found.
func MaskJSX(src []byte) (masked []byte, elements []Position) {
	body := bytes.TrimPrefix(src, byteOrderMark)
	if bytes.IndexByte(body, '<') < 0 {
		return src, nil
	}
	m := &jsxMasker{src: body}
	start := 0
	if bytes.HasPrefix(body, []byte("#!")) {
		for start < len(body) && !isLineTerminatorAt(body, start) {
			start++
		}
	}
	m.code(start, false)
	if len(m.starts) == 0 {
		return src, nil
	}

	marks := make([]byte, len(body))
	for _, e := range m.edits {
		for i := e.start; i < e.end; i++ {
			marks[i] = e.mark
		}
	}
	masked = make([]byte, 0, len(src))
	masked = append(masked, src[:len(src)-len(body)]...)
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRune(body[i:])
		if marks[i] == 0 || isLineTerminatorAt(body, i) {
			masked = append(masked, body[i:i+size]...)
		} else {
			masked = append(masked, marks[i])
			for units := utf16Units(r); units > 1; units-- {
				masked = append(masked, ' ')
			}
		}
		i += size
	}

	s := &source{text: body, lines: lineStarts(body)}
	elements = make([]Position, len(m.starts))
	for i, offset := range m.starts {
		elements[i].Line, elements[i].Column = s.position(offset)
	}
	return masked, elements
}

// jsxEdit replaces each character that starts in [start, end) with mark, an
// ASCII character. A space blanks the text.
type jsxEdit struct {
	start, end int
	mark       byte
}

// jsxMasker finds the JSX in a file. Its edits apply in order, so a later
// edit overrides an earlier one. A failed attempt at an element removes the
// edits and starts it added.
type jsxMasker struct {
	src    []byte
	edits  []jsxEdit
	starts []int // offsets of the elements that start in code
	// noElement holds the offsets of `<` at which no element starts, and
	// unclosed the offsets after `{` that no `}` closes. Both depend on the
	// text after the offset only. Remembering them keeps text with many `<`
	// that start no element, such as the type parameters of generic function
	// types, from being scanned to its end once for each `<`.
	noElement map[int]bool
	unclosed  map[int]bool
}

func (m *jsxMasker) blank(start, end int) {
	if start < end {
		m.edits = append(m.edits, jsxEdit{start: start, end: end, mark: ' '})
	}
}

func (m *jsxMasker) mark(at int, mark byte) {
	m.edits = append(m.edits, jsxEdit{start: at, end: at + 1, mark: mark})
}

// Keywords after which an expression starts, so that a `<` after them starts
// an element and a `/` starts a regular expression.
var keywordsBeforeExpression = map[string]bool{
	"await": true, "case": true, "default": true, "delete": true, "do": true,
	"else": true, "in": true, "instanceof": true, "new": true, "of": true,
	"return": true, "throw": true, "typeof": true, "void": true, "yield": true,
}

// code scans JavaScript or TypeScript from offset i. When inBraces is set,
// it stops at the `}` that closes the brace before i, such as the brace of an
// expression container or a template substitution, and returns its offset,
// or false if no `}` closes it. Otherwise it scans to the end of src and
// returns len(src).
func (m *jsxMasker) code(i int, inBraces bool) (end int, ok bool) {
	if !inBraces {
		end, _ = m.scanCode(i, false)
		return end, true
	}
	if m.unclosed[i] {
		return len(m.src), false
	}
	if end, ok = m.scanCode(i, true); !ok {
		if m.unclosed == nil {
			m.unclosed = make(map[int]bool)
		}
		m.unclosed[i] = true
	}
	return end, ok
}

// scanCode is code without the memory of unclosed braces. Each brace in the
// code is scanned by a call of code of its own.
func (m *jsxMasker) scanCode(i int, inBraces bool) (end int, ok bool) {
	src := m.src
	endsOperand := false // the last token can end an expression
	afterDot := false    // the last token is `.` or `?.`, so a keyword next is a property name
	for i < len(src) {
		c := src[i]
		dot := false
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
			continue
		case c == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*'):
			i = m.comment(i)
			continue
		case c == '/' && !endsOperand:
			if next, isRegexp := m.regexp(i); isRegexp {
				i, endsOperand = next, true
				break
			}
			i, endsOperand = i+1, false
		case c == '\'' || c == '"':
			i, endsOperand = m.quoted(i), true
		case c == '`':
			next, ok := m.template(i)
			if !ok {
				return len(src), false
			}
			i, endsOperand = next, true
		case c == '{':
			close, ok := m.code(i+1, true)
			if !ok {
				return len(src), false
			}
			i, endsOperand = close+1, false
		case c == '}':
			if inBraces {
				return i, true
			}
			i, endsOperand = i+1, false // a `}` that closes nothing
		case c == ')' || c == ']':
			i, endsOperand = i+1, true
		case c == '<' && !endsOperand:
			if !m.genericArrowAt(i) {
				edits, starts := len(m.edits), len(m.starts)
				m.starts = append(m.starts, i)
				if next, ok := m.element(i, false); ok {
					i, endsOperand = next, true
					break
				}
				m.edits, m.starts = m.edits[:edits], m.starts[:starts]
			}
			i, endsOperand = i+1, false
		case (c == '+' || c == '-') && i+1 < len(src) && src[i+1] == c:
			// A postfix ++ or -- ends an operand more often than a prefix
			// one starts it before a `<` or `/`.
			i, endsOperand = i+2, true
		case c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			i, endsOperand = m.number(i), true
		case c == '.' && bytes.HasPrefix(src[i:], []byte("...")):
			i, endsOperand = i+3, false
		case c == '.' || (c == '?' && i+1 < len(src) && src[i+1] == '.' && !(i+2 < len(src) && isDigit(src[i+2]))):
			if c == '?' {
				i++
			}
			i, endsOperand, dot = i+1, false, true
		case isDigit(c):
			i, endsOperand = m.number(i), true
		case c >= utf8.RuneSelf && (isSpaceRune(src[i:]) || isLineTerminatorAt(src, i)):
			i += runeSize(src[i:])
			continue
		case c == '#' || c == '\\' || isIdentifierStart(c):
			start := i
			i = m.identifier(i + runeSize(src[i:]))
			endsOperand = afterDot || !keywordsBeforeExpression[string(src[start:i])]
		default:
			i, endsOperand = i+1, false
		}
		afterDot = dot
	}
	return len(src), !inBraces
}

// comment returns the offset after the comment that starts at i.
func (m *jsxMasker) comment(i int) int {
	src := m.src
	if src[i+1] == '/' {
		for i < len(src) && !isLineTerminatorAt(src, i) {
			i++
		}
		return i
	}
	if end := bytes.Index(src[i+2:], []byte("*/")); end >= 0 {
		return i + 2 + end + 2
	}
	return len(src)
}

// regexp returns the offset after the regular expression literal that starts
// at i, and false if no literal ends on the line.
func (m *jsxMasker) regexp(i int) (int, bool) {
	src := m.src
	inClass := false
	for j := i + 1; j < len(src); j++ {
		switch {
		case isLineTerminatorAt(src, j):
			return 0, false
		case src[j] == '\\':
			j++
		case src[j] == '[':
			inClass = true
		case src[j] == ']':
			inClass = false
		case src[j] == '/' && !inClass:
			return m.identifier(j + 1), true // the flags
		}
	}
	return 0, false
}

// quoted returns the offset after the string literal that starts at i. An
// unterminated string ends at the line terminator.
func (m *jsxMasker) quoted(i int) int {
	src := m.src
	quote := src[i]
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == quote:
			return j + 1
		case src[j] == '\\':
			if j+2 < len(src) && src[j+1] == '\r' && src[j+2] == '\n' {
				j++
			}
			j++
		case isLineTerminatorAt(src, j):
			return j
		}
	}
	return len(src)
}

// template returns the offset after the template literal that starts at i,
// scanning its substitutions as code, and false if it does not end.
func (m *jsxMasker) template(i int) (int, bool) {
	src := m.src
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '`':
			return j + 1, true
		case '\\':
			j++
		case '$':
			if j+1 < len(src) && src[j+1] == '{' {
				end, ok := m.code(j+2, true)
				if !ok {
					return 0, false
				}
				j = end
			}
		}
	}
	return 0, false
}

// number returns the offset after the numeric literal that starts at i.
func (m *jsxMasker) number(i int) int {
	src := m.src
	for i < len(src) && (isIdentifierPart(src[i]) || src[i] == '.') {
		i++
	}
	return i
}

// identifier returns the offset after the identifier characters that start
// at i. Unicode escapes and characters outside ASCII count as identifier
// characters.
func (m *jsxMasker) identifier(i int) int {
	src := m.src
	for i < len(src) {
		switch {
		case src[i] == '\\':
			i += 2
		case src[i] >= utf8.RuneSelf:
			if isSpaceRune(src[i:]) || isLineTerminatorAt(src, i) {
				return i
			}
			i += runeSize(src[i:])
		case isIdentifierPart(src[i]):
			i++
		default:
			return i
		}
	}
	return len(src)
}

// skipTrivia returns the offset of the first character at or after i that is
// not white space, a line terminator or part of a comment.
func (m *jsxMasker) skipTrivia(i int) int {
	src := m.src
	for i < len(src) {
		switch c := src[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*'):
			i = m.comment(i)
		case c >= utf8.RuneSelf && (isSpaceRune(src[i:]) || isLineTerminatorAt(src, i)):
			i += runeSize(src[i:])
		default:
			return i
		}
	}
	return i
}

// genericArrowAt reports whether the `<` at i starts the type parameters of
// a generic arrow function in a form that TypeScript reads as such in a .tsx
// file: `<T,`, `<T =` or `<T extends U`, each optionally with `const`
// before T.
func (m *jsxMasker) genericArrowAt(i int) bool {
	src := m.src
	j := m.skipTrivia(i + 1)
	name := m.identifier(j)
	if name > j && string(src[j:name]) == "const" {
		if next := m.skipTrivia(name); next > name {
			j, name = next, m.identifier(next)
		}
	}
	if name == j || !isIdentifierStart(src[j]) {
		return false
	}
	j = m.skipTrivia(name)
	if j >= len(src) {
		return false
	}
	if src[j] == ',' || (src[j] == '=' && !(j+1 < len(src) && src[j+1] == '>')) {
		return true
	}
	word := m.identifier(j)
	if string(src[j:word]) != "extends" {
		return false
	}
	next := m.skipTrivia(word)
	return next < len(src) && src[next] != '=' && src[next] != '>' && src[next] != '/'
}

// element scans the JSX element or fragment whose `<` is at i and records
// the edits that mask it. A nested element is one inside another element:
// its `<` becomes a comma that separates it from what comes before it in
// the enclosing array. It returns the offset after the element, and false if
// the text at i is not a well-formed element.
func (m *jsxMasker) element(i int, nested bool) (end int, ok bool) {
	if m.noElement[i] {
		return 0, false
	}
	if end, ok = m.scanElement(i, nested); !ok {
		if m.noElement == nil {
			m.noElement = make(map[int]bool)
		}
		m.noElement[i] = true
	}
	return end, ok
}

func (m *jsxMasker) scanElement(i int, nested bool) (end int, ok bool) {
	src := m.src
	j := m.skipTrivia(i + 1)
	if j >= len(src) {
		return 0, false
	}
	opening := j // the first character after `<` and any spaces
	blankFrom := i + 1
	name := ""
	if src[j] != '>' {
		if name, j = m.jsxName(j, true); name == "" {
			return 0, false
		}
		j = m.skipTrivia(j)
		if j < len(src) && src[j] == '<' { // TypeScript type arguments
			if j = m.typeArguments(j); j < 0 {
				return 0, false
			}
		}
		// Attributes, up to `>` or `/>`.
		for {
			j = m.skipTrivia(j)
			if j >= len(src) {
				return 0, false
			}
			switch src[j] {
			case '/':
				j = m.skipTrivia(j + 1)
				if j >= len(src) || src[j] != '>' {
					return 0, false
				}
				m.finishElement(i, opening, blankFrom, j, nested)
				return j + 1, true
			case '>':
			case '{': // a spread attribute
				if j, blankFrom, ok = m.container(j, blankFrom); !ok {
					return 0, false
				}
				continue
			default:
				var attribute string
				if attribute, j = m.jsxName(j, false); attribute == "" {
					return 0, false
				}
				j = m.skipTrivia(j)
				if j < len(src) && src[j] == '=' {
					if j, blankFrom, ok = m.attributeValue(m.skipTrivia(j+1), blankFrom); !ok {
						return 0, false
					}
				}
				continue
			}
			break
		}
	}
	j++ // the `>` of the opening tag

	// Children, up to the closing tag.
	for {
		for j < len(src) && src[j] != '<' && src[j] != '{' {
			j++
		}
		if j >= len(src) {
			return 0, false
		}
		if src[j] == '{' {
			if j, blankFrom, ok = m.container(j, blankFrom); !ok {
				return 0, false
			}
			continue
		}
		if k := m.skipTrivia(j + 1); k < len(src) && src[k] == '/' {
			k = m.skipTrivia(k + 1)
			closing := ""
			if k < len(src) && src[k] != '>' {
				closing, k = m.jsxName(k, true)
				k = m.skipTrivia(k)
			}
			if closing != name || k >= len(src) || src[k] != '>' {
				return 0, false
			}
			m.finishElement(i, opening, blankFrom, k, nested)
			return k + 1, true
		}
		m.blank(blankFrom, j)
		if j, ok = m.element(j, true); !ok {
			return 0, false
		}
		blankFrom = j
	}
}

// finishElement records the edits for the element whose `<` is at start and
// whose last `>` is at last. opening is the first character after `<` and
// any spaces, and blankFrom the start of the text not yet masked.
func (m *jsxMasker) finishElement(start, opening, blankFrom, last int, nested bool) {
	m.blank(blankFrom, last)
	m.mark(last, ']')
	if !nested {
		m.mark(start, '[')
		return
	}
	m.mark(start, ',')
	// The `[` goes on the first character of the tag that is not a line
	// terminator, which is part of the masked tag.
	for at := start + 1; at <= opening; at++ {
		if !isLineTerminatorAt(m.src, at) {
			m.mark(at, '[')
			return
		}
		at += runeSize(m.src[at:]) - 1
	}
}

// container scans the expression container or spread attribute whose `{` is
// at i, blanking the tag text from blankFrom up to it. It returns the offset
// after its `}` and the new start of the text to blank.
func (m *jsxMasker) container(i, blankFrom int) (end, nextBlank int, ok bool) {
	m.blank(blankFrom, i)
	close, ok := m.code(i+1, true)
	if !ok {
		return 0, 0, false
	}
	m.mark(i, ',')
	m.mark(close, ' ')
	return close + 1, close + 1, true
}

// attributeValue scans the value of an attribute that starts at i: a string,
// an expression container or an element.
func (m *jsxMasker) attributeValue(i, blankFrom int) (end, nextBlank int, ok bool) {
	src := m.src
	if i >= len(src) {
		return 0, 0, false
	}
	switch src[i] {
	case '"', '\'': // no escapes in JSX strings, and line terminators are allowed
		close := bytes.IndexByte(src[i+1:], src[i])
		if close < 0 {
			return 0, 0, false
		}
		return i + 1 + close + 1, blankFrom, true
	case '{':
		return m.container(i, blankFrom)
	case '<':
		m.blank(blankFrom, i)
		end, ok := m.element(i, true)
		return end, end, ok
	}
	return 0, 0, false
}

// jsxName scans an element or attribute name that starts at i: identifiers
// that may contain `-`, joined by `:` for a namespace and, for an element
// when member is set, by `.`. It returns the name without spaces and the
// offset after it, or "" if no name starts at i.
func (m *jsxMasker) jsxName(i int, member bool) (string, int) {
	src := m.src
	var name []byte
	for {
		if i >= len(src) || !(isIdentifierStart(src[i]) || src[i] == '\\') || isSpaceRune(src[i:]) {
			return "", i
		}
		start := i
		for {
			i = m.identifier(i)
			if i >= len(src) || src[i] != '-' {
				break
			}
			i++
		}
		name = append(name, src[start:i]...)
		j := m.skipTrivia(i)
		if j >= len(src) || !(src[j] == ':' || (member && src[j] == '.')) {
			return string(name), i
		}
		name = append(name, src[j])
		i = m.skipTrivia(j + 1)
	}
}

// typeArguments returns the offset after the TypeScript type arguments of an
// element, as in <Select<Option> value={v} />, whose `<` is at i, or -1.
func (m *jsxMasker) typeArguments(i int) int {
	src := m.src
	depth := 0
	for i < len(src) {
		switch c := src[i]; {
		case c == '<':
			depth++
		case c == '>':
			depth--
			if depth == 0 {
				return i + 1
			}
		case c == '=' && i+1 < len(src) && src[i+1] == '>':
			i++ // the arrow of a function type
		case c == '\'' || c == '"':
			i = m.quoted(i) - 1
		case c == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*'):
			i = m.comment(i) - 1
		case c == ';':
			return -1
		}
		i++
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isSpaceRune reports whether text starts with white space outside ASCII,
// such as a no-break space or a byte order mark.
func isSpaceRune(text []byte) bool {
	if len(text) == 0 || text[0] < utf8.RuneSelf {
		return false
	}
	r, _ := utf8.DecodeRune(text)
	return unicode.IsSpace(r) || r == '\uFEFF'
}

func runeSize(text []byte) int {
	_, size := utf8.DecodeRune(text)
	return size
}
