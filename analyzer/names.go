package analyzer

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeIdentifier replaces the Unicode escape sequences of an identifier
// (\u0061 or \u{61}) with the characters they stand for, so that `\u0061`
// and `a` name the same binding.
func decodeIdentifier(name string) string {
	if !strings.Contains(name, `\`) {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); {
		if name[i] == '\\' {
			if r, size := readUnicodeEscape(name[i+1:]); size > 0 {
				b.WriteRune(r)
				i += 1 + size
				continue
			}
		}
		b.WriteByte(name[i])
		i++
	}
	return b.String()
}

// readUnicodeEscape reads uXXXX or u{X…} at the start of s and returns the
// code point and the number of bytes read, or 0 bytes when s starts with
// neither.
func readUnicodeEscape(s string) (rune, int) {
	if len(s) < 2 || s[0] != 'u' {
		return 0, 0
	}
	if s[1] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 3 {
			return 0, 0
		}
		value, err := strconv.ParseUint(s[2:end], 16, 32)
		if err != nil || value > utf8.MaxRune {
			return 0, 0
		}
		return rune(value), end + 1
	}
	if len(s) < 5 {
		return 0, 0
	}
	value, err := strconv.ParseUint(s[1:5], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(value), 5
}

// unquote returns the value of a JavaScript string literal, quotes included
// in literal. Escapes that split a character outside the Basic Multilingual
// Plane into two \u escapes are joined again.
func unquote(literal []byte) string {
	if len(literal) < 2 {
		return string(literal)
	}
	body := string(literal[1 : len(literal)-1])
	if !strings.Contains(body, `\`) {
		return body
	}
	var units []uint16
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' || i+1 == len(body) {
			r, size := utf8.DecodeRuneInString(body[i:])
			units = utf16.AppendRune(units, r)
			i += size
			continue
		}
		r, size := readStringEscape(body[i+1:])
		i += 1 + size
		if r >= 0 {
			if r <= 0xFFFF {
				units = append(units, uint16(r)) // may be half of a surrogate pair
			} else {
				units = utf16.AppendRune(units, r)
			}
		}
	}
	return string(utf16.Decode(units))
}

// readStringEscape reads the escape sequence after a backslash at the start
// of s. It returns the code point, or -1 for a line continuation, and the
// number of bytes read.
func readStringEscape(s string) (rune, int) {
	switch s[0] {
	case 'n':
		return '\n', 1
	case 'r':
		return '\r', 1
	case 't':
		return '\t', 1
	case 'b':
		return '\b', 1
	case 'f':
		return '\f', 1
	case 'v':
		return '\v', 1
	case '\r':
		if len(s) > 1 && s[1] == '\n' {
			return -1, 2
		}
		return -1, 1
	case '\n':
		return -1, 1
	case 'x':
		if len(s) >= 3 {
			if value, err := strconv.ParseUint(s[1:3], 16, 8); err == nil {
				return rune(value), 3
			}
		}
	case 'u':
		if r, size := readUnicodeEscape(s); size > 0 {
			return r, size
		}
	}
	if s[0] >= '0' && s[0] <= '7' { // legacy octal escape, \0 included
		size := 1
		for size < 3 && size < len(s) && s[size] >= '0' && s[size] <= '7' {
			size++
		}
		value, _ := strconv.ParseUint(s[:size], 8, 32)
		if value > 0xFF {
			size--
			value >>= 3
		}
		return rune(value), size
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == '\u2028' || r == '\u2029' {
		return -1, size
	}
	return r, size
}
