package analyzer

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// source is the text of one file with an index of its lines.
type source struct {
	path string
	// text is the file without a leading UTF-8 byte order mark, which Node.js
	// strips before V8 counts columns. A shebang line is blanked with spaces,
	// so that the parser skips it and offsets stay the same. The slice
	// has one spare byte of capacity, which the lexer overwrites with a NUL
	// sentinel instead of copying the text. parseModule also rewrites
	// `using` declarations in it, keeping every offset, and inserts
	// semicolons that the parser fails to insert (see insertSemicolon).
	text []byte
	// original is the file as read, without the byte order mark: the text
	// that plans and messages quote.
	original []byte
	// written is the file as written, without the byte order mark, when
	// original was derived from it by changes that keep every line and
	// column, and nil otherwise. writtenLines holds its line starts. Messages
	// quote its lines.
	written      []byte
	writtenLines []int
	// inserted holds, in increasing order, the offsets in text of the
	// semicolons that insertSemicolon added, each at the end of a line. text
	// is longer than original by their number.
	inserted []int
	// lines holds the byte offset at which each line starts. Line terminators
	// are those of ECMAScript, as V8 counts them: LF, CR, CRLF, U+2028 and
	// U+2029.
	lines []int
}

var byteOrderMark = []byte{0xEF, 0xBB, 0xBF}

func newSource(path string, src []byte) *source {
	src = bytes.TrimPrefix(src, byteOrderMark)
	text := make([]byte, len(src), len(src)+1)
	copy(text, src)
	if bytes.HasPrefix(text, []byte("#!")) {
		for i := 0; i < len(text) && !isLineTerminatorAt(text, i); i++ {
			text[i] = ' '
		}
	}
	return &source{path: path, text: text, original: src, lines: lineStarts(text)}
}

// isLineTerminatorAt reports whether a line terminator starts at text[i].
func isLineTerminatorAt(text []byte, i int) bool {
	switch text[i] {
	case '\n', '\r':
		return true
	case 0xE2:
		return i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0xA8 || text[i+2] == 0xA9)
	}
	return false
}

func lineStarts(text []byte) []int {
	lines := []int{0}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			lines = append(lines, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			lines = append(lines, i+1)
		case 0xE2:
			if isLineTerminatorAt(text, i) {
				i += 2
				lines = append(lines, i+1)
			}
		}
	}
	return lines
}

// lineEnd returns the offset of the line terminator that ends the 0-based
// line index, or the length of the text for the last line.
func (s *source) lineEnd(index int) int {
	return lineEnd(s.text, s.lines, index)
}

// lineEnd returns the offset of the line terminator that ends the 0-based
// line index of text, whose line starts are lines, or the length of text
// for the last line.
func lineEnd(text []byte, lines []int, index int) int {
	if index+1 >= len(lines) {
		return len(text)
	}
	end := lines[index+1]
	switch {
	case end >= 2 && text[end-2] == '\r' && text[end-1] == '\n':
		return end - 2
	case text[end-1] == '\n' || text[end-1] == '\r':
		return end - 1
	default: // U+2028 or U+2029
		return end - 3
	}
}

// position converts a byte offset to a 1-based line and a 1-based column in
// UTF-16 code units.
func (s *source) position(offset int) (line, column int) {
	index := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > offset }) - 1
	return index + 1, 1 + utf16Length(s.text[s.lines[index]:offset])
}

// offset converts a 1-based line and UTF-16 column to a byte offset. It
// returns -1 when the line does not exist, the column lies past the end of
// the line, or the column splits a character outside the Basic Multilingual
// Plane.
func (s *source) offset(line, column int) int {
	if line < 1 || line > len(s.lines) || column < 1 {
		return -1
	}
	i, end := s.lines[line-1], s.lineEnd(line-1)
	for units := 1; units < column; {
		if i >= end {
			return -1
		}
		r, size := utf8.DecodeRune(s.text[i:end])
		units += utf16Units(r)
		i += size
		if units > column {
			return -1
		}
	}
	return i
}

// lineText returns the 1-based line without its terminator.
func (s *source) lineText(line int) string {
	if s.written != nil {
		if line < 1 || line > len(s.writtenLines) {
			return ""
		}
		return string(s.written[s.writtenLines[line-1]:lineEnd(s.written, s.writtenLines, line-1)])
	}
	if line < 1 || line > len(s.lines) {
		return ""
	}
	return s.quote(s.lines[line-1], s.lineEnd(line-1))
}

// quote returns the original text of the byte range [start, end) of text,
// without the semicolons that insertSemicolon added.
func (s *source) quote(start, end int) string {
	return string(s.original[s.originalOffset(start):s.originalOffset(end)])
}

// originalOffset converts an offset in text to the offset of the same byte
// in original. An inserted semicolon maps to the byte that follows it.
func (s *source) originalOffset(offset int) int {
	before, _ := slices.BinarySearch(s.inserted, offset)
	return offset - before
}

// errorAt returns a PositionError at the byte offset.
func (s *source) errorAt(offset int, message string) *PositionError {
	line, column := s.position(offset)
	return &PositionError{Path: s.path, Line: line, Column: column, Message: message, SourceLine: s.lineText(line)}
}

// diagnosticAt returns a Diagnostic at the byte offset.
func (s *source) diagnosticAt(offset int, message string) Diagnostic {
	line, column := s.position(offset)
	return Diagnostic{Line: line, Column: column, Message: message, SourceLine: s.lineText(line)}
}

// formatPosition returns the position of a byte offset as "line:column".
func (s *source) formatPosition(offset int) string {
	line, column := s.position(offset)
	return strconv.Itoa(line) + ":" + strconv.Itoa(column)
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// utf16Length returns the number of UTF-16 code units of b. Each byte of an
// invalid UTF-8 sequence counts as one unit, as a U+FFFD replacement does.
func utf16Length(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		n += utf16Units(r)
		b = b[size:]
	}
	return n
}

// excerpt returns at most about limit bytes of line around the 1-based UTF-16
// column, and a caret line that points at the column. Tabs before the column
// are kept in the caret line so that the caret lines up in a terminal.
func excerpt(line string, column, limit int) (text, caret string) {
	at := 0 // byte offset of the column in line
	for units := 1; units < column && at < len(line); {
		r, size := utf8.DecodeRuneInString(line[at:])
		units += utf16Units(r)
		at += size
	}
	start, end := 0, len(line)
	if len(line) > limit {
		start = max(0, at-limit/2)
		end = min(len(line), start+limit)
		for start > 0 && !utf8.RuneStart(line[start]) {
			start--
		}
		for end < len(line) && !utf8.RuneStart(line[end]) {
			end++
		}
	}
	var b strings.Builder
	for _, r := range line[start:at] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return line[start:end], b.String()
}
