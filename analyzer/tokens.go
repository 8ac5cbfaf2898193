package analyzer

import (
	"errors"
	"io"
	"sort"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// token is a significant token of the source: whitespace, line terminators
// and comments are dropped.
type token struct {
	start, end int32 // byte offsets
	kind       js.TokenType
	newline    bool // a line terminator precedes the token
}

// tokenList is the token sequence of a file with the matching pairs of its
// brackets.
type tokenList struct {
	tokens []token
	// match holds, for each opening or closing bracket and for the first and
	// last token of a template literal with substitutions, the index of its
	// partner, and -1 for other tokens.
	match []int32
}

// lexTokens splits text into tokens. The lexer cannot tell a regular
// expression from a division by itself, so regexps lists, in increasing
// order, the offsets at which the parser found regular expression literals.
func lexTokens(text []byte, regexps []int32) (*tokenList, error) {
	input := parse.NewInputBytes(text)
	defer input.Restore()
	lexer := js.NewLexer(input)

	list := &tokenList{tokens: make([]token, 0, len(text)/5)} // the npm CLI has one token per 6 bytes, comments included
	newline := false
	next := 0 // index into regexps
	for {
		kind, data := lexer.Next()
		switch kind {
		case js.ErrorToken:
			if err := lexer.Err(); err != io.EOF {
				return nil, err
			}
			if next != len(regexps) {
				return nil, errors.New("a regular expression literal was not found by the lexer")
			}
			list.matchBrackets()
			return list, nil
		case js.WhitespaceToken, js.CommentToken:
			continue
		case js.LineTerminatorToken, js.CommentLineTerminatorToken:
			newline = true
			continue
		}
		end := input.Offset()
		start := end - len(data)
		if (kind == js.DivToken || kind == js.DivEqToken) && next < len(regexps) && int(regexps[next]) == start {
			kind, _ = lexer.RegExp()
			if kind == js.ErrorToken {
				return nil, lexer.Err()
			}
			end = input.Offset()
			next++
		}
		list.tokens = append(list.tokens, token{start: int32(start), end: int32(end), kind: kind, newline: newline})
		newline = false
	}
}

func (l *tokenList) matchBrackets() {
	l.match = make([]int32, len(l.tokens))
	var open []int32
	for i, t := range l.tokens {
		l.match[i] = -1
		switch t.kind {
		case js.OpenParenToken, js.OpenBracketToken, js.OpenBraceToken, js.TemplateStartToken:
			open = append(open, int32(i))
		case js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateEndToken:
			if len(open) == 0 {
				continue
			}
			j := open[len(open)-1]
			open = open[:len(open)-1]
			l.match[i], l.match[j] = j, int32(i)
		}
	}
}

func (l *tokenList) kind(i int) js.TokenType {
	if i < 0 || i >= len(l.tokens) {
		return js.ErrorToken
	}
	return l.tokens[i].kind
}

// at returns the index of the token that starts at offset, or -1.
func (l *tokenList) at(offset int) int {
	i := sort.Search(len(l.tokens), func(i int) bool { return int(l.tokens[i].start) >= offset })
	if i < len(l.tokens) && int(l.tokens[i].start) == offset {
		return i
	}
	return -1
}

// skipBracket returns the index after the bracketed group that starts at
// token i, or i+1 when token i opens no group.
func (l *tokenList) skipBracket(i int) int {
	if j := l.match[i]; j > int32(i) {
		return int(j) + 1
	}
	return i + 1
}

// argumentEnd returns the index of the last token of the call argument that
// starts at token i: the argument ends before a comma or a closing bracket
// outside brackets.
func (l *tokenList) argumentEnd(i int) int {
	j := i
	for j < len(l.tokens) {
		switch l.tokens[j].kind {
		case js.CommaToken, js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateMiddleToken, js.TemplateEndToken:
			return j - 1
		}
		j = l.skipBracket(j)
	}
	return j - 1
}

// functionEnd returns the index of the closing brace of the function whose
// first token (async or function) is at i.
func (l *tokenList) functionEnd(i int) int {
	j := i
	for j < len(l.tokens) && l.tokens[j].kind != js.OpenParenToken {
		j++
	}
	if j == len(l.tokens) {
		return -1
	}
	j = l.skipBracket(j) // parameters
	if l.kind(j) != js.OpenBraceToken {
		return -1
	}
	return int(l.match[j])
}

// classEnd returns the index of the closing brace of the class whose class
// token is at i. The body is the first brace after the class token outside
// brackets, which skips an extends clause such as extends mixin({ a: 1 }).
func (l *tokenList) classEnd(i int) int {
	j := i + 1
	for j < len(l.tokens) && l.tokens[j].kind != js.OpenBraceToken {
		j = l.skipBracket(j)
	}
	if j >= len(l.tokens) {
		return -1
	}
	return int(l.match[j])
}

// arrowEnd returns the index of the last token of the arrow function whose
// first token is at i.
func (l *tokenList) arrowEnd(i int) int {
	// The head is `async`, then a parenthesized parameter list or a single
	// parameter name, then `=>`.
	j := i
	for step := 0; step < 3 && l.kind(j) != js.ArrowToken; step++ {
		if l.kind(j) == js.ErrorToken {
			return -1
		}
		j = l.skipBracket(j)
	}
	if l.kind(j) != js.ArrowToken {
		return -1
	}
	j++
	if l.kind(j) == js.OpenBraceToken {
		return int(l.match[j])
	}
	return l.expressionEnd(j)
}

// expressionEnd returns the index of the last token of the assignment
// expression that starts at token i. Outside brackets, the expression ends
// before a comma, a semicolon, a closing bracket or an unmatched colon. It
// also ends at a line break where automatic semicolon insertion applies,
// which is when the token before the break can end an expression and the
// token after it cannot continue one.
func (l *tokenList) expressionEnd(i int) int {
	conditionals := 0 // `?` still waiting for their `:`
	last := i - 1
	for j := i; j < len(l.tokens); {
		t := l.tokens[j]
		if j > i && t.newline && canEndExpression(l.kind(last)) && !continuesExpression(t.kind) {
			return last
		}
		switch t.kind {
		case js.CommaToken, js.SemicolonToken, js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateMiddleToken, js.TemplateEndToken:
			return last
		case js.ColonToken:
			if conditionals == 0 {
				return last
			}
			conditionals--
		case js.QuestionToken:
			conditionals++
		}
		next := l.skipBracket(j)
		last, j = next-1, next
	}
	return last
}

// canEndExpression reports whether a token of this kind can be the last token
// of an expression.
func canEndExpression(kind js.TokenType) bool {
	switch kind {
	case js.ThisToken, js.SuperToken, js.NullToken, js.TrueToken, js.FalseToken,
		js.StringToken, js.TemplateToken, js.TemplateEndToken, js.RegExpToken,
		js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken,
		js.IncrToken, js.DecrToken:
		return true
	}
	return js.IsIdentifier(kind) || js.IsNumeric(kind)
}

// continuesExpression reports whether a token of this kind, at the start of a
// line, continues the expression on the line before instead of starting a new
// statement.
func continuesExpression(kind js.TokenType) bool {
	switch kind {
	case js.NotToken, js.BitNotToken, js.IncrToken, js.DecrToken:
		return false
	case js.DotToken, js.OptChainToken, js.OpenParenToken, js.OpenBracketToken,
		js.TemplateToken, js.TemplateStartToken, js.QuestionToken, js.ColonToken,
		js.ArrowToken, js.InToken, js.InstanceofToken, js.CommaToken:
		return true
	}
	return js.IsOperator(kind)
}
