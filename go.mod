module github.com/experimental-threads/experimental-threads

go 1.26.0

require (
	github.com/tdewolff/parse/v2 v2.25.0
	golang.org/x/sys v0.50.0
)
