package analyzer

import (
	"errors"
	"io"
	"slices"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// maxInsertedSemicolons bounds the semicolons that insertSemicolon adds to
// one file, and so the number of times the file is parsed again.
//
// NOTE: the bound is a guess at what hand-written files need: each insertion
// costs one more parse of the whole file. A file that needs more is reported
// as a syntax error at the next such line.
const maxInsertedSemicolons = 100

// insertSemicolon works around github.com/tdewolff/parse/v2 v2.25.0, which
// does not apply automatic semicolon insertion after an arrow function with a
// block body. It reads `const f = () => {}` followed by a line that starts
// with `[`, `(` or a template literal as a member access, call or tagged
// template on the arrow function and fails there. No arrow function can be
// continued that way, because it is an AssignmentExpression and not a
// LeftHandSideExpression, so ECMAScript inserts a semicolon at the line
// break.
//
// When err is at such a token, insertSemicolon inserts `;` into s.text right
// after the `}` that closes the arrow function's body. It returns the
// semicolon's offset and the token's new offset, or -1 and -1 with nothing
// changed. The `;` goes before the line break, so every token keeps its line
// and column. Only comments and spaces after the `}` on that line move right
// by one. The caller parses again, and removes the semicolon with
// removeSemicolon unless the parser gets past the token. It does not where
// no statement can end at the `}`, as in `f(() => {}` followed by `[1])`.
func insertSemicolon(s *source, err error) (semicolon, token int) {
	var perr *parse.Error
	if !errors.As(err, &perr) {
		return -1, -1
	}
	at := errorOffset(s, perr)
	if at >= len(s.text) || (s.text[at] != '[' && s.text[at] != '(' && s.text[at] != '`') {
		return -1, -1
	}
	end, ok := arrowBodyEndBefore(s.text, at)
	if !ok {
		return -1, -1
	}
	text := make([]byte, len(s.text)+1, len(s.text)+2) // the spare byte is for the lexer's sentinel, as in newSource
	copy(text, s.text[:end])
	text[end] = ';'
	copy(text[end+1:], s.text[end:])
	s.text = text
	s.lines = lineStarts(text)
	index, _ := slices.BinarySearch(s.inserted, end)
	for i := index; i < len(s.inserted); i++ {
		s.inserted[i]++ // later semicolons move right with the text
	}
	s.inserted = slices.Insert(s.inserted, index, end)
	return end, at + 1
}

// removeSemicolon undoes the insertSemicolon call that returned at.
func removeSemicolon(s *source, at int) {
	index, found := slices.BinarySearch(s.inserted, at)
	if !found {
		return
	}
	s.inserted = slices.Delete(s.inserted, index, index+1)
	for i := index; i < len(s.inserted); i++ {
		s.inserted[i]--
	}
	text := make([]byte, len(s.text)-1, len(s.text))
	copy(text, s.text[:at])
	copy(text[at:], s.text[at+1:])
	s.text = text
	s.lines = lineStarts(text)
}

// arrowBodyEndBefore lexes text up to offset at and returns the end offset
// of the last token before at. It reports false unless that token is the `}`
// that closes the block body of an arrow function and a line terminator
// separates it from at. The lexer cannot tell a regular expression from a
// division by itself, so a `/` is read as a regular expression where no
// expression ends before it. After a wrong guess, the caller's extra parse
// fails at the same token and the semicolon is removed.
func arrowBodyEndBefore(text []byte, at int) (end int, ok bool) {
	input := parse.NewInputBytes(text[:at:at]) // the capacity limit makes the input copy, so text keeps its byte at at
	lexer := js.NewLexer(input)
	var (
		previous     = js.ErrorToken // kind of the last significant token
		previousEnd  int
		newline      bool   // a line terminator follows the last significant token
		arrowBraces  []bool // for each open brace, whether it follows `=>`
		closedArrow  bool   // the last significant token closes an arrow function's body
		expectsArrow bool   // the last significant token is `=>`
	)
	for {
		kind, _ := lexer.Next()
		switch kind {
		case js.ErrorToken:
			if lexer.Err() != io.EOF {
				return 0, false
			}
			return previousEnd, closedArrow && newline
		case js.WhitespaceToken, js.CommentToken:
			continue
		case js.LineTerminatorToken, js.CommentLineTerminatorToken:
			newline = true
			continue
		}
		if (kind == js.DivToken || kind == js.DivEqToken) && !canEndExpression(previous) {
			if kind, _ = lexer.RegExp(); kind == js.ErrorToken {
				return 0, false
			}
		}
		closedArrow = false
		switch kind {
		case js.OpenBraceToken:
			arrowBraces = append(arrowBraces, expectsArrow)
		case js.CloseBraceToken:
			if len(arrowBraces) > 0 {
				closedArrow = arrowBraces[len(arrowBraces)-1]
				arrowBraces = arrowBraces[:len(arrowBraces)-1]
			}
		}
		expectsArrow = kind == js.ArrowToken
		previous, previousEnd, newline = kind, input.Offset(), false
	}
}
